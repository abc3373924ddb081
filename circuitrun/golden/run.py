"""Golden checks (SPEC section 5): compare each spec with its ``expect`` block and its
golden file, or write the golden files; one report for all of them.

Everything runs in this process, one spec after another: loading a small spec costs
well under a millisecond, so a thousand specs take about a second.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from pathlib import Path

from circuitrun.api.circuit import Circuit, load
from circuitrun.api.result import Result
from circuitrun.golden.compare import (
    GoldenError,
    Mismatch,
    Tolerance,
    compare_expect,
    compare_golden,
    parse_golden,
    read_golden,
    read_text,
    same_shape,
)
from circuitrun.golden.discover import discover, uncovered
from circuitrun.golden.report import (
    DEFAULT_GOLDEN_DIR,
    CheckReport,
    SpecCheck,
    StaleGolden,
    update_command,
)
from circuitrun.golden.where import golden_positions, place
from circuitrun.problems import SpecError, UsageError
from circuitrun.report.atomic import write_atomic
from circuitrun.spec.models import Expect


def check(paths: str | Path | Iterable[str | Path], golden_dir: str | Path | None = None, *,
          update: bool = False, rtol: float | None = None, atol: float | None = None,
          allow_missing: bool = False, prune: bool = False,
          inputs: Mapping[str, float] | None = None) -> CheckReport:
    """Check the specs at ``paths``, one path or many (files, or folders searched
    recursively: see ``circuitrun.golden.discover``).

    Each spec is compared with its ``expect`` block and, with ``golden_dir``, with
    ``golden_dir/STEM.json``; ``update`` writes those files instead of comparing them.
    ``prune`` removes stale golden files (whose spec is gone), and refuses with a
    ``UsageError`` when the paths do not cover the golden folder's specs (see
    ``circuitrun.golden.discover.uncovered``).  ``rtol``/``atol`` override every spec's
    tolerances.
    A spec with nothing to compare fails, or is skipped with ``allow_missing``.
    ``inputs`` give input values to every spec that has an input of that name.
    Raises ``UsageError`` for arguments that cannot work (nothing is checked then).
    """
    # one path is one root, not the characters of its name
    roots = [Path(paths)] if isinstance(paths, str | Path) else [Path(p) for p in paths]
    gdir = Path(golden_dir) if golden_dir is not None else None
    _check_options(gdir, update, rtol, atol)
    if prune and gdir is None:
        raise UsageError("prune removes golden files: give a golden_dir", argument="prune")
    found = discover(roots, gdir)
    if prune and gdir is not None:
        why = uncovered(found, roots, gdir)
        if why is not None:
            raise UsageError(f"prune refused: {why}", argument="prune")
    given = dict(inputs or {})
    report = CheckReport([])
    used: set[str] = set()
    for p in found.specs:
        report.specs.append(check_spec(
            p, found.goldens.get(p), update=update, rtol=rtol, atol=atol,
            allow_missing=allow_missing, inputs=given, used=used))
    unused = [name for name in given if name not in used]
    if unused and found.specs:
        raise UsageError(f"input '{unused[0]}' is not an input of any spec checked",
                         argument="inputs")
    report.stale = [_stale(g, prune) for g in found.stale]
    if gdir is not None:
        report.update_command = update_command(roots, gdir, rtol, atol, given)
        report.prune_command = update_command(roots, gdir, rtol, atol, given, "--prune")
    return report


def _check_options(gdir: Path | None, update: bool, rtol: float | None,
                   atol: float | None) -> None:
    for name, v in (("rtol", rtol), ("atol", atol)):
        if v is not None and not (math.isfinite(v) and v >= 0):
            raise UsageError(f"{name} must be a finite number, 0 or more, not {v!r}",
                             argument=name)
    if gdir is None:
        if update:
            raise UsageError("update writes golden files: give a golden_dir"
                             " (expect blocks are edited by hand)", argument="update")
    elif gdir.exists() and not gdir.is_dir():
        raise UsageError(f"golden_dir '{gdir}' is not a folder", argument="golden_dir")
    elif not gdir.exists() and not update:
        raise UsageError(f"golden_dir '{gdir}': no such folder (update creates it)",
                         argument="golden_dir")


def check_spec(path: str | Path, golden: str | Path | None = None, *, update: bool = False,
               rtol: float | None = None, atol: float | None = None,
               circuit: Circuit | None = None, allow_missing: bool = False,
               inputs: Mapping[str, float] | None = None,
               used: set[str] | None = None) -> SpecCheck:
    """Check one spec against its ``expect`` block and its golden file (or write that file).

    With nothing to compare the spec fails (``missing``: the command that writes its
    golden file), or is skipped with ``allow_missing``.  Of ``inputs``,
    those the spec has are given to it; their names are added to ``used``.
    """
    out = SpecCheck(str(path), None if golden is None else str(golden))
    try:
        if circuit is None:
            circuit = load(path)
    except SpecError as e:
        out.problems = e.problems
        return out
    gpath = Path(golden) if golden is not None else None
    # w, w[0] and W[1][0] are the spec's when it has an input w (a vector or matrix: SPEC 9.1)
    bases = {name.partition("[")[0] for name in circuit.inputs}
    mine = {k: v for k, v in (inputs or {}).items() if k.partition("[")[0] in bases}
    if used is not None:
        used.update(mine)
    if not has_expectations(circuit, gpath, update=update):
        out.skipped = allow_missing
        gdir = DEFAULT_GOLDEN_DIR if gpath is None else gpath.parent
        out.missing = None if allow_missing else update_command([path], gdir, rtol, atol, mine)
        return out
    expect = circuit.spec.expect
    try:
        result = circuit.run(mine, allow_nonfinite=True)  # goldens record nan and inf as such
    except SpecError as e:  # an input without a value
        out.problems = e.problems
        return out
    base = expect or Expect()
    tol = Tolerance(base.rtol if rtol is None else rtol, base.atol if atol is None else atol)
    if expect is not None:
        found = compare_expect(out.path, expect, result, tol)
        out.expect_failures = place(found, circuit.positions()) if found else []
    if gpath is not None and update:
        _update(out, gpath, result, tol)
    elif gpath is not None and gpath.exists():
        try:
            kept = read_golden(gpath)
        except GoldenError as e:
            out.golden_failures = [Mismatch(str(gpath), "", str(e), line=e.line, col=e.col)]
        else:
            found = compare_golden(str(gpath), kept, result, tol)
            out.golden_failures = place(found, golden_positions(kept.text, str(gpath))
                                        ) if found else []
    return out


def has_expectations(circuit: Circuit, golden: Path | None, *, update: bool = False) -> bool:
    """Whether there is anything to check: ``expect`` entries, or a golden file (to write)."""
    expect = circuit.spec.expect
    if expect is not None and (expect.values or expect.grads):
        return True
    return golden is not None and (update or golden.exists())


def _update(out: SpecCheck, golden: Path, result: Result, tol: Tolerance) -> None:
    """Write ``golden`` unless it still passes and names the same nodes (no churn)."""
    text = result.to_json()
    try:
        old: str | None = read_text(golden)
    except FileNotFoundError:
        old = None
    except (OSError, UnicodeDecodeError):
        old = ""
    if old is not None and _current(old, text, str(golden), result, tol):
        out.action = "unchanged"
        return
    if golden.exists() and not golden.is_file() and not golden.is_dir():
        out.error = "cannot write: not a regular file"  # a FIFO or a device: never block on it
        return
    try:
        golden.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(golden, text)
    except OSError as e:
        out.error = f"cannot write: {(e.strerror or str(e)).lower()}"
        return
    out.action = "created" if old is None else "updated"


def _current(old: str, new: str, path: str, result: Result, tol: Tolerance) -> bool:
    if old == new:
        return True
    try:
        golden = parse_golden(old)
    except GoldenError:
        return False
    return same_shape(golden, result) and not compare_golden(path, golden, result, tol)


def _stale(golden: Path, prune: bool) -> StaleGolden:
    stale = StaleGolden(str(golden))
    if prune:
        try:
            golden.unlink()
            stale.removed = True
        except OSError as e:
            stale.error = (e.strerror or str(e)).lower()
    return stale
