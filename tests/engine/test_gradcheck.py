"""gradcheck: backpropagated gradients against central differences, and the points where
a central difference means nothing (ties, kinks, domain edges), through the API and the CLI."""

from __future__ import annotations

import dataclasses
import io
import math
import re
import textwrap
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

import circuitrun
from circuitrun.cli.tables import gradcheck_table
from circuitrun.engine.gradcheck import GradcheckResult, Verdict
from circuitrun.ops import OPS
from circuitrun.ops.record import Grads

from support.cli import invoke
from support.paths import ROOT

CIRCUITS = ROOT / "circuits"
EXAMPLES = sorted(p for p in CIRCUITS.iterdir() if p.suffix in {".yaml", ".json"})
runner = CliRunner()


def check(text: str, **kwargs: object) -> GradcheckResult:
    return circuitrun.loads(textwrap.dedent(text)).gradcheck(**kwargs)  # type: ignore[arg-type]


def verdicts(result: GradcheckResult) -> dict[str, str]:
    return {c.name: c.verdict_text for c in result}


# ---- smooth circuits pass ----------------------------------------------------------------


def test_sigmoid_passes_with_max_rel_error_below_1e_7() -> None:
    result = circuitrun.load(CIRCUITS / "sigmoid.yaml").gradcheck()
    assert [c.name for c in result] == ["w0", "x0", "w1", "x1", "w2"]
    assert result.ok and all(c.verdict is Verdict.ok for c in result)
    assert result.max_rel_err is not None and result.max_rel_err < 1e-7
    # The numbers the table shows are the backward pass's (SPEC section 1).
    assert result.node("w0").analytic == -0.19661193324148185


def test_sigmoid_cli_exit_0_and_its_summary() -> None:
    out = invoke("gradcheck", CIRCUITS / "sigmoid.yaml")
    assert out.exit_code == 0, out.stderr
    assert out.stderr == ""
    lines = out.stdout.splitlines()
    assert lines[0] == "gradcheck sigmoid-neuron: d(f)/d(node)"
    assert lines[1].split() == ["node", "analytic", "numeric", "abs", "err", "rel", "err",
                                "verdict"]
    assert [line.split()[0] for line in lines[2:7]] == ["w0", "x0", "w1", "x1", "w2"]
    assert all(line.endswith("  ok") for line in lines[2:7])
    summary = re.fullmatch(r"5 checked: 5 ok; max rel error (\S+) "
                           r"\(eps 1e-06, rtol 1e-05, atol 1e-08\)", lines[7])
    assert summary and float(summary[1]) < 1e-7
    assert len(lines) == 8


@pytest.mark.parametrize("path", [p for p in EXAMPLES if p.name != "ties.yaml"],
                         ids=lambda p: p.name)
def test_every_smooth_example_passes_on_every_node(path: Path) -> None:
    circuit = circuitrun.load(path)
    result = circuit.gradcheck(all_nodes=True)
    assert result.ok and all(c.verdict is Verdict.ok for c in result), result.to_text()
    assert result.max_rel_err is not None and result.max_rel_err < 1e-6
    # every node but the constants: inputs and gates alike
    constants = {n.name for n in circuit.run() if n.op == "const"}
    assert [c.name for c in result] == [n for n in circuit.node_names if n not in constants]


def test_all_nodes_covers_the_gates() -> None:
    result = circuitrun.load(CIRCUITS / "sigmoid.yaml").gradcheck(all_nodes=True)
    assert [c.name for c in result] == ["w0", "x0", "w1", "x1", "w2", "wx0", "wx1", "dot", "f"]
    # the gate's value perturbed and the rest re-evaluated: df/d(dot) = f(1 - f)
    assert result.node("dot").analytic == 0.19661193324148185
    assert result.node("dot").numeric == pytest.approx(0.19661193324148185, rel=1e-8)
    assert result.node("f").numeric == 1.0  # the output perturbed is the output
    out = invoke("gradcheck", CIRCUITS / "sigmoid.yaml", "--all-nodes")
    assert out.exit_code == 0
    assert "9 checked: 9 ok" in out.stdout


# ---- not differentiable here -----------------------------------------------------------

