"""The ops of any number of inputs: add, mul (chains of their two-input form), max, min."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

from circuitrun.ops.ieee import NAN, np
from circuitrun.ops.inline import Inline, left_fold
from circuitrun.ops.record import Kink, Op, Rule

# ---- add, mul: chains of their two-input form --------------------------------------

ADD2 = Inline("a + b", ("1.0", "1.0"), array="np.add(a, b, out=out)")
MUL2 = Inline("a * b", ("b", "a"), array="np.multiply(a, b, out=out)")
_ADD, _MUL = left_fold(ADD2), left_fold(MUL2)

# ---- max, min ------------------------------------------------------------------------


def _extreme(pick: Callable[..., float]) -> Callable[..., float]:
    def forward(*xs: float) -> float:
        if any(x != x for x in xs):
            return NAN
        return pick(xs)

    return forward


def _extreme_arrays(greater: Callable[[Any, Any], Any]) -> Callable[[Sequence[Any], Any], Any]:
    def forward(xs: Sequence[Any], out: Any) -> Any:
        pick = xs[0]
        nan = xs[0] != xs[0]
        for x in xs[1:]:
            pick = np.where(greater(x, pick), x, pick)  # the first of equals stays
            nan |= x != x
        return np.where(nan, math.nan, pick) if nan.any() else pick

    return forward


def _ties_first(ans: float, *xs: float) -> tuple[float, ...]:
    out = [0.0] * len(xs)
    for i, x in enumerate(xs):
        if x == ans:
            out[i] = 1.0
            break
    return tuple(out)


def _ties_first_arrays(ans: Any, xs: Sequence[Any]) -> list[Any]:
    out = []
    found = np.zeros(len(ans), dtype=bool)
    for x in xs:
        hit = (x == ans) & ~found
        out.append(hit.astype(np.float64))
        found |= hit
    return out


def _ties_split(ans: float, *xs: float) -> tuple[float, ...]:
    k = sum(1 for x in xs if x == ans)
    share = 1.0 / k if k else 0.0
    return tuple(share if x == ans else 0.0 for x in xs)


def _ties_split_arrays(ans: Any, xs: Sequence[Any]) -> list[Any]:
    hits = [x == ans for x in xs]
    k = np.zeros(len(ans), dtype=np.int64)
    for h in hits:
        k += h
    share = np.where(k > 0, 1.0 / np.maximum(k, 1), 0.0)
    return [np.where(h, share, 0.0) for h in hits]


FIRST = Rule(_ties_first, _ties_first_arrays)
SPLIT = Rule(_ties_split, _ties_split_arrays)
TIES = {"first": FIRST, "split": SPLIT}
"""``ties``: which inputs equal to the result get the gradient (the first is the default)."""


# ---- the records ---------------------------------------------------------------------

RECORDS = (
    Op(name="add", min_in=1, max_in=None, inline=ADD2,
       forward=_ADD.forward, local_grads=_ADD.local_grads,
       array_forward=_ADD.array_forward, array_local_grads=_ADD.array_local_grads,
       symbol="+", explain_value="{ + }", explain_grads=("1",), propagates=True),
    Op(name="mul", min_in=1, max_in=None, inline=MUL2,
       forward=_MUL.forward, local_grads=_MUL.local_grads,
       array_forward=_MUL.array_forward, array_local_grads=_MUL.array_local_grads,
       symbol="*", explain_value="{ · }", explain_grads=("{ · }",), propagates=True),
    Op(name="max", min_in=1, max_in=None,
       forward=_extreme(max), local_grads=_ties_first,
       array_forward=_extreme_arrays(operator.gt), array_local_grads=_ties_first_arrays,
       symbol="max", explain_value="max({, })", explain_grads=("{a} ≥ {, }",), attrs={"ties": TIES},
       kink=Kink("max tie", "max near-tie within eps", sign_of=None)),
    Op(name="min", min_in=1, max_in=None,
       forward=_extreme(min), local_grads=_ties_first,
       array_forward=_extreme_arrays(operator.lt), array_local_grads=_ties_first_arrays,
       symbol="min", explain_value="min({, })", explain_grads=("{a} ≤ {, }",), attrs={"ties": TIES},
       kink=Kink("min tie", "min near-tie within eps", sign_of=None)),
)
