"""The engine on small circuits with hand-derived numbers (SPEC section 3)."""

from __future__ import annotations

import math
import textwrap

import pytest

import circuitrun


def spec(text: str) -> circuitrun.Circuit:
    return circuitrun.loads(textwrap.dedent(text))


def test_cs231n_neuron() -> None:
    # dot = 2*-1 + -3*-2 + -3 = 1; f = sigmoid(1) = 0.7310585786300049;
    # df/ddot = f(1-f) = 0.19661193324148185; df/dw0 = x0 * that = -0.1966...,
    # df/dx0 = w0 * that = 0.3932..., df/dw1 = x1 * that, df/dx1 = w1 * that.
    r = circuitrun.load("circuits/sigmoid.yaml").run()
    f = 1 / (1 + math.exp(-1.0))
    g = f * (1 - f)
    assert r.value("f") == pytest.approx(f, rel=1e-15)
    assert r.grad("w0") == pytest.approx(-g, rel=1e-15)
    assert r.grad("x0") == pytest.approx(2 * g, rel=1e-15)
    assert r.grad("w1") == pytest.approx(-2 * g, rel=1e-15)
    assert r.grad("x1") == pytest.approx(-3 * g, rel=1e-15)
    assert r.grad("w2") == pytest.approx(g, rel=1e-15)


def test_fan_out_adds_gradients() -> None:
    # f = x*y + x: df/dx = y + 1 = -1, df/dy = x = 3.
    r = spec("""
        inputs: {x: 3, y: -2}
        gates:
          p: {op: mul, in: [x, y]}
          f: {op: add, in: [p, x]}
    """).run()
    assert (r.value(), r.grad("x"), r.grad("y")) == (-3.0, -1.0, 3.0)


def test_node_used_twice_by_one_gate() -> None:
    # f = x*x: df/dx = 2x = 6 at x = 3 (both contributions).
    r = spec("""
        inputs: {x: 3}
        gates: {f: {op: mul, in: [x, x]}}
    """).run()
    assert (r.value(), r.grad("x")) == (9.0, 6.0)


def test_ties_first_and_split() -> None:
    # m = max(a, b) with a = b = 2: first gives a everything; split gives each 1/2.
    r = spec("""
        inputs: {a: 2, b: 2}
        gates:
          m: {op: max, in: [a, b]}
          s: {op: max, in: [a, b], ties: split}
          f: {op: add, in: [m, s]}
    """).run()
    assert (r.grad("a"), r.grad("b")) == (1.5, 0.5)


def test_unreachable_nodes_get_zero_and_block_infinite_local_gradients() -> None:
    # 'side' is off the path to f, and its local gradient 1/(2 sqrt 0) is infinite:
    # it must contribute nothing.  'after' is downstream of f: grad 0.
    r = spec("""
        inputs: {x: 2, z: 0}
        gates:
          f: {op: square, in: x}
          side: {op: sqrt, in: z}
          after: {op: neg, in: f}
        output: f
    """).run()
    assert (r.grad("x"), r.grad("z"), r.grad("side"), r.grad("after")) == (4.0, 0.0, 0.0, 0.0)


def test_constants_are_not_differentiated() -> None:
    # f = (x + 1) * k with k = 0.5: df/dx = 0.5; constants report None.
    r = spec("""
        inputs: {x: 3}
        gates:
          k: {op: const, value: 0.5}
          p: {op: add, in: [x, 1]}
          f: {op: mul, in: [p, k]}
    """).run()
    assert r.grad("x") == 0.5
    assert r.grad("k") is None
    assert r.grad("p.1") is None
    assert [n.name for n in r.nodes] == ["x", "k", "p.1", "p", "f"]


def test_inputs_override_and_output_choice() -> None:
    # f = x*y at x=5, y=-3 (x overridden); differentiating p = x*y... output q = y + 1.
    c = spec("""
        inputs: {x: 4, y: -3}
        gates:
          f: {op: mul, in: [x, y]}
          q: {op: add, in: [y, 1]}
        output: f
    """)
    r = c.run(inputs={"x": 5})
    assert (r.value(), r.grad("y")) == (-15.0, 5.0)
    r = c.run(output="q")
    assert (r.output, r.grad("y"), r.grad("x")) == ("q", 1.0, 0.0)


def test_unknown_input_or_output_is_a_usage_error() -> None:
    c = spec("inputs: {x: 1}\ngates: {f: {op: neg, in: x}}\n")
    with pytest.raises(circuitrun.UsageError, match="'y' is not an input"):
        c.run(inputs={"y": 1.0})
    with pytest.raises(circuitrun.UsageError, match="'g' is not a node"):
        c.run(output="g")


def test_allow_nonfinite_reports_instead_of_failing() -> None:
    c = spec("inputs: {x: 0}\ngates: {f: {op: log, in: x}}\n")
    with pytest.raises(circuitrun.NonFiniteError, match=r"gate 'f' \(log\) gave -inf"):
        c.run()
    r = c.run(allow_nonfinite=True)
    assert r.value() == -math.inf
    assert '"value": "-inf"' in r.to_json()
    # d log(x)/dx = 1/x = inf at 0.
    assert r.to_csv().splitlines()[1:] == ["x,input,,0.0,inf", "f,log,x,-inf,1.0"]


@pytest.mark.slow
def test_million_gate_chain_without_recursion() -> None:
    # g0 = x + 1, then 999,999 one-input adds, each passing its input on: a chain 10^6
    # gates deep, value x + 1 = 1.5, and every gradient 1.
    n = 1_000_000
    gates = ",".join(f'"g{i}": {{"op": "add", "in": ["g{i - 1}"]}}' for i in range(1, n))
    first = '"g0": {"op": "add", "in": ["x", 1]}'
    text = f'{{"inputs": {{"x": 0.5}}, "gates": {{{first}, {gates}}}}}'
    r = circuitrun.loads(text, json=True).run()
    assert r.value() == 1.5
    assert r.grad("x") == 1.0 and r.grad("g0") == 1.0
    assert r.output == f"g{n - 1}"