MAX_TIE = """\
gradcheck max: d(f)/d(node)
node  analytic             numeric  abs err  rel err  verdict
x          1.0  0.4999999999722444  5.0e-01  5.0e-01  not differentiable here: max tie at gate 'f'
y          0.0  0.4999999999722444  5.0e-01  1.0e+00  not differentiable here: max tie at gate 'f'
2 checked: 0 ok, 2 not differentiable (eps 1e-06, rtol 1e-05, atol 1e-08)
"""


def test_max_tie_is_reported_not_failed() -> None:
    # f = max(x, y) at x = y = 1: ties first sends df/dx = 1, df/dy = 0; the central
    # difference sees slope 1 on one side and 0 on the other, and averages: 0.5.
    out = invoke("gradcheck", CIRCUITS / "max.yaml", "--set", "x=1", "--set", "y=1")
    assert out.exit_code == 0, out.stderr
    assert out.stdout == MAX_TIE


@pytest.mark.parametrize(("y", "expected"), [
    # y = x + 4e-7 is within eps = 1e-6 of x: x + eps beats y, x - eps does not, so the
    # winner changes inside the window; df/dx = 0 but the central difference is
    # (1.000001 - 1.0000004) / 2e-6 = 0.3: without the rule, x would fail.
    (1.0000004, "not differentiable here: max near-tie within eps at gate 'f'"),
    # y = x + 2e-6 is outside the window: y wins at every sample, df/dx = 0 exactly.
    (1.000002, "ok"),
])
def test_max_near_tie_within_eps(y: float, expected: str) -> None:
    result = circuitrun.load(CIRCUITS / "max.yaml").gradcheck(inputs={"x": 1.0, "y": y})
    assert verdicts(result) == {"x": expected, "y": expected}
    assert result.ok
    if expected != "ok":
        assert result.node("x").analytic == 0.0
        assert result.node("x").numeric == pytest.approx(0.3, rel=1e-6)


UNARY = """\
inputs: {{x: {x}}}
gates:
  g: {{op: {op}, in: x}}
"""


@pytest.mark.parametrize(("op", "x", "reason"), [
    # relu(x) at 0: df/dx = 0 by the table; the central difference is eps / 2eps = 0.5.
    ("relu", 0, "relu at 0 at gate 'g'"),
    # at -5e-7 the window [-1.5e-6, 5e-7] holds the kink: numeric 5e-7 / 2e-6 = 0.25.
    ("relu", -5e-7, "relu kink within eps at gate 'g'"),
    # abs at 0: numeric (eps - eps) / 2eps = 0 agrees with sign(0) = 0, by symmetry only.
    ("abs", 0, "abs at 0 at gate 'g'"),
    ("abs", 5e-7, "abs kink within eps at gate 'g'"),
    # sqrt(x - eps) is NaN for x = 5e-7: the numeric value is meaningless, not wrong.
    ("sqrt", 5e-7, "sqrt domain edge within eps at gate 'g'"),
    ("log", 5e-7, "log domain edge within eps at gate 'g'"),
    ("inv", 5e-7, "1/x pole within eps at gate 'g'"),
])
def test_kinks_and_domain_edges(op: str, x: float, reason: str) -> None:
    result = check(UNARY.format(op=op, x=x))
    (only,) = result.nodes
    assert only.verdict is Verdict.not_differentiable
    assert only.reason == reason
    assert result.ok


def test_min_tie_and_division_pole() -> None:
    result = check("""\
        inputs: {x: 2, y: 2, d: 5.0e-7}
        gates:
          m: {op: min, in: [x, y]}
          q: {op: div, in: [m, d]}
    """)
    assert verdicts(result) == {
        "x": "not differentiable here: min tie at gate 'm'",
        "y": "not differentiable here: min tie at gate 'm'",
        "d": "not differentiable here: div pole within eps at gate 'q'",
    }


def test_tie_the_perturbation_does_not_move_is_no_kink() -> None:
    # f = max(x, y) * z at x = y = 1, z = 3: moving z keeps the tie, so df/dz = max = 1
    # exists; moving x or y breaks it.  max(w, w) is w on both sides: slope 1.
    result = check("""\
        inputs: {x: 1, y: 1, z: 3, w: 2}
        gates:
          m: {op: max, in: [x, y]}
          ww: {op: max, in: [w, w]}
          f: {op: mul, in: [m, z, ww]}
    """)
    v = verdicts(result)
    assert v["z"] == "ok" and v["w"] == "ok"
    assert v["x"] == v["y"] == "not differentiable here: max tie at gate 'm'"


