"""``circuitrun.loads`` of a mapping (a dict as parsed from YAML or JSON): the same
circuit as from the text, and problems placed by keys, since a mapping has no lines."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
import yaml

import circuitrun

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted(p for p in (ROOT / "circuits").iterdir() if p.suffix in {".yaml", ".json"})


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_a_mapping_is_the_circuit_its_text_is(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    from_text = circuitrun.load(path)
    from_data = circuitrun.loads(data, str(path))
    assert from_data.run().to_json() == from_text.run().to_json()


def test_problems_in_a_mapping_are_placed_by_keys() -> None:
    data = {
        "inputs": {"x": 1},
        "gates": {"my-gate": {"op": "bogus", "in": "x"}, "d": {"op": "sub", "in": ["x"]},
                  "g": "expp(x)"},
        2.5: 1,
    }
    with pytest.raises(circuitrun.SpecError) as caught:
        circuitrun.loads(data)
    problems = caught.value.problems
    assert [(p.path, p.line, p.col, p.code) for p in problems] == [
        ("<mapping>['gates']['my-gate']", None, None, "bad-name"),
        ("<mapping>['gates']['my-gate']['op']", None, None, "unknown-op"),
        ("<mapping>[2.5]", None, None, "unknown-key"),
        ("<mapping>['gates']['g']", None, None, "unknown-op"),
        ("<mapping>['gates']['d']['in']", None, None, "arity"),
    ]
    assert str(problems[4]) == (
        "<mapping>['gates']['d']['in']: error: op 'sub' takes 2 inputs, got 1 [arity]")


def test_the_name_given_leads_the_keys() -> None:
    with pytest.raises(circuitrun.SpecError) as caught:
        circuitrun.loads({"inputs": {}, "gates": {"f": 1}, "outptu": "f"}, "cell 3")
    assert str(caught.value) == "cell 3['outptu']: error: unknown key 'outptu' (did you" \
        " mean 'output'?) [unknown-key]"


def test_an_input_without_a_value_is_placed_at_its_key() -> None:
    circuit = circuitrun.loads({"inputs": {"w": [2.0, None]}, "gates": {"f": "w[0] * w[1]"}})
    with pytest.raises(circuitrun.MissingInputsError) as caught:
        circuit.run()
    assert str(caught.value) == (
        "<mapping>['inputs']['w']: error: input 'w[1]' has no value [missing-value]")
    assert circuit.run(inputs={"w[1]": 3.0}).value() == 6.0  # 2 * 3


def test_a_pickled_circuit_of_a_mapping_keeps_placing_by_keys() -> None:
    circuit = circuitrun.loads({"inputs": {"x": None}, "gates": {"f": "exp(x)"}}, "cell")
    again = pickle.loads(pickle.dumps(circuit))
    assert again.path == "cell" and again.run(inputs={"x": 0.0}).value() == 1.0  # e^0
    with pytest.raises(circuitrun.MissingInputsError) as caught:
        again.run()
    assert str(caught.value) == "cell['inputs']['x']: error: input 'x' has no value" \
        " [missing-value]"


def test_the_mapping_is_read_once() -> None:
    data = {"inputs": {"x": 2.0}, "gates": {"f": {"op": "square", "in": "x"}}}
    circuit = circuitrun.loads(data)
    data["inputs"]["x"] = 5.0
    data["gates"]["f"]["op"] = "neg"
    assert circuit.run().value() == 4.0  # 2 squared, as it was when loaded
    assert circuit.spec.inputs == {"x": 2.0}


def test_neither_text_nor_a_mapping() -> None:
    with pytest.raises(circuitrun.UsageError) as caught:
        circuitrun.loads([("inputs", {})])  # type: ignore[arg-type]  # what the test is about
    assert str(caught.value) == "a spec is text or a mapping, not list"
    assert caught.value.argument == "source"
