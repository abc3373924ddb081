"""The line reader takes expression lines with ``*`` (``f: a * b``, ``g: w0*x0 + b``), and
reads them as PyYAML's events do; where ``*`` is YAML's alias indicator (at the start of
a value) it leaves the document to the walker.

Behaviour is compared through the public ways in: ``read.parse`` without positions (the
line reader, when it takes the text) against ``read.parse`` with positions (always the
PyYAML walker), and ``circuitrun.loads`` of a spec against the same spec after a ``---``
line, which no line reader takes: the same result, or the same problems one line lower.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

import circuitrun
from circuitrun import NonFiniteError, SpecError
from circuitrun.read import fast, parse


def both_readers(text: str) -> tuple[Any, list[Any]]:
    """What reading ``text`` gives; the line reader and the walker must agree on it."""
    quick = parse(text, "spec.yaml", is_json=False)
    walked = parse(text, "spec.yaml", is_json=False, track=True)
    assert (quick.data, quick.problems) == (walked.data, walked.problems), text
    return walked.data, walked.problems


# ---- lines with '*' the line reader now takes -------------------------------------------

@pytest.mark.parametrize(("value", "read"), [
    ("a * b", "a * b"),
    ("w0*x0 + w1*x1 + w2", "w0*x0 + w1*x1 + w2"),
    ("x**2", "x**2"),
    ("2 * (x + 1)", "2 * (x + 1)"),
    ("-a * b", "-a * b"),
    ("-*a", "-*a"),  # '-' starts the scalar: '*' is a character after it
    ("a *b", "a *b"),  # '*' after a blank inside a scalar: still a character
    ("a * *", "a * *"),
    ("a * b  # a comment", "a * b"),
    ("1*2", "1*2"),  # not a number: a string
    (".5*x", ".5*x"),
], ids=lambda v: repr(v))
def test_the_line_reader_takes_a_star_inside_a_value(value: str, read: str) -> None:
    text = f"inputs: {{a: 1, b: 2}}\ngates:\n  f: {value}\n  g: {{op: neg, in: [f]}}\n"
    expected = {"inputs": {"a": 1, "b": 2}, "gates": {"f": read, "g": {"op": "neg",
                                                                      "in": ["f"]}}}
    # the line reader's own answer (not DECLINE: it took the line), and the walker's
    assert fast.read(text) == expected
    assert both_readers(text) == (expected, [])


# ---- hostile: '*' where it is an alias, or next to what the reader does not take ----------

@pytest.mark.parametrize("text", [
    "inputs: {x: 1}\ngates:\n  f: *a\n",  # an alias to no anchor
    "inputs: &i {x: 1}\ngates:\n  f: {op: neg, in: x}\nexpect: *i\n",  # an alias
    "inputs:\n  x: &v 2\n  y: *v\ngates:\n  f: x * y\n",  # an anchor and an alias
    "inputs: {x: 1}\ngates:\n  f: x * &a\n",  # '&' inside a scalar
    "inputs: {x: 1}\ngates:\n  f: x *# y\n",  # '#' after '*' is no comment
    "inputs: {x: 1}\ngates:\n  f: x * y #c\n",
    "inputs: {x: 1}\ngates:\n  f: x\n    * y\n",  # a scalar continued on a line of '*'
    "inputs: {x: 1}\ngates:\n  f: x *\n    y\n",
    "inputs: {x: 1}\ngates:\n  - *a\n",  # an alias as a list item
    "inputs: {x: 1}\ngates:\n  - x * y\n",
    "inputs: {x: 1}\ngates:\n  f: {op: mul, in: [x, *x]}\n",  # an alias in a flow list
    "inputs: {x: 1}\ngates:\n  f: [*x]\n",
    "inputs: {x: 1}\ngates:\n  f: x * y: z\n",  # ': ' after '*': a mapping in a scalar
    "inputs: {x: 1}\ngates:\n  f: x *: y\n",
    "inputs: {x: 1}\ngates:\n  f: '*'\n",
    "inputs: {x: 1}\ngates:\n  f: \"a * b\"\n",
    "inputs: {x: 1}\ngates:\n  f: *\n",  # an alias without a name
    "inputs: {x: 1}\ngates:\n  *f: x\n",  # an alias as a key
    "inputs: {x: 1}\ngates:\n  f*: x * 2\n",  # '*' in a key
    "inputs: {x: 1}\ngates:\n  f: x\t* 2\n",  # a tab
    "inputs: {x: 1}\ngates:\n  f: x * 2\r\n",  # CRLF
    "inputs: {x: 1}\ngates:\n  f: x * 2\rg: x\n",  # a lone CR
    "inputs: {x: 1}\ngates:\n  f: " + "x * " * 3000 + "x\n",  # a line past 10,000
], ids=lambda t: repr(t[30:60]))
def test_where_star_is_yaml_the_readers_agree(text: str) -> None:
    both_readers(text)


def test_an_alias_at_the_start_of_a_value_is_left_to_the_walker() -> None:
    assert fast.read("x: &v 1\ny: *v\n") is fast.DECLINE
    assert fast.read("x: 1\ny: *v\n") is fast.DECLINE
    assert fast.read("x: 1\ny:\n  - *v\n") is fast.DECLINE
    data, problems = both_readers("x: &v 1\ny: *v\n")
    assert (data, problems) == ({"x": 1, "y": 1}, [])


# ---- the same circuits, the same problems -----------------------------------------------

def outcome(text: str, shift: int = 0) -> tuple[str, Any]:
    """The result's JSON, or every problem as (line - shift, col, code, message)."""
    try:
        return "result", circuitrun.loads(text, "spec").run(allow_nonfinite=True).to_json()
    except SpecError as e:
        return "problems", [((p.line - shift if p.line and p.line > shift else p.line),
                             p.col, p.code, p.message) for p in e.problems]
    except NonFiniteError as e:  # pragma: no cover - allow_nonfinite reports them
        return "non-finite", str(e)


