"""The ops of two inputs, a and b, whose order matters: sub, div, pow."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from circuitrun.ops.ieee import NAN, div, each, log, np, power
from circuitrun.ops.record import Kink, Op


def _pow_grads(ans: float, a: float, b: float) -> tuple[float, float]:
    # d/da = b a^(b-1); d/db = a^b ln a: 0 where a = 0, NaN where a < 0.
    da = b * power(a, b - 1.0)
    if a == 0:
        db = 0.0
    elif a < 0:
        db = NAN
    else:
        db = ans * math.log(a)
    return (da, db)


_power_each = each(power)
_log_each = each(log)


def _pow_grads_arrays(ans: Any, xs: Sequence[Any]) -> list[Any]:
    a, b = xs
    da = b * _power_each(a, b - 1.0)
    db = np.where(a == 0, 0.0, math.nan)  # 0 where a = 0, NaN where a < 0 ...
    rest = ~((a == 0) | (a < 0))  # ... and ans * ln(a) elsewhere (NaN a included)
    if rest.any():
        db[rest] = ans[rest] * _log_each(a[rest])
    return [da, db]


RECORDS = (
    Op(name="sub", min_in=2, max_in=2, labels=("a", "b"),
       forward=lambda a, b: a - b, local_grads=lambda ans, a, b: (1.0, -1.0),
       array_forward=lambda xs, out: np.subtract(xs[0], xs[1], out=out),
       array_local_grads=lambda ans, xs: [1.0, -1.0],
       symbol="-", explain_value="{a} − {(b)}", explain_grads=("1", "−1"), propagates=True),
    Op(name="div", min_in=2, max_in=2, labels=("a", "b"),
       forward=div, local_grads=lambda ans, a, b: (div(1.0, b), -div(ans, b)),
       array_forward=lambda xs, out: np.divide(xs[0], xs[1], out=out),
       array_local_grads=lambda ans, xs: [1.0 / xs[1], -(ans / xs[1])],
       symbol="/", explain_value="{a} / {(b)}", explain_grads=("1/{b}", "−{a}/{b}²"),
       kink=Kink("division by 0", "div pole within eps", sign_of=1)),
    Op(name="pow", min_in=2, max_in=2, labels=("a", "b"),
       forward=power, local_grads=_pow_grads,
       array_forward=lambda xs, out: _power_each(xs[0], xs[1]),
       array_local_grads=_pow_grads_arrays,
       symbol="^", explain_value="{(a)}^{(b)}",
       explain_grads=("{b}·{a}^({b}−1)", "{a}^{b}·ln({a})"),
       # a base of 0 is an edge of the domain (a fractional exponent) or a pole (a negative
       # one), unless the exponent makes a polynomial
       kink=Kink("pow base at 0", "pow domain edge within eps",
                 smooth_at=lambda a, b: b >= 0 and float(b).is_integer())),
)
