"""What a golden check found, for every spec and stale golden file, and its text report.

The report is data first (``CheckReport``); the reporters (``circuitrun.golden.reporters``)
turn it into lines, each with whether it belongs on stderr.  The text report gives each
failing spec a one-line summary (how many entries moved, the largest relative error and
where), then its entries, worst first: at most ``SHOWN`` of them unless verbose.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from circuitrun.golden.compare import Mismatch, show
from circuitrun.problems import Problem

Line = tuple[str | Problem, bool]
"""A line of a report (a spec's problem as itself: a terminal shows it with its source
line), and whether it belongs on stderr."""

SHOWN = 10
"""Entries listed per failing spec, worst first, unless the report is verbose."""


def rank(mismatches: Sequence[Mismatch]) -> list[Mismatch]:
    """Worst first: what is not two numbers (structure, null, nan, inf) in file order,
    then by relative error, largest first (ties in file order)."""
    return sorted(mismatches, key=lambda m: (m.rel is not None, -(m.rel or 0.0)))


def where(m: Mismatch) -> str:
    """``path:line`` of a mismatch (the path alone before it is placed)."""
    return m.path if m.line is None else f"{m.path}:{m.line}"


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
    skipped: bool = False  # nothing to compare, and that is allowed
    missing: str | None = None  # nothing to compare: the command that writes its golden file

    @property
    def failed(self) -> bool:
        """Whether anything about this spec failed."""
        return bool(self.problems or self.expect_failures or self.golden_failures
                    or self.error or self.missing)

    @property
    def mismatches(self) -> list[Mismatch]:
        """Every failing entry of its expect block and golden file, worst first."""
        return rank([*self.expect_failures, *self.golden_failures])

    def summary(self) -> str | None:
        """``PATH: N entries moved; largest relative error R in ENTRY (FILE:LINE)``, or
        None when no entry moved."""
        moved = [m for m in self.mismatches if m.entry]
        if not moved:
            return None
        text = f"{self.path}: {len(moved)} {'entry' if len(moved) == 1 else 'entries'} moved"
        # ranked: the first number is the largest relative error (the first of equals)
        numbers = [(m.rel, m) for m in moved if m.rel is not None]
        if numbers:
            rel, worst = numbers[0]
            text += (f"; largest relative error {show_rel(rel)} in {worst.entry}"
                     f" ({where(worst)})")
        return text

    def lines(self, verbose: bool = False) -> Iterator[Line]:
        """The report lines for this spec: ``verbose`` lists every entry."""
        yield from ((p, True) for p in self.problems)
        summary = self.summary()
        if summary:
            yield summary, False
        mismatches = self.mismatches
        shown = mismatches if verbose else mismatches[:SHOWN]
        yield from ((str(m), False) for m in shown)
        if len(shown) < len(mismatches):
            yield f"… and {len(mismatches) - len(shown)} more (-v shows all)", False
        if self.error:
            yield f"{self.golden}: error: {self.error}", True
        if self.action:
            yield f"{self.golden}: {self.action}", False
        if self.skipped:
            yield f"{self.path}: skipped: no expect entries, no golden file", False
        if self.missing:
            yield (f"{self.path}: nothing to compare: no expect entries, no golden file;"
                   f" to create its golden file: {self.missing}", False)


@dataclass(slots=True)
class StaleGolden:
    """A golden file whose spec was not among the specs checked."""

    path: str
    removed: bool = False
    error: str | None = None

    def line(self) -> tuple[str, bool]:
        """The report line."""
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
    prune_command: str | None = None

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

    def lines(self, verbose: bool = False) -> list[Line]:
        """The whole report as text, grouped by spec (``REPORTERS["text"]``)."""
        return list(text_lines(self, verbose))


def show_rel(rel: float) -> str:
    """A relative error as the summary writes it: ``1.1e+00``, or ``inf`` (a 0 moved)."""
    return show(rel) if math.isinf(rel) else f"{rel:.1e}"


def text_lines(report: CheckReport, verbose: bool = False) -> Iterator[Line]:
    """Each spec's lines, the stale golden files, how to accept new numbers, the summary."""
    for s in report.specs:
        yield from s.lines(verbose)
    yield from (g.line() for g in report.stale)
    if report.update_command and any(s.golden_failures for s in report.specs):
        yield f"to accept the new numbers: {report.update_command}", False
    if report.prune_command and any(not g.removed and not g.error for g in report.stale):
        yield f"to remove the stale golden files: {report.prune_command}", False
    inline = [s.path for s in report.specs if s.expect_failures]
    if inline:
        spec = shlex.quote(inline[0]) if len(inline) == 1 else "SPEC"
        yield ("expect blocks are edited by hand; the current numbers:"
               f" circuitrun run {spec} --format json", False)
    yield report.summary(), False


DEFAULT_GOLDEN_DIR = "golden"
"""The golden folder suggested when none was given."""


def update_command(paths: Sequence[str | Path], golden_dir: str | Path,
                   rtol: float | None = None, atol: float | None = None,
                   inputs: Mapping[str, float] | None = None, flag: str = "--update") -> str:
    """The shell command that writes the golden files of ``paths`` (as checked); with
    ``flag="--prune"``, the one that removes their stale golden files."""
    args = ["circuitrun", "check", *map(str, paths), "--golden-dir", str(golden_dir)]
    args += [a for opt, v in (("--rtol", rtol), ("--atol", atol)) if v is not None
             for a in (opt, repr(v))]
    args += [a for name, v in (inputs or {}).items() for a in ("--set", f"{name}={v!r}")]
    return shlex.join([*args, flag])
