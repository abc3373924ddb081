"""Every error code of SPEC section 6 at its exact (line, col, code), yamllint style.

Each case is a small spec written to a file, loaded with ``circuitrun.load``; the
``SpecError`` it raises must hold exactly the listed problems, sorted by position.
Columns are counted by hand in the comments where they are not obvious.
"""

from __future__ import annotations

import math
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import circuitrun
from circuitrun import NonFiniteError, Problem, SpecError
from circuitrun.cli import app

Where = tuple[int | None, int | None, str]


def write(tmp_path: Path, text: str | bytes, name: str = "spec.yaml") -> Path:
    """``text`` (dedented) or ``bytes`` (as is) in a file of ``tmp_path``."""
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_bytes(textwrap.dedent(text).encode("utf-8"))
    return path


def problems_of(path: Path) -> list[Problem]:
    with pytest.raises(SpecError) as info:
        circuitrun.load(path)
    return info.value.problems


def where(problems: list[Problem]) -> list[Where]:
    return [(p.line, p.col, p.code) for p in problems]


def case(label: str, text: str | bytes, expected: list[Where], name: str = "spec.yaml") -> object:
    return pytest.param(text, name, expected, id=label)


# ---- the table: one spec, its problems ---------------------------------------------

CASES = [
    # ---- yaml-syntax ----
    case("syntax-bad-token", """\
        inputs: {x: 1}
        gates:
          f: {op: neg, in: @x}
        """, [(3, 20, "yaml-syntax")]),  # '@' cannot start a token; col 20 is the '@'
    # json reads NaN and Infinity, JSON has neither: a syntax problem at the word, also
    # where the model would take a string (a name) and after one in a string
    case("json-nan-name", '{"name": NaN, "inputs": {"x": 1}, "gates": {"f": "-x"}}',
         [(1, 10, "yaml-syntax")], "spec.json"),  # col 10 is the N of NaN
    case("json-infinity", '{"name": "NaN", "inputs": {"x": -Infinity}, "gates": {"f": "-x"}}',
         [(1, 33, "yaml-syntax")], "spec.json"),  # col 33 is the '-' of -Infinity
    case("syntax-tab-indent", b"inputs:\n\tx: 1\ngates:\n  f: {op: neg, in: x}\n",
         [(2, 1, "yaml-syntax")]),
    # A file holds one circuit: a second document is an error at its '---'.
    case("syntax-two-documents", """\
        inputs: {x: 1}
        gates:
          f: {op: neg, in: x}
        ---
        inputs: {x: 2}
        """, [(4, 1, "yaml-syntax")]),
    case("syntax-two-documents-explicit", """\
        ---
        inputs: {x: 1}
        gates:
          f: {op: neg, in: x}
        ---
        inputs: {x: 2}
        """, [(5, 1, "yaml-syntax")]),
    # Anything after the root node is a syntax error too; col 48 is 'junk'.
    case("syntax-after-root", "{inputs: {x: 1}, gates: {f: {op: neg, in: x}}} junk\n",
         [(1, 48, "yaml-syntax")]),
    # "name: ab" is 8 characters: the bad byte is column 9.
    case("syntax-not-utf8", b"inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\nname: ab\xffc\n",
         [(4, 9, "yaml-syntax")]),
    # Columns count characters, not bytes: "name: \xc3\xa9" is 7 characters.
    case("syntax-not-utf8-after-multibyte",
         b"inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\nname: \xc3\xa9\xff\n",
         [(4, 8, "yaml-syntax")]),
    case("syntax-nul", b"inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\nname: ab\x00c\n",
         [(4, 9, "yaml-syntax")]),
    case("syntax-control-char", b"inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\nname: ab\x1bc\n",
         [(4, 9, "yaml-syntax")]),
    # A Python tag is never constructed: it is an error at the tag (col 7).
    case("syntax-python-tag", """\
        inputs: {x: 1}
        gates:
          f: {op: neg, in: x}
        name: !!python/object:os.system echo hi
        """, [(4, 7, "yaml-syntax")]),
    # A key glued to its value ("x:-2") is one plain scalar to YAML, which stops a line
    # later, or at the end: the problem is at the ':' of the line written (col 4).
    case("syntax-glued-key-then-a-key", """\
        inputs:
          x:-2
          y: 2
        gates:
          f: {op: mul, in: [x, y]}
        """, [(2, 4, "yaml-syntax")]),
    case("syntax-glued-key-last-in-block", """\
        inputs:
          y: 2
          x:-2
        gates:
          f: {op: mul, in: [x, y]}
        """, [(3, 4, "yaml-syntax")]),
    case("syntax-glued-key-at-the-end", """\
        inputs:
          y: 2
        gates:
          f: {op: neg, in: y}
        output:f
        """, [(5, 7, "yaml-syntax")]),  # 'output' is 6 characters: ':' is col 7
    case("syntax-glued-key-then-a-comment", """\
        inputs:
          x:-2 # two
          y: 2
        gates:
          f: {op: mul, in: [x, y]}
        """, [(2, 4, "yaml-syntax")]),
    case("syntax-glued-gate", """\
        inputs: {x: 1}
        gates:
          f:{op: neg, in: x}
          g: {op: neg, in: f}
        """, [(3, 4, "yaml-syntax")]),
    # A key indented unlike the key above it: at the key, on its own line.
    case("syntax-over-indented-key", """\
        inputs:
          x: 2
            y: 2
        gates:
          f: {op: mul, in: [x, y]}
        """, [(3, 5, "yaml-syntax")]),
    case("syntax-over-indented-gate", """\
        inputs: {x: 1}
        gates:
          f: {op: neg, in: x}
           g: {op: neg, in: f}
        """, [(4, 4, "yaml-syntax")]),
    case("syntax-under-indented-key", """\
        inputs:
            x: 2
          y: 2
        gates:
          f: {op: mul, in: [x, y]}
        """, [(3, 3, "yaml-syntax")]),
    # ---- duplicate-key: at the later key ----
    # The later entry is dropped, not what it would have fed: no "feeds nothing" (1:1).
    case("duplicate-gate-no-knock-on", """\
        inputs: {x: 1, y: 2}
        gates:
          a: {op: mul, in: [x, y]}
          b: {op: add, in: [x, y]}
          a: {op: add, in: [a, b]}
        """, [(5, 3, "duplicate-key")]),
    case("duplicate-input-no-knock-on", """\
        inputs: {x: 1, x: 2, y: 3}
        gates:
          a: {op: mul, in: [x, y]}
        """, [(1, 16, "duplicate-key")]),  # the second 'x' is col 16
    case("duplicate-top-level", """\
        inputs: {x: 1}
        gates:
          f: {op: neg, in: x}
        inputs: {x: 2}
        """, [(4, 1, "duplicate-key")]),
    # "  f: {op: add, in: [x, y], " is 27 characters: the second 'op' is col 28.
    case("duplicate-in-gate-flow", """\
        inputs: {x: 1, y: 2}
        gates:
          f: {op: add, in: [x, y], op: mul}
        """, [(3, 28, "duplicate-key")]),
    case("duplicate-in-gate-block", """\
        inputs: {x: 1, y: 2}
        gates:
          f:
            op: add
            in: [x, y]
            op: mul
        """, [(6, 5, "duplicate-key")]),
    case("duplicate-gate-name", """\
        inputs:
          x: 1
        gates:
          a: {op: neg, in: x}
          a: {op: exp, in: x}
        output: a
        """, [(5, 3, "duplicate-key")]),
    case("duplicate-input-name", """\
        inputs:
          x: 1
          x: 2
        gates:
          f: {op: neg, in: x}
        """, [(3, 3, "duplicate-key")]),
    # ---- unknown-key: at the key ----
    case("unknown-top-level", """\
        inputs:
          x: 1
        gates:
          f: {op: neg, in: x}
        outputs: f
        """, [(5, 1, "unknown-key")]),
    # "  f: {op: neg, in: x, " is 22 characters: the attribute is col 23.
    case("unknown-gate-attribute", """\
        inputs: {x: 1}
        gates:
          f: {op: neg, in: x, colour: red}
        """, [(3, 23, "unknown-key")]),
    case("unknown-ties-on-add", """\
        inputs: {x: 1, y: 2}
        gates:
          f: {op: add, in: [x, y], ties: first}
        """, [(3, 28, "unknown-key")]),
    case("unknown-value-on-neg", """\
        inputs: {x: 1}
        gates:
          f: {op: neg, in: x, value: 3}
        """, [(3, 23, "unknown-key")]),
    case("unknown-expect-key", """\
        inputs: {x: 1}
        gates: {f: {op: neg, in: x}}
        expect:
          valuez: {f: -1}
        """, [(4, 3, "unknown-key")]),
    # ---- missing-key: at the mapping that lacks it ----
    case("missing-gates", """\
        inputs:
          x: 1
        description: no gates at all
        """, [(1, 1, "missing-key")]),
    case("missing-inputs", """\
        gates:
          k: {op: const, value: 2}
        """, [(1, 1, "missing-key")]),
    case("missing-op", """\
        inputs:
          x: 1
        gates:
          g: {in: x}
          f: {op: neg, in: g}
        """, [(4, 3, "missing-key")]),
    case("missing-const-value", """\
        inputs:
          x: 1
        gates:
          k: {op: const}
          f: {op: mul, in: [x, k]}
        """, [(4, 3, "missing-key")]),
    case("missing-everything-empty-file", b"", [(1, 1, "missing-key")]),
    case("missing-everything-comment-only", b"# nothing here\n", [(1, 1, "missing-key")]),
    case("empty-gates", """\
        inputs:
          x: 1
        gates: {}
        """, [(3, 1, "missing-key")]),
    # ---- bad-type: at the value (a quoted string at its quote) ----
    case("bad-type-quoted-number", """\
        inputs:
          x: "2"
        gates:
          f: {op: neg, in: x}
        """, [(2, 6, "bad-type")]),
    case("bad-type-true", """\
        inputs:
          x: true
        gates:
          f: {op: neg, in: x}
        """, [(2, 6, "bad-type")]),
    case("bad-type-inf", """\
        inputs:
          x: .inf
        gates:
          f: {op: neg, in: x}
        """, [(2, 6, "bad-type")]),
    case("bad-type-minus-inf", """\
        inputs:
          x: -.inf
        gates:
          f: {op: neg, in: x}
        """, [(2, 6, "bad-type")]),
    case("bad-type-nan", """\
        inputs:
          x: .nan
        gates:
          f: {op: neg, in: x}
        """, [(2, 6, "bad-type")]),
    # 1e309 overflows a double: it is a non-finite number.
    case("bad-type-overflow", """\
        inputs:
          x: 1e309
        gates:
          f: {op: neg, in: x}
        """, [(2, 6, "bad-type")]),
    # "  k: {op: const, value: " is 24 characters: the quote is col 25.
    case("bad-type-const-value", """\
        inputs:
          x: 1
        gates:
          k: {op: const, value: "3"}
          f: {op: mul, in: [x, k]}
        """, [(4, 25, "bad-type")]),
    # "  f: {op: mul, in: [x, " is 23 characters: the literal is col 24.
    case("bad-type-inline-constant", """\
        inputs:
          x: 1
        gates:
          f: {op: mul, in: [x, .inf]}
        """, [(4, 24, "bad-type")]),
    # "  f: {op: max, in: [x, 2], ties: " is 33 characters: 'all' is col 34.
    case("bad-type-ties", """\
        inputs:
          x: 1
        gates:
          f: {op: max, in: [x, 2], ties: all}
        """, [(4, 34, "bad-type")]),
    case("bad-type-version-2", """\
        version: 2
        inputs:
          x: 1
        gates:
          f: {op: neg, in: x}
        """, [(1, 10, "bad-type")]),
    # A boolean is not the number 1 (SPEC: a boolean where a number is required).
    case("bad-type-version-true", """\
        version: true
        inputs:
          x: 1
        gates:
          f: {op: neg, in: x}
        """, [(1, 10, "bad-type")]),
    # SPEC 9.1: a list is a vector input; its bare name is no scalar node
    case("bad-index-vector-as-scalar", """\
        inputs:
          x: [1, 2]
        gates:
          f: {op: neg, in: x}
        """, [(4, 20, "bad-index")]),
    case("bad-type-expect-string", """\
        inputs: {x: 1}
        gates: {f: {op: neg, in: x}}
        expect:
          values: {f: "-1"}
        """, [(4, 15, "bad-type")]),
    case("bad-type-scalar-file", "just a string\n", [(1, 1, "bad-type")]),
    case("bad-type-list-file", "- 1\n- 2\n", [(1, 1, "bad-type")]),
    # ---- YAML 1.2: yes/on/off are strings, not booleans nor numbers ----
    case("bad-type-yes", """\
        inputs:
          x: yes
          y: on
          z: off
        gates:
          f: {op: add, in: [x, y, z]}
        """, [(2, 6, "bad-type"), (3, 6, "bad-type"), (4, 6, "bad-type")]),
    # ---- bad-name: at the name ----
    case("bad-name", """\
        inputs:
          x: 1
          2x: 2
        gates:
          f: {op: neg, in: x}
          my-gate: {op: exp, in: x}
        output: f
        """, [(3, 3, "bad-name"), (6, 3, "bad-name")]),
    # ---- duplicate-name: the later node's name ----
    case("duplicate-name", """\
        inputs:
          x: 1
          y: 2
        gates:
          x: {op: add, in: [y, 1]}
          f: {op: mul, in: [x, y]}
        """, [(5, 3, "duplicate-name")]),
    # ---- unknown-op: at the op's value ----
    case("unknown-op", """\
        inputs: {x: 1}
        gates:
          f: {op: sigmiod, in: x}
        """, [(3, 11, "unknown-op")]),
    # ---- arity: the `in` value ("  d: {op: sub, in: " is 19 characters) ----
    case("arity", """\
        inputs:
          x: 1
          y: 2
          z: 3
        gates:
          d: {op: sub, in: [x, y, z]}
          n: {op: neg, in: [x, y]}
          s: {op: add, in: []}
          q: {op: div, in: x}
          f: {op: mul, in: [d, n, s, q]}
        """, [(6, 20, "arity"), (7, 20, "arity"), (8, 20, "arity"), (9, 20, "arity")]),
    # "  k: {op: const, value: 2, in: " is 31 characters.
    case("arity-in-on-const", """\
        inputs:
          x: 1
        gates:
          k: {op: const, value: 2, in: x}
          f: {op: mul, in: [x, k]}
        """, [(4, 32, "arity")]),
    # A gate fed by wires has no `in`: the problem is at its name.
    case("arity-wired-gate", """\
        inputs:
          a: 1
          b: 2
        gates:
          s: {op: sub}
          f: {op: add, in: [s, b]}
        wires:
          - a -> s
        """, [(5, 3, "arity")]),
    case("arity-no-inputs-at-all", """\
        inputs:
          a: 1
        gates:
          s: {op: neg}
          f: {op: neg, in: a}
        output: f
        """, [(4, 3, "arity")]),
    # ---- undefined-ref: at the reference ----
    # "  dot: {op: add, in: [wx0, " is 27 characters: 'wx2' is col 28.
    case("undefined-ref", """\
        inputs:
          w0: 2
          x0: -1
        gates:
          wx0: {op: mul, in: [w0, x0]}
          dot: {op: add, in: [wx0, wx2]}
          s: {op: neg}
          f: {op: add, in: [dot, s]}
        wires:
          - "wx3 -> s"
        output: nope
        """, [(6, 28, "undefined-ref"), (10, 5, "undefined-ref"), (11, 9, "undefined-ref")]),
    # In YAML 1.2 `yes` is a string, so here a reference to a node 'yes'.
    case("undefined-ref-yes", """\
        inputs:
          x: 1
        gates:
          f: {op: mul, in: [x, yes]}
        """, [(4, 24, "undefined-ref")]),
    # ---- mixed-inputs: at the wire ----
    case("mixed-inputs", """\
        inputs:
          a: 1
          b: 2
        gates:
          s: {op: add, in: [a, b]}
          f: {op: mul}
        wires:
          - "s -> f"
          - "a -> s"
          - "b -> f"
        """, [(9, 5, "mixed-inputs")]),
    # ---- bad-wire: at the wire string ----
    case("bad-wire", """\
        inputs:
          a: 1
          b: 2
        gates:
          k: {op: const, value: 3}
          s: {op: add}
        wires:
          - "a -> s"
          - "b => s"
          - "b ->"
          - "b -> a"
          - "b -> zz"
          - "a -> k"
        output: s
        """, [(9, 5, "bad-wire"), (10, 5, "bad-wire"), (11, 5, "bad-wire"),
              (12, 5, "bad-wire"), (13, 5, "bad-wire")]),
    # ---- cycle: the name of the cycle's first-declared gate ----
    case("cycle", """\
        inputs:
          x: 1
        gates:
          pre: {op: neg, in: x}
          b: {op: add, in: [pre, a]}
          a: {op: mul, in: [b, 2]}
          f: {op: exp, in: a}
        """, [(5, 3, "cycle")]),
    case("cycle-self-loop", """\
        inputs:
          x: 1
        gates:
          a: {op: add, in: [x, a]}
        output: a
        """, [(4, 3, "cycle")]),
    # ---- ambiguous-output: the top-level mapping ----
    case("ambiguous-output", """\
        inputs:
          x: 1
          y: 2
        gates:
          p: {op: mul, in: [x, y]}
          q: {op: add, in: [x, y]}
        """, [(1, 1, "ambiguous-output")]),
    # ---- unknown-node: at the name in expect ----
    # "  values: {f: -1, " is 18 characters; "  grads: {x: -1, " is 17.
    case("unknown-node", """\
        inputs: {x: 1}
        gates: {f: {op: neg, in: x}}
        expect:
          values: {f: -1, g: 2}
          grads: {x: -1, y: 0}
        """, [(4, 19, "unknown-node"), (5, 18, "unknown-node")]),
    # ---- aliases: a value reached through an alias is reported at the alias ----
    case("alias-scalar", """\
        inputs:
          x: &q "2"
          y: *q
        gates:
          f: {op: add, in: [x, y]}
        """, [(2, 6, "bad-type"), (3, 6, "bad-type")]),
    # "  a: &g {op: neg, in: x, " is 25 characters: 'colour' is col 26.
    case("alias-mapping", """\
        inputs:
          x: 1
        gates:
          a: &g {op: neg, in: x, colour: red}
          b: *g
          f: {op: add, in: [a, b]}
        """, [(4, 26, "unknown-key"), (5, 6, "unknown-key")]),
    # ---- JSON: the same checks, with positions ----
    case("json-errors", """\
        {
          "description": "JSON specs get the same checks, with positions",
          "inputs": {"x": 1, "y": "2"},
          "gates": {
            "f": {"op": "mul", "in": ["x", "y", "z"]},
            "g": {"op": "sigmoid", "in": "f", "ties": "first"}
          }
        }
        """, [(3, 27, "bad-type"), (5, 41, "undefined-ref"), (6, 39, "unknown-key")],
         name="spec.json"),
    # '  "inputs": {"x": 1, ' is 21 characters: the second "x" is col 22.
    case("json-duplicate-key", """\
        {
          "inputs": {"x": 1, "x": 2},
          "gates": {"f": {"op": "neg", "in": "x"}}
        }
        """, [(2, 22, "duplicate-key")], name="spec.json"),
    case("json-duplicate-top-level", """\
        {
          "inputs": {"x": 1},
          "gates": {"f": {"op": "neg", "in": "x"}},
          "inputs": {}
        }
        """, [(4, 3, "duplicate-key")], name="spec.json"),
    case("json-syntax", """\
        {
          "inputs": {"x": 1}
          "gates": {"f": {"op": "neg", "in": "x"}}
        }
        """, [(3, 3, "yaml-syntax")], name="spec.json"),
    # YAML accepts a trailing comma in a flow mapping, JSON does not: the error is
    # where json.loads sees it, col 21 being the '}' after "1,".
    case("json-trailing-comma", """\
        {
          "inputs": {"x": 1,},
          "gates": {"f": {"op": "neg", "in": "x"}}
        }
        """, [(2, 21, "yaml-syntax")], name="spec.json"),
    case("json-extra-data", """\
        {
          "inputs": {"x": 1},
          "gates": {"f": {"op": "neg", "in": "x"}}
        }
        {}
        """, [(5, 1, "yaml-syntax")], name="spec.json"),
    case("json-true", """\
        {
          "inputs": {"x": true},
          "gates": {"f": {"op": "neg", "in": "x"}}
        }
        """, [(2, 19, "bad-type")], name="spec.json"),
]


