"""The example specs in circuits/: each runs, matches its `expect` block, and has the
schema line; and the committed JSON Schema is what the models generate."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import circuitrun
from circuitrun.spec.models import json_schema

from support.paths import ROOT

EXAMPLES = sorted(p for p in (ROOT / "circuits").iterdir() if p.suffix in {".yaml", ".json"})
SCHEMA_FILE = ROOT / "schemas" / "circuit.schema.json"


def test_the_required_examples_exist() -> None:
    names = {p.name for p in EXAMPLES}
    assert {"mul.yaml", "add.yaml", "max.yaml", "add_mul.yaml", "sigmoid.yaml"} <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_matches_its_expectations(path: Path) -> None:
    circuit = circuitrun.load(path)
    expect = circuit.spec.expect
    assert expect is not None and expect.values and expect.grads
    result = circuit.run()
    for name, value in expect.values.items():
        assert result.value(name) == pytest.approx(value, rel=expect.rtol, abs=expect.atol)
    for name, grad in expect.grads.items():
        assert result.grad(name) == pytest.approx(grad, rel=expect.rtol, abs=expect.atol)


# ties.yaml sits on max/min ties on purpose, where the circuit has no derivative: the
# tie rules pick one of the one-sided slopes, and central differences average them.
SMOOTH = [p for p in EXAMPLES if p.name != "ties.yaml"]


@pytest.mark.parametrize("path", SMOOTH, ids=lambda p: p.name)
def test_example_gradients_match_central_differences(path: Path) -> None:
    # An independent check of the expectations: perturb each input by +-h and rerun.
    circuit = circuitrun.load(path)
    base = circuit.inputs
    result = circuit.run()
    for name, x in base.items():
        assert x is not None
        h = 1e-6 * max(1.0, abs(x))
        up = circuit.run(inputs={name: x + h}).value()
        down = circuit.run(inputs={name: x - h}).value()
        numeric = (up - down) / (2 * h)
        assert result.grad(name) == pytest.approx(numeric, rel=1e-6, abs=1e-8), name


@pytest.mark.parametrize("path", [p for p in EXAMPLES if p.suffix == ".yaml"],
                         ids=lambda p: p.name)
def test_yaml_examples_name_their_schema(path: Path) -> None:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../schemas/circuit.schema.json"


def test_sigmoid_example_numbers() -> None:
    # SPEC section 1: f = 0.7310585786300049, grad(w0) = -0.19661193324148185.
    r = circuitrun.load(ROOT / "circuits" / "sigmoid.yaml").run()
    assert r.value("f") == 0.7310585786300049
    assert r.grad("w0") == -0.19661193324148185
    assert math.isclose(r.grad("x0") or 0, 0.3932238664829637, rel_tol=1e-15)


def test_committed_schema_is_current() -> None:
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == json_schema(), (
        "schemas/circuit.schema.json is stale: run"
        " `circuitrun schema -o schemas/circuit.schema.json`"
    )


def test_schema_says_which_ops_exist() -> None:
    # An editor reports a misspelled op against this enum, not "no schema matched".
    gate = json_schema()["$defs"]["Gate"]
    assert "sigmoid" in gate["properties"]["op"]["enum"]
    assert "oneOf" not in json.dumps(gate)
