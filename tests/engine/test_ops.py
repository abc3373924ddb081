"""The op table, record by record: every op's local gradients against central
differences, its array forms against its scalar forms bit for bit, and its facts (nan/inf
propagation, kinks, formulas) against what it computes.  Each test runs over the whole
table, so an op added to it is checked without anyone listing it here."""

from __future__ import annotations

import itertools
import math
import re
import struct

import numpy as np
import pytest

from circuitrun.explain.formula import fill
from circuitrun.ops import OPS, TIES, Op

from support.paths import ROOT

GATES = [op for op in OPS.values() if op.max_in != 0]  # every op but the leaf const


def variants(op: Op) -> list[tuple[str, Op]]:
    """The op, and the op with each rule its attributes select (max with ties: split)."""
    return [(op.name, op)] + [(f"{op.name}-{attr}-{value}", op.choose(attr, value))
                              for attr, rules in op.attrs.items() for value in rules or ()]


VARIANTS = [pytest.param(v, id=label) for op in GATES for label, v in variants(op)]


def arities(op: Op) -> list[int]:
    return [n for n in (1, 2, 3) if op.min_in <= n <= (op.max_in or 3)]


def same(x: float, y: float) -> bool:
    """Equal bits (so -0.0 is not 0.0), any NaN equal to any NaN."""
    return (x != x and y != y) or struct.pack("<d", x) == struct.pack("<d", y)


# ---- local gradients against central differences -------------------------------------

# Distinct values away from 0: no relu/abs kink, no max/min tie, no pole; points outside
# an op's domain (log of a negative, a negative to a fractional power) give NaN, skipped.
GRID = (-1.7, -0.4, 0.3, 0.7, 1.3, 2.1)


@pytest.mark.parametrize("op", VARIANTS)
def test_local_grads_match_central_differences(op: Op) -> None:
    checked = 0
    for n in arities(op):
        for xs in itertools.permutations(GRID, n):
            ans = op.forward(*xs)
            if not math.isfinite(ans):
                continue
            analytic = op.local_grads(ans, *xs)
            assert len(analytic) == n
            for i in range(n):
                h = 1e-6 * max(1.0, abs(xs[i]))
                hi, lo = list(xs), list(xs)
                hi[i] += h
                lo[i] -= h
                numeric = (op.forward(*hi) - op.forward(*lo)) / (hi[i] - lo[i])
                assert analytic[i] == pytest.approx(numeric, rel=1e-6, abs=1e-8), (xs, i)
            checked += 1
    assert checked >= 4, f"'{op.name}' is defined at too few points of the grid"


def test_mul_gradient_is_exact_at_zero() -> None:
    # d(a*b*c)/da = b*c even when a is 0 (no division by the product).
    assert OPS["mul"].local_grads(0.0, 0.0, 3.0, -2.0) == (-6.0, 0.0, 0.0)
    assert OPS["mul"].local_grads(0.0, 0.0, 0.0, 5.0) == (0.0, 0.0, 0.0)


def test_add_is_left_to_right() -> None:
    # (1e16 + 1) + -1e16 is 0 (1e16 + 1 rounds to 1e16); any other order gives 1.
    assert OPS["add"].forward(1e16, 1.0, -1e16) == 0.0
    assert OPS["add"].local_grads(0.0, 1e16, 1.0, -1e16) == (1.0, 1.0, 1.0)


def test_sigmoid_does_not_overflow() -> None:
    sigmoid = OPS["sigmoid"].forward
    assert sigmoid(-1000.0) == 0.0
    assert sigmoid(1000.0) == 1.0
    assert sigmoid(0.0) == 0.5


@pytest.mark.parametrize(("name", "xs", "expected"), [
    ("div", (1.0, 0.0), math.inf), ("div", (-1.0, 0.0), -math.inf), ("inv", (-0.0,), -math.inf),
    ("log", (0.0,), -math.inf), ("exp", (1000.0,), math.inf), ("pow", (0.0, -1.0), math.inf),
    ("pow", (10.0, 400.0), math.inf), ("relu", (-0.0,), 0.0),
])
def test_ieee_results_instead_of_exceptions(name: str, xs: tuple[float, ...],
                                            expected: float) -> None:
    assert same(OPS[name].forward(*xs), expected)


@pytest.mark.parametrize(("name", "xs"), [
    ("div", (0.0, 0.0)), ("log", (-1.0,)), ("sqrt", (-1.0,)), ("pow", (-8.0, 1 / 3)),
    ("sin", (math.inf,)), ("cos", (math.inf,)), ("max", (1.0, math.nan)), ("relu", (math.nan,)),
])
def test_nan_results(name: str, xs: tuple[float, ...]) -> None:
    assert math.isnan(OPS[name].forward(*xs))


def test_pow_exponent_gradient_rules() -> None:
    # d(a^b)/db = a^b ln a: 0 where a = 0, NaN where a < 0.
    assert OPS["pow"].local_grads(0.0, 0.0, 2.0)[1] == 0.0
    assert math.isnan(OPS["pow"].local_grads(9.0, -3.0, 2.0)[1])
    # d(a^b)/da = b a^(b-1) = 2 * -3 = -6 at a = -3, b = 2.
    assert OPS["pow"].local_grads(9.0, -3.0, 2.0)[0] == -6.0


def test_relu_and_abs_at_zero() -> None:
    assert OPS["relu"].local_grads(0.0, 0.0) == (0.0,)
    assert OPS["abs"].local_grads(0.0, 0.0) == (0.0,)


