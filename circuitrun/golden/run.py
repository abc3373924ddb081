"""Golden checks (SPEC section 5): find specs, compare each with its ``expect`` block and
its golden file, or write the golden files; one report for all of them.

Everything runs in this process, one spec after another: loading a small spec costs
well under a millisecond, so a thousand specs take about a second.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from circuitrun.api.circuit import Circuit, Result, load
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
from circuitrun.problems import Problem, SpecError, UsageError
from circuitrun.spec.models import Expect

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(slots=True)
class SpecCheck:
    """What checking one spec found."""

    path: str
    golden: str | None = None  # its golden file, when golden files are used
    problems: list[Problem] = field(default_factory=list)  # the spec is invalid
    expect_failures: list[Mismatch] = field(default_factory=list)
    golden_failures: list[Mismatch] = field(default_factory=list)
    action: str | None = None  # with update: "created", "updated" or "unchanged"
    error: str | None = None  # with update: why the golden file could not be written
    skipped: bool = False  # nothing to compare: no expect entries, no golden file

    @property
    def failed(self) -> bool:
        """Whether anything about this spec failed."""
        return bool(self.problems or self.expect_failures or self.golden_failures or self.error)

    def lines(self) -> Iterator[tuple[str, bool]]:
        """The report lines for this spec, each with whether it belongs on stderr."""
        yield from ((str(p), True) for p in self.problems)
        yield from ((str(m), False) for m in [*self.expect_failures, *self.golden_failures])
        if self.error:
            yield f"{self.golden}: error: {self.error}", True
        if self.action:
            yield f"{self.golden}: {self.action}", False
        if self.skipped:
            yield f"{self.path}: skipped: no expect entries, no golden file", False


@dataclass(slots=True)
class StaleGolden:
    """A golden file whose spec was not among the specs checked."""

    path: str
    removed: bool = False
    error: str | None = None

    def line(self) -> tuple[str, bool]:
        """The report line, with whether it belongs on stderr."""
        if self.error:
            return f"{self.path}: error: stale golden, cannot remove it: {self.error}", True
        if self.removed:
            return f"{self.path}: removed (stale golden)", False
        return f"{self.path}: stale golden: no spec '{Path(self.path).stem}' was checked", False


@dataclass(slots=True)
class CheckReport:
    """Every spec checked, every stale golden file, and the command that accepts new numbers."""

    specs: list[SpecCheck]
    stale: list[StaleGolden] = field(default_factory=list)
    update_command: str | None = None

    @property
    def passed(self) -> int:
        """Specs that passed (with update: whose golden file is current)."""
        return sum(1 for s in self.specs if not s.failed and not s.skipped)

    @property
    def failed(self) -> int:
        """Specs that failed, and stale golden files left in place."""
        return sum(1 for s in self.specs if s.failed) + sum(1 for g in self.stale if not g.removed)

    @property
    def skipped(self) -> int:
        """Specs with nothing to compare."""
        return sum(1 for s in self.specs if s.skipped)

    @property
    def exit_code(self) -> int:
        """2 if a spec is invalid or a file could not be written, 1 if anything failed, else 0."""
        if any(s.problems or s.error for s in self.specs) or any(g.error for g in self.stale):
            return 2
        return 1 if self.failed else 0

    def summary(self) -> str:
        """``N passed, M failed`` and, when some were, ``, K skipped``."""
        text = f"{self.passed} passed, {self.failed} failed"
        return text + (f", {self.skipped} skipped" if self.skipped else "")

    def lines(self) -> list[tuple[str, bool]]:
        """The whole report, grouped by file, each line with whether it belongs on stderr."""
        out = [line for s in self.specs for line in s.lines()]
        out += [g.line() for g in self.stale]
        goldens = any(s.golden_failures for s in self.specs) or any(
            not g.removed and not g.error for g in self.stale)
        if goldens and self.update_command:
            out.append((f"to accept the new numbers: {self.update_command}", False))
        inline = [s.path for s in self.specs if s.expect_failures]
        if inline:
            spec = shlex.quote(inline[0]) if len(inline) == 1 else "SPEC"
            out.append(("expect blocks are edited by hand; the current numbers:"
                        f" circuitrun run {spec} --format json", False))
        out.append((self.summary(), False))
        return out


def check(paths: Iterable[str | Path], golden_dir: str | Path | None = None, *,
          update: bool = False, rtol: float | None = None,
          atol: float | None = None) -> CheckReport:
    """Check the specs at ``paths`` (files, or folders searched recursively).

    Each spec is compared with its ``expect`` block and, with ``golden_dir``, with
    ``golden_dir/STEM.json``; ``update`` writes those files instead of comparing them
    and removes stale ones.  ``rtol``/``atol`` override every spec's tolerances.
    Raises ``UsageError`` for arguments that cannot work (nothing is checked then).
    """
    roots = [Path(p) for p in paths]
    gdir = Path(golden_dir) if golden_dir is not None else None
    _check_options(gdir, update, rtol, atol)
    specs = list(discover(roots, exclude=gdir))
    goldens = golden_files(specs, gdir) if gdir is not None else {}
    report = CheckReport([check_spec(p, goldens.get(p), update=update, rtol=rtol, atol=atol)
                          for p in specs])
    if gdir is not None:
        if any(p.is_dir() for p in roots) and gdir.is_dir():
            report.stale = _stale(gdir, {p.stem for p in specs}, update)
        args = ["circuitrun", "check", *map(str, roots), "--golden-dir", str(gdir)]
        args += [a for opt, v in (("--rtol", rtol), ("--atol", atol)) if v is not None
                 for a in (opt, repr(v))]
        report.update_command = shlex.join([*args, "--update"])
    return report


def _check_options(gdir: Path | None, update: bool, rtol: float | None,
                   atol: float | None) -> None:
    for opt, v in (("--rtol", rtol), ("--atol", atol)):
        if v is not None and not (math.isfinite(v) and v >= 0):
            raise UsageError(f"{opt} must be a finite number, 0 or more, not {v!r}")
    if gdir is None:
        if update:
            raise UsageError("--update writes golden files: give --golden-dir DIR"
                             " (expect blocks are edited by hand)")
    elif gdir.exists() and not gdir.is_dir():
        raise UsageError(f"--golden-dir '{gdir}' is not a folder")
    elif not gdir.exists() and not update:
        raise UsageError(f"--golden-dir '{gdir}': no such folder (--update creates it)")


def discover(paths: Iterable[Path], exclude: Path | None = None) -> Iterator[Path]:
    """The files named and the specs (*.yaml, *.yml, *.json) in the folders named, each once.

    In folders, hidden files and folders (``.name``) are passed over, and so is
    everything under ``exclude`` (the golden folder): golden files are not specs.
    """
    skip = exclude.resolve() if exclude is not None else None
    seen: set[Path] = set()
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in SPEC_SUFFIXES
                           and not any(part.startswith(".") for part in p.relative_to(path).parts)
                           and p.is_file())
        else:
            found = [path]
        for p in found:
            real = p.resolve()
            if real in seen or (skip is not None and real.is_relative_to(skip)):
                continue
            seen.add(real)
            yield p


def golden_files(specs: list[Path], golden_dir: Path) -> dict[Path, Path]:
    """Each spec's golden file, ``golden_dir/STEM.json``; two specs with one stem are an error."""
    owner: dict[str, Path] = {}
    for spec in specs:
        if spec.stem in owner:
            raise UsageError(f"'{owner[spec.stem]}' and '{spec}' would share the golden file"
                             f" '{golden_dir / (spec.stem + '.json')}': rename one")
        owner[spec.stem] = spec
    return {spec: golden_dir / f"{spec.stem}.json" for spec in specs}


