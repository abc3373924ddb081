"""The committed JSON Schema, checked by the real check-jsonschema (the test extra).

- It is a valid schema of the draft it declares (``--check-metaschema``).
- Every example in circuits/ and tests/schema/valid/ passes it, and circuitrun runs it.
- Every file in tests/schema/broken/ fails it with exactly the messages written in its
  ``# check-jsonschema:`` lines (``{OPS}`` stands for the op table's names), and
  circuitrun rejects it too: the schema finds nothing the loader would let through.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import circuitrun
from circuitrun.ops import OPS, Op

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "schemas" / "circuit.schema.json"
HERE = Path(__file__).resolve().parent
EXAMPLES = sorted(p for p in (ROOT / "circuits").iterdir() if p.suffix in {".yaml", ".json"})
VALID = sorted((HERE / "valid").glob("*.yaml"))
BROKEN = sorted((HERE / "broken").glob("*.yaml"))
EXPECTED = "# check-jsonschema: "


def check_jsonschema(*args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run the real check-jsonschema of this environment."""
    return subprocess.run([sys.executable, "-m", "check_jsonschema", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT, check=False)


def test_the_schema_is_valid_for_its_draft() -> None:
    declared = json.loads(SCHEMA.read_text(encoding="utf-8"))["$schema"]
    assert declared == "http://json-schema.org/draft-07/schema#"
    done = check_jsonschema("--check-metaschema", SCHEMA)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "ok -- validation done\n"


def test_every_example_and_valid_file_passes() -> None:
    files = [*EXAMPLES, *VALID]
    assert len(files) >= 10 and VALID  # the folders were found
    done = check_jsonschema("--schemafile", SCHEMA, *files)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout == "ok -- validation done\n"


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_valid_files_run_as_they_expect(path: Path) -> None:
    # Their expect blocks hold numbers worked out by hand (see each file's comment).
    circuit = circuitrun.load(path)
    expect = circuit.spec.expect
    assert expect is not None and expect.values and expect.grads
    result = circuit.run()
    for name, value in expect.values.items():
        assert result.value(name) == pytest.approx(value, rel=1e-12), name
    for name, grad in expect.grads.items():
        assert result.grad(name) == pytest.approx(grad, rel=1e-12), name


def expected_messages(path: Path) -> list[str]:
    """The lines check-jsonschema must print for ``path``, each after ``PATH::``."""
    ops = repr(list(OPS))
    return [line[len(EXPECTED):].replace("{OPS}", ops)
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.startswith(EXPECTED)]


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: p.stem)
def test_broken_file_gives_its_message(path: Path) -> None:
    expected = expected_messages(path)
    assert expected, f"{path.name} says no message it must give"
    rel = path.relative_to(ROOT)
    done = check_jsonschema("--schemafile", SCHEMA, rel)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Schema validation errors were encountered."
    prefix = f"  {rel}::"
    assert [line[len(prefix):] for line in lines if line.startswith(prefix)] == expected
    with pytest.raises(circuitrun.SpecError):
        circuitrun.load(path)


def test_the_broken_files_cover_the_holes() -> None:
    # The holes of issue 10: names that are no names, arity, ties on an op without it.
    names = {p.stem for p in BROKEN}
    assert {"name_not_a_name", "input_name_not_a_name", "sub_three_inputs",
            "ties_on_add"} <= names
    ties = expected_messages(HERE / "broken" / "ties_on_add.yaml")
    assert ties == ["$.gates.s.op: 'add' is not one of ['max', 'min']"]


def gate_errors(gate: dict[str, object]) -> list[str]:
    """The messages of the schema for a spec of this one gate over inputs a, b, c."""
    from jsonschema import Draft7Validator  # check-jsonschema's validator

    spec = {"inputs": {"a": 1, "b": 2, "c": 3}, "gates": {"g": gate}}
    validator = Draft7Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))
    return [e.message for e in validator.iter_errors(spec)]


@pytest.mark.parametrize("op", OPS.values(), ids=lambda op: op.name)
def test_each_op_takes_its_number_of_inputs(op: Op) -> None:
    # The numbers come from the op's record; the schema must agree with them at both ends.
    attrs = {"value": 1.0} if "value" in op.attrs else {}
    refs = ["a", "b", "c", "a"]
    if op.max_in == 0:
        assert gate_errors({"op": op.name, **attrs}) == []
        assert gate_errors({"op": op.name, "in": ["a"], **attrs}) == [
            "['a'] is not of type 'null'"]
        return
    assert gate_errors({"op": op.name, "in": refs[:op.min_in]}) == []
    if op.min_in == 1:
        assert gate_errors({"op": op.name, "in": "a"}) == []  # one reference alone
    too_few = refs[:op.min_in - 1]
    assert gate_errors({"op": op.name, "in": too_few}) != []
    if op.max_in is None:
        assert gate_errors({"op": op.name, "in": refs}) == []
    else:
        assert gate_errors({"op": op.name, "in": refs[:op.max_in]}) == []
        assert gate_errors({"op": op.name, "in": refs[:op.max_in + 1]}) == [
            f"{refs[:op.max_in + 1]!r} is too long"]
