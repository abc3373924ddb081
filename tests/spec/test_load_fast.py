"""Every way a spec can be written gives the same circuit, and the same problems.

circuitrun reads a spec with the fastest reader that reads it exactly (``json`` for
JSON; YAML of the common shape line by line; any other YAML through PyYAML's events)
and builds the DAG in a few passes when every gate is ``{op, in: [names]}``, gate by
gate otherwise.  These tests write one spec in ways that take each path and require
the same outcome, through ``circuitrun.loads`` only:

- a ``---`` line before a YAML document leaves it the same document, but no line
  reader reads it: the same result, or the same problems one line lower;
- a circuit whose gates take their inputs from ``wires`` is the same circuit;
- the same spec in YAML and in JSON gives the same result.

Checked on every example, every conformance case, every error case of test_errors,
random specs using every feature, and those specs corrupted at random.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from test_errors import CASES

import circuitrun
from circuitrun import NonFiniteError, SpecError

from support.paths import ROOT
from support.random_specs import random_spec

CONFORMANCE = ROOT.parent / "shared" / "conformance"
SPEC_FILES = sorted(
    p for d in (ROOT / "circuits", CONFORMANCE / "valid", CONFORMANCE / "invalid")
    if d.is_dir() for p in d.iterdir()
    if p.suffix in (".yaml", ".yml", ".json") and not p.name.endswith(".expected.json"))
sys.path.insert(0, str(ROOT / "bench"))
from gen import generate, to_json, to_yaml  # noqa: E402

# A text where a "---" line would not be neutral: it has document markers or directives
# of its own, or a byte-order mark (which may only start a stream).
_MARKED = re.compile(r"^(?:---|\.\.\.|%)|\ufeff", re.MULTILINE)


def outcome(text: str, *, is_json: bool = False, shift: int = 0) -> tuple[str, Any]:
    """What loading and running ``text`` ends in: the result's JSON, or each problem as
    (line - shift, col, code, message); a problem of the whole document stays at 1:1."""
    try:
        circuit = circuitrun.loads(text, "spec", json=is_json)
        return "result", circuit.run(allow_nonfinite=True).to_json()
    except SpecError as e:  # a problem with the spec, or an input without a value
        found = [((p.line - shift if p.line and p.line > shift else p.line), p.col, p.code,
                  p.message) for p in e.problems]
        return "problems", sorted(found, key=lambda p: (p[0] or 0, p[1] or 0, p[2], p[3]))
    except NonFiniteError as e:  # pragma: no cover - allow_nonfinite reports them
        return "non-finite", str(e)


def same_either_way(text: str) -> str:
    """Assert that ``text`` and ``---`` + ``text`` end alike; their outcome's kind."""
    first = outcome(text)
    assert outcome("---\n" + text, shift=1) == first, text
    return first[0]


def as_wires(spec: dict[str, Any]) -> dict[str, Any]:
    """The same circuit with every gate that takes only names fed by ``wires`` instead."""
    gates: dict[str, Any] = {}
    wires = list(spec.get("wires", []))
    for name, gate in spec["gates"].items():
        refs = gate.get("in")
        refs = refs if isinstance(refs, list) or refs is None else [refs]
        if refs and all(isinstance(r, str) for r in refs):
            gates[name] = {k: v for k, v in gate.items() if k != "in"}
            wires += [f"{r} -> {name}" for r in refs]
        else:
            gates[name] = gate
    return {**spec, "gates": gates, "wires": wires}