@pytest.mark.parametrize(("text", "name", "expected"), CASES)
def test_problem_positions(tmp_path: Path, text: str | bytes, name: str,
                           expected: list[Where]) -> None:
    assert where(problems_of(write(tmp_path, text, name))) == expected


# ---- messages ------------------------------------------------------------------------


def only_message(tmp_path: Path, text: str, name: str = "spec.yaml") -> str:
    [problem] = problems_of(write(tmp_path, text, name))
    return problem.message


def test_problem_str_is_one_grepable_line(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        inputs: {x: 1}
        gates:
          f: {op: sigmiod, in: x}
        """)
    [problem] = problems_of(path)
    assert str(problem) == (f"{path}:3:11: error: unknown op 'sigmiod'"
                            " (did you mean 'sigmoid'?) [unknown-op]")


def test_spec_error_text_is_every_problem_line(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        inputs:
          x: "1"
        gates:
          f: {op: neg, in: x, colour: red}
        """)
    with pytest.raises(SpecError) as info:
        circuitrun.load(path)
    assert str(info.value).splitlines() == [str(p) for p in info.value.problems]
    assert len(info.value.problems) == 2


def test_unknown_top_level_key_suggests(tmp_path: Path) -> None:
    message = only_message(tmp_path, """\
        inputs: {x: 1}
        gates: {f: {op: neg, in: x}}
        outputs: f
        """)
    assert "'outputs'" in message
    assert "(did you mean 'output'?)" in message


