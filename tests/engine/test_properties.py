"""Property tests: circuitrun against the independent oracle on random valid circuits.

The circuits come from ``strategies.circuits`` (every op, fan-out, repeated inputs,
n-ary gates, wires, inline constants, depth up to a few hundred), the numbers to compare
with from ``oracle`` (central differences of a forward pass written from SPEC.md alone,
and SymPy's exact derivative for small circuits).  Neither imports circuitrun.

- values and gradients agree with the oracle, ties and kinks hit exactly included;
- the node order, names, ops and inputs are SPEC 3.4's;
- output is deterministic: the same bytes twice, from YAML and from JSON, after a
  YAML -> JSON -> YAML round trip, and in processes with different hash seeds;
- ``run --format json`` (and csv) parse back to exactly the numbers of the Python API.

Hypothesis runs derandomized (the ``ci`` profile of conftest.py); ``pytest -m fuzz``
draws many more examples.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import random
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import yaml
from hypothesis import Phase, event, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import circuitrun
from circuitrun.cli import app

from support import oracle, referee
from support.fuzz import fuzz_scale
from support.strategies import circuits, spec_to_json, spec_to_yaml

Spec = dict[str, Any]
runner = CliRunner()
_TMP = Path(tempfile.mkdtemp(prefix="circuitrun-props-"))


# ---- helpers --------------------------------------------------------------------------


def run_yaml(spec: Spec) -> circuitrun.Result:
    """circuitrun's result for ``spec``, read from its YAML text."""
    return circuitrun.loads(spec_to_yaml(spec), path="spec.yaml").run()


def close(actual: float, expected: float, rtol: float, atol: float) -> bool:
    return abs(actual - expected) <= atol + rtol * abs(expected)


def assert_matches_oracle(spec: Spec, result: circuitrun.Result) -> None:
    """Order, names, ops, inputs, values and gradients as the oracle has them."""
    nodes = oracle.parse(spec)
    expected = oracle.evaluate(spec)
    got = result.nodes
    assert [n.name for n in got] == list(expected), "node order (SPEC 3.4)"
    assert result.output == oracle.output_of(spec)
    scale = max(1.0, abs(expected[result.output][0]))
    for node in got:
        ref = nodes[node.name]
        assert node.op == ref.op, node.name
        assert list(node.inputs) == list(ref.ins), node.name
        value, grad = expected[node.name]
        assert close(node.value, value, oracle.VALUE_RTOL, oracle.VALUE_ATOL), (
            f"value({node.name}): circuitrun {node.value!r}, oracle {value!r}")
        if grad is None:
            assert node.grad is None, f"grad({node.name}) of a constant: {node.grad!r}"
            continue
        assert node.grad is not None, f"grad({node.name}) is null, oracle {grad!r}"
        if close(node.grad, grad, oracle.GRAD_RTOL, oracle.GRAD_ATOL * scale):
            continue
        # Central differences lose accuracy on high-gain paths: the 60-digit referee decides.
        exact = referee.gradient(spec, node.name)
        event("referee consulted")
        assert close(node.grad, exact, oracle.GRAD_RTOL, oracle.GRAD_ATOL * scale), (
            f"grad({node.name}) ({ref.op}): circuitrun {node.grad!r}, oracle {grad!r},"
            f" 60-digit referee {exact!r}")


def note_ops(spec: Spec) -> None:
    for gate in spec["gates"].values():
        event(f"op {gate['op']}")


# ---- values and gradients against central differences -----------------------------------


@settings(max_examples=fuzz_scale(150, 3_000))
@given(circuits(max_gates=25))
def test_small_circuits_match_central_differences(spec: Spec) -> None:
    note_ops(spec)
    assert_matches_oracle(spec, run_yaml(spec))


# No shrinking: each try re-runs the oracle on a few hundred gates (minutes); the small
# circuits above shrink a failure to a readable one.
@settings(max_examples=fuzz_scale(12, 200), phases=[Phase.explicit, Phase.generate])
@given(circuits(max_gates=300))
def test_deep_circuits_match_central_differences(spec: Spec) -> None:
    # max_gates 300 with the strategy's chain bias: depths of a few hundred
    result = circuitrun.loads(spec_to_json(spec), path="spec.json", json=True).run()
    assert_matches_oracle(spec, result)


@settings(max_examples=fuzz_scale(150, 3_000))
@given(circuits(max_gates=20, allow_ties=True))
def test_ties_and_kinks_hit_exactly_match_the_oracle(spec: Spec) -> None:
    # max/min ties (`first`: all to the first equal input in `in` order; `split`: 1/k),
    # relu(0) and abs(0): the oracle freezes the branch SPEC section 2 names.
    note_ops(spec)
    assert_matches_oracle(spec, run_yaml(spec))


@settings(max_examples=fuzz_scale(40, 600))
@given(circuits(max_gates=8))
def test_input_gradients_match_sympy(spec: Spec) -> None:
    result = run_yaml(spec)
    value = abs(result.value())
    for name, exact in oracle.symbolic(spec).items():
        got = result.grad(name)
        assert got is not None
        assert close(got, exact, oracle.GRAD_RTOL, oracle.GRAD_ATOL * max(1.0, value)), (
            f"grad({name}): circuitrun {got!r}, SymPy {exact!r}")


