"""Check backpropagated gradients against central differences, and say where they cannot be.

For each checked node n (every input; with ``all_nodes`` every gate too) the circuit is
evaluated at n - eps and n + eps, re-evaluating only the gates downstream of n that feed
the output, and the numeric derivative (f(n + eps) - f(n - eps)) / 2eps is compared with
d(output)/d(n) from the backward pass.  Where a kink lies within eps the node is "not
differentiable here" (``kinks``).  The difference at eps/2 says how far the one at eps may
be off; where that is too far, or it disagrees with the backward pass, the slope is found
again from smaller steps and extrapolated (``difference``); and where rounding swallows
the step, the check says which eps would not.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from circuitrun.engine.difference import (
    SAFETY,
    agrees,
    downstream,
    live,
    refine,
    rounding,
    settled,
    shifted,
    tolerance,
)
from circuitrun.engine.kinks import kink_at
from circuitrun.engine.scalar import Program
from circuitrun.problems import UsageError

HEADER = ("node", "analytic", "numeric", "abs err", "rel err", "verdict")
"""The columns of the table of a check (``GradcheckResult.rows``)."""


class Verdict(StrEnum):
    """What the check says about one node."""

    ok = "ok"
    mismatch = "mismatch"
    not_differentiable = "not-differentiable"


@dataclass(frozen=True, slots=True)
class NodeCheck:
    """One node: its backpropagated and numeric gradient, their errors, the verdict."""

    name: str
    op: str
    analytic: float
    numeric: float
    abs_err: float
    rel_err: float  # abs_err / max(|analytic|, |numeric|); 0 when both are 0
    verdict: Verdict
    reason: str = ""  # why not differentiable, why numeric is unusable, how it was found
    below_atol: bool = False  # both slopes below atol and not equal: rel_err says nothing

    @property
    def verdict_text(self) -> str:
        """The verdict as the table prints it."""
        if self.verdict is Verdict.not_differentiable:
            return f"not differentiable here: {self.reason}"
        return f"{self.verdict}: {self.reason}" if self.reason else str(self.verdict)


@dataclass(frozen=True, slots=True)
class GradcheckResult:
    """Every checked node, in output order, with the settings used."""

    circuit: str
    output: str
    eps: float
    rtol: float
    atol: float
    nodes: tuple[NodeCheck, ...]

    def __iter__(self) -> Iterator[NodeCheck]:
        return iter(self.nodes)

    def node(self, name: str) -> NodeCheck:
        """The check of node ``name``."""
        for c in self.nodes:
            if c.name == name:
                return c
        raise KeyError(f"node '{name}' was not checked")

    @property
    def ok(self) -> bool:
        """True when no node is a mismatch (not-differentiable nodes do not fail)."""
        return not self.mismatches

    @property
    def mismatches(self) -> list[NodeCheck]:
        """The nodes whose gradients disagree."""
        return [c for c in self.nodes if c.verdict is Verdict.mismatch]

    @property
    def max_rel_err(self) -> float | None:
        """The largest relative error over the differentiable nodes (None if there are none)."""
        errs = [c.rel_err for c in self.nodes
                if c.verdict is not Verdict.not_differentiable and not c.below_atol]
        if not errs:
            return None
        return math.nan if any(e != e for e in errs) else max(errs)

    def summary(self) -> str:
        """One line: how many nodes, verdicts, and the largest relative error."""
        counts = {v: sum(1 for c in self.nodes if c.verdict is v) for v in Verdict}
        parts = [f"{counts[Verdict.ok]} ok"]
        if counts[Verdict.mismatch]:
            parts.append(f"{counts[Verdict.mismatch]} mismatch")
        if counts[Verdict.not_differentiable]:
            parts.append(f"{counts[Verdict.not_differentiable]} not differentiable")
        worst = self.max_rel_err
        tail = "" if worst is None else f"; max rel error {_err(worst)}"
        return (f"{len(self.nodes)} checked: {', '.join(parts)}{tail}"
                f" (eps {self.eps:g}, rtol {self.rtol:g}, atol {self.atol:g})")

    @property
    def title(self) -> str:
        """What the table shows: ``gradcheck NAME: d(f)/d(node)``."""
        return f"gradcheck {self.circuit}: d({self.output})/d(node)"

    def rows(self) -> list[tuple[str, ...]]:
        """Each node's cells under ``HEADER``, as text."""
        return [_row(c) for c in self.nodes]

    def to_text(self) -> str:
        """A plain table with aligned columns, and the summary line."""
        rows = [HEADER, *self.rows()]
        widths = [max(len(r[k]) for r in rows) for k in range(len(HEADER) - 1)]
        lines = [self.title]
        for r in rows:
            cells = [r[0].ljust(widths[0])]
            cells += [r[k].rjust(widths[k]) for k in range(1, len(HEADER) - 1)]
            lines.append("  ".join([*cells, r[-1]]).rstrip())
        lines.append(self.summary())
        return "\n".join(lines) + "\n"