def test_unknown_op_suggests(tmp_path: Path) -> None:
    message = only_message(tmp_path, """\
        inputs: {x: 1}
        gates:
          f: {op: sigmiod, in: x}
        """)
    assert message == "unknown op 'sigmiod' (did you mean 'sigmoid'?)"


def test_undefined_ref_suggests(tmp_path: Path) -> None:
    message = only_message(tmp_path, """\
        inputs: {w0: 2, x0: -1}
        gates:
          wx1: {op: mul, in: [w0, x0]}
          dot: {op: add, in: [wx1, wx2]}
        """)
    assert message == "unknown reference 'wx2' (did you mean 'wx1'?)"


def test_cycle_message_names_the_cycle(tmp_path: Path) -> None:
    # b feeds a, a feeds b: the cycle starts at b, the first-declared gate in it.
    message = only_message(tmp_path, """\
        inputs:
          x: 1
        gates:
          pre: {op: neg, in: x}
          b: {op: add, in: [pre, a]}
          a: {op: mul, in: [b, 2]}
          f: {op: exp, in: a}
        """)
    assert "b -> a -> b" in message


def test_self_loop_message(tmp_path: Path) -> None:
    message = only_message(tmp_path, """\
        inputs: {x: 1}
        gates:
          a: {op: add, in: [x, a]}
        output: a
        """)
    assert "a -> a" in message