@settings(max_examples=fuzz_scale(60, 1_000))
@given(circuits(max_gates=20))
def test_gradcheck_agrees_on_drawn_circuits(spec: Spec) -> None:
    # circuitrun's own checker, on circuits away from kinks, finds nothing to report
    check = circuitrun.loads(spec_to_yaml(spec)).gradcheck(all_nodes=True)
    assert check.ok, check.to_text()


# ---- determinism ------------------------------------------------------------------------


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML reading YAML 1.2 core numbers and booleans: independent of circuitrun's reader."""


_FLOAT_RE = r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$"
Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers
            if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"))
Yaml12Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float", re.compile(_FLOAT_RE), list("-+0123456789."))


@settings(max_examples=fuzz_scale(80, 1_500))
@given(circuits(max_gates=30, allow_ties=True))
def test_same_bytes_every_time_and_after_a_yaml_json_yaml_round_trip(spec: Spec) -> None:
    yaml_text = spec_to_yaml(spec)
    as_data = yaml.load(yaml_text, Loader=Yaml12Loader)  # YAML -> data
    json_text = spec_to_json(as_data)  # -> JSON
    again = spec_to_yaml(json.loads(json_text))  # -> YAML
    assert again == yaml_text
    first = circuitrun.loads(yaml_text, path="a.yaml").run()
    outputs = {
        (first.to_json(), first.to_csv()),
        (lambda r: (r.to_json(), r.to_csv()))(circuitrun.loads(yaml_text, path="b.yaml").run()),
        (lambda r: (r.to_json(), r.to_csv()))(
            circuitrun.loads(json_text, path="c.json", json=True).run()),
        (lambda r: (r.to_json(), r.to_csv()))(circuitrun.loads(again, path="d.yaml").run()),
    }
    assert len(outputs) == 1


_DUMP = textwrap.dedent("""\
    import sys, circuitrun
    for path in sys.argv[1:]:
        try:
            r = circuitrun.load(path).run()
            sys.stdout.write(r.to_json() + r.to_csv())
        except circuitrun.CircuitError as e:
            sys.stdout.write(str(e) + "\\n")
    """)


@settings(max_examples=1)
@given(st.lists(circuits(max_gates=40, allow_ties=True), min_size=25, max_size=25),
       st.randoms(use_true_random=False))
def test_same_bytes_under_different_hash_seeds(specs: list[Spec], rng: random.Random) -> None:
    # Sets and dicts of strings iterate in an order that depends on PYTHONHASHSEED: two
    # processes with different seeds must print the same bytes, error messages included.
    folder = Path(tempfile.mkdtemp(prefix="circuitrun-seeds-", dir=_TMP))
    paths = sorted(str(p) for p in Path("circuits").glob("*.*"))
    for i, spec in enumerate(specs):
        text = spec_to_yaml(spec)
        (folder / f"s{i}.yaml").write_text(text, encoding="utf-8")
        # a broken twin: a renamed gate and a misspelt op, for the "did you mean" hints
        name = rng.choice(list(spec["gates"]))
        broken = text.replace(f"  {name}: ", f"  {name}x: ", 1).replace("op: ", "op: x", 1)
        (folder / f"s{i}_broken.yaml").write_text(broken, encoding="utf-8")
        paths += [str(folder / f"s{i}.yaml"), str(folder / f"s{i}_broken.yaml")]
    outs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", _DUMP, *paths], capture_output=True,
                              text=True, env=env, timeout=120, check=True)
        outs.append(proc.stdout)
    assert outs[0] == outs[1]
    assert "did you mean" in outs[0]


# ---- the CLI's JSON and CSV parse back to the API's numbers ------------------------------

@settings(max_examples=fuzz_scale(60, 1_000))
@given(circuits(max_gates=30, allow_ties=True))
def test_run_json_and_csv_parse_back_to_the_same_numbers(spec: Spec) -> None:
    path = _TMP / "spec.yaml"
    path.write_text(spec_to_yaml(spec), encoding="utf-8")
    api = circuitrun.load(path).run()
    out = runner.invoke(app, ["run", str(path), "--format", "json"])
    assert out.exit_code == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["circuit"] == api.circuit and doc["output"] == api.output
    assert doc["value"] == api.value() and isinstance(doc["value"], float)
    assert [n["name"] for n in doc["nodes"]] == [n.name for n in api.nodes]
    for row, node in zip(doc["nodes"], api.nodes, strict=True):
        assert (row["op"], row["in"]) == (node.op, list(node.inputs))
        # bit for bit: repr floats read back to the same double, -0.0 included
        assert same_float(row["value"], node.value), (row, node)
        assert same_float(row["grad"], node.grad), (row, node)
    out = runner.invoke(app, ["run", str(path), "--format", "csv"])
    assert out.exit_code == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    for row, node in zip(rows, api.nodes, strict=True):
        assert (row["name"], row["op"], row["in"]) == (node.name, node.op, " ".join(node.inputs))
        assert same_float(float(row["value"]), node.value)
        assert same_float(None if row["grad"] == "" else float(row["grad"]), node.grad)


def same_float(a: float | None, b: float | None) -> bool:
    """Equal as doubles, including the sign of zero; None only equals None."""
    if a is None or b is None:
        return a is b
    return isinstance(a, float) and a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