def test_ties() -> None:
    # first: the whole gradient to the first input equal to the max; split: 1/k each.
    assert set(TIES) == {"first", "split"} == set(OPS["max"].attrs["ties"] or ())
    assert OPS["max"].choose("ties", "first").local_grads(2.0, 1.0, 2.0, 2.0) == (0.0, 1.0, 0.0)
    assert OPS["max"].choose("ties", "split").local_grads(2.0, 1.0, 2.0, 2.0) == (0.0, 0.5, 0.5)
    assert OPS["min"].choose("ties", None) is OPS["min"]
    assert OPS["min"].local_grads(1.0, 1.0, 1.0) == (1.0, 0.0)  # first is the default


# ---- the array forms: the scalar forms' floats, row by row -----------------------------

EDGES = (0.0, -0.0, 1.0, -1.0, 0.5, -2.0, 3.0, 710.0, -710.0, 1e-320, 1e308, -1e308,
         math.inf, -math.inf, math.nan)


def edge_rows(n: int) -> list[np.ndarray]:
    """Every n-tuple of EDGES (every 7th for n = 3) as n columns."""
    grid = np.array(list(itertools.product(EDGES, repeat=n)), dtype=np.float64)
    return [np.ascontiguousarray(c) for c in (grid[::7] if n == 3 else grid).T]


@pytest.mark.parametrize("op", VARIANTS)
def test_array_forms_give_the_scalar_floats(op: Op) -> None:
    for n in arities(op):
        xs = edge_rows(n)
        rows = len(xs[0])
        with np.errstate(all="ignore"):
            ans = op.array_forward(xs, np.empty(rows))
            local = [np.broadcast_to(np.asarray(d, dtype=np.float64), rows)
                     for d in op.array_local_grads(ans, xs)]
        assert len(local) == n
        for r in range(rows):
            row = [float(x[r]) for x in xs]
            value = op.forward(*row)
            assert same(float(ans[r]), value), (row, float(ans[r]), value)
            for i, want in enumerate(op.local_grads(value, *row)):
                assert same(float(local[i][r]), want), (row, i, float(local[i][r]), want)


# ---- the facts on the record -----------------------------------------------------------


@pytest.mark.parametrize("op", [op for op in GATES if op.propagates], ids=lambda op: op.name)
def test_propagates_means_non_finite_in_gives_non_finite_out(op: Op) -> None:
    # The batch engine's non-finite check sums fewer nodes because of this (batch._watch).
    for n in arities(op):
        for xs in itertools.product(EDGES, repeat=n):
            if not all(map(math.isfinite, xs)):
                assert not math.isfinite(op.forward(*xs)), xs


@pytest.mark.parametrize("op", [op for op in GATES if op.kink], ids=lambda op: op.name)
def test_a_kink_is_where_one_sided_slopes_differ(op: Op) -> None:
    # On the kink (the input sign_of at 0; for max/min two inputs equal), the slope from
    # the left and from the right differ, or one side is not defined.
    assert op.kink is not None
    k = 0 if op.kink.sign_of is None else op.kink.sign_of  # the input moved
    xs = [1.5] * max(2 if op.kink.sign_of is None else 1, op.min_in)
    xs[k] = 1.5 if op.kink.sign_of is None else 0.0

    def moved(d: float) -> float:
        ys = list(xs)
        ys[k] += d
        return op.forward(*ys)

    h = 1e-7
    at = op.forward(*xs)
    left, right = (at - moved(-h)) / h, (moved(h) - at) / h
    assert not (math.isfinite(left) and math.isfinite(right)) or abs(left - right) > 0.5


def test_formulas_for_explanations() -> None:
    # The templates explanations fill in (circuitrun.explain.formula), as SPEC writes them.
    def value(name: str, args: list[str]) -> str:
        return fill(OPS[name].explain_value, args)

    def grad(name: str, args: list[str], k: int) -> str:
        op = OPS[name]
        nary = op.max_in is None
        return fill(op.explain_grads[0 if nary else k], args, this=k if nary else None)

    assert (value("add", ["a", "b"]), grad("add", ["a", "b"], 0)) == ("a + b", "1")
    assert value("mul", ["a", "b", "c"]) == "a · b · c"
    assert grad("mul", ["a", "b", "c"], 1) == "a · c"  # the product of the others
    assert (value("sigmoid", ["a"]), grad("sigmoid", ["a"], 0)) == ("σ(a)", "σ(1−σ)")
    assert grad("max", ["x", "y"], 0) == "x ≥ y"  # the routing: x wins where x ≥ y
    assert [grad(n, ["a", "b"], 1) for n in ("sub", "div", "pow")] == ["−1", "−a/b²", "a^b·ln(a)"]


@pytest.mark.parametrize("op", GATES, ids=lambda op: op.name)
def test_every_op_writes_its_value_and_gradients(op: Op) -> None:
    nary = op.max_in is None
    for n in arities(op):
        names = ["x", "y", "z"][:n]
        text = fill(op.explain_value, names)
        assert all(name in text for name in names), text
        for k in range(n):
            template = op.explain_grads[0 if nary else k]
            assert fill(template, names, this=k if nary else None)
    assert op.symbol
    assert not op.labels or len(op.labels) == op.min_in == op.max_in  # one per input


def test_readme_table_lists_every_op() -> None:
    # The table under the header "| op | inputs | value | local gradient |".
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("| op | inputs | value | local gradient |", 1)[1].split("\n\n", 1)[0]
    rows = dict(re.findall(r"^\| `([a-z]+)` \| ([^|]+?) \|", table, flags=re.MULTILINE))
    assert set(rows) == set(OPS)
    assert {n: rows[n] for n in rows if n != "const"} == {
        op.name: op.arity_text() for op in GATES}
