"""Batch evaluation (``Circuit.run_batch``) against the scalar engine, row by row and
bit for bit: every op, ties, fan-out, constants, several chunks, non-finite rows.  Rows
with non-finite inputs, which ``Circuit.run`` refuses, are compared with the chain rule
written out plainly (``_reference_engine``, which the scalar engine matches bit for bit)."""

from __future__ import annotations

import json
import math
import random
import struct
import textwrap
from typing import Any

import numpy as np
import pytest

import circuitrun
from circuitrun.engine import batch
from circuitrun.ops import OPS

from support.random_specs import SPECIALS, random_spec
from support.reference_engine import run as reference


def same(x: float | None, y: float | None) -> bool:
    """Equal bits (so -0.0 is not 0.0), any NaN equal to any NaN."""
    if x is None or y is None:
        return x is y
    if math.isnan(x) and math.isnan(y):
        return True
    return struct.pack("<d", x) == struct.pack("<d", y)


def spec(text: str) -> circuitrun.Circuit:
    return circuitrun.loads(textwrap.dedent(text))


def doc_of(seed: int, gates: int) -> dict[str, Any]:
    return json.loads(random_spec(seed, gates, as_json=True))  # type: ignore[no-any-return]


def rows_for(circuit: circuitrun.Circuit, n: int, rng: random.Random,
             nonfinite: bool = False) -> dict[str, np.ndarray]:
    """Columns mixing ordinary numbers, signed zeros, equal values (ties) and extremes."""
    pool = [*SPECIALS, 0.25, -2.5]
    if nonfinite:
        pool += [math.inf, -math.inf, math.nan]
    cols = {}
    for name in circuit.inputs:
        cols[name] = np.array([rng.choice(pool) if rng.random() < 0.5 else rng.uniform(-3, 3)
                               for _ in range(n)])
    return cols


def assert_rows_match(doc: dict[str, Any], cols: dict[str, np.ndarray],
                      output: str | None = None) -> None:
    """Every node's value and gradient, row by row: those of ``Circuit.run`` on the row
    (rows of finite inputs) and of the plain chain rule."""
    circuit = circuitrun.loads(json.dumps(doc), json=True)
    result = circuit.run_batch(cols, output=output, allow_nonfinite=True, all_nodes=True)
    assert result.output == (output or circuit.output)
    assert result.nodes is not None
    for row in range(len(next(iter(cols.values())))):
        inputs = {name: float(col[row]) for name, col in cols.items()}
        values, grads = reference(doc, inputs, output)
        assert list(result.nodes) == list(values)
        if all(map(math.isfinite, inputs.values())):
            one = circuit.run(inputs, output=output, allow_nonfinite=True)
            assert all(same(n.value, values[n.name]) and same(n.grad, grads[n.name])
                       for n in one.nodes), row
        for name, (v, g) in result.nodes.items():
            assert same(float(v[row]), values[name]), (row, name, v[row], values[name])
            assert same(None if g is None else float(g[row]), grads[name]), (row, name)
        assert same(float(result.value[row]), values[result.output])
        for name in circuit.inputs:
            assert same(float(result.grads[name][row]), grads[name])
    # Without all_nodes, gates' gradient arrays are handed on to inputs: the same bits.
    lean = circuit.run_batch(cols, output=output, allow_nonfinite=True)
    for name in circuit.inputs:
        assert all(same(float(x), float(y)) for x, y in zip(lean.grads[name], result.grads[name],
                                                            strict=True)), name
    assert all(same(float(x), float(y)) for x, y in zip(lean.value, result.value, strict=True))


@pytest.mark.parametrize("seed", range(25))
def test_random_circuits_match_the_scalar_engine(seed: int) -> None:
    doc = doc_of(seed, 40)
    circuit = circuitrun.loads(json.dumps(doc), json=True)
    assert_rows_match(doc, rows_for(circuit, 24, random.Random(seed)))


@pytest.mark.parametrize("seed", range(10))
def test_non_finite_rows_match_the_scalar_engine(seed: int) -> None:
    doc = doc_of(seed + 100, 30)
    circuit = circuitrun.loads(json.dumps(doc), json=True)
    assert_rows_match(doc, rows_for(circuit, 24, random.Random(seed), nonfinite=True))


def test_other_outputs_match() -> None:
    doc = doc_of(3, 30)
    circuit = circuitrun.loads(json.dumps(doc), json=True)
    cols = rows_for(circuit, 10, random.Random(1))
    for name in circuit.node_names[::5]:
        assert_rows_match(doc, cols, output=name)


