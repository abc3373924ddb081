"""IEEE-754 results where Python's ``math`` raises, and numpy imported only when used.

``math`` raises where IEEE-754 gives ``inf`` or ``nan`` (``1/0``, ``log(0)``,
``exp(1000)``); these helpers give the IEEE results instead, and the engine reports
non-finite values (SPEC section 3.5).  The array forms of the ops use ``np``, which
imports numpy on first use, so that a plain ``circuitrun run`` never pays for it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

__all__ = ["INF", "NAN", "cos", "div", "each", "exp", "log", "np", "power", "sigmoid", "sin",
           "sqrt"]

INF = math.inf
NAN = math.nan

if TYPE_CHECKING:
    import numpy as np
else:

    class _Numpy:
        """numpy, imported when an attribute is first asked for (then kept here)."""

        def __getattr__(self, name: str) -> Any:
            import numpy

            value = getattr(numpy, name)
            setattr(self, name, value)  # the next look-up finds it without this call
            return value

    np = _Numpy()


# ---- scalars -------------------------------------------------------------------------


def div(a: float, b: float) -> float:
    """a / b, with inf or nan where b is 0."""
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _is_odd_integer(b: float) -> bool:
    return b.is_integer() and b % 2 == 1


def power(a: float, b: float) -> float:
    """a ** b, with inf or nan where ``math.pow`` raises."""
    try:
        return math.pow(a, b)
    except ValueError:  # 0 ** negative, or negative ** non-integer
        if a == 0:
            return math.copysign(INF, a) if _is_odd_integer(b) else INF
        return NAN
    except OverflowError:
        return -INF if a < 0 and _is_odd_integer(b) else INF


def exp(a: float) -> float:
    """e ** a, inf where it overflows."""
    try:
        return math.exp(a)
    except OverflowError:
        return INF


def log(a: float) -> float:
    """ln a: -inf at 0, nan below."""
    if a > 0:
        return math.log(a)
    return -INF if a == 0 else NAN


def sqrt(a: float) -> float:
    """The square root; nan below 0."""
    return math.sqrt(a) if a >= 0 else NAN


def sin(a: float) -> float:
    """sin a; nan at +-inf."""
    return math.sin(a) if math.isfinite(a) else NAN


def cos(a: float) -> float:
    """cos a; nan at +-inf."""
    return math.cos(a) if math.isfinite(a) else NAN


def sigmoid(a: float) -> float:
    """1 / (1 + e ** -a), never overflowing: sigmoid(-1000) is 0.0, sigmoid(1000) 1.0."""
    # Never exponentiate a positive number: exp(-a) for a >= 0, exp(a) otherwise.
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)  # a < 0 here, or nan (then e is nan too)
    return e / (1.0 + e)


# ---- arrays --------------------------------------------------------------------------


def each(f: Callable[..., float]) -> Callable[..., Any]:
    """``f`` applied element by element to float64 arrays: the scalar floats exactly.

    numpy's vectorised exp, log, tanh, sin, cos and pow differ from the C library's in the
    last bit for some inputs, so the ops that use them run the scalar function per row.
    """

    def apply(*xs: Any) -> Any:
        return np.fromiter(map(f, *(x.tolist() for x in xs)), np.float64, len(xs[0]))

    return apply
