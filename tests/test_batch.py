"""Batch evaluation (``Circuit.run_batch``) against the scalar engine, row by row and
bit for bit: every op, ties, fan-out, constants, several chunks, non-finite rows."""

from __future__ import annotations

import math
import random
import struct
import textwrap
from typing import Any

import numpy as np
import pytest
from _random_specs import SPECIALS, random_spec

import circuitrun
import circuitrun.ops.table
from circuitrun.engine import batch
from circuitrun.engine import scalar as engine


def same(x: float | None, y: float | None) -> bool:
    """Equal bits (so -0.0 is not 0.0), any NaN equal to any NaN."""
    if x is None or y is None:
        return x is y
    if math.isnan(x) and math.isnan(y):
        return True
    return struct.pack("<d", x) == struct.pack("<d", y)


def spec(text: str) -> circuitrun.Circuit:
    return circuitrun.loads(textwrap.dedent(text))


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


def scalar_rows(circuit: circuitrun.Circuit, cols: dict[str, np.ndarray], row: int,
                output: int) -> tuple[list[float], list[float | None]]:
    prog = circuit._prog
    leaves: list[Any] = list(prog.leaf_values)
    for name, col in cols.items():
        leaves[prog.position[name]] = float(col[row])
    vals = engine.evaluate(prog, leaves)
    return vals, engine.differentiate(prog, vals, output)


def assert_rows_match(circuit: circuitrun.Circuit, cols: dict[str, np.ndarray],
                      output: str | None = None) -> None:
    result = circuit.run_batch(cols, output=output, allow_nonfinite=True, all_nodes=True)
    prog = circuit._prog
    out = prog.output if output is None else prog.position[output]
    assert result.output == prog.names[out]
    assert result.nodes is not None
    n = len(next(iter(cols.values())))
    for row in range(n):
        vals, grads = scalar_rows(circuit, cols, row, out)
        for p, name in enumerate(prog.names):
            v, g = result.nodes[name]
            assert same(float(v[row]), vals[p]), (row, name, v[row], vals[p])
            assert same(None if g is None else float(g[row]), grads[p]), (row, name)
        assert same(float(result.value[row]), vals[out])
        for name in prog.inputs:
            assert same(float(result.grads[name][row]), grads[prog.position[name]])
    # Without all_nodes, gates' gradient arrays are handed on to inputs: the same bits.
    lean = circuit.run_batch(cols, output=output, allow_nonfinite=True)
    for name in prog.inputs:
        assert [struct.pack("<d", x) for x in lean.grads[name]] == [
            struct.pack("<d", x) for x in result.grads[name]] or all(
            same(float(x), float(y)) for x, y in zip(lean.grads[name], result.grads[name],
                                                     strict=True)), name
    assert all(same(float(x), float(y)) for x, y in zip(lean.value, result.value, strict=True))


@pytest.mark.parametrize("seed", range(25))
def test_random_circuits_match_the_scalar_engine(seed: int) -> None:
    circuit = circuitrun.loads(random_spec(seed, 40))
    assert_rows_match(circuit, rows_for(circuit, 24, random.Random(seed)))


@pytest.mark.parametrize("seed", range(10))
def test_non_finite_rows_match_the_scalar_engine(seed: int) -> None:
    circuit = circuitrun.loads(random_spec(seed + 100, 30))
    assert_rows_match(circuit, rows_for(circuit, 24, random.Random(seed), nonfinite=True))


def test_other_outputs_match(monkeypatch: pytest.MonkeyPatch) -> None:
    circuit = circuitrun.loads(random_spec(3, 30))
    cols = rows_for(circuit, 10, random.Random(1))
    for name in circuit.node_names[::5]:
        assert_rows_match(circuit, cols, output=name)


def test_many_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "CHUNK_CELLS", 64)  # a few rows per chunk
    circuit = circuitrun.loads(random_spec(5, 20))
    assert batch.chunk_rows(len(circuit.node_names)) < 10
    assert_rows_match(circuit, rows_for(circuit, 37, random.Random(5)))