def test_a_kink_the_output_does_not_depend_on_is_ignored() -> None:
    # r = relu(x) sits at its kink but feeds nothing the output f = 2x uses.
    result = check("""\
        inputs: {x: 0}
        gates:
          r: {op: relu, in: x}
          f: {op: mul, in: [x, 2]}
        output: f
    """)
    assert verdicts(result) == {"x": "ok"}
    assert result.node("x").numeric == pytest.approx(2.0)


def test_a_gate_checked_itself_ignores_its_own_kink() -> None:
    # With --all-nodes, g's value is perturbed directly: df/dg = 1 whatever relu does.
    result = check(UNARY.format(op="relu", x=0), all_nodes=True)
    assert verdicts(result) == {"x": "not differentiable here: relu at 0 at gate 'g'",
                                "g": "ok"}


def test_ties_example() -> None:
    result = circuitrun.load(CIRCUITS / "ties.yaml").gradcheck()
    v = verdicts(result)
    assert v["c"] == "ok"  # c = 1 is below the tied 2s: df/dc = 0 on both sides
    assert v["a"] == v["b"] == v["d"] == "not differentiable here: max tie at gate 'm'"


# ---- mismatches ----------------------------------------------------------------------------


def _plant(monkeypatch: pytest.MonkeyPatch, op: str, grads: Grads) -> None:
    # The op with a wrong local gradient, and no inline form (whose expressions would
    # still say the right one), for the circuits loaded while it is in the table.
    monkeypatch.setitem(OPS, op, dataclasses.replace(OPS[op], local_grads=grads, inline=None))


def test_a_wrong_local_gradient_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    _plant(monkeypatch, "sigmoid", lambda ans, a: (ans,))  # exp's rule, not sigmoid's
    out = invoke("gradcheck", CIRCUITS / "sigmoid.yaml")
    assert out.exit_code == 1
    assert out.stderr == ""
    assert out.stdout.count("  mismatch\n") == 5
    assert "5 checked: 0 ok, 5 mismatch; max rel error" in out.stdout


def test_all_nodes_pinpoints_the_wrong_gate(monkeypatch: pytest.MonkeyPatch) -> None:
    # mul's local gradient planted as "each input gets itself" instead of "the others":
    # every gate checks out, so do inputs that reach f through no mul (w2); the
    # inputs of the mul gates do not.
    _plant(monkeypatch, "mul", lambda ans, *xs: tuple(xs))
    result = circuitrun.load(CIRCUITS / "sigmoid.yaml").gradcheck(all_nodes=True)
    bad = {c.name for c in result.mismatches}
    assert bad == {"w0", "x0", "w1", "x1"}
    assert not result.ok


def test_eps_lost_in_a_large_value_is_a_mismatch() -> None:
    # 1e12 +- 1e-6 rounds to 1e12: there is no step at all, so nothing can be confirmed.
    # The eps it names keeps rounding well inside the tolerance: g = -x rounds by up to
    # ulp(1e12) / 2 = 6.1e-5 at each sample, times dg/dg = 1; 16 times that over the
    # tolerance 1e-8 + 1e-5 * |-1| is 97.5, rounded up to one digit: 100.
    result = check(UNARY.format(op="neg", x=1e12))
    (only,) = result.nodes
    assert only.verdict is Verdict.mismatch
    assert only.reason == "eps 1e-06 is lost in 1000000000000.0: use a larger eps, 100 or more"
    assert math.isnan(only.numeric)
    assert not result.ok
    assert check(UNARY.format(op="neg", x=1e12), eps=100).ok
    assert check(UNARY.format(op="neg", x=1e12), eps=1e-3).ok  # neg rounds nothing: enough
    # with no tolerance at all no eps is enough, and none is named
    assert check(UNARY.format(op="neg", x=1e12), rtol=0, atol=0).node("x").reason == (
        "eps 1e-06 is lost in 1000000000000.0: use a larger eps")


