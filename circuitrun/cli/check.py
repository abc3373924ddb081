"""``circuitrun check``: specs against their expect blocks and golden files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from circuitrun.cli.common import usage
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
    from circuitrun.golden.run import check

    try:
        report = check(paths, golden_dir, update=update, rtol=rtol, atol=atol)
    except UsageError as e:
        raise usage("check", str(e)) from None
    for text, to_stderr in report.lines():
        typer.echo(text, err=to_stderr)
    raise typer.Exit(report.exit_code)