def test_many_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "CHUNK_CELLS", 64)  # a few rows per chunk
    doc = doc_of(5, 20)
    circuit = circuitrun.loads(json.dumps(doc), json=True)
    assert batch.chunk_rows(len(circuit.node_names)) < 10
    assert_rows_match(doc, rows_for(circuit, 37, random.Random(5)))


def test_ties_fan_out_and_constants() -> None:
    # m = max(a, b), s = max(a, b; split), f = m*s + a*a + 2: rows with a = b tie.
    doc = {"inputs": {"a": 1, "b": 1}, "gates": {
        "m": {"op": "max", "in": ["a", "b"]},
        "s": {"op": "max", "in": ["a", "b", "b"], "ties": "split"},
        "k": {"op": "const", "value": 2},
        "p": {"op": "mul", "in": ["m", "s"]},
        "q": {"op": "mul", "in": ["a", "a", "k"]},
        "f": {"op": "add", "in": ["p", "q", 2]}}}
    circuit = circuitrun.loads(json.dumps(doc), json=True)
    cols = {"a": np.array([2.0, 3.0, -1.0, 0.0, -0.0]), "b": np.array([2.0, 1.0, 5.0, -0.0, 0.0])}
    assert_rows_match(doc, cols)
    r = circuit.run_batch(cols, all_nodes=True)
    assert r.nodes is not None and r.nodes["k"][1] is None and r.nodes["f.2"][1] is None
    # Row 0: a = b = 2; m = 2, s = 2; df/da = s*1 (first) + m*1/3 (split) + 2*2a = 2 + 2/3 + 8.
    assert r.grads["a"][0] == pytest.approx(2 + 2 / 3 + 8)


def test_defaults_and_single_column() -> None:
    circuit = circuitrun.load("circuits/sigmoid.yaml")
    r = circuit.run_batch({"x0": [-1.0, 0.5]})
    one = circuit.run()
    assert r.value[0] == one.value() and r.grads["w0"][0] == one.grad("w0")
    assert list(r.inputs["w0"]) == [2.0, 2.0]
    assert r.circuit == "sigmoid-neuron" and r.output == "f"


def test_usage_errors() -> None:
    circuit = spec("inputs: {x: 1, y: 2}\ngates: {f: {op: add, in: [x, y]}}\n")
    with pytest.raises(circuitrun.UsageError, match="'z' is not an input"):
        circuit.run_batch({"z": [1.0]})
    with pytest.raises(circuitrun.UsageError, match="'y' has 1 rows, not 2"):
        circuit.run_batch({"x": [1.0, 2.0], "y": [1.0]})
    with pytest.raises(circuitrun.UsageError, match=r"'x' row 2: nan is not a finite number"):
        circuit.run_batch({"x": [1.0, math.nan]})
    with pytest.raises(circuitrun.UsageError, match="1-D array of real numbers"):
        circuit.run_batch({"x": ["a"]})
    with pytest.raises(circuitrun.UsageError, match="at least one input column"):
        circuit.run_batch({})
    with pytest.raises(circuitrun.UsageError, match="'g' is not a node"):
        circuit.run_batch({"x": [1.0]}, output="g")
    null = spec("inputs: {x: 1, y: }\ngates: {f: {op: add, in: [x, y]}}\n")
    with pytest.raises(circuitrun.SpecError, match=r"1:16: error: input 'y' has no value"):
        null.run_batch({"x": [1.0]})


def test_non_finite_rows_are_named() -> None:
    circuit = spec("""
        inputs: {a: 1, b: 1}
        gates:
          q: {op: div, in: [a, b]}
          s: {op: sqrt, in: q}
    """)
    with pytest.raises(circuitrun.NonFiniteError) as info:
        circuit.run_batch({"b": [1.0, 2.0, 0.0, -1.0]})
    assert info.value.row == 2
    assert info.value.problem.message == (
        "row 3: gate 'q' (div) gave inf from inputs a=1.0, b=0.0")
    # All values finite, a gradient not: ds/dq = 1/(2 sqrt(0)) at a = 0, so ds/da too;
    # the message is the scalar run's, with the row.
    with pytest.raises(circuitrun.NonFiniteError) as info:
        circuit.run_batch({"a": [1.0, 0.0], "b": [1.0, 1.0]})
    assert info.value.problem.message == "row 2: input 'a' has gradient inf"
    with pytest.raises(circuitrun.NonFiniteError, match="input 'a' has gradient inf"):
        circuit.run(inputs={"a": 0.0})
    r = circuit.run_batch({"b": [1.0, 0.0]}, allow_nonfinite=True)
    assert r.value[1] == math.inf


EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 3.0, 710.0, -710.0, 1e-320, 1e308, -1e308,
         math.inf, -math.inf, math.nan]


EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 3.0, 710.0, -710.0, 1e-320, 1e308, -1e308,
         math.inf, -math.inf, math.nan]


@pytest.mark.parametrize("op", [op for op in OPS.values() if op.max_in != 0],
                         ids=lambda op: op.name)
def test_every_op_on_edge_values(op: Any) -> None:
    # Every pair of edge values (signed zeros, overflow, subnormals, inf, NaN) through one
    # gate of the op: 1 input, 2 inputs, and 3 for n-ary ops, with every attribute rule.
    for n in [n for n in (1, 2, 3) if op.min_in <= n <= (op.max_in or 3)]:
        names = [f"x{i}" for i in range(n)]
        for attrs in [{}] + [{a: v} for a, rules in op.attrs.items() for v in rules or ()]:
            doc = {"inputs": dict.fromkeys(names, 1), "gates": {
                "f": {"op": op.name, "in": names, **attrs}}}
            grid = np.array(np.meshgrid(*[EDGES] * n)).reshape(n, -1)
            if n == 3:
                grid = grid[:, ::7]
            assert_rows_match(doc, {x: grid[i] for i, x in enumerate(names)})


def first_failure(circuit: circuitrun.Circuit, cols: dict[str, np.ndarray]
                  ) -> tuple[int, str] | None:
    """The first row whose run fails, and its message; None if every row runs."""
    for row in range(len(next(iter(cols.values())))):
        try:
            circuit.run({n: float(c[row]) for n, c in cols.items()})
        except circuitrun.NonFiniteError as e:
            return row, e.problem.message
    return None


def assert_batch_fails_as_rows_do(circuit: circuitrun.Circuit,
                                  cols: dict[str, np.ndarray]) -> bool:
    """run_batch raises for the first row that fails alone, with its message, or else
    gives every row's value; True if some row failed."""
    first = first_failure(circuit, cols)
    if first is None:
        result = circuit.run_batch(cols)
        assert [float(v) for v in result.value] == [
            circuit.run({n: float(c[r]) for n, c in cols.items()}).value()
            for r in range(len(result.value))]
        return False
    with pytest.raises(circuitrun.NonFiniteError) as info:
        circuit.run_batch(cols)
    assert (info.value.row, info.value.problem.message) == (
        first[0], f"row {first[0] + 1}: {first[1]}")
    return True


@pytest.mark.parametrize("seed", range(30))
def test_non_finite_errors_match_single_runs(seed: int) -> None:
    # The first row that fails, and its message, are those of running row by row.
    circuit = circuitrun.loads(random_spec(seed + 200, 25))
    assert_batch_fails_as_rows_do(circuit, rows_for(circuit, 12, random.Random(seed)))


@pytest.mark.parametrize("seed", range(30))
def test_non_finite_gradients_match_single_runs(seed: int) -> None:
    # Values stay finite (sqrt of |x|, no division), gradients do not: sqrt's local
    # gradient 1/(2 sqrt(0)) is inf, so a row with a 0 under a sqrt fails, and every
    # gate feeds the output (a sum of the gates nothing else uses).  Inputs are drawn
    # from 0.0, -0.0, 1.0, -2.0, 0.5, and every circuit has a sqrt: some row fails.
    rng = random.Random(seed)
    lines = ["inputs: {x0: 1, x1: 1, x2: 1}", "gates:"]
    names, unused = ["x0", "x1", "x2"], set()
    for j in range(12):
        op = "sqrt" if j == 0 else rng.choice(["add", "mul", "sqrt", "relu", "max", "sub",
                                               "square", "neg"])
        srcs = [rng.choice(names) for _ in range(2 if op in ("add", "mul", "max", "sub")
                                                 else 1)]
        if op == "sqrt":
            lines.append(f"  a{j}: {{op: abs, in: {srcs[0]}}}")
            srcs = [f"a{j}"]
        lines.append(f"  g{j}: {{op: {op}, in: [{', '.join(srcs)}]}}")
        unused = (unused - set(srcs)) | {f"g{j}"}
        names.append(f"g{j}")
    lines += [f"  out: {{op: add, in: [{', '.join(sorted(unused))}]}}", "output: out"]
    circuit = circuitrun.loads("\n".join(lines) + "\n")
    cols = {n: np.array([rng.choice([0.0, -0.0, 1.0, -2.0, 0.5]) for _ in range(16)])
            for n in ("x0", "x1", "x2")}
    cols["x0"][rng.randrange(16)] = 0.0  # under g0's sqrt, at least in one row
    assert assert_batch_fails_as_rows_do(circuit, cols)