def star_spec(rng: random.Random, gates: int = 25) -> str:
    """A valid spec of expression gates with '*' (and '+', '-', '/', '**', calls)."""
    names = ["a", "b", "c"]
    lines = ["inputs:", *(f"  {n}: {rng.uniform(0.5, 2):.3f}" for n in names), "gates:"]
    for j in range(gates):
        x, y, z = (rng.choice(names) for _ in range(3))
        form = rng.choice([f"{x} * {y}", f"{x}*{y} + {z}", f"-{x} * {y}", f"2*{x}",
                           f"{x} * ({y} - {z})", f"{x}**2 * {y}", f"tanh({x}) * {y}",
                           f"{x} / {y} * {z}", f"{x} * {y}  # a comment"])
        lines.append(f"  g{j}: {form}")
        names.append(f"g{j}")
    lines.append(f"output: g{gates - 1}")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(12))
def test_expression_specs_load_the_same_either_way(seed: int) -> None:
    text = star_spec(random.Random(seed))
    assert fast.read(text) is not fast.DECLINE  # the line reader takes the whole file
    first = outcome(text)
    assert first[0] == "result"
    assert outcome("---\n" + text, shift=1) == first


@pytest.mark.parametrize("seed", range(40))
def test_broken_expression_specs_have_the_same_problems_either_way(seed: int) -> None:
    # a few characters of a valid spec replaced by others, '*' and ':' and '&' among them
    rng = random.Random(seed)
    chars = list(star_spec(rng, gates=8))
    for _ in range(rng.randint(1, 3)):
        chars[rng.randrange(len(chars))] = rng.choice("*&:#[]{}! -\tx2*")
    text = "".join(chars)
    both_readers(text)
    assert outcome("---\n" + text, shift=1) == outcome(text)
