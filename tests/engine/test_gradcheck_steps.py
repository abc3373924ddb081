"""gradcheck's step: refined near poles, named where eps is lost, and the verdicts around it
(both slopes below atol, pow at the edge of its domain), through the API and the CLI."""

from __future__ import annotations

import dataclasses
import math
import re
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

import circuitrun
from circuitrun.cli import app
from circuitrun.engine.gradcheck import GradcheckResult, Verdict
from circuitrun.ops import OPS

from support.paths import CIRCUITS

EPS, RTOL = 1e-6, 1e-5  # gradcheck's defaults (SPEC section 7)
UNARY = "inputs: {{x: {x}}}\ngates:\n  g: {{op: {op}, in: {args}}}\n"
runner = CliRunner()


def check(text: str, **kwargs: object) -> GradcheckResult:
    return circuitrun.loads(textwrap.dedent(text)).gradcheck(**kwargs)  # type: ignore[arg-type]


def rel(a: float, b: float) -> float:
    return abs(a - b) / max(abs(a), abs(b))


# ---- near a pole the step is refined -------------------------------------------------------

# The false failures (issue 11 item 5).  Each op at x, its true derivative, and the
# plain central difference at eps, from the op's formula:
# - 1/y at y = 1e-5: -1/y^2 = -1e10; the difference is -1/(y^2 - eps^2) = -1.0101e10,
#   relative error 1 - (1 - 0.01) = 1e-2 of the larger;
# - 1/x at 2e-6: -2.5e11; -1/(4e-12 - 1e-12) = -3.33e11, relative error 0.25;
# - ln x at 2e-6: 5e5; (ln 3e-6 - ln 1e-6) / 2e-6 = ln(3) * 5e5 = 5.49e5, relative error
#   1 - 1/(ln 3) = 0.0898;
# - x^-2 at 2e-6: -2/x^3 = -2.5e17; (1/9 - 1) * 1e12 / 2e-6 = -4.44e17, error 0.4375.
NEAR_POLES = [
    ("div", "[1, x]", 1e-5, -1e10, 1e-2),
    ("inv", "x", 2e-6, -2.5e11, 0.25),
    ("log", "x", 2e-6, 5e5, 1 - 1 / math.log(3)),
    ("pow", "[x, -2]", 2e-6, -2.5e17, 0.4375),
]


@pytest.mark.parametrize(("op", "args", "x", "exact", "plain_error"), NEAR_POLES,
                         ids=[p[0] for p in NEAR_POLES])
def test_near_a_pole_a_right_gradient_passes(op: str, args: str, x: float, exact: float,
                                             plain_error: float) -> None:
    circuit = circuitrun.loads(UNARY.format(x=x, op=op, args=args))
    lo, hi = x - EPS, x + EPS
    plain = (circuit.run({"x": hi}).value() - circuit.run({"x": lo}).value()) / (hi - lo)
    assert rel(plain, exact) == pytest.approx(plain_error, rel=1e-6)  # what failed before
    (only,) = circuit.gradcheck().nodes
    assert only.verdict is Verdict.ok
    assert only.analytic == pytest.approx(exact, rel=1e-15)
    assert only.numeric == pytest.approx(exact, rel=1e-9)  # the true slope, not `plain`
    step = float(only.reason.removeprefix("extrapolated from steps 1e-06 to "))
    assert 0 < step < EPS


def test_near_a_pole_a_wrong_gradient_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    # inv's gradient planted as its own central difference at eps: exactly what the plain
    # difference at eps confirms.  At x = 2e-6 it is -1/(x^2 - eps^2) = -3.33e11 against the
    # true -2.5e11: the refined slope is the true one, and the check fails.
    wrong = dataclasses.replace(OPS["inv"], local_grads=lambda ans, a: (
        (1 / (a + EPS) - 1 / (a - EPS)) / ((a + EPS) - (a - EPS)),), inline=None)
    monkeypatch.setitem(OPS, "inv", wrong)
    (only,) = check(UNARY.format(x=2e-6, op="inv", args="x")).nodes
    assert only.analytic == pytest.approx(-1 / 3e-12, rel=1e-12)
    assert only.verdict is Verdict.mismatch and only.reason == ""
    assert only.numeric == pytest.approx(-2.5e11, rel=1e-9)


