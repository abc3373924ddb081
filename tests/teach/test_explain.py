"""Explanations: the forward and backward lines, their numbers against the run, every op."""

from __future__ import annotations

import math
import re
import sys
from pathlib import Path

import pytest

import circuitrun
from circuitrun.explain import explain
from circuitrun.ops.table import OPS

from support.paths import ROOT

EXAMPLES = sorted(p for p in (ROOT / "circuits").iterdir() if p.suffix in {".yaml", ".json"})
NUMBER = r"-?(?:\d+(?:\.\d*)?(?:e[+-]\d+)?|inf)|nan"

# CS231n's first circuit f = (x + y)·z at x = -2, y = 5, z = -4: q = 3, f = -12;
# df/dq = z = -4, df/dz = q = 3, and the add passes df/dq on: df/dx = df/dy = -4.
ADD_MUL = """\
add-mul, step by step (output f)

forward, in topological order:
  x = -2
  y = 5
  z = -4
  q = x + y = -2 + 5 = 3
  f = q · z = 3 · (-4) = -12

backward, in reverse order (the chain rule):
  df/df = 1 (start at the output)
  df/dq += df/df · ∂f/∂q = 1 · (-4) = -4   (∂f/∂q = z = -4)
  df/dz += df/df · ∂f/∂z = 1 · 3 = 3   (∂f/∂z = q = 3)
  df/dx += df/dq · ∂q/∂x = -4 · 1 = -4
  df/dy += df/dq · ∂q/∂y = -4 · 1 = -4

gradients:
  df/dx = -4
  df/dy = -4
  df/dz = 3
"""


def run(text: str, **inputs: float) -> circuitrun.Result:
    return circuitrun.loads(text).run(inputs)


def test_add_mul_exactly() -> None:
    result = circuitrun.load(ROOT / "circuits" / "add_mul.yaml").run()
    assert result.explain().to_text() == ADD_MUL
    assert str(result.explain()) == ADD_MUL == str(explain(result))


def test_sigmoid_line_shows_the_local_gradient() -> None:
    # dot = 2·(-1) + (-3)·(-2) + (-3) = 1; σ(1) = 1/(1 + e^-1); σ(1−σ) computed here.
    s = 1 / (1 + math.exp(-1))
    text = circuitrun.load(ROOT / "circuits" / "sigmoid.yaml").run().explain().to_text()
    assert f"f = σ(dot) = σ(1) = {s!r}" in text
    assert f"σ(1−σ) = {s * (1 - s)!r}" in text
    assert "σ(1−σ) = 0.19661193324148185" in text


def _walk(result: circuitrun.Result) -> None:
    """Every number of every line against the run, and the arithmetic of every edge."""
    ex = result.explain()
    by_name = {n.name: n for n in result.nodes}
    for step in ex.forward:  # "name = formula = numbers = value": the value is the run's
        assert step.number == by_name[step.node].value or math.isnan(step.number or 0.0)
        assert step.text.split(" = ")[-1].split(" ")[0] == _num(by_name[step.node].value)
    last: dict[str, float | None] = {}
    for step in ex.backward:
        if step.kind == "edge":  # dX += dG · ∂G/∂X = g · local = contribution
            g, local, c = re.search(rf"= ({NUMBER}) · \(?({NUMBER})\)? = ({NUMBER})(?:   |$)",
                                    step.text).groups()
            assert float(g) * float(local) == float(c) or math.isnan(float(c)), step.text
            assert float(g) == last[step.gate]  # the gate's gradient was complete
        if step.kind != "constant":
            last[step.node] = step.number
    for n in result.nodes:  # the sums the lines build are the engine's, to the bit
        if n.op != "const":
            assert last.get(n.name, 0.0) == n.grad, n.name
    assert [s.node for s in ex.forward] == list(by_name)


def _num(x: float) -> str:
    text = repr(x)
    return text[:-2] if text.endswith(".0") else text


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_examples_lines_agree_with_the_run(path: Path) -> None:
    _walk(circuitrun.load(path).run())


def _one_gate(op: str) -> str:
    """A gate of ``op`` on inputs a (and b), chosen inside every op's domain."""
    n = OPS[op].min_in if OPS[op].max_in is not None else 3
    values = dict(list({"a": 0.75, "b": 1.5, "c": 0.5}.items())[:n])
    return (f"inputs: {{{', '.join(f'{k}: {v}' for k, v in values.items())}, w: -2}}\n"
            f"gates:\n  g: {{op: {op}, in: [{', '.join(values)}]}}\n"
            "  f: {op: mul, in: [g, w]}\n")


@pytest.mark.parametrize("op", [name for name in OPS if name != "const"])
def test_every_op_has_its_formulas(op: str) -> None:
    record = OPS[op]
    nary = record.max_in is None
    assert record.explain_value, f"op '{op}' has no value formula for explanations"
    assert len(record.explain_grads) == (1 if nary else record.max_in), op
    result = circuitrun.loads(_one_gate(op)).run()
    _walk(result)
    ex = result.explain()
    gate = next(s for s in ex.forward if s.node == "g")
    assert "{" not in gate.text and "}" not in gate.text, gate.text
    edges = [s for s in ex.backward if s.gate == "g"]
    assert [s.node for s in edges] == list(result.nodes[-2].inputs)
    if "ties" not in record.attrs:  # the local gradient is the formula with names filled in
        for s in edges:
            assert "{" not in s.text, s.text


