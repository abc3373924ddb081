"""``circuitrun check``: specs against their expect blocks and golden files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from circuitrun.cli.common import SetOption, parse_sets
from circuitrun.golden.report import REPORTERS
from circuitrun.golden.run import check
from circuitrun.problems import UsageError


def check_command(
    paths: Annotated[list[Path], typer.Argument(help="Spec files, or folders to search.",
                                                show_default=False)],
    golden_dir: Annotated[Path | None, typer.Option(
        "--golden-dir", metavar="DIR", help="Also compare each spec X with DIR/X.json"
        " (the JSON of `circuitrun run`).")] = None,
    update: Annotated[bool, typer.Option(
        "--update", help="Write the golden files instead of comparing them.")] = False,
    rtol: Annotated[float | None, typer.Option(
        "--rtol", help="Relative tolerance for every spec [default: its expect's, or 1e-9].",
        show_default=False)] = None,
    atol: Annotated[float | None, typer.Option(
        "--atol", help="Absolute tolerance for every spec [default: its expect's, or 1e-12].",
        show_default=False)] = None,
    allow_missing: Annotated[bool, typer.Option(
        "--allow-missing", help="Skip specs with nothing to compare (no expect entries, no"
        " golden file) instead of failing them.")] = False,
    sets: SetOption = None,
) -> None:
    """Compare specs with their expect blocks and golden files; exit 1 on a mismatch."""
    values = parse_sets(sets)
    try:
        report = check(paths, golden_dir, update=update, rtol=rtol, atol=atol,
                       allow_missing=allow_missing, inputs=values)
    except UsageError as e:
        if e.argument == "update":  # one option that needs another: say which, and how
            raise UsageError("--update writes golden files: give --golden-dir DIR"
                             " (expect blocks are edited by hand)") from None
        if e.argument == "inputs":
            raise UsageError(f"--set {e}") from None
        raise
    for text, to_stderr in REPORTERS["text"](report):
        typer.echo(text, err=to_stderr)
    raise typer.Exit(report.exit_code)
