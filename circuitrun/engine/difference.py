"""Central differences for gradcheck: the circuit re-evaluated around one node, and how far
the numeric slope can be trusted.

The slope at step h, D(h) = (f(x + h) - f(x - h)) / 2h, is off by about h^2/6 times the
third derivative (truncation), plus the rounding of every gate evaluated again divided
by 2h.  With the default step 1e-6 truncation is negligible until x comes within a few
steps of a pole or a domain edge: 1/y at y = 1e-5 is then off by (h/y)^2 = 1e-2 although
its gradient is exact.  So the step is chosen per node (``gradcheck.check`` decides):

- the difference at eps and at eps/2: where the error shrinks as h^2 they differ by 3/4
  of the error at eps, so twice their distance bounds it; where that leaves the plain
  difference at eps within tolerance of the backward pass, it is the numeric slope, as
  it always was;
- elsewhere the step is cut where the samples' curvature says the error does not yet
  shrink as h^2, then halved level by level, the differences extrapolated to step 0
  (Richardson, in Ridders' tableau), which also estimates the error of the result
  (``refine``).  The step never grows beyond eps: a step lost in rounding is the user's
  to enlarge (``rounding`` says by how much).

Everything here is a loop over levels and over the gates downstream of the node: linear,
no recursion.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from circuitrun.engine.scalar import Program

SAFETY = 16.0
"""A slope is trusted where its estimated error is at most 1/SAFETY of the tolerance."""
BEND = 1 / 8
"""Extrapolation starts at a step where the slope turns by at most this (|d2 / d1|)."""
JUMPS = 10
"""At most this many cuts of the step for its bend (a stationary point bends at any step)."""
SHRINK = 2.0
"""From there each row of the tableau halves the step."""
LEVELS = 14
"""At most this many rows: with the cuts, at most 2 * (JUMPS + LEVELS) evaluations of the
gates downstream of the node."""
SETTLED = 6
"""Rows always made before a growing error (rounding taking over) ends the refinement."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """A numeric slope, its estimated error, and the smallest step it used."""

    value: float
    error: float  # inf when nothing estimates it
    step: float  # half the smallest represented step, (x + h) - (x - h) over 2


def live(prog: Program) -> list[bool]:
    """Which nodes the output depends on (itself included)."""
    alive = [False] * len(prog.names)
    alive[prog.output] = True
    for p in range(prog.output, -1, -1):
        if alive[p]:
            for i in prog.ins[p]:
                alive[i] = True
    return alive


def downstream(prog: Program, start: int, alive: list[bool]) -> list[int]:
    """The gates after ``start`` that depend on it and feed the output, in output order."""
    hit = [False] * len(prog.names)
    hit[start] = True
    down = []
    for p in range(start + 1, prog.output + 1):
        if alive[p] and any(hit[i] for i in prog.ins[p]):
            hit[p] = True
            down.append(p)
    return down


def shifted(prog: Program, base: list[float], at: int, value: float,
            down: list[int]) -> list[float]:
    """Every value with node ``at`` set to ``value``: only ``down`` is evaluated again."""
    vals = base[:]
    vals[at] = value
    records, ins = prog.records, prog.ins
    for p in down:
        record = records[p]
        assert record is not None  # a gate downstream of another node has inputs
        vals[p] = record.forward(*[vals[i] for i in ins[p]])
    return vals


def tolerance(rtol: float, atol: float, *slopes: float) -> float:
    """atol + rtol * the largest |slope|: what two slopes may differ by and agree."""
    return atol + rtol * max(map(abs, slopes))


def agrees(analytic: float, numeric: float, error: float, rtol: float, atol: float) -> bool:
    """Whether a finite numeric slope, even off by ``error``, is within tolerance of the
    analytic one (an infinite slope agrees with nothing: inf <= inf is no check)."""
    return (math.isfinite(numeric) and math.isfinite(error)
            and abs(analytic - numeric) + error <= tolerance(rtol, atol, analytic, numeric))


def _curvature(f_below: float, f_at: float, f_above: float, h: float,
               noise: float) -> tuple[float, float]:
    """How far the difference at step h is off for its curvature, and its bend: whether,
    and how far, to cut the step.

    With d1 = f(x + h) - f(x - h) and d2 = f(x + h) - 2 f(x) + f(x - h) (less ``noise``,
    what rounding alone may put in it), the bend |d2 / d1| is about h f''/2f'.  At
    distance s from a pole or edge of power k (1/x, log, sqrt, x^-3 ...) the bend is
    about (1 - k) h/2s and the truncation error, h^2/6 times the third derivative, at
    most 2 bend^2 |D|, which is d2^2 / (|d1| h).  A model of one power law: it guides the
    step, never a verdict.  A stationary point (d1 = 0, d2 != 0) gives inf, and so does
    a non-finite sample.
    """
    d1 = f_above - f_below
    d2 = abs((f_above - f_at) + (f_below - f_at))
    if not (math.isfinite(d1) and math.isfinite(d2)):
        return math.inf, math.inf
    d2 = max(0.0, d2 - noise)
    if not d2:
        return 0.0, 0.0
    if not d1:
        return math.inf, math.inf
    return d2 * d2 / (abs(d1) * h), d2 / abs(d1)


def rounding(prog: Program, vals: list[float], grads: list[float | None],
             down: list[int]) -> tuple[float, int]:
    """How far rounding may move the output at a sample, and the gate that moves it most.

    A gate evaluated again rounds by up to half a unit in the last place, which reaches
    the output times d(output)/d(gate); so the slope at step h moves by up to the sum of
    |grad| * ulp(value) / 2, divided by h.  Returns that sum and the gate of its largest
    term (-1 when no gate is evaluated again).
    """
    total, worst, where = 0.0, -1.0, -1
    for p in down:
        g = grads[p]
        if g is None or not math.isfinite(vals[p]):
            continue
        reach = abs(g) * math.ulp(vals[p]) / 2.0
        total += reach
        if reach > worst:
            worst, where = reach, p
    return total, where


def refine(prog: Program, base: list[float], at: int, down: list[int], eps: float,
           sides: list[tuple[float, float]], reach: float, rtol: float,
           atol: float) -> Estimate:
    """The slope at node ``at`` from steps at most eps, with its estimated error.

    ``sides`` holds the output at x - h and x + h already computed for h = eps, eps/2, ...;
    ``reach`` is ``rounding``'s bound: at step h, rounding moves the slope by up to
    reach / h, and no step is cut to where that exceeds the tolerance.  Where the bend
    exceeds BEND and the curvature matters, the step is cut by the factor that would
    bring the bend down to BEND (2 to 64, at most JUMPS times): before that, the error
    does not yet shrink as h^2 (a pole within a few steps, a sine whose period is below
    the step).  Otherwise the step is halved, Ridders' tableau: row i holds the difference
    at the i-th step and its extrapolations of order h^2, h^4, ...; an entry's error is
    its distance to its two neighbours of lower order.  The entry of least error is the
    result.  The refinement ends when that error is well inside the tolerance, when the
    step is lost in x, after LEVELS rows, or when the newest extrapolation is clearly
    worse than the best (rounding has taken over).
    """
    x, out, f_at = base[at], prog.output, base[prog.output]
    h, step = eps, (x + eps) - (x - eps)
    f_below, f_above = sides[0]
    best = Estimate((f_above - f_below) / step, math.inf, eps)
    prev: list[float] = []
    jumps = 0
    for rounds in range(1, JUMPS + LEVELS + 1):  # each: a row, then a halving or a cut
        d = (f_above - f_below) / step
        if not math.isfinite(d):  # a sample overflowed: start again at half the step
            prev = []
            h /= SHRINK
        else:
            row, best = _row(d, prev, h, best)
            if len(row) == LEVELS or settled(best, rtol, atol):
                break
            if len(row) > SETTLED and abs(row[-1] - prev[-1]) >= 2.0 * best.error:
                break  # the newest, highest order is worse: rounding has taken over
            tol = tolerance(rtol, atol, d)
            curve, bend = _curvature(f_below, f_at, f_above, h, 4.0 * reach)
            cut = min(64.0, max(SHRINK, bend / BEND))
            if (len(row) > 1 and bend > BEND and curve * SAFETY > tol and jumps < JUMPS
                    and reach * cut <= h * tol):
                jumps += 1  # not yet where the error shrinks as h^2: start again further in
                h /= cut
                prev = []
            else:
                prev = row
                h /= SHRINK
        lo, hi = x - h, x + h
        step = hi - lo
        if not step:
            break
        if rounds < len(sides) and h == eps / SHRINK ** rounds:
            f_below, f_above = sides[rounds]  # computed already
        else:
            f_below = shifted(prog, base, at, lo, down)[out]
            f_above = shifted(prog, base, at, hi, down)[out]
    return best


def _row(d: float, prev: list[float], h: float, best: Estimate) -> tuple[list[float], Estimate]:
    """The tableau's row at step h: the difference ``d`` and its extrapolations from the
    row before, and the best estimate with them."""
    row = [d]
    fac = SHRINK * SHRINK
    for j in range(1, len(prev) + 1):
        row.append((row[j - 1] * fac - prev[j - 1]) / (fac - 1.0))
        fac *= SHRINK * SHRINK
        err = max(abs(row[j] - row[j - 1]), abs(row[j] - prev[j - 1]))
        if err <= best.error:
            best = Estimate(row[j], err, h)
    return row, best


def settled(best: Estimate, rtol: float, atol: float) -> bool:
    """Whether the estimate's error is well inside the tolerance (a finite one)."""
    return (math.isfinite(best.value) and math.isfinite(best.error)
            and best.error * SAFETY <= tolerance(rtol, atol, best.value))