def test_near_a_pole_cli(tmp_path: Path) -> None:
    path = tmp_path / "near-pole.yaml"
    path.write_text("name: near-pole\ninputs: {y: 1.0e-5}\ngates:\n  f: {op: div, in: [1, y]}\n",
                    encoding="utf-8")
    out = runner.invoke(app, ["gradcheck", str(path)])
    assert out.exit_code == 0, out.output
    lines = out.stdout.splitlines()
    assert lines[0] == "gradcheck near-pole: d(f)/d(node)"
    name, analytic, numeric, _, _, *verdict = lines[2].split()
    assert (name, analytic) == ("y", "-9999999999.999998")  # -1/y^2 in floats
    assert float(numeric) == pytest.approx(-1e10, rel=1e-9)
    assert " ".join(verdict).startswith("ok: extrapolated from steps 1e-06 to ")
    summary = re.fullmatch(r"1 checked: 1 ok; max rel error (\S+) "
                           r"\(eps 1e-06, rtol 1e-05, atol 1e-08\)", lines[3])
    assert summary and float(summary[1]) < 1e-9


def test_a_large_eps_is_refined_not_failed() -> None:
    # f = x^3 at x = 1, eps 1e-3: the plain difference is 3 + eps^2 = 3 + 1e-6, off by
    # 3.3e-7 relative, and the difference at eps/2 (3 + 2.5e-7) says so; the steps below
    # eps settle on 3 to within 1e-8 relative: the right gradient passes at rtol 1e-8.
    spec = UNARY.format(x=1, op="pow", args="[x, 3]")
    result = check(spec, eps=1e-3, rtol=1e-8, atol=0)
    (only,) = result.nodes
    assert only.verdict is Verdict.ok
    assert only.numeric == pytest.approx(3.0, rel=1e-8)
    assert only.reason.startswith("extrapolated from steps 0.001 to ")


def test_a_smooth_circuit_keeps_the_plain_difference() -> None:
    # sigmoid.yaml: no curvature to speak of at eps; the numeric column is the plain
    # central difference at eps, computed here from two runs.
    circuit = circuitrun.load(CIRCUITS / "sigmoid.yaml")
    result = circuit.gradcheck()
    for name in ("w0", "x0"):
        x = circuit.run().value(name)
        lo, hi = x - EPS, x + EPS
        plain = (circuit.run({name: hi}).value() - circuit.run({name: lo}).value()) / (hi - lo)
        assert result.node(name).numeric == plain
        assert result.node(name).verdict_text == "ok"


# ---- both below atol --------------------------------------------------------------------


def test_both_below_atol_says_so(tmp_path: Path) -> None:
    # f = x * 1e-12 + 1: df/dx = 1e-12, but 1 + 1e-12 * (1 +- 1e-6) is 1 + 1e-12 either way
    # (the two differ by 2e-18, under half of ulp(1) = 2.2e-16): numeric 0.0, rel err 1.
    # Both are under atol 1e-8, and pass on it alone.
    path = tmp_path / "tiny.yaml"
    path.write_text("name: tiny\ninputs: {x: 1}\ngates:\n  s: {op: mul, in: [x, 1.0e-12]}\n"
                    "  f: {op: add, in: [s, 1]}\n", encoding="utf-8")
    out = runner.invoke(app, ["gradcheck", str(path)])
    assert out.exit_code == 0, out.output
    assert out.stdout.splitlines()[2:] == [
        "x        1e-12      0.0  1.0e-12        -  ok: both below atol 1e-08",
        "1 checked: 1 ok (eps 1e-06, rtol 1e-05, atol 1e-08)",  # no max rel error of 1.0
    ]
    result = circuitrun.load(path).gradcheck(all_nodes=True)
    x = result.node("x")
    assert x.below_atol and x.rel_err == 1.0 and x.numeric == 0.0
    assert result.max_rel_err is not None and result.max_rel_err < 1e-9  # s and f only


def test_tiny_slopes_that_agree_relatively_are_plain_ok() -> None:
    # f = x * 1e-12: the difference is 1e-12 to 12 digits; both under atol, but their
    # relative error is meaningful (under rtol): plain `ok`, rel err shown.
    (only,) = check(UNARY.format(x=1, op="mul", args="[x, 1.0e-12]")).nodes
    assert only.verdict_text == "ok" and not only.below_atol
    assert only.rel_err < 1e-9


