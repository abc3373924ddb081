"""Every op's local gradients against central differences, over the whole op table."""

from __future__ import annotations

import math

import pytest

from circuitrun.ops.table import OPS, TIES, local_grads

# Points inside each op's domain and away from its kinks (relu/abs at 0, max/min ties).
POINTS: dict[str, list[tuple[float, ...]]] = {
    "add": [(1.5,), (0.3, -2.0), (1.0, 2.0, -3.5, 0.25)],
    "mul": [(1.5,), (0.3, -2.0), (1.0, 2.0, -3.5, 0.25)],
    "max": [(1.5,), (0.3, -2.0), (1.0, 2.0, -3.5, 0.25)],
    "min": [(1.5,), (0.3, -2.0), (1.0, 2.0, -3.5, 0.25)],
    "sub": [(0.3, -2.0), (5.0, 1.25)],
    "div": [(0.3, -2.0), (5.0, 1.25)],
    "pow": [(1.7, 2.0), (0.4, -1.5), (3.0, 0.5)],
    "neg": [(0.7,), (-2.0,)],
    "inv": [(0.7,), (-2.0,)],
    "square": [(0.7,), (-2.0,)],
    "sqrt": [(0.7,), (4.0,)],
    "exp": [(0.7,), (-2.0,)],
    "log": [(0.7,), (4.0,)],
    "sigmoid": [(0.7,), (-2.0,), (0.0,)],
    "tanh": [(0.7,), (-2.0,)],
    "relu": [(0.7,), (-2.0,)],
    "abs": [(0.7,), (-2.0,)],
    "sin": [(0.7,), (-2.0,)],
    "cos": [(0.7,), (-2.0,)],
}
EPS = 1e-6


def test_every_op_has_points() -> None:
    # A new op without points here fails, so every op is checked below.
    assert set(POINTS) | {"const"} == set(OPS)


@pytest.mark.parametrize(("name", "xs"), [(n, xs) for n, pts in POINTS.items() for xs in pts])
def test_local_grads_match_central_differences(name: str, xs: tuple[float, ...]) -> None:
    op = OPS[name]
    ans = op.forward(*xs)
    analytic = op.grads(ans, *xs)
    assert len(analytic) == len(xs)
    for i in range(len(xs)):
        hi = list(xs)
        lo = list(xs)
        hi[i] += EPS
        lo[i] -= EPS
        numeric = (op.forward(*hi) - op.forward(*lo)) / (2 * EPS)
        assert analytic[i] == pytest.approx(numeric, rel=1e-6, abs=1e-8), (name, xs, i)


def test_mul_gradient_is_exact_at_zero() -> None:
    # d(a*b*c)/da = b*c even when a is 0 (no division by the product).
    assert OPS["mul"].grads(0.0, 0.0, 3.0, -2.0) == (-6.0, 0.0, 0.0)
    assert OPS["mul"].grads(0.0, 0.0, 0.0, 5.0) == (0.0, 0.0, 0.0)


def test_sigmoid_does_not_overflow() -> None:
    sigmoid = OPS["sigmoid"].forward
    assert sigmoid(-1000.0) == 0.0
    assert sigmoid(1000.0) == 1.0
    assert sigmoid(0.0) == 0.5


@pytest.mark.parametrize(("name", "xs", "expected"), [
    ("div", (1.0, 0.0), math.inf),
    ("div", (-1.0, 0.0), -math.inf),
    ("inv", (-0.0,), -math.inf),
    ("log", (0.0,), -math.inf),
    ("exp", (1000.0,), math.inf),
    ("pow", (0.0, -1.0), math.inf),
    ("pow", (10.0, 400.0), math.inf),
])
def test_ieee_results_instead_of_exceptions(name: str, xs: tuple[float, ...],
                                            expected: float) -> None:
    assert OPS[name].forward(*xs) == expected


@pytest.mark.parametrize(("name", "xs"), [
    ("div", (0.0, 0.0)), ("log", (-1.0,)), ("sqrt", (-1.0,)), ("pow", (-8.0, 1 / 3)),
    ("sin", (math.inf,)), ("cos", (math.inf,)), ("max", (1.0, math.nan)),
])
def test_nan_results(name: str, xs: tuple[float, ...]) -> None:
    assert math.isnan(OPS[name].forward(*xs))


def test_pow_exponent_gradient_rules() -> None:
    # d(a^b)/db = a^b ln a: 0 where a = 0, NaN where a < 0.
    assert OPS["pow"].grads(0.0, 0.0, 2.0)[1] == 0.0
    assert math.isnan(OPS["pow"].grads(9.0, -3.0, 2.0)[1])
    # d(a^b)/da = b a^(b-1) = 2 * -3 = -6 at a = -3, b = 2.
    assert OPS["pow"].grads(9.0, -3.0, 2.0)[0] == -6.0


def test_relu_and_abs_at_zero() -> None:
    assert OPS["relu"].grads(0.0, 0.0) == (0.0,)
    assert OPS["abs"].grads(0.0, 0.0) == (0.0,)


def test_ties() -> None:
    # first: the whole gradient to the first input equal to the max; split: 1/k each.
    assert local_grads(OPS["max"], "first")(2.0, 1.0, 2.0, 2.0) == (0.0, 1.0, 0.0)
    assert local_grads(OPS["max"], "split")(2.0, 1.0, 2.0, 2.0) == (0.0, 0.5, 0.5)
    assert local_grads(OPS["min"], None) is OPS["min"].grads
    assert set(TIES) == {"first", "split"}