def _err(x: float) -> str:
    return f"{x:.1e}" if math.isfinite(x) else str(x)


def _row(c: NodeCheck) -> tuple[str, str, str, str, str, str]:
    return (c.name, repr(c.analytic), repr(c.numeric), _err(c.abs_err),
            "-" if c.below_atol else _err(c.rel_err), c.verdict_text)


# ---- the check ----------------------------------------------------------------------------


def _positive(name: str, x: float, zero_ok: bool) -> None:
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x) or (
            x < 0 if zero_ok else x <= 0):
        need = "a finite number >= 0" if zero_ok else "a finite number > 0"
        raise UsageError(f"{name} needs {need}, not {x!r}", argument=name)


@dataclass(frozen=True, slots=True)
class _Settings:
    eps: float
    rtol: float
    atol: float


def check(prog: Program, circuit: str, values: list[float], grads: list[float | None],
          eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-8,
          all_nodes: bool = False) -> GradcheckResult:
    """Compare ``grads`` (of the output at ``values``) with central differences.

    Costs four evaluations of the checked node's downstream gates per node (at +-eps and
    +-eps/2), and at most 2 * (JUMPS + LEVELS) more where the step is refined
    (``difference.refine``): fine for hand-sized circuits; with ``all_nodes`` it grows as
    (number of nodes)^2.
    """
    _positive("eps", eps, zero_ok=False)
    _positive("rtol", rtol, zero_ok=True)
    _positive("atol", atol, zero_ok=True)
    settings = _Settings(eps, rtol, atol)
    alive = live(prog)
    checks = []
    for p, op in enumerate(prog.ops):
        if grads[p] is None or (op != "input" and not all_nodes):
            continue  # constants are not differentiated; gates only with all_nodes
        checks.append(_check_node(prog, values, grads, p, alive, settings))
    return GradcheckResult(circuit, prog.names[prog.output], eps, rtol, atol, tuple(checks))