def test_nan_numeric_where_the_gradient_is_0() -> None:
    # f = sqrt(x) * 0 at x = 5e-7: df/dx = 0, but sqrt(x - eps) is NaN, and so is f there.
    result = check("""\
        inputs: {x: 5.0e-7}
        gates:
          s: {op: sqrt, in: x}
          f: {op: mul, in: [s, 0]}
    """)
    (only,) = result.nodes
    assert only.analytic == 0.0 and math.isnan(only.numeric) and math.isnan(only.rel_err)
    assert only.verdict_text == "not differentiable here: sqrt domain edge within eps at gate 's'"
    # an input the output ignores has slope 0, even at a value that swallows eps
    result = check("""\
        inputs: {x: 1.0e12, y: 1}
        gates:
          f: {op: neg, in: y}
        output: f
    """)
    assert verdicts(result) == {"x": "ok", "y": "ok"}
    assert result.node("x").numeric == 0.0


def test_tolerances(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # f = x^3 at x = 1 with pow's gradient planted 1e-6 too large: 3 * (1 + 1e-6) against
    # f' = 3, a relative error of 1e-6: inside rtol 1e-5, outside rtol 1e-8.
    spec = UNARY.format(op="square", x=1).replace("square, in: x", "pow, in: [x, 3]")
    right = OPS["pow"].local_grads
    _plant(monkeypatch, "pow", lambda ans, a, b: tuple(g * (1 + 1e-6) for g in right(ans, a, b)))
    assert check(spec).ok
    assert not check(spec, rtol=1e-8, atol=0).ok
    path = tmp_path / "cube.yaml"
    path.write_text(spec, encoding="utf-8")
    assert invoke("gradcheck", path, "--rtol", "1e-8", "--atol", "0").exit_code == 1
    assert invoke("gradcheck", path).exit_code == 0


# ---- errors and rendering ----------------------------------------------------------------


@pytest.mark.parametrize(("args", "message"), [
    (["--eps", "0"], "circuitrun gradcheck: error: --eps needs a finite number > 0, not 0.0"
                     " [usage]"),
    (["--rtol", "-1"], "circuitrun gradcheck: error: --rtol needs a finite number >= 0,"
                       " not -1.0 [usage]"),
    (["--atol", "nan"], "circuitrun gradcheck: error: --atol needs a finite number >= 0,"
                        " not nan [usage]"),
    (["--set", "q=1"], "circuitrun gradcheck: error: 'q' is not an input of the circuit"
                       " [usage]"),
    (["--set", "x"], "circuitrun gradcheck: error: --set 'x': write NAME=VALUE [usage]"),
])
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    out = invoke("gradcheck", CIRCUITS / "max.yaml", *args)
    assert out.exit_code == 2
    assert out.stdout == ""
    assert out.stderr == message + "\n"


def test_invalid_spec_exits_2_and_nonfinite_exits_3(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("inputs: {x: 1}\ngates:\n  f: {op: sigmiod, in: x}\n", encoding="utf-8")
    out = invoke("gradcheck", bad)
    assert out.exit_code == 2
    assert "[unknown-op]" in out.stderr
    log0 = tmp_path / "log0.yaml"
    log0.write_text(UNARY.format(op="log", x=0), encoding="utf-8")
    out = invoke("gradcheck", log0)
    assert out.exit_code == 3
    assert out.stderr == f"{log0}: error: gate 'g' (log) gave -inf from inputs x=0.0" \
                         " [non-finite]\n"


def test_missing_value_exits_2(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text("inputs: {x: }\ngates:\n  f: {op: neg, in: x}\n", encoding="utf-8")
    assert invoke("gradcheck", path).exit_code == 2
    assert invoke("gradcheck", path, "--set", "x=2").exit_code == 0


def test_rich_table_for_a_terminal() -> None:
    result = circuitrun.load(CIRCUITS / "max.yaml").gradcheck(inputs={"x": 1, "y": 1})
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None).print(gradcheck_table(result))
    text = buf.getvalue()
    assert "not differentiable here: max tie at gate 'f'" in text
    assert "0.4999999999722444" in text  # numbers whole, never cut
    assert "2 checked: 0 ok, 2 not differentiable" in text
