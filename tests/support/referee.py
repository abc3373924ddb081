"""A second, slower judge of gradients: the circuit in 60-digit arithmetic (mpmath).

``oracle.evaluate`` differentiates with central differences at a fixed relative step,
whose truncation error grows with the gain of the path below the nudged node: on deep
drawn circuits (``square`` of ``square`` into ``sin``, ...) it can be off by 1e-5
relative while circuitrun is right to 1e-14.  When circuitrun and the oracle disagree,
the property tests ask this referee: the same nudge-and-rerun derivative, but with
mpmath at 60 digits and its own tiny step, so its error is far below any tolerance.

Piecewise ops are frozen on the branch taken at the point, as the oracle does (ties
``first``/``split``, relu and abs at 0).  Independent of circuitrun: it reads the plain
spec dict through the oracle's parser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import mpmath

from support import oracle

Spec = Mapping[str, Any]
mp = mpmath.mp


# op -> its value in mpmath, from the input values
OPS: dict[str, Callable[[Sequence[Any]], Any]] = {
    "add": lambda xs: mpmath.fsum(xs),
    "mul": lambda xs: mpmath.fprod(xs),
    "max": lambda xs: max(xs),
    "min": lambda xs: min(xs),
    "sub": lambda xs: xs[0] - xs[1],
    "div": lambda xs: xs[0] / xs[1],
    "pow": lambda xs: mpmath.power(xs[0], xs[1]),
    "neg": lambda xs: -xs[0],
    "inv": lambda xs: 1 / xs[0],
    "square": lambda xs: xs[0] * xs[0],
    "sqrt": lambda xs: mpmath.sqrt(xs[0]),
    "exp": lambda xs: mpmath.exp(xs[0]),
    "log": lambda xs: mpmath.log(xs[0]),
    "sigmoid": lambda xs: 1 / (1 + mpmath.exp(-xs[0])),
    "tanh": lambda xs: mpmath.tanh(xs[0]),
    "relu": lambda xs: max(xs[0], 0),
    "abs": lambda xs: abs(xs[0]),
    "sin": lambda xs: mpmath.sin(xs[0]),
    "cos": lambda xs: mpmath.cos(xs[0]),
}


def _op(op: str, xs: Sequence[Any]) -> Any:
    return oracle.known(OPS, op, "referee.OPS")(xs)


def gradient(spec: Spec, name: str, digits: int = 60) -> float:
    """d output / d ``name`` at the spec's input values, to about ``digits`` // 2 digits."""
    nodes = oracle.parse(spec)
    order = oracle.order_of(nodes)
    out = oracle.output_of(spec)
    floats = oracle.forward(spec)  # the branches taken, as circuitrun and the oracle see them
    branches = {n: oracle.branch(nodes[n], [floats[r] for r in nodes[n].ins]) for n in order}
    start = order.index(name)
    with mp.workdps(digits):
        base: dict[str, Any] = {}
        for n in order[: start + 1]:
            node = nodes[n]
            if node.value is not None:
                base[n] = mpmath.mpf(node.value)  # exact: a double is a binary fraction
            else:
                base[n] = _op(node.op, [base[r] for r in node.ins])

        def output_with(x: Any) -> Any:
            vals = dict(base)
            vals[name] = x
            for n in order[start + 1 :]:
                node = nodes[n]
                if node.value is not None:
                    vals[n] = mpmath.mpf(node.value)
                    continue
                xs = [vals[r] for r in node.ins]
                branch = branches[n]
                if isinstance(branch, float):  # relu, abs: slope * a
                    vals[n] = branch * xs[0]
                elif branch is not None:  # max, min: the mean of the selected inputs
                    first = xs[branch[0]]
                    vals[n] = first + sum(xs[i] - first for i in branch[1:]) / len(branch)
                else:
                    vals[n] = _op(node.op, xs)
            return vals[out]

        if name == out:
            return 1.0
        if out not in order[start + 1 :]:
            return 0.0
        return float(mpmath.diff(output_with, base[name]))