@pytest.mark.parametrize("path", SPEC_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_spec_files(path: Path) -> None:
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix == ".json":
        kind = outcome(text, is_json=True)[0]
        assert kind == ("problems" if path.parent.name == "invalid" else "result")
        return
    if _MARKED.search(text):  # written with markers already: the walker reads it
        assert outcome(text)[0] in ("result", "problems")
    else:
        same_either_way(text)


TEXT_CASES = [c for c in CASES if isinstance(c.values[0], str) or c.values[0].isascii()]


@pytest.mark.parametrize("case", [c.values for c in TEXT_CASES], ids=[c.id for c in TEXT_CASES])
def test_error_cases(case: tuple[Any, ...]) -> None:
    raw, name, expected = case
    text = textwrap.dedent(raw if isinstance(raw, str) else raw.decode("ascii"))
    if name.endswith(".json"):
        kind, problems = outcome(text, is_json=True)
    elif _MARKED.search(text):
        kind, problems = outcome(text)
    else:
        kind, problems = outcome(text)
        assert outcome("---\n" + text, shift=1) == (kind, problems)
    assert kind == "problems"
    assert [(line, col, code) for line, col, code, _ in problems] == expected


@pytest.mark.parametrize("seed", range(30))
def test_random_specs(seed: int) -> None:
    # Every op and feature: inline constants, const gates, ties, wires, nulls.
    text = random_spec(seed, 40, nulls=seed % 2 == 0)
    kind = same_either_way(text)
    assert kind == ("problems" if seed % 2 == 0 else "result")  # nulls: values missing
    as_json = random_spec(seed, 40, as_json=True, nulls=seed % 2 == 0)
    in_json, in_yaml = outcome(as_json, is_json=True), outcome(text)
    if kind == "result":
        assert in_json == in_yaml
    else:  # the same inputs without values, at other positions
        assert [p[2:] for p in in_json[1]] == [p[2:] for p in in_yaml[1]]


@pytest.mark.parametrize("seed", range(10))
def test_wires_build_the_same_circuit(seed: int) -> None:
    spec = json.loads(random_spec(seed, 30, as_json=True))
    wired = as_wires(spec)
    assert wired["wires"] != spec.get("wires", [])
    assert outcome(json.dumps(wired), is_json=True) == outcome(json.dumps(spec), is_json=True)


def test_generated_benchmark_specs() -> None:
    # Plain gates only ({op, in: [names]}): the few-passes build; with wires, gate by gate.
    c = generate(500, seed=3)
    yaml_result = same_either_way(to_yaml(c))
    assert yaml_result == "result"
    first = outcome(to_yaml(c))
    assert outcome(to_json(c), is_json=True) == first
    assert outcome(json.dumps(as_wires(json.loads(to_json(c)))), is_json=True) == first


def test_spec_model_of_a_large_spec() -> None:
    # Past 64 KiB of text the model is made again when asked for: the same model.
    c = generate(3000, seed=5)
    text = to_yaml(c)
    assert len(text) > 1 << 16
    circuit = circuitrun.loads(text)
    spec = circuit.spec
    assert spec is circuit.spec  # made once
    assert spec.name == c.name
    assert list(spec.gates) == c.gate_names
    names = c.input_names + c.gate_names
    assert [g["in"] for g in spec.gates.values()] == [[names[i] for i in ins] for ins in c.ins]
    assert spec.inputs == dict(zip(c.input_names, c.input_values, strict=True))


MUTATIONS = [*":#{}[],'\"-&*!|>?%@` \t\n\r.0e+", "  ", "\n  ", ": ", "- ", "null", "true",
             "in_", "op", "1e999", "~", "2.5", "---"]


@pytest.mark.parametrize("seed", range(40))
def test_corrupted_specs(seed: int) -> None:
    # Small random edits of valid specs: the line reader must accept exactly what the
    # walker accepts, as the walker reads it, and never hide a problem.
    rng = random.Random(seed)
    base = random_spec(seed, 12, nulls=seed % 3 == 0)
    compared = 0
    for _ in range(40):
        text = base
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(text) + 1)
            cut = rng.choice([0, 0, 1, 2])
            text = text[:at] + rng.choice(MUTATIONS) + text[at + cut:]
        if not _MARKED.search(text):
            same_either_way(text)
            compared += 1
    assert compared >= 30


@pytest.mark.parametrize("text", [
    "inputs: {x: 1}\r\ngates:\r\n  f: {op: neg, in: x}\r\n",  # CRLF
    "inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}  # a comment\n",
    "name: 'quoted: text'\ninputs:\n  x: -1.5e-3\ngates:\n  f: {op: neg, in: [x]}\n",
    "inputs:\n  x:\ngates:\n  f: {op: neg, in: x}\nwires:\n  - x -> f\n",
    "inputs:\n\tx: 1\ngates:\n  f: {op: neg, in: x}\n",  # a tab
    "inputs: {x: &a 1}\ngates:\n  f: {op: neg, in: *a}\n",  # anchors
    "inputs: {x: 1}\ngates:\n  f:\n    op: neg\n    in: x\n",  # block mapping
    "inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\n  f: {op: neg, in: x}\n",
    "inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\n   g: {op: neg, in: f}\n",
    "inputs: {x: 1}\ngates:\n  f: {op: neg, in: \"x\\n\"}\n",  # an escape
    "inputs: {x: 1, y: 2}\ngates:\n  f: {op: add, in: [x, y]}\n  g: {null: add, in: [f]}\n",
    "inputs: {x: 1, y: 2}\ngates:\n  f: {op: add, in: [x, y]}\n  g: {op: neg, op: [f]}\n",
    "inputs: {x: 1, y: 2}\ngates:\n  f: {op: add, in: [x, y]}\n  g: {op: -, in: [f]}\n",
    "inputs: {x: 1, y: 2}\ngates:\n  f: {op: add, in: [x, y]}\n  true: {op: neg, in: [f]}\n",
    "inputs: {x: 1, y: 2}\ngates:\n  f: {op: add, in: [x, -]}\n",
    # words that are no strings, and scalars that may be numbers, among the inputs and ops
    "inputs: {x: 1}\ngates:\n  f: {op: add, in: [x, null]}\n  g: {op: add, in: [TRUE, x]}\n",
    "inputs: {x: 1}\ngates:\n  f: {op: add, in: [x, x.1, _x, x-1]}\n",
    "inputs: {x: 1}\ngates:\n  f: {op: add, in: [x, 1e-3, .5, -2, +3, 0x1f, .inf]}\n",
    "inputs: {x: 1}\ngates:\n  f: {op: null, in: [x]}\n  g: {op: 5, in: [x]}\n",
    "inputs: {x: 1}\ngates:\n  f: {op: .5, in: [x]}\n  False: {op: neg, in: [x]}\n",
    "inputs: {x: 1}\ngates:\n  f: {null: neg, in: [x]}\n  g: {op: neg, Null: [x]}\n",
])
def test_line_reader_corners(text: str) -> None:
    same_either_way(text)


