"""The op table over numpy arrays: each op's value and local gradients for many rows.

Each entry mirrors its scalar op in ``ops.py`` formula by formula and in the same order
of operations, so that every row gets exactly the floats of the scalar engine.  IEEE
operations (``+ - * /``, sqrt, abs, comparisons) are the same in numpy and in Python.
The libm functions are not: numpy's vectorised exp, log, tanh and pow differ from the C
library's in the last bit for some inputs, so exp, log, sigmoid, tanh, sin, cos and pow
call the scalar op's own function element by element (``_each``), at Python speed.
Callers run these under ``numpy.errstate(all="ignore")``: IEEE results, no warnings.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from circuitrun.ops import table as ops

Array = Any  # a float64 numpy array
VForward = Callable[[Sequence[Array]], Array]
VGrads = Callable[[Array, Sequence[Array]], list[Any]]

ONE: Any = object()
"""A local gradient of exactly 1.0: the contribution is the gradient itself (g * 1.0 is g)."""


def _each(f: Callable[..., float]) -> Callable[..., Array]:
    """``f`` applied element by element: the scalar engine's own floats."""
    def apply(*xs: Array) -> Array:
        return np.fromiter(map(f, *(x.tolist() for x in xs)), np.float64, len(xs[0]))

    return apply


# ---- n-ary ---------------------------------------------------------------------------


def _add(xs: Sequence[Array]) -> Array:
    if len(xs) == 1:
        return xs[0]
    total = xs[0] + xs[1]  # left to right, as the scalar engine adds
    for x in xs[2:]:
        total += x
    return total


def _mul(xs: Sequence[Array]) -> Array:
    if len(xs) == 1:
        return xs[0]  # 1.0 * x is x
    product = xs[0] * xs[1]
    for x in xs[2:]:
        product *= x
    return product


def _mul_grads(ans: Array, xs: Sequence[Array]) -> list[Any]:
    n = len(xs)
    if n == 1:
        return [ONE]
    if n == 2:
        return [xs[1], xs[0]]
    # Prefix and suffix products, as ops._mul_grads forms them.
    suffix: list[Any] = [1.0] * (n + 1)
    for i in range(n - 1, -1, -1):
        suffix[i] = suffix[i + 1] * xs[i]
    out = []
    prefix: Any = 1.0
    for i in range(n):
        out.append(prefix * suffix[i + 1])
        prefix = prefix * xs[i]
    return out


def _extreme(greater: Callable[[Array, Array], Array]) -> VForward:
    def forward(xs: Sequence[Array]) -> Array:
        pick = xs[0]
        nan = xs[0] != xs[0]
        for x in xs[1:]:
            pick = np.where(greater(x, pick), x, pick)  # the first of equals stays
            nan |= x != x
        return np.where(nan, math.nan, pick) if nan.any() else pick

    return forward


def _ties_first(ans: Array, xs: Sequence[Array]) -> list[Any]:
    out = []
    found = np.zeros(len(ans), dtype=bool)
    for x in xs:
        hit = (x == ans) & ~found
        out.append(hit.astype(np.float64))
        found |= hit
    return out


def _ties_split(ans: Array, xs: Sequence[Array]) -> list[Any]:
    hits = [x == ans for x in xs]
    k = np.zeros(len(ans), dtype=np.int64)
    for h in hits:
        k += h
    share = np.where(k > 0, 1.0 / np.maximum(k, 1), 0.0)
    return [np.where(h, share, 0.0) for h in hits]


TIES: dict[str, VGrads] = {"first": _ties_first, "split": _ties_split}


# ---- binary and unary ----------------------------------------------------------------

_pow_each = _each(ops._pow)
_log_each = _each(math.log)


def _pow_grads(ans: Array, xs: Sequence[Array]) -> list[Any]:
    a, b = xs
    da = b * _pow_each(a, b - 1.0)
    db = np.where(a == 0, 0.0, math.nan)  # 0 where a = 0, NaN where a < 0 ...
    rest = ~((a == 0) | (a < 0))  # ... and ans * ln(a) elsewhere (NaN a included)
    if rest.any():
        db[rest] = ans[rest] * _log_each(a[rest])
    return [da, db]


def _relu(xs: Sequence[Array]) -> Array:
    # maximum keeps NaN; + 0.0 turns the zero it gives for a <= 0 into +0.0 whatever its
    # sign (the scalar relu gives 0.0 for -0.0), and changes no other value.
    out = np.maximum(xs[0], 0.0)
    out += 0.0
    return out


def _sign(a: Array) -> Array:
    return (a > 0).astype(np.float64) - (a < 0).astype(np.float64)


def _unary(f: Callable[[Array], Array]) -> VForward:
    return lambda xs: f(xs[0])


_sigmoid_each = _each(ops._sigmoid)
_sin_each = _each(ops._sin)
_cos_each = _each(ops._cos)

PROPAGATES = frozenset({"add", "sub", "mul", "neg", "abs", "square", "sqrt", "log", "sin", "cos"})
"""Ops whose value is non-finite whenever an input is (inf + x is inf or NaN, inf * 0 is
NaN, sqrt(-inf) and sin(inf) are NaN, ...): see ``batch.BatchPlan._watch``."""

TABLE: dict[str, tuple[VForward, VGrads]] = {
    # ---- n-ary ----
    "add": (_add, lambda ans, xs: [ONE] * len(xs)),
    "mul": (_mul, _mul_grads),
    "max": (_extreme(np.greater), _ties_first),
    "min": (_extreme(np.less), _ties_first),
    # ---- binary ----
    "sub": (lambda xs: xs[0] - xs[1], lambda ans, xs: [ONE, -1.0]),
    "div": (lambda xs: xs[0] / xs[1], lambda ans, xs: [1.0 / xs[1], -(ans / xs[1])]),
    "pow": (lambda xs: _pow_each(xs[0], xs[1]), _pow_grads),
    # ---- unary ----
    "neg": (_unary(np.negative), lambda ans, xs: [-1.0]),
    "inv": (lambda xs: 1.0 / xs[0], lambda ans, xs: [(-ans) * ans]),
    "square": (lambda xs: xs[0] * xs[0], lambda ans, xs: [2.0 * xs[0]]),
    "sqrt": (_unary(np.sqrt), lambda ans, xs: [0.5 / ans]),
    "exp": (_unary(_each(ops._exp)), lambda ans, xs: [ans]),
    "log": (_unary(_each(ops._log)), lambda ans, xs: [1.0 / xs[0]]),
    "sigmoid": (_unary(_sigmoid_each), lambda ans, xs: [ans * (1.0 - ans)]),
    "tanh": (_unary(_each(math.tanh)), lambda ans, xs: [1.0 - ans * ans]),
    "relu": (_relu, lambda ans, xs: [xs[0] > 0]),  # g * True is g * 1.0, g * False g * 0.0
    "abs": (_unary(np.abs), lambda ans, xs: [_sign(xs[0])]),
    "sin": (_unary(_sin_each), lambda ans, xs: [_cos_each(xs[0])]),
    "cos": (_unary(_cos_each), lambda ans, xs: [-_sin_each(xs[0])]),
}
"""op name → (forward over arrays, local gradients over arrays); ``const`` is a leaf."""
