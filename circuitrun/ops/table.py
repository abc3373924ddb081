"""The op table: one record per op, its forward value and local gradients side by side.

Every value is an IEEE-754 double.  Python's ``math`` raises where IEEE-754 gives
``inf`` or ``nan`` (``1/0``, ``log(0)``, ``exp(1000)``), so the few helpers below
turn those exceptions back into IEEE results; the engine then reports non-finite
values (SPEC section 3.5).  ``grads(ans, *xs)`` receives the op's own output, as
autograd's VJPs do, so ``exp`` is ``ans`` and ``sigmoid`` is ``ans * (1 - ans)``.
The engine, never an op, applies the chain rule.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

INF = math.inf
NAN = math.nan

Forward = Callable[..., float]
Grads = Callable[..., tuple[float, ...]]


@dataclass(frozen=True, slots=True)
class Op:
    """One primitive: how many inputs it takes, its value, its local gradients."""

    name: str
    min_in: int
    max_in: int | None  # None: any number
    forward: Forward
    grads: Grads
    symbol: str  # how a diagram labels the gate
    attrs: frozenset[str] = field(default_factory=frozenset)
    # For explanations (circuitrun.explain.formula reads the templates): the value as a
    # formula of its inputs, and d(value)/d(input) for each input (one template for every
    # input of an n-ary op).  `{a}`, `{b}`: the first, second input (in an n-ary gradient:
    # this input); `{(a)}`: the same, a negative number in parentheses; `{ + }` (any other
    # text in braces): every input (in an n-ary gradient: every other input) joined by it.
    explain_value: str = ""
    explain_grads: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()  # how pictures tell the inputs apart, when order matters

    def arity_text(self) -> str:
        """The number of inputs, in words ("2", "1 or more", "none")."""
        if self.max_in is None:
            return f"{self.min_in} or more"
        return "none" if self.max_in == 0 else str(self.min_in)


# ---- IEEE-754 helpers -------------------------------------------------------


def _div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _is_odd_integer(b: float) -> bool:
    return b.is_integer() and b % 2 == 1


def _pow(a: float, b: float) -> float:
    try:
        return math.pow(a, b)
    except ValueError:  # 0 ** negative, or negative ** non-integer
        if a == 0:
            return math.copysign(INF, a) if _is_odd_integer(b) else INF
        return NAN
    except OverflowError:
        return -INF if a < 0 and _is_odd_integer(b) else INF


def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return INF


def _log(a: float) -> float:
    if a > 0:
        return math.log(a)
    return -INF if a == 0 else NAN


def _sqrt(a: float) -> float:
    return math.sqrt(a) if a >= 0 else NAN


def _periodic(f: Callable[[float], float]) -> Callable[[float], float]:
    def safe(a: float) -> float:
        return f(a) if math.isfinite(a) else NAN

    return safe


_sin = _periodic(math.sin)
_cos = _periodic(math.cos)


def _sigmoid(a: float) -> float:
    # Never exponentiate a positive number: exp(-a) for a >= 0, exp(a) otherwise.
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)  # a < 0 here, or nan (then e is nan too)
    return e / (1.0 + e)


# ---- n-ary ops ---------------------------------------------------------------


def _add(*xs: float) -> float:
    # Left to right, as the spec writes it (a1 + a2 + ...), so that a batch over
    # numpy arrays gives the same bits.
    total = xs[0]
    for x in xs[1:]:
        total += x
    return total


def _mul(*xs: float) -> float:
    p = 1.0
    for x in xs:
        p *= x
    return p


def _mul_grads(ans: float, *xs: float) -> tuple[float, ...]:
    # The product of the others, from prefix and suffix products: no division,
    # so it is exact when an input is 0, and linear in the number of inputs.
    n = len(xs)
    if n == 1:
        return (1.0,)
    if n == 2:
        return (xs[1], xs[0])
    suffix = [1.0] * (n + 1)
    for i in range(n - 1, -1, -1):
        suffix[i] = suffix[i + 1] * xs[i]
    out = []
    prefix = 1.0
    for i in range(n):
        out.append(prefix * suffix[i + 1])
        prefix *= xs[i]
    return tuple(out)


def _extreme(pick: Callable[..., float]) -> Forward:
    def forward(*xs: float) -> float:
        if any(x != x for x in xs):
            return NAN
        return pick(xs)

    return forward


def _ties_first(ans: float, *xs: float) -> tuple[float, ...]:
    """Route the whole gradient to the first input equal to the result."""
    out = [0.0] * len(xs)
    for i, x in enumerate(xs):
        if x == ans:
            out[i] = 1.0
            break
    return tuple(out)


def _ties_split(ans: float, *xs: float) -> tuple[float, ...]:
    """Share the gradient equally among the k inputs equal to the result."""
    k = sum(1 for x in xs if x == ans)
    share = 1.0 / k if k else 0.0
    return tuple(share if x == ans else 0.0 for x in xs)


TIES: dict[str, Grads] = {"first": _ties_first, "split": _ties_split}


def _pow_grads(ans: float, a: float, b: float) -> tuple[float, float]:
    da = b * _pow(a, b - 1.0)
    if a == 0:
        db = 0.0
    elif a < 0:
        db = NAN
    else:
        db = ans * math.log(a)
    return (da, db)


def _no_grads(ans: float) -> tuple[float, ...]:
    return ()


def _const(*xs: float) -> float:  # the value comes from the attribute, not from here
    raise TypeError("a const node takes its value from the spec")


# ---- the table ---------------------------------------------------------------

_TABLE: tuple[Op, ...] = (
    # ---- n-ary ----
    Op("add", 1, None, _add, lambda ans, *xs: (1.0,) * len(xs), "+",
       explain_value="{ + }", explain_grads=("1",)),
    Op("mul", 1, None, _mul, _mul_grads, "*", explain_value="{ · }", explain_grads=("{ · }",)),
    Op("max", 1, None, _extreme(max), _ties_first, "max", frozenset({"ties"}),
       explain_value="max({, })", explain_grads=("{a} ≥ {, }",)),
    Op("min", 1, None, _extreme(min), _ties_first, "min", frozenset({"ties"}),
       explain_value="min({, })", explain_grads=("{a} ≤ {, }",)),
    # ---- binary ----
    Op("sub", 2, 2, lambda a, b: a - b, lambda ans, a, b: (1.0, -1.0), "-",
       explain_value="{a} − {(b)}", explain_grads=("1", "−1"), labels=("a", "b")),
    Op("div", 2, 2, _div, lambda ans, a, b: (_div(1.0, b), -_div(ans, b)), "/",
       explain_value="{a} / {(b)}", explain_grads=("1/{b}", "−{a}/{b}²"), labels=("a", "b")),
    Op("pow", 2, 2, _pow, _pow_grads, "^", explain_value="{(a)}^{(b)}",
       explain_grads=("{b}·{a}^({b}−1)", "{a}^{b}·ln({a})"), labels=("a", "b")),
    # ---- unary ----
    Op("neg", 1, 1, lambda a: -a, lambda ans, a: (-1.0,), "-x", explain_value="−{(a)}",
       explain_grads=("−1",)),
    Op("inv", 1, 1, lambda a: _div(1.0, a), lambda ans, a: (-ans * ans,), "1/x",
       explain_value="1/{(a)}", explain_grads=("−1/{a}²",)),
    Op("square", 1, 1, lambda a: a * a, lambda ans, a: (2.0 * a,), "x²",
       explain_value="{(a)}²", explain_grads=("2·{a}",)),
    Op("sqrt", 1, 1, _sqrt, lambda ans, a: (_div(0.5, ans),), "√", explain_value="√{(a)}",
       explain_grads=("1/(2√{a})",)),
    Op("exp", 1, 1, _exp, lambda ans, a: (ans,), "exp", explain_value="e^{(a)}",
       explain_grads=("e^{a}",)),
    Op("log", 1, 1, _log, lambda ans, a: (_div(1.0, a),), "log", explain_value="ln({a})",
       explain_grads=("1/{a}",)),
    Op("sigmoid", 1, 1, _sigmoid, lambda ans, a: (ans * (1.0 - ans),), "σ",
       explain_value="σ({a})", explain_grads=("σ(1−σ)",)),
    Op("tanh", 1, 1, math.tanh, lambda ans, a: (1.0 - ans * ans,), "tanh",
       explain_value="tanh({a})", explain_grads=("1 − tanh²({a})",)),
    Op("relu", 1, 1, lambda a: a if a > 0 or a != a else 0.0,
       lambda ans, a: (1.0 if a > 0 else 0.0,), "relu", explain_value="max({a}, 0)",
       explain_grads=("1 if {a} > 0 else 0",)),
    Op("abs", 1, 1, math.fabs, lambda ans, a: (float((a > 0) - (a < 0)),), "abs",
       explain_value="|{a}|", explain_grads=("sign({a})",)),
    Op("sin", 1, 1, _sin, lambda ans, a: (_cos(a),), "sin", explain_value="sin({a})",
       explain_grads=("cos({a})",)),
    Op("cos", 1, 1, _cos, lambda ans, a: (-_sin(a),), "cos", explain_value="cos({a})",
       explain_grads=("−sin({a})",)),
    # ---- leaf ----
    Op("const", 0, 0, _const, _no_grads, "const", frozenset({"value"})),
)

OPS: dict[str, Op] = {op.name: op for op in _TABLE}
"""Every op a gate may name, in the order of SPEC section 2."""


def local_grads(op: Op, ties: str | None) -> Grads:
    """The local-gradient function of a gate: `op.grads`, or its `ties` rule."""
    return TIES[ties] if ties is not None else op.grads