# JSON is read without looking for duplicate keys, then the keys kept are counted
# against the colons: each duplicate below must still be found, at the later key
# ('{"inputs": {"x": 1, ' is 20 characters; ' "gates": {...}}, ' is 43).
@pytest.mark.parametrize(("text", "where"), [
    ('{"inputs": {"x": 1},\n "gates": {"f": {"op": "neg", "in": "x", "in": "x"}}}', (2, 42)),
    ('{"inputs": {"x": 1, "x": 2},\n "gates": {"f": {"op": "neg", "in": "x"}}}', (1, 21)),
    ('{"inputs": {"x": 1},\n "gates": {"f": {"op": "neg", "in": "x"}}, "inputs": {}}', (2, 44)),
    # a colon in a string as well: one more colon, one key fewer
    ('{"name": "a: b", "inputs": {"x": 1, "x": 2},\n "gates": {"f": {"op": "neg", "in": "x"}}}',
     (1, 37)),
    ('{"inputs": {"x": 1},\n "gates": {"f": {"op": "neg", "in": "x"}},\n'
     ' "expect": {"values": {"f": -1, "f": -1}}}', (3, 33)),
], ids=["gate", "inputs", "top", "with-a-colon-in-a-string", "expect"])
def test_json_duplicate_keys_are_found(text: str, where: tuple[int, int]) -> None:
    kind, problems = outcome(text, is_json=True)
    assert (kind, [p[:3] for p in problems]) == ("problems", [(*where, "duplicate-key")])


def test_json_colons_in_strings() -> None:
    text = ('{"name": "a: b", "inputs" : {"x": 1},\n'
            ' "gates": {"f": {"op": "neg", "in": "x"}}}')
    assert circuitrun.loads(text, json=True).name == "a: b"


def test_lone_surrogate_in_json_is_refused() -> None:
    # json reads "\ud800" into a string that no UTF-8 stream can write back (1:12, the escape).
    text = '{"name": "a\\ud800b", "inputs": {"x": 1}, "gates": {"f": {"op": "neg", "in": "x"}}}'
    with pytest.raises(SpecError) as err:
        circuitrun.loads(text, json=True)
    assert [(p.line, p.col, p.code) for p in err.value.problems] == [(1, 12, "yaml-syntax")]


@pytest.mark.parametrize(("value", "where"), [
    ('"a\\udc00b"', (1, 12)),  # the low half alone
    ("1e400", (1, 10)),  # read as inf: not a finite number
])
def test_json_that_pydantic_refuses_is_placed_as_before(value: str,
                                                        where: tuple[int, int]) -> None:
    # A JSON text is first read by Pydantic as it validates; whatever it refuses is read
    # again as any spec is, and each problem placed at its line and column.
    text = ('{"name": ' + value + ', "inputs": {"x": 1},'
            ' "gates": {"f": {"op": "neg", "in": "x"}}}')
    with pytest.raises(SpecError) as err:
        circuitrun.loads(text, json=True)
    assert [(p.line, p.col) for p in err.value.problems] == [where]


def test_a_json_run_never_imports_pyyaml() -> None:
    # PyYAML reads YAML and places the problems of JSON: a valid JSON spec's run leaves
    # it out (about 20 ms of start-up: bench/run.py's start-up row).
    script = """
import sys
from typer.testing import CliRunner
from circuitrun.cli import app
r = CliRunner().invoke(app, ["run", "circuits/neuron.json"])
assert r.exit_code == 0, r.output
print("yaml" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout == "False\n", out.stderr