@pytest.mark.parametrize(("target", "what"), [
    ("a", "an input"),
    ("zz", "not a node"),
    ("k", "a const gate"),
])
def test_bad_wire_message_says_what_the_target_is(tmp_path: Path, target: str,
                                                   what: str) -> None:
    message = only_message(tmp_path, f"""\
        inputs: {{a: 1, b: 2}}
        gates:
          k: {{op: const, value: 3}}
          s: {{op: add, in: [a, b]}}
        wires:
          - "b -> {target}"
        output: s
        """)
    assert message == f"wire target '{target}' is {what}: a wire feeds a gate"


def test_attribute_messages_name_the_op(tmp_path: Path) -> None:
    message = only_message(tmp_path, """\
        inputs: {x: 1, y: 2}
        gates:
          f: {op: add, in: [x, y], ties: first}
        """)
    assert "'add'" in message
    assert "'ties'" in message


# ---- all at once, sorted -------------------------------------------------------------


def test_all_problems_at_once_sorted_by_position(tmp_path: Path) -> None:
    # Problems of every layer (reader, models, graph) in one file, reported together.
    path = write(tmp_path, """\
        name: many-problems
        inputs:
          x: 1
          y: "3"
        gates:
          a: {op: mul, in: [x, y]}
          b: {op: sigmiod, in: a}
          c: {op: add, in: [a, zz]}
          d: {op: sub, in: [a]}
          m: {op: max, in: [a, c], ties: all}
          e: {op: add, in: [b, c, d, m], colour: red, op: add}
        output: e
        expect:
          values: {nope: 1}
        """)
    assert where(problems_of(path)) == [
        (4, 6, "bad-type"),
        (7, 11, "unknown-op"),
        (8, 24, "undefined-ref"),
        (9, 20, "arity"),
        (10, 34, "bad-type"),
        (11, 34, "unknown-key"),
        (11, 47, "duplicate-key"),
        (14, 12, "unknown-node"),
    ]


