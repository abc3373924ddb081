"""The ways to report a golden check, by name (``REPORTERS``), and GitHub's annotations.

- ``text``: each failing spec's summary and entries, hints, ``N passed, M failed``.
- ``json``: the whole report as one JSON document (its shape: docs/golden.md).
- ``github_annotations``: with ``GITHUB_ACTIONS=true``, one ``::error`` workflow command per
  failing entry, invalid spec's problem, spec with nothing to compare and stale golden
  file, at its file, line and column; at most ``ANNOTATED`` of them, then a ``::notice``
  with the count (GitHub shows ten error annotations per step).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator
from typing import Any

from circuitrun.golden.compare import Mismatch
from circuitrun.golden.report import CheckReport, Line, SpecCheck, text_lines

ANNOTATED = 10
"""Error annotations written at most; a notice then gives the count."""


def status(spec: SpecCheck) -> str:
    """``passed``, ``failed`` or ``skipped``."""
    return "failed" if spec.failed else "skipped" if spec.skipped else "passed"


def _number(x: Any) -> Any:
    # JSON has no nan or inf: the words, as golden files write them
    if isinstance(x, float) and not math.isfinite(x):
        return "nan" if math.isnan(x) else ("inf" if x > 0 else "-inf")
    if isinstance(x, list):
        return [_number(v) for v in x]
    return x


def mismatch_dict(m: Mismatch) -> dict[str, Any]:
    """One failing entry as the JSON report writes it."""
    return {"path": m.path, "line": m.line, "column": m.col, "entry": m.entry,
            "expected": _number(m.expected), "actual": _number(m.actual),
            "abs_diff": _number(m.diff), "rel_error": _number(m.rel),
            "tolerance": _number(m.tol), "message": m.detail}


def report_dict(report: CheckReport) -> dict[str, Any]:
    """The whole report as plain data (``--format json``)."""
    specs = [{"path": s.path, "golden": s.golden, "status": status(s),
              "summary": s.summary(),
              "problems": [p.to_dict() for p in s.problems],
              "mismatches": [mismatch_dict(m) for m in s.mismatches],
              "missing": s.missing, "action": s.action, "error": s.error}
             for s in report.specs]
    stale = [{"path": g.path, "removed": g.removed, "error": g.error} for g in report.stale]
    return {"passed": report.passed, "failed": report.failed, "skipped": report.skipped,
            "exit_code": report.exit_code, "specs": specs, "stale": stale,
            "update_command": report.update_command, "prune_command": report.prune_command}


def json_lines(report: CheckReport, verbose: bool = False) -> Iterator[Line]:
    """The JSON document, on stdout (every entry: ``verbose`` changes nothing)."""
    yield json.dumps(report_dict(report), indent=2, ensure_ascii=False), False


REPORTERS: dict[str, Callable[[CheckReport, bool], Iterator[Line]]] = {
    "text": text_lines, "json": json_lines}
"""The ways to report a check, by name: each gives lines and whether they go to stderr."""


# ---- GitHub Actions -----------------------------------------------------------------------


def escape_data(text: str) -> str:
    """A workflow command's message: ``%``, CR and LF percent-encoded, as GitHub's
    toolkit (``@actions/core``) does."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: as data, and ``:`` and ``,`` too."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def error_command(path: str, line: int | None, col: int | None, message: str) -> str:
    """``::error file=PATH,line=L,col=C::MESSAGE``, escaped (no line or col when unknown)."""
    props = [f"file={escape_property(path)}"]
    props += [f"{k}={v}" for k, v in (("line", line), ("col", col)) if v is not None]
    return f"::error {','.join(props)}::{escape_data(message)}"


def _errors(report: CheckReport) -> Iterator[str]:
    for s in report.specs:
        yield from (error_command(p.path, p.line, p.col, f"{p.message} [{p.code}]")
                    for p in s.problems)
        yield from (error_command(m.path, m.line, m.col,
                                  f"{m.entry}: {m.detail}" if m.entry else m.detail)
                    for m in s.mismatches)
        if s.missing:
            yield error_command(s.path, None, None, "nothing to compare: no expect entries,"
                                f" no golden file; to create its golden file: {s.missing}")
        if s.error and s.golden:
            yield error_command(s.golden, None, None, s.error)
    for g in report.stale:
        text, _ = g.line()
        if not g.removed:
            yield error_command(g.path, None, None, text.removeprefix(f"{g.path}: "))


def github_annotations(report: CheckReport) -> list[str]:
    """GitHub's workflow commands for the failures: at most ``ANNOTATED`` errors, then a
    notice with the count of all of them."""
    errors = list(_errors(report))
    if len(errors) <= ANNOTATED:
        return errors
    return [*errors[:ANNOTATED], "::notice::" + escape_data(
        f"circuitrun check: {len(errors)} failures; the first {ANNOTATED} are annotated,"
        " the log lists every one")]