# ---- pow at the edge of its domain ------------------------------------------------------


@pytest.mark.parametrize(("x", "b", "verdict"), [
    # x^1.5 at 0: (-1e-6)^1.5 is NaN; the base sits on the edge.
    (0, 1.5, "not differentiable here: pow base at 0 at gate 'g'"),
    # x^0.5 at 5e-7: x - eps < 0, NaN again, the edge within eps.
    (5.0e-7, 0.5, "not differentiable here: pow domain edge within eps at gate 'g'"),
    # x^-2 at 5e-7: both sides finite, but the window holds the pole at 0.
    (5.0e-7, -2, "not differentiable here: pow domain edge within eps at gate 'g'"),
    (-5.0e-7, -1, "not differentiable here: pow domain edge within eps at gate 'g'"),
    # Exponents 0, 1, 2, ... make polynomials: smooth through 0.  x^2 at 0: slope 0 on
    # both sides; x^0 = 1: slope 0; x^3 at 5e-7: 3x^2 = 7.5e-13, and the difference
    # 3x^2 + eps^2 = 1.75e-12, both far below atol.
    (0, 2, "ok"),
    (-5.0e-7, 0, "ok"),
    (5.0e-7, 3, "ok: both below atol 1e-08"),
])
def test_pow_at_the_edge_of_its_domain(x: float, b: float, verdict: str) -> None:
    result = check(UNARY.format(x=x, op="pow", args=f"[x, {b}]"))
    assert result.node("x").verdict_text == verdict
    assert result.ok


def test_pow_exponent_checked_at_base_0() -> None:
    # 0^b is 0 for every b near 2: the slope in b is 0, as pow's gradient says (0 where
    # the base is 0); the base does not move, so its edge is no kink for b.
    result = check("""\
        inputs: {a: 0, b: 2}
        gates:
          g: {op: pow, in: [a, b]}
    """)
    assert result.node("b").verdict_text == "ok"
    assert result.node("b").numeric == 0.0


# ---- a step lost downstream -----------------------------------------------------------------

ABSORBED = """\
name: absorbed
inputs: {x: 3.0e17}
gates:
  s: {op: sin, in: x}
  f: {op: add, in: [s, x]}
"""


def test_a_step_lost_downstream_names_a_larger_eps(tmp_path: Path) -> None:
    # sin(3e17) + 3e17 with s perturbed by 1e-6: f rounds to a multiple of 64 (ulp(3e17)),
    # both sides are the same double, numeric 0.  The eps named: f rounds by up to
    # 64 / 2 = 32 at each sample, times df/df = 1; 16 times that over the tolerance
    # 1e-8 + 1e-5 * |1| is 5.1e7, rounded up to one digit: 6e7.
    path = tmp_path / "absorbed.yaml"
    path.write_text(ABSORBED, encoding="utf-8")
    out = runner.invoke(app, ["gradcheck", str(path), "--all-nodes"])
    assert out.exit_code == 1
    row = next(line for line in out.stdout.splitlines() if line.startswith("s "))
    assert row.split()[1:3] == ["1.0", "0.0"]
    assert row.endswith("  mismatch: eps 1e-06 is lost downstream at gate 'f' (3e+17):"
                        " use a larger eps, 6e+07 or more")
    # at that eps, s checks out: 3e17 + s +- 6e7 differ by 1.2e8 +- 64, a slope of 1 to 5e-7
    again = circuitrun.load(path).gradcheck(eps=6e7, all_nodes=True)
    assert again.node("s").verdict is Verdict.ok


def test_the_input_itself_lost_names_a_larger_eps() -> None:
    # x = 3e17: x +- 1e-6 is x.  The eps named covers the rounding of s and f downstream:
    # 32 * 16 / (1e-8 + 1e-5 * 0.8788) = 5.8e7, up to 6e7.
    result = circuitrun.loads(ABSORBED).gradcheck()
    assert result.node("x").reason == "eps 1e-06 is lost in 3e+17: use a larger eps, 6e+07 or more"