def check_spec(path: str | Path, golden: str | Path | None = None, *, update: bool = False,
               rtol: float | None = None, atol: float | None = None,
               circuit: Circuit | None = None) -> SpecCheck:
    """Check one spec against its ``expect`` block and its golden file (or write that file)."""
    out = SpecCheck(str(path), None if golden is None else str(golden))
    try:
        if circuit is None:
            circuit = load(path)
    except SpecError as e:
        out.problems = e.problems
        return out
    gpath = Path(golden) if golden is not None else None
    if not has_expectations(circuit, gpath, update=update):
        out.skipped = True
        return out
    expect = circuit.spec.expect
    try:
        result = circuit.run(allow_nonfinite=True)  # goldens record nan and inf as such
    except SpecError as e:  # an input without a value
        out.problems = e.problems
        return out
    base = expect or Expect()
    tol = Tolerance(base.rtol if rtol is None else rtol, base.atol if atol is None else atol)
    if expect is not None:
        out.expect_failures = compare_expect(out.path, expect, result, tol)
    if gpath is not None and update:
        _update(out, gpath, result, tol)
    elif gpath is not None and gpath.exists():
        try:
            out.golden_failures = compare_golden(str(gpath), read_golden(gpath), result, tol)
        except GoldenError as e:
            out.golden_failures = [Mismatch(str(gpath), "", str(e))]
    return out


def has_expectations(circuit: Circuit, golden: Path | None, *, update: bool = False) -> bool:
    """Whether there is anything to check: ``expect`` entries, or a golden file (to write)."""
    expect = circuit.spec.expect
    if expect is not None and (expect.values or expect.grads):
        return True
    return golden is not None and (update or golden.exists())


def _update(out: SpecCheck, golden: Path, result: Result, tol: Tolerance) -> None:
    """Write ``golden`` unless it still passes and names the same nodes (no churn)."""
    from circuitrun.report.formats import write_atomic

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


def _stale(gdir: Path, stems: set[str], update: bool) -> list[StaleGolden]:
    found = []
    for g in sorted(gdir.iterdir()):
        if g.suffix != ".json" or g.name.startswith(".") or g.stem in stems or not g.is_file():
            continue
        stale = StaleGolden(str(g))
        if update:
            try:
                g.unlink()
                stale.removed = True
            except OSError as e:
                stale.error = (e.strerror or str(e)).lower()
        found.append(stale)
    return found