def test_ties_fan_out_and_constants() -> None:
    # m = max(a, b), s = max(a, b; split), f = m*s + a*a + 2: rows with a = b tie.
    circuit = spec("""
        inputs: {a: 1, b: 1}
        gates:
          m: {op: max, in: [a, b]}
          s: {op: max, in: [a, b, b], ties: split}
          k: {op: const, value: 2}
          p: {op: mul, in: [m, s]}
          q: {op: mul, in: [a, a, k]}
          f: {op: add, in: [p, q, 2]}
    """)
    cols = {"a": np.array([2.0, 3.0, -1.0, 0.0, -0.0]), "b": np.array([2.0, 1.0, 5.0, -0.0, 0.0])}
    assert_rows_match(circuit, cols)
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


@pytest.mark.parametrize("op", [op for op in circuitrun.ops.table.OPS if op != "const"])
def test_every_op_on_edge_values(op: str) -> None:
    # Every pair of edge values (signed zeros, overflow, subnormals, inf, NaN) through one
    # gate of the op: 1 input, 2 inputs, and 3 for n-ary ops, with both ties rules.
    o = circuitrun.ops.table.OPS[op]
    arities = [n for n in (1, 2, 3) if o.min_in <= n <= (o.max_in or 3)]
    for n in arities:
        names = [f"x{i}" for i in range(n)]
        for ties in ([None, "first", "split"] if "ties" in o.attrs else [None]):
            attr = f", ties: {ties}" if ties else ""
            circuit = spec(f"""
                inputs: {{{', '.join(f'{x}: 1' for x in names)}}}
                gates:
                  f: {{op: {op}, in: [{', '.join(names)}]{attr}}}
            """)
            grid = np.array(np.meshgrid(*[EDGES] * n)).reshape(n, -1)
            if n == 3:
                grid = grid[:, ::7]
            assert_rows_match(circuit, {x: grid[i] for i, x in enumerate(names)})


@pytest.mark.parametrize("seed", range(30))
def test_non_finite_errors_match_single_runs(seed: int) -> None:
    # The first row that fails, and its message, are those of running row by row.
    circuit = circuitrun.loads(random_spec(seed + 200, 25))
    rng = random.Random(seed)
    cols = rows_for(circuit, 12, rng)
    first = None
    for row in range(12):
        try:
            circuit.run({n: float(c[row]) for n, c in cols.items()})
        except circuitrun.NonFiniteError as e:
            first = (row, e.problem.message)
            break
    if first is None:
        circuit.run_batch(cols)
        return
    with pytest.raises(circuitrun.NonFiniteError) as info:
        circuit.run_batch(cols)
    assert (info.value.row, info.value.problem.message) == (
        first[0], f"row {first[0] + 1}: {first[1]}")


@pytest.mark.parametrize("seed", range(30))
def test_non_finite_gradients_match_single_runs(seed: int) -> None:
    # Values stay finite (sqrt of |x|, no division), gradients do not (sqrt at 0):
    # the first failing row and its message are those of running row by row.
    rng = random.Random(seed)
    lines = ["inputs: {x0: 1, x1: 1, x2: 1}", "gates:"]
    names = ["x0", "x1", "x2"]
    for j in range(12):
        op = rng.choice(["add", "mul", "sqrt", "relu", "max", "sub", "square", "neg"])
        if op == "sqrt":
            lines.append(f"  a{j}: {{op: abs, in: {rng.choice(names)}}}")
            lines.append(f"  g{j}: {{op: sqrt, in: a{j}}}")
        elif op in ("add", "mul", "max", "sub"):
            lines.append(f"  g{j}: {{op: {op}, in: [{rng.choice(names)}, {rng.choice(names)}]}}")
        else:
            lines.append(f"  g{j}: {{op: {op}, in: {rng.choice(names)}}}")
        names.append(f"g{j}")
    lines.append(f"output: g{11}")
    circuit = circuitrun.loads("\n".join(lines) + "\n")
    cols = {n: np.array([rng.choice([0.0, -0.0, 1.0, -2.0, 0.5]) for _ in range(16)])
            for n in ("x0", "x1", "x2")}
    first = None
    for row in range(16):
        try:
            circuit.run({n: float(c[row]) for n, c in cols.items()})
        except circuitrun.NonFiniteError as e:
            first = (row, e.problem.message)
            break
    if first is None:
        circuit.run_batch(cols)
        return
    with pytest.raises(circuitrun.NonFiniteError) as info:
        circuit.run_batch(cols)
    assert (info.value.row, info.value.problem.message) == (
        first[0], f"row {first[0] + 1}: {first[1]}")