def _check_node(prog: Program, values: list[float], grads: list[float | None], p: int,
                alive: list[bool], s: _Settings) -> NodeCheck:
    """One node: the plain difference at eps, refined where it cannot be trusted."""
    analytic = grads[p]
    assert analytic is not None  # constants are not checked
    out, x, eps = prog.output, values[p], s.eps
    down = downstream(prog, p, alive)
    lo, hi = x - eps, x + eps
    below = shifted(prog, values, p, lo, down)
    above = shifted(prog, values, p, hi, down)
    step = hi - lo  # the step as represented, not 2 * eps: less rounding error
    lo2, hi2 = x - eps / 2, x + eps / 2
    if not hi2 - lo2:  # eps is lost in x (half of it at least): no slope to confirm ...
        if alive[p]:
            need = _larger(prog, values, grads, down, s, analytic, 8 * math.ulp(x))
            return _node(prog, p, analytic, (above[out] - below[out]) / step if step
                         else math.nan, s, Verdict.mismatch,
                         f"eps {eps:g} is lost in {x!r}: {_advice(need)}")
        agree = agrees(analytic, 0.0, 0.0, s.rtol, s.atol)  # ... unless x reaches nothing
        return _node(prog, p, analytic, 0.0, s, Verdict.ok if agree else Verdict.mismatch)
    plain = (above[out] - below[out]) / step
    reason = kink_at(prog, down, (below, values, above))
    if reason:
        return _node(prog, p, analytic, plain, s, Verdict.not_differentiable, reason)
    # The difference at eps/2 too: where the error shrinks as h^2, the two differ by 3/4 of
    # the error at eps; twice their distance is the error it may have.
    sides = [(below[out], above[out]), (shifted(prog, values, p, lo2, down)[out],
                                        shifted(prog, values, p, hi2, down)[out])]
    error = 2 * abs(plain - (sides[1][1] - sides[1][0]) / (hi2 - lo2))
    if agrees(analytic, plain, error, s.rtol, s.atol):
        return _node(prog, p, analytic, plain, s, Verdict.ok)
    reach, gate = rounding(prog, values, grads, down)
    best = refine(prog, values, p, down, eps, sides, reach, s.rtol, s.atol)
    numeric = best.value
    if agrees(analytic, numeric, best.error, s.rtol, s.atol):
        note = "" if numeric == plain else f"extrapolated from steps {eps:g} to {best.step:.1e}"
        return _node(prog, p, analytic, numeric, s, Verdict.ok, note)
    # rounding alone may be all the difference (an extrapolation amplifies it up to 1.5x)
    need = _larger(prog, values, grads, down, s, analytic, eps)
    if abs(analytic - numeric) <= 4 * reach / best.step and need > eps:
        why = (f"eps {eps:g} is lost downstream at gate '{prog.names[gate]}'"
               f" ({values[gate]!r}): {_advice(need)}")
    elif not settled(best, s.rtol, s.atol):
        why = (f"no step from {eps:g} down to {best.step:.1e} settles the slope"
               f" (error {best.error:.1e})")
    else:
        why = ""  # the slope is settled, and it is not the backward pass's
    return _node(prog, p, analytic, numeric, s, Verdict.mismatch, why)


def _larger(prog: Program, values: list[float], grads: list[float | None], down: list[int],
            s: _Settings, analytic: float, least: float) -> float:
    """The smallest step, at least ``least``, whose rounding stays well inside the tolerance
    (inf for a tolerance of 0)."""
    reach = rounding(prog, values, grads, down)[0]
    tol = tolerance(s.rtol, s.atol, analytic)
    return max(least, reach * SAFETY / tol) if tol else math.inf


def _advice(need: float) -> str:
    """"use a larger eps", with ``need`` rounded up to one digit where there is one."""
    if not math.isfinite(need):
        return "use a larger eps"
    unit = 10.0 ** math.floor(math.log10(need))
    return f"use a larger eps, {math.ceil(need / unit) * unit:g} or more"


def _node(prog: Program, p: int, analytic: float, numeric: float, s: _Settings,
          verdict: Verdict, reason: str = "") -> NodeCheck:
    """The check of node ``p``, its errors computed, and the tiny case said as such."""
    abs_err = abs(analytic - numeric)
    scale = max(abs(analytic), abs(numeric))
    rel_err = 0.0 if abs_err == 0 else abs_err / scale if scale > 0 else math.nan
    # Two near-zeros pass on atol alone: their relative error says nothing, say why instead.
    tiny = verdict is Verdict.ok and scale < s.atol and abs_err > s.rtol * scale
    if tiny:
        reason = f"both below atol {s.atol:g}"
    return NodeCheck(prog.names[p], prog.ops[p], analytic, numeric, abs_err, rel_err,
                     verdict, reason, tiny)
