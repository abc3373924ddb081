"""The optimised engine against the reference engine, bit for bit, and the output order
against networkx's, on random circuits that use every op and feature."""

from __future__ import annotations

import random
import struct
import sys
from pathlib import Path

import networkx as nx
import pytest
from _random_specs import random_spec
from _reference_engine import differentiate as ref_differentiate
from _reference_engine import evaluate as ref_evaluate

import circuitrun
from circuitrun.engine import scalar as engine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from gen import generate, to_json

from circuitrun.graph.order import output_order, sinks


def bits(xs: list[float | None]) -> list[bytes | None]:
    """Each float's 8 bytes: equal bits, not only equal values (-0.0, NaN)."""
    return [None if x is None else struct.pack("<d", x) for x in xs]


def leaves_of(circuit: circuitrun.Circuit) -> list[float]:
    prog = circuit._prog
    leaves = [1.25 if v is None else v for v in prog.leaf_values]
    return leaves  # type: ignore[return-value]


@pytest.mark.parametrize("seed", range(60))
def test_fast_loops_match_the_reference_bit_for_bit(seed: int) -> None:
    circuit = circuitrun.loads(random_spec(seed, 40, nulls=seed % 2 == 0))
    prog = circuit._prog
    leaves = leaves_of(circuit)
    vals = engine.evaluate(prog, leaves)
    assert bits(vals) == bits(ref_evaluate(prog, leaves))
    rng = random.Random(seed)
    outputs = {prog.output, len(vals) - 1, rng.randrange(len(vals)), rng.randrange(len(vals))}
    for out in outputs:
        assert bits(engine.differentiate(prog, vals, out)) == bits(
            ref_differentiate(prog, vals, out)), out


@pytest.mark.parametrize("seed", range(5))
def test_all_live_walk_matches_the_reference(seed: int) -> None:
    # Generated benchmark circuits have one sink, the output: the backward pass walks
    # every node instead of a plan.
    c = generate(300, seed=seed)
    circuit = circuitrun.loads(to_json(c), json=True)
    prog = circuit._prog
    assert engine._plan(prog, prog.output) is None
    leaves = leaves_of(circuit)
    vals = engine.evaluate(prog, leaves)
    assert bits(engine.differentiate(prog, vals, prog.output)) == bits(
        ref_differentiate(prog, vals, prog.output))
    assert engine.live_gates(prog, prog.output) == [
        p for p in range(len(vals) - 1, -1, -1) if prog.forward[p] is not None]


def test_inline_paths_are_taken() -> None:
    # add/mul of two nodes and relu run inline; constants as inputs force the call path.
    circuit = circuitrun.loads("""
        inputs: {x: 2, y: -3}
        gates:
          a: {op: add, in: [x, y]}
          m: {op: mul, in: [a, x]}
          r: {op: relu, in: m}
          c: {op: add, in: [r, 1]}
          s: {op: sigmoid, in: c}
    """.replace("\n        ", "\n"))
    prog = circuit._prog
    codes = dict(zip(prog.names, prog.code, strict=True))
    assert codes == {"x": engine.LEAF, "y": engine.LEAF, "a": engine.ADD2, "m": engine.MUL2,
                     "r": engine.RELU, "c.1": engine.LEAF, "c": engine.CALL, "s": engine.CALL}


def test_first_nonfinite() -> None:
    assert engine.first_nonfinite([1.0, None, 2.0]) is None
    assert engine.first_nonfinite([1e308, 1e308]) is None  # the sum overflows; no value does
    assert engine.first_nonfinite([1.0, None, float("nan"), float("inf")]) == 2
    assert engine.first_nonfinite([float("inf"), float("-inf")]) == 0


@pytest.mark.parametrize("seed", range(40))
def test_order_matches_networkx(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(1, 60)
    # A random DAG over a random permutation of the labels: declaration order is then
    # not topological, and ties between ready nodes are frequent.
    perm = list(range(n))
    rng.shuffle(perm)
    ins: list[tuple[int, ...]] = [() for _ in range(n)]
    for j in range(n):
        k = rng.randint(0, min(3, j))
        ins[perm[j]] = tuple(perm[rng.randrange(j)] for _ in range(k))
    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_edges_from((s, d) for d, srcs in enumerate(ins) for s in srcs)
    order = output_order(ins)
    assert order is not None
    assert list(order) == list(nx.lexicographical_topological_sort(graph))
    assert sinks(ins) == [v for v in range(n) if graph.out_degree(v) == 0]


def test_order_of_a_cycle_is_none() -> None:
    assert output_order([(), (2,), (1,)]) is None
    assert output_order([(0,)]) is None  # a self-loop
    assert output_order([(), (0, 0)]) == range(2)


def test_graph_is_built_when_asked_for() -> None:
    circuit = circuitrun.loads("inputs: {x: 1}\ngates:\n  f: {op: mul, in: [x, x]}\n")
    built = circuit._built
    assert built._graph is None
    assert sorted(built.graph.edges) == [(0, 1)]
    assert built.graph is built.graph