def validate_stderr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> str:
    """What ``circuitrun validate spec.yaml`` prints on stderr (exit 2) for ``text``."""
    write(tmp_path, text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["validate", "spec.yaml"])
    assert (result.exit_code, result.stdout) == (2, "")
    return result.stderr


def test_one_gate_with_three_problems_reports_all_three(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # One line, three problems: an unknown key, an unknown reference, and an attribute
    # its op does not take.  "  f: {op: add, in: [x, " is 23 characters: 'zz' is col 24;
    # "zz], " ends at 28: 'colour' is col 29; "colour: red, " ends at 41: 'ties' is col 42.
    assert validate_stderr(tmp_path, monkeypatch, """\
        inputs: {x: 1, y: 2}
        gates:
          f: {op: add, in: [x, zz], colour: red, ties: first}
        """) == (
        "spec.yaml:3:24: error: unknown reference 'zz' [undefined-ref]\n"
        "spec.yaml:3:29: error: unknown key 'colour' [unknown-key]\n"
        "spec.yaml:3:42: error: op 'add' takes no attribute 'ties' [unknown-key]\n")


def test_unknown_op_does_not_hide_an_unknown_reference(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "  f: {op: " is 10 characters: the op is col 11; "  f: {op: sigmiod, in: [x, " is
    # 27: 'zz' is col 28.  Line 4: "  g: {op: neg, in: [f, " is 23, 'true' col 24; "true], "
    # ends at 30: 'valeu' is col 31.  g's arity is not judged: one of its inputs is no input.
    assert validate_stderr(tmp_path, monkeypatch, """\
        inputs: {x: 1}
        gates:
          f: {op: sigmiod, in: [x, zz]}
          g: {op: neg, in: [f, true], valeu: 2}
        """) == (
        "spec.yaml:3:11: error: unknown op 'sigmiod' (did you mean 'sigmoid'?) [unknown-op]\n"
        "spec.yaml:3:28: error: unknown reference 'zz' [undefined-ref]\n"
        "spec.yaml:4:24: error: expected a node name or a number, got the boolean true"
        " [bad-type]\n"
        "spec.yaml:4:31: error: unknown key 'valeu' (did you mean 'value'?) [unknown-key]\n")


def test_a_gate_named_like_an_input_still_has_its_references_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # "  x: {op: add, in: [y, " is 23 characters: 'zz' is col 24.
    assert validate_stderr(tmp_path, monkeypatch, """\
        inputs: {x: 1, y: 2}
        gates:
          x: {op: add, in: [y, zz]}
        """) == (
        "spec.yaml:3:3: error: 'x' is already an input: names are unique [duplicate-name]\n"
        "spec.yaml:3:24: error: unknown reference 'zz' [undefined-ref]\n")


def test_a_gate_of_no_form_is_reported_as_the_mapping_it_is_not(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A gate is a mapping, an expression (a string) or a number (SPEC 9.2); Pydantic
    # tries each form, and the problem is said once, of the value ("  a: " is 5
    # characters: col 6).  A mapping gate's own problems stay its own (line 9).
    assert validate_stderr(tmp_path, monkeypatch, """\
        inputs: {x: 1}
        gates:
          a: true
          b: null
          c: [x]
          d: .inf
          e: 2
          f: "x * 2"
          g: {op: neg, in: x, colour: red}
          k: {op: add, in: [a, b, c, d, e, f, g]}
        """) == (
        "spec.yaml:3:6: error: expected a mapping, got the boolean true [bad-type]\n"
        "spec.yaml:4:6: error: expected a mapping, got nothing (null) [bad-type]\n"
        "spec.yaml:5:6: error: expected a mapping, got a list [bad-type]\n"
        "spec.yaml:6:6: error: expected a finite number, got .inf [bad-type]\n"
        "spec.yaml:9:23: error: unknown key 'colour' [unknown-key]\n")


# A key YAML reads as no string (a number, null, a boolean): at the key, saying what it is.
# Each spec is valid but for that key.
GATE_F = "gates: {f: {op: neg, in: x}}\n"


@pytest.mark.parametrize(("text", "line"), [
    ("inputs:\n  x: 1\n  2.5: 3\n" + GATE_F,
     "spec.yaml:3:3: error: a name must be a string, not 2.5 [bad-name]"),
    ("inputs:\n  x: 1\n  null: 3\n" + GATE_F,
     "spec.yaml:3:3: error: a name must be a string, not nothing (null) [bad-name]"),
    ("inputs:\n  x: 1\n  True: 3\n" + GATE_F,
     "spec.yaml:3:3: error: a name must be a string, not the boolean true [bad-name]"),
    ("inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\n  7: {op: neg, in: x}\noutput: f\n",
     "spec.yaml:4:3: error: a name must be a string, not 7 [bad-name]"),
    ("inputs: {x: 1}\n" + GATE_F + "2.5: 3\n",
     "spec.yaml:3:1: error: a key must be a name, not 2.5 [unknown-key]"),
    ("inputs: {x: 1}\n" + GATE_F + "null: 3\n",
     "spec.yaml:3:1: error: a key must be a name, not nothing (null) [unknown-key]"),
    ("inputs: {x: 1}\n" + GATE_F + "True:\n",
     "spec.yaml:3:1: error: a key must be a name, not the boolean true [unknown-key]"),
    # "  f: {op: neg, in: x, " is 22 characters: the key is col 23.
    ("inputs: {x: 1}\ngates:\n  f: {op: neg, in: x, 1e3: 1}\n",
     "spec.yaml:3:23: error: a key must be a name, not 1000.0 [unknown-key]"),
    # "  values: {" is 11 characters: the key is col 12.
    ("inputs: {x: 1}\n" + GATE_F + "expect:\n  values: {false: 1}\n",
     "spec.yaml:4:12: error: a name must be a string, not the boolean false [bad-name]"),
], ids=["input-2.5", "input-null", "input-True", "gate-7", "top-2.5", "top-null", "top-True",
        "gate-key-1e3", "expect-false"])
def test_a_key_that_is_not_a_string_is_reported_at_the_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, line: str) -> None:
    assert validate_stderr(tmp_path, monkeypatch, text) == line + "\n"


def test_problems_from_reader_and_models_interleave_by_position(tmp_path: Path) -> None:
    # The duplicate key (found while reading) sits between two model problems.
    path = write(tmp_path, """\
        inputs:
          x: "1"
          y: 2
        gates:
          f: {op: add, in: [x, y], op: mul}
          g: {op: neg, in: f, colour: red}
        output: g
        """)
    assert where(problems_of(path)) == [
        (2, 6, "bad-type"), (5, 28, "duplicate-key"), (6, 23, "unknown-key")]


# ---- YAML 1.2 numbers ----------------------------------------------------------------


def test_yaml_12_numbers(tmp_path: Path) -> None:
    # PyYAML's YAML 1.1 would read 1e-3 as a string; YAML 1.2 reads it as 0.001.
    circuit = circuitrun.load(write(tmp_path, """\
        inputs:
          a: 1e-3
          b: -2.5E+4
          c: 2
          d: 0.5
        gates:
          f: {op: add, in: [a, b, c, d, 1e-3]}
        """))
    assert circuit.inputs == {"a": 0.001, "b": -25000.0, "c": 2.0, "d": 0.5}
    # f = 0.001 - 25000 + 2 + 0.5 + 0.001; the literal becomes the const node f.4.
    result = circuit.run()
    assert result.value("f.4") == 0.001
    assert result.grad("f.4") is None
    assert result.value("f") == 0.001 + -25000.0 + 2.0 + 0.5 + 0.001


def test_null_and_empty_inputs_validate(tmp_path: Path) -> None:
    circuit = circuitrun.load(write(tmp_path, """\
        inputs:
          x: null
          y:
          z: ~
        gates:
          f: {op: add, in: [x, y, z]}
        """))
    assert circuit.inputs == {"x": None, "y": None, "z": None}


# ---- encodings and line endings ------------------------------------------------------

BOM = b"\xef\xbb\xbf"

# '@' marks where a raw byte goes in the byte-level cases.
ENCODING_CASES = [
    # "  y: " is 5 characters: the quote is col 6.
    pytest.param(b'inputs:\n  x: 1\n  y: "2"\ngates:\n  f: {op: add, in: [x, y]}\n', b"",
                 [(3, 6, "bad-type")], id="bad-type"),
    pytest.param(b"inputs:\n  x: 1\n  x: 2\ngates:\n  f: {op: neg, in: x}\n", b"",
                 [(3, 3, "duplicate-key")], id="duplicate-key"),
    pytest.param(b"inputs:\n  x: 1\ngates:\n  f: {op: neg, in: @x}\n", b"",
                 [(4, 20, "yaml-syntax")], id="yaml-syntax"),
    # "  y: 2  # " is 10 characters: the raw byte is col 11.
    pytest.param(b"inputs:\n  x: 1\n  y: 2  # @\ngates:\n  f: {op: add, in: [x, y]}\n",
                 b"\xff", [(3, 11, "yaml-syntax")], id="not-utf8"),
    pytest.param(b"inputs:\n  x: 1\n  y: 2  # @\ngates:\n  f: {op: add, in: [x, y]}\n",
                 b"\x01", [(3, 11, "yaml-syntax")], id="control-char"),
]


@pytest.mark.parametrize("crlf", [False, True], ids=["lf", "crlf"])
@pytest.mark.parametrize("bom", [False, True], ids=["no-bom", "bom"])
@pytest.mark.parametrize(("raw", "byte", "expected"), ENCODING_CASES)
def test_bom_and_crlf_do_not_move_positions(tmp_path: Path, raw: bytes, byte: bytes,
                                            expected: list[Where], bom: bool,
                                            crlf: bool) -> None:
    if byte:
        raw = raw.replace(b"@", byte)
    if crlf:
        raw = raw.replace(b"\n", b"\r\n")
    if bom:
        raw = BOM + raw
    assert where(problems_of(write(tmp_path, raw))) == expected


@pytest.mark.parametrize("bom", [b"", BOM], ids=["no-bom", "bom"])
def test_not_utf8_message_names_the_byte(tmp_path: Path, bom: bytes) -> None:
    path = write(tmp_path, bom + b"inputs:\n  x: 1  # \xfe\ngates:\n  f: {op: neg, in: x}\n")
    # "  x: 1  # " is 10 characters: the byte is col 11.
    [problem] = problems_of(path)
    assert (problem.line, problem.col, problem.code) == (2, 11, "yaml-syntax")
    assert problem.message == "byte 0xfe is not UTF-8"


@pytest.mark.parametrize(("bom", "crlf"), [(True, False), (False, True), (True, True)])
def test_bom_and_crlf_files_load(tmp_path: Path, bom: bool, crlf: bool) -> None:
    raw = b"name: m\ninputs:\n  x: 4\n  y: -3\ngates:\n  f: {op: mul, in: [x, y]}\n"
    plain = circuitrun.load(write(tmp_path, raw, "plain.yaml")).run().to_json()
    if crlf:
        raw = raw.replace(b"\n", b"\r\n")
    if bom:
        raw = BOM + raw
    circuit = circuitrun.load(write(tmp_path, raw))
    assert circuit.inputs == {"x": 4.0, "y": -3.0}
    assert circuit.run().to_json() == plain


def test_bom_json_loads(tmp_path: Path) -> None:
    raw = BOM + b'{"inputs": {"x": 4}, "gates": {"f": {"op": "neg", "in": "x"}}}\r\n'
    # f = -x = -4, df/dx = -1.
    result = circuitrun.load(write(tmp_path, raw, "spec.json")).run()
    assert (result.value("f"), result.grad("x")) == (-4.0, -1.0)


# ---- missing-value: at run time, at the input's name ---------------------------------


def test_missing_value_at_run(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        inputs:
          x: null
          y:
          z: 2
        gates:
          f: {op: add, in: [x, y, z]}
        """)
    circuit = circuitrun.load(path)  # validating accepts inputs without values
    with pytest.raises(SpecError) as info:
        circuit.run()
    assert where(info.value.problems) == [(2, 3, "missing-value"), (3, 3, "missing-value")]
    assert str(info.value.problems[0]).startswith(f"{path}:2:3: error: input 'x' ")
    # Only the input still without a value is reported.
    with pytest.raises(SpecError) as info:
        circuit.run(inputs={"x": 1.0})
    assert where(info.value.problems) == [(3, 3, "missing-value")]
    # f = x + y + z = 1 + 2 + 2 = 5 once both are given.
    assert circuit.run(inputs={"x": 1.0, "y": 2.0}).value("f") == 5.0


def test_missing_value_in_json_at_the_name(tmp_path: Path) -> None:
    path = write(tmp_path, """\
        {
          "inputs": {"x": 1, "y": null},
          "gates": {"f": {"op": "add", "in": ["x", "y"]}}
        }
        """, "spec.json")
    with pytest.raises(SpecError) as info:
        circuitrun.load(path).run()
    # '  "inputs": {"x": 1, ' is 21 characters: "y" is col 22.
    assert where(info.value.problems) == [(2, 22, "missing-value")]


def test_missing_value_from_loads(tmp_path: Path) -> None:
    circuit = circuitrun.loads("inputs:\n  x:\ngates:\n  f: {op: neg, in: x}\n", "mem.yaml")
    with pytest.raises(SpecError) as info:
        circuit.run()
    assert [str(p) for p in info.value.problems] == [
        "mem.yaml:2:3: error: input 'x' has no value [missing-value]"]


# ---- non-finite: a run error naming the first node -----------------------------------


def nonfinite(tmp_path: Path, text: str) -> tuple[Path, Problem]:
    path = write(tmp_path, text)
    with pytest.raises(NonFiniteError) as info:
        circuitrun.load(path).run()
    return path, info.value.problem


def test_nonfinite_value_div_by_zero(tmp_path: Path) -> None:
    # q = a / b = 1 / 0 = inf.
    path, problem = nonfinite(tmp_path, """\
        inputs:
          a: 1
          b: 0
        gates:
          q: {op: div, in: [a, b]}
        """)
    assert (problem.line, problem.col, problem.code) == (None, None, "non-finite")
    assert problem.message == "gate 'q' (div) gave inf from inputs a=1.0, b=0.0"
    assert str(problem) == (f"{path}: error: gate 'q' (div) gave inf from inputs"
                            " a=1.0, b=0.0 [non-finite]")


def test_nonfinite_names_the_first_node_in_output_order(tmp_path: Path) -> None:
    # l = log(-1) = nan, then f = l + y = nan too: l comes first.
    _, problem = nonfinite(tmp_path, """\
        inputs:
          x: -1
          y: 2
        gates:
          l: {op: log, in: x}
          f: {op: add, in: [l, y]}
        """)
    assert problem.code == "non-finite"
    assert problem.message == "gate 'l' (log) gave nan from inputs x=-1.0"


def test_nonfinite_gradient_only(tmp_path: Path) -> None:
    # r = sqrt(a) at a = 0: r = 0 is finite, dr/da = 1/(2*sqrt(0)) = inf is not.
    text = """\
        inputs:
          a: 0
        gates:
          r: {op: sqrt, in: a}
        """
    _, problem = nonfinite(tmp_path, text)
    assert problem.code == "non-finite"
    assert "'a'" in problem.message
    assert "inf" in problem.message
    result = circuitrun.load(tmp_path / "spec.yaml").run(allow_nonfinite=True)
    assert result.value("r") == 0.0
    assert result.grad("a") == math.inf


def test_infinite_local_gradient_off_the_output_path_is_fine(tmp_path: Path) -> None:
    # r = sqrt(0) has an infinite local gradient, but f = b + 2 does not depend on it:
    # grad(a) = grad(r) = 0, f = 5, df/db = 1.
    result = circuitrun.load(write(tmp_path, """\
        inputs:
          a: 0
          b: 3
        gates:
          r: {op: sqrt, in: a}
          f: {op: add, in: [b, 2]}
        output: f
        """)).run()
    assert (result.value("f"), result.grad("b"), result.grad("a"), result.grad("r")) == (
        5.0, 1.0, 0.0, 0.0)


# ---- the loader's other way in ---------------------------------------------------------


def test_loads_reports_the_same_positions() -> None:
    with pytest.raises(SpecError) as info:
        circuitrun.loads('inputs:\n  x: "2"\ngates:\n  f: {op: neg, in: x}\n', "mem.yaml")
    assert where(info.value.problems) == [(2, 6, "bad-type")]
    assert info.value.problems[0].path == "mem.yaml"


def test_unreadable_files_have_no_position(tmp_path: Path) -> None:
    for path in (tmp_path / "missing.yaml", tmp_path):
        [problem] = problems_of(path)
        assert (problem.line, problem.col) == (None, None)
        assert str(problem).startswith(f"{path}: error: ")
