"""``circuitrun check``: specs against their expect blocks and golden files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

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
) -> None:
    """Compare specs with their expect blocks and golden files; exit 1 on a mismatch."""
    try:
        report = check(paths, golden_dir, update=update, rtol=rtol, atol=atol)
    except UsageError as e:
        if e.argument == "update":  # one option that needs another: say which, and how
            raise UsageError("--update writes golden files: give --golden-dir DIR"
                             " (expect blocks are edited by hand)") from None
        raise
    for text, to_stderr in REPORTERS["text"](report):
        typer.echo(text, err=to_stderr)
    raise typer.Exit(report.exit_code)
