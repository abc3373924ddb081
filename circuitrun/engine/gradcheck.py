"""Check backpropagated gradients against central differences, and say where they cannot be.

For each checked node n (every input; with ``all_nodes`` every gate too) the circuit is
evaluated at n - eps and n + eps, re-evaluating only the gates downstream of n that feed
the output, and the numeric derivative (f(n + eps) - f(n - eps)) / 2eps is compared with
d(output)/d(n) from the backward pass.

A central difference is only meaningful where the circuit is differentiable. Some ops have
a kink (relu and abs at 0, max and min where the winner changes) or a domain edge or pole
(sqrt and log at 0, 1/x and a divisor at 0). Each such gate has a *state*: the sign of its
argument, or the set of its inputs equal to its result. The rule: if, along the perturbed
node's direction, any such gate that feeds the output has a different state at n - eps, n
and n + eps, the node is "not differentiable here" and names the first such gate, instead
of being failed. An exact tie or a zero argument at n itself is reported as such ("max tie
at gate 'm'", "relu at 0 at gate 'r'"); a change elsewhere in the window as a kink within
eps. A tie that holds at all three points (max(x, x), or a tie the perturbed node does not
move) is no kink along that direction.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from enum import StrEnum

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
    reason: str = ""  # why not differentiable (or why numeric is unusable); "" when ok

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
        errs = [c.rel_err for c in self.nodes if c.verdict is not Verdict.not_differentiable]
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
    return (c.name, repr(c.analytic), repr(c.numeric), _err(c.abs_err), _err(c.rel_err),
            c.verdict_text)


# ---- where a central difference is meaningless -------------------------------------------

# op -> (what it is at n, what it is within the window); the argument whose sign matters
_WORDS = {
    "max": ("max tie", "max near-tie within eps"),
    "min": ("min tie", "min near-tie within eps"),
    "relu": ("relu at 0", "relu kink within eps"),
    "abs": ("abs at 0", "abs kink within eps"),
    "sqrt": ("sqrt at 0", "sqrt domain edge within eps"),
    "log": ("log at 0", "log domain edge within eps"),
    "inv": ("1/x at 0", "1/x pole within eps"),
    "div": ("division by 0", "div pole within eps"),
}
_SIGN_OF = {"relu": 0, "abs": 0, "sqrt": 0, "log": 0, "inv": 0, "div": 1}


def _state(op: str, ans: float, args: list[float]) -> Hashable:
    """The sign of the critical argument, or which inputs equal a max/min's result."""
    if op in ("max", "min"):
        return tuple(i for i, a in enumerate(args) if a == ans)
    x = args[_SIGN_OF[op]]
    return (x > 0) - (x < 0) if x == x else "nan"


def _on_kink(state: Hashable) -> bool:
    return len(state) > 1 if isinstance(state, tuple) else state == 0


def _kink(prog: Program, down: list[int], samples: tuple[list[float], ...]) -> str:
    """The first gate in ``down`` whose state is not the same at all samples, as a reason."""
    ops, ins, names = prog.ops, prog.ins, prog.names
    for p in down:
        op = ops[p]
        if op not in _WORDS:
            continue
        states = [_state(op, vals[p], [vals[i] for i in ins[p]]) for vals in samples]
        if states[0] != states[1] or states[1] != states[2]:
            words = _WORDS[op][0 if _on_kink(states[1]) else 1]
            return f"{words} at gate '{names[p]}'"
    return ""


# ---- the check ----------------------------------------------------------------------------


def _live(prog: Program) -> list[bool]:
    """Which nodes the output depends on (itself included)."""
    live = [False] * len(prog.names)
    live[prog.output] = True
    for p in range(prog.output, -1, -1):
        if live[p]:
            for i in prog.ins[p]:
                live[i] = True
    return live


def _downstream(prog: Program, start: int, live: list[bool]) -> list[int]:
    """The gates after ``start`` that depend on it and feed the output, in output order."""
    hit = [False] * len(prog.names)
    hit[start] = True
    down = []
    for p in range(start + 1, prog.output + 1):
        if live[p] and any(hit[i] for i in prog.ins[p]):
            hit[p] = True
            down.append(p)
    return down


def _shifted(prog: Program, base: list[float], at: int, value: float,
             down: list[int]) -> list[float]:
    """Every value with node ``at`` set to ``value``: only ``down`` is evaluated again."""
    vals = base[:]
    vals[at] = value
    forward, ins = prog.forward, prog.ins
    for p in down:
        f = forward[p]
        assert f is not None  # a gate downstream of another node has inputs
        vals[p] = f(*[vals[i] for i in ins[p]])
    return vals


def _positive(name: str, x: float, zero_ok: bool) -> None:
    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x) or (
            x < 0 if zero_ok else x <= 0):
        need = "a finite number >= 0" if zero_ok else "a finite number > 0"
        raise UsageError(f"{name} needs {need}, not {x!r}", argument=name)


def check(prog: Program, circuit: str, values: list[float], grads: list[float | None],
          eps: float = 1e-6, rtol: float = 1e-5, atol: float = 1e-8,
          all_nodes: bool = False) -> GradcheckResult:
    """Compare ``grads`` (of the output at ``values``) with central differences.

    Costs two evaluations of the checked node's downstream gates per node: fine for
    hand-sized circuits; with ``all_nodes`` it grows as (number of nodes)^2.
    """
    _positive("eps", eps, zero_ok=False)
    _positive("rtol", rtol, zero_ok=True)
    _positive("atol", atol, zero_ok=True)
    out = prog.output
    live = _live(prog)
    checks = []
    for p, op in enumerate(prog.ops):
        analytic = grads[p]
        if analytic is None or (op != "input" and not all_nodes):
            continue  # constants are not differentiated; gates only with all_nodes
        down = _downstream(prog, p, live)
        x = values[p]
        lo, hi = x - eps, x + eps
        below = _shifted(prog, values, p, lo, down)
        above = _shifted(prog, values, p, hi, down)
        step = hi - lo  # the step as represented, not 2 * eps: less rounding error
        # No step means eps is lost in x: no slope, unless x reaches nothing (slope 0).
        numeric = ((above[out] - below[out]) / step if step
                   else math.nan if live[p] else 0.0)
        abs_err = abs(analytic - numeric)
        scale = max(abs(analytic), abs(numeric))
        rel_err = 0.0 if abs_err == 0 else abs_err / scale if scale > 0 else math.nan
        reason = _kink(prog, down, (below, values, above))
        if numeric != numeric and not step:
            verdict, reason = Verdict.mismatch, f"eps {eps:g} is lost in {x!r}: use a larger eps"
        elif reason:
            verdict = Verdict.not_differentiable
        elif abs_err <= atol + rtol * scale:
            verdict = Verdict.ok
        else:
            verdict = Verdict.mismatch
        checks.append(NodeCheck(prog.names[p], op, analytic, numeric, abs_err, rel_err,
                                verdict, reason))
    return GradcheckResult(circuit, prog.names[out], eps, rtol, atol, tuple(checks))