def test_fork_adds_up_the_contributions() -> None:
    # f = x·y + x: df/dx = y + 1 = 4 (from p) + 1 (from f), in the engine's order
    result = run("inputs: {x: 2, y: 3}\ngates:\n  p: {op: mul, in: [x, y]}\n"
                 "  f: {op: add, in: [p, x]}\n")
    ex = result.explain()
    assert ex.chain("x") == [
        "x = 2",
        "df/dx += df/df · ∂f/∂x = 1 · 1 = 1",
        "df/dx += df/dp · ∂p/∂x = 1 · 3 = 3   (∂p/∂x = y = 3)",
        "df/dx = 1 + 3 = 4",
    ]
    assert [s.kind for s in ex.backward].count("sum") == 1


def test_a_node_used_twice_by_one_gate() -> None:
    # sq = x·x at x = 3: each input slot passes 3 on; df/dx = 3 + 3 = 6
    result = run("inputs: {x: 3}\ngates:\n  sq: {op: mul, in: [x, x]}\n")
    lines = [s.text for s in result.explain().backward]
    assert lines == ["dsq/dsq = 1 (start at the output)",
                     "dsq/dx += dsq/dsq · ∂sq/∂x = 1 · 3 = 3   (∂sq/∂x = x = 3)",
                     "dsq/dx += dsq/dsq · ∂sq/∂x = 1 · 3 = 3   (∂sq/∂x = x = 3)",
                     "dsq/dx = 3 + 3 = 6"]


def test_max_min_routing_words() -> None:
    text = circuitrun.load(ROOT / "circuits" / "max.yaml").run().explain().to_text()
    assert "df/dx += df/df · ∂f/∂x = 1 · 1 = 1   (x ≥ y: the gradient routes to x)" in text
    assert "df/dy += df/df · ∂f/∂y = 1 · 0 = 0   (the gradient routes to x, not y)" in text
    text = circuitrun.load(ROOT / "circuits" / "ties.yaml").run().explain().to_text()
    # m = max(2, 2, 1, 2) with ties: split: a, b and d each get 1/3 of df/dm = n = 2
    assert "(a = b = d = 2, ties: split: b gets 1/3)" in text
    assert "(the gradient goes to a, b, d, not c)" in text
    # n = min(2, 2, 3) with ties: first: all of it to a
    assert "(a = b = 2, ties: first: the gradient routes to a, the first of them)" in text
    assert "(a = b = 2, ties: first: the gradient routes to a, not b)" in text
    result = run("inputs: {x: 1, y: 5}\ngates:\n  f: {op: min, in: [x, y]}\n")
    assert "(x ≤ y: the gradient routes to x)" in result.explain().to_text()


def test_constants_are_not_differentiated() -> None:
    result = run("inputs: {x: 3}\nconsts: {}\ngates:\n  c: {op: const, value: 2}\n"
                 "  f: {op: mul, in: [x, c, 10]}\n".replace("consts: {}\n", ""))
    ex = result.explain()
    lines = [s.text for s in ex.forward]
    assert lines == ["x = 3", "c = 2 (a constant)", "f.2 = 10 (a constant)",
                     "f = x · c · 10 = 3 · 2 · 10 = 60"]
    constant = [s.text for s in ex.backward if s.kind == "constant"]
    assert constant == ["c = 2 is a constant: not differentiated",
                        "f.2 = 10 is a constant: not differentiated"]
    # ∂f/∂x = c·10 = 20: the product of the other inputs
    assert "df/dx += df/df · ∂f/∂x = 1 · 20 = 20   (∂f/∂x = c · 10 = 20)" in ex.to_text()


def test_nodes_the_output_does_not_depend_on() -> None:
    result = run("inputs: {x: 1, w: 2}\ngates:\n  u: {op: exp, in: w}\n"
                 "  f: {op: neg, in: x}\noutput: f\n")
    lines = [s.text for s in result.explain().backward if s.kind == "unused"]
    assert lines == ["df/dw = 0 (f does not depend on w)", "df/du = 0 (f does not depend on u)"]


def test_node_option_explains_one_chain() -> None:
    result = circuitrun.load(ROOT / "circuits" / "sigmoid.yaml").run()
    ex = result.explain("w1")
    assert [s.node for s in ex.forward] == ["w1", "wx1", "dot", "f"]
    assert [(s.gate, s.node) for s in ex.backward] == [
        (None, "f"), ("f", "dot"), ("dot", "wx1"), ("wx1", "w1")]
    assert ex.to_text().endswith("gradients:\n  df/dw1 = -0.3932238664829637\n")
    with pytest.raises(circuitrun.UnknownNodeError, match=r"no node 'dott' .*\(did you mean 'dot'"):
        result.explain("dott")


def test_node_option_off_the_path_and_constants() -> None:
    result = run("inputs: {x: 1, w: 2}\ngates:\n  f: {op: add, in: [x, 1]}\n"
                 "  u: {op: exp, in: w}\noutput: f\n")
    assert [s.text for s in result.explain("w").steps] == ["w does not feed f: df/dw = 0"]
    assert [s.text for s in result.explain("f.1").steps] == [
        "f.1 is a constant: not differentiated"]


def test_long_chain_needs_no_recursion() -> None:
    n = 3000
    gates = "".join(f"  t{i}: {{op: neg, in: {'x' if i == 0 else f't{i - 1}'}}}\n"
                    for i in range(n))
    result = run(f"inputs: {{x: 0.5}}\ngates:\n{gates}")
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)
    try:
        ex = result.explain()
    finally:
        sys.setrecursionlimit(limit)
    assert len(ex.forward) == n + 1 and len(ex.backward) == n + 1
    # each neg multiplies the gradient by -1: dt2999/dt0 = (-1)^2999 = -1, dt2999/dx = 1
    assert ex.backward[-1].text == f"dt{n - 1}/dx += dt{n - 1}/dt0 · ∂t0/∂x = -1 · (-1) = 1"
