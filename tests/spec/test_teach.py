"""Errors that teach (issue 10, item 4): each mistake a new user makes, tried through the
real command with stderr piped, and the exact lines it must print.

Each spec is written to ``spec.yaml`` in a temporary folder and run from there, so the
lines name it ``spec.yaml``.  Columns are counted in the comments.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from circuitrun.ops.table import OPS


def stderr_of(tmp_path: Path, spec: str, *args: str, command: str = "run") -> str:
    """What ``circuitrun COMMAND spec.yaml ARGS`` prints on stderr (a pipe); exit 2."""
    (tmp_path / "spec.yaml").write_text(spec, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "circuitrun", command, "spec.yaml", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done
    return done.stderr


TWO_INPUTS = "inputs:\n  x: 1\n  y: 2\ngates:\n"


def test_an_unknown_op_like_no_op_lists_the_ops(tmp_path: Path) -> None:
    # nothing is close to 'multiply' ('mul' scores 6/11 < 0.6): every op, in the table's
    # order, read from the table; col 11 is the 'm' of 'multiply'
    err = stderr_of(tmp_path, TWO_INPUTS + "  f: {op: multiply, in: [x, y]}\n")
    assert err == (f"spec.yaml:5:11: error: unknown op 'multiply' (ops: {', '.join(OPS)})"
                   " [unknown-op]\n")


def test_an_unknown_op_close_to_one_still_names_only_that_one(tmp_path: Path) -> None:
    err = stderr_of(tmp_path, TWO_INPUTS + "  f: {op: mull, in: [x, y]}\n")
    assert err == "spec.yaml:5:11: error: unknown op 'mull' (did you mean 'mul'?) [unknown-op]\n"


def test_in_with_a_comma_in_braces_says_how_to_write_the_list(tmp_path: Path) -> None:
    # YAML reads {op: mul, in: x, y} as in: x and a key y: at 'y' (col 23)
    err = stderr_of(tmp_path, TWO_INPUTS + "  f: {op: mul, in: x, y}\n")
    assert err == ("spec.yaml:5:23: error: unknown key 'y': write `in: [x, y]` for a list"
                   " of inputs [unknown-key]\n")


def test_in_with_three_in_braces_is_one_problem(tmp_path: Path) -> None:
    err = stderr_of(tmp_path, "inputs: {x: 1, y: 2, z: 3}\ngates:\n"
                    "  f: {op: add, in: x, y, z}\n")
    assert err == ("spec.yaml:3:23: error: unknown key 'y': write `in: [x, y, z]` for a list"
                   " of inputs [unknown-key]\n")


def test_in_with_a_comma_in_braces_across_lines(tmp_path: Path) -> None:
    # the key 'y' is on the second line of the mapping, col 14
    err = stderr_of(tmp_path, TWO_INPUTS + "  f: {op: mul,\n      in: x, y}\n")
    assert err == ("spec.yaml:6:14: error: unknown key 'y': write `in: [x, y]` for a list"
                   " of inputs [unknown-key]\n")


@pytest.mark.parametrize(("gate", "where", "ref"), [
    ("  f: {op: mul, in: x y}\n", "5:20", "x y"),  # at the value (col 20)
    ("  f: {op: sub, in: x y}\n", "5:20", "x y"),  # no knock-on arity: 'sub' takes 2
    ("  f:\n    op: mul\n    in: x, y\n", "7:9", "x, y"),  # a block value is one string
    ("  f: {op: add, in: [x y, 2]}\n", "5:21", "x y"),  # in a list: at the item
], ids=["blank", "blank-no-arity", "block-comma", "in-a-list"])
def test_several_references_written_as_one(tmp_path: Path, gate: str, where: str,
                                           ref: str) -> None:
    listed = "x, y, 2" if "2" in gate else "x, y"
    err = stderr_of(tmp_path, TWO_INPUTS + gate)
    assert err == (f"spec.yaml:{where}: error: unknown reference '{ref}': write"
                   f" `in: [{listed}]` for a list of inputs [undefined-ref]\n")


def test_a_name_with_a_blank_in_output_gets_no_list_hint(tmp_path: Path) -> None:
    # output names one node: the list hint is for `in` only
    err = stderr_of(tmp_path, TWO_INPUTS + "  f: {op: mul, in: [x, y]}\noutput: x y\n")
    assert err == "spec.yaml:6:9: error: unknown reference 'x y' [undefined-ref]\n"


def test_a_duplicate_gate_is_the_only_problem(tmp_path: Path) -> None:
    # the later 'a' (dropped) fed on 'a' and 'b': without it both feed nothing, which is
    # the duplicate's knock-on, not a problem of its own
    err = stderr_of(tmp_path, TWO_INPUTS + "  a: {op: mul, in: [x, y]}\n"
                    "  b: {op: add, in: [x, y]}\n  a: {op: add, in: [a, b]}\n")
    assert err == "spec.yaml:7:3: error: duplicate key 'a' [duplicate-key]\n"


def test_a_key_glued_to_its_value_is_said_at_its_line(tmp_path: Path) -> None:
    # PyYAML stops at the ':' of line 3; the ':' written without a space is 2:4
    err = stderr_of(tmp_path, "inputs:\n  x:-2\n  y: 2\ngates:\n  f: {op: mul, in: [x, y]}\n")
    assert err == ("spec.yaml:2:4: error: no space after ':' in 'x:-2', so YAML sees no key:"
                   " write 'x: -2' [yaml-syntax]\n")


def test_a_glued_key_that_yaml_reads_as_a_string_is_said_too(tmp_path: Path) -> None:
    # alone in its block, 'x:-2' is valid YAML: the inputs are the string 'x:-2'
    err = stderr_of(tmp_path, "inputs:\n  x:-2\ngates:\n  f: {op: neg, in: [x]}\n")
    assert err.splitlines()[0] == (
        "spec.yaml:2:3: error: expected a mapping, got the string 'x:-2' (no space after ':'"
        " in 'x:-2', so YAML sees no key: write 'x: -2') [bad-type]")


def test_an_over_indented_key_is_said_at_the_key(tmp_path: Path) -> None:
    # 'y' (col 5) is read by YAML as more of x's value; PyYAML stops at its ':' (col 6)
    err = stderr_of(tmp_path, "inputs:\n  x: 2\n    y: 2\ngates:\n  f: {op: mul, in: [x, y]}\n")
    assert err == ("spec.yaml:3:5: error: 'y' is indented more than 'x' above it, which has"
                   " a value already: indent 'y' as 'x' is (2 spaces) [yaml-syntax]\n")


def test_an_under_indented_key_names_the_keys_it_could_line_up_with(tmp_path: Path) -> None:
    err = stderr_of(tmp_path, "inputs:\n    x: 2\n  y: 2\ngates:\n  f: {op: mul, in: [x, y]}\n")
    assert err == ("spec.yaml:3:3: error: 'y' is indented less than 'x' above it and lines up"
                   " with no key: indent it as 'x' is (4 spaces) or as 'inputs' (0 spaces)"
                   " [yaml-syntax]\n")


def test_a_tab_says_spaces(tmp_path: Path) -> None:
    err = stderr_of(tmp_path, "inputs:\n\tx: 2\ngates:\n  f: {op: neg, in: x}\n")
    assert err == ("spec.yaml:2:1: error: a tab: YAML indents with spaces only, replace it"
                   " by spaces [yaml-syntax]\n")


SIGMOID = TWO_INPUTS + "  f: {op: mul, in: [x, y]}\n"


@pytest.mark.parametrize(("args", "line"), [
    (["--set", "X=1"], "circuitrun run: error: 'X' is not an input of the circuit"
                       " (did you mean 'x'?) [usage]"),
    (["--output", "F"], "circuitrun run: error: --output 'F' is not a node of the circuit"
                        " (did you mean 'f'?) [usage]"),
    (["--set", "xx=1"], "circuitrun run: error: 'xx' is not an input of the circuit"
                        " (did you mean 'x'?) [usage]"),
    # a circuit with no vector: these two said "'x' is not an input (did you mean 'x'?)"
    (["--set", "x=[1, 2]"], "circuitrun run: error: 'x' is one number, not a list [usage]"),
    (["--set", "x[0]=1"], "circuitrun run: error: 'x' is a number, not a vector: 'x[0]'"
                          " indexes nothing (write x) [usage]"),
], ids=["set-case", "output-case", "set-close", "list-for-a-number", "element-of-a-number"])
def test_a_name_given_on_the_command_line_says_what_is_wrong(tmp_path: Path, args: list[str],
                                                             line: str) -> None:
    assert stderr_of(tmp_path, SIGMOID, *args) == line + "\n"


def test_validate_prints_the_same_lines(tmp_path: Path) -> None:
    err = stderr_of(tmp_path, TWO_INPUTS + "  f: {op: mul, in: x, y}\n", command="validate")
    assert err == ("spec.yaml:5:23: error: unknown key 'y': write `in: [x, y]` for a list"
                   " of inputs [unknown-key]\n")


def test_a_glued_key_in_braces_is_one_problem(tmp_path: Path) -> None:
    # {op:neg, in: x}: YAML reads a key 'op:neg' (col 7) and no 'op': the missing 'op' is
    # that same slip, said once
    err = stderr_of(tmp_path, "inputs:\n  x: 2\ngates:\n  f: {op:neg, in: x}\n")
    assert err == ("spec.yaml:4:7: error: unknown key 'op:neg' (no space after ':' in"
                   " 'op:neg', so YAML sees no key: write 'op: neg') [unknown-key]\n")


@pytest.mark.parametrize(("spec", "line"), [
    ("inputs: [x, y]\ngates:\n  f: {op: add, in: [x, y]}\n",
     "spec.yaml:1:9: error: expected a mapping, got a list: write `inputs: {x: null, y: null}`"
     " (null: a value given at run time) [bad-type]"),
    ("inputs:\n  - x\n  - y\ngates:\n  f: x * y\n",
     "spec.yaml:2:3: error: expected a mapping, got a list: write `inputs: {x: null, y: null}`"
     " (null: a value given at run time) [bad-type]"),
    ("inputs: {x: 1}\ngates:\n  - f: {op: neg, in: x}\n",
     "spec.yaml:3:3: error: expected a mapping, got a list: write each gate as `NAME: ...`"
     " on its own line, with no '-' before it [bad-type]"),
], ids=["inputs-flow-list", "inputs-block-list", "gates-list"])
def test_a_list_where_a_mapping_goes_says_how_to_write_it(tmp_path: Path, spec: str,
                                                          line: str) -> None:
    # one line each: the listed inputs are the names meant, so `x` and `y` used by the
    # gates are no further problem (they were: "unknown reference 'x'", "... 'y'")
    assert stderr_of(tmp_path, spec) == line + "\n"
