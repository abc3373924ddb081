"""The engine's loops against the chain rule written out plainly (_reference_engine),
bit for bit, on random circuits that use every op and feature; and the output order
against networkx's."""

from __future__ import annotations

import json
import random
import struct
import sys

import networkx as nx
import pytest

import circuitrun
from circuitrun.engine import scalar as engine

from support.paths import ROOT
from support.random_specs import random_spec
from support.reference_engine import run as reference

sys.path.insert(0, str(ROOT / "bench"))
from gen import generate, to_json

from circuitrun.graph.order import output_order, sinks, to_digraph


def bits(xs: list[float | None]) -> list[bytes | None]:
    """Each float's 8 bytes: equal bits, not only equal values (-0.0, NaN)."""
    return [None if x is None else struct.pack("<d", x) for x in xs]


def assert_matches_reference(text: str, inputs: dict[str, float], output: str | None) -> None:
    circuit = circuitrun.loads(text, json=True)
    result = circuit.run(inputs, output=output, allow_nonfinite=True)
    values, grads = reference(json.loads(text), inputs, output)
    assert [n.name for n in result.nodes] == list(values)
    assert bits([n.value for n in result.nodes]) == bits(list(values.values()))
    assert bits([n.grad for n in result.nodes]) == bits(list(grads.values())), output


@pytest.mark.parametrize("seed", range(60))
def test_loops_match_the_plain_chain_rule_bit_for_bit(seed: int) -> None:
    # Every op, inline constants (which take add and mul off their inline path), ties,
    # nodes used twice by one gate, values that overflow; several outputs, some with
    # nodes off every path to them.
    text = random_spec(seed, 40, as_json=True, nulls=seed % 2 == 0)
    names = circuitrun.loads(text, json=True).node_names
    inputs = {n: 1.25 for n, v in json.loads(text)["inputs"].items() if v is None}
    rng = random.Random(seed)
    for output in {None, names[-1], rng.choice(names), rng.choice(names)}:
        assert_matches_reference(text, inputs, output)


@pytest.mark.parametrize("seed", range(5))
def test_every_node_live(seed: int) -> None:
    # Generated benchmark circuits have one sink, the output: every node is on a path
    # to it (add and mul of two nodes and relu, the loops' inline ops).
    assert_matches_reference(to_json(generate(300, seed=seed)), {}, None)


@pytest.mark.parametrize("x", [0.0, -0.0, 2.0, -3.0, 1e-320, 1e308])
def test_inline_ops_and_their_calls_agree(x: float) -> None:
    # relu, add and mul of two nodes run inline; with a constant input, or three inputs,
    # they call the op's functions: both are the same formula, to the bit.
    text = json.dumps({"inputs": {"x": x, "y": -0.0}, "gates": {
        "r": {"op": "relu", "in": "x"}, "rc": {"op": "relu", "in": [0.0]},
        "a": {"op": "add", "in": ["r", "y"]}, "ac": {"op": "add", "in": ["r", -0.0]},
        "m": {"op": "mul", "in": ["a", "x"]}, "mc": {"op": "mul", "in": ["ac", x]},
        "m3": {"op": "mul", "in": ["a", "x", "y"]},
        "f": {"op": "add", "in": ["m", "mc", "m3", "rc"]}}})
    assert_matches_reference(text, {}, None)
    r = circuitrun.loads(text, json=True).run(allow_nonfinite=True)
    assert bits([r.value("m")]) == bits([r.value("mc")])


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


def test_the_digraph_has_one_edge_per_input_and_gate() -> None:
    # mul: [x, x] is one edge of the DiGraph (SPEC 3.1), though the gate has two inputs.
    assert sorted(to_digraph([(), (0, 0), (0, 1)]).edges) == [(0, 1), (0, 2), (1, 2)]
