"""``circuitrun check``: specs against their expect blocks and golden files."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from circuitrun.cli.common import SetOption, parse_sets
from circuitrun.cli.errors import show
from circuitrun.problems import Problem, UsageError


class CheckFormat(StrEnum):
    text = "text"
    json = "json"


def check_command(
    paths: Annotated[list[Path], typer.Argument(help="Spec files, or folders to search.",
                                                show_default=False)],
    golden_dir: Annotated[Path | None, typer.Option(
        "--golden-dir", metavar="DIR", help="Also compare each spec X with DIR/X.json"
        " (the JSON of `circuitrun run`).")] = None,
    update: Annotated[bool, typer.Option(
        "--update", help="Write the golden files instead of comparing them.")] = False,
    prune: Annotated[bool, typer.Option(
        "--prune", help="Remove golden files whose spec is gone (refused unless the paths"
        " cover every spec of the golden folder).")] = False,
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
    junit_xml: Annotated[Path | None, typer.Option(
        "--junit-xml", metavar="FILE", help="Also write the report as JUnit XML to FILE"
        " (whole or not at all).")] = None,
    fmt: Annotated[CheckFormat, typer.Option(
        "--format", "-f", help="text: the report; json: the whole report as one JSON"
        " document.")] = CheckFormat.text,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="List every entry that moved, not the worst 10.")] = False,
) -> None:
    """Compare specs with their expect blocks and golden files; exit 1 on a mismatch.

    With GITHUB_ACTIONS=true, failures are also written as GitHub annotations."""
    # imported when the command runs: every command's start-up would pay for them
    from circuitrun.golden.junit import write_junit
    from circuitrun.golden.reporters import REPORTERS, github_annotations
    from circuitrun.golden.run import check

    values = parse_sets(sets)
    try:
        report = check(paths, golden_dir, update=update, rtol=rtol, atol=atol,
                       allow_missing=allow_missing, prune=prune, inputs=values)
    except UsageError as e:
        if e.argument == "update":  # one option that needs another: say which, and how
            raise UsageError("--update writes golden files: give --golden-dir DIR"
                             " (expect blocks are edited by hand)") from None
        if e.argument == "inputs":
            raise UsageError(f"--set {e}") from None
        raise
    if junit_xml is not None:
        try:
            write_junit(report, junit_xml)
        except OSError as e:
            raise UsageError(f"cannot write '{junit_xml}': {e.strerror or e}") from None
    for text, to_stderr in REPORTERS[fmt.value](report, verbose):
        if isinstance(text, Problem):
            show([text])  # with its source line and a caret on a terminal, as run's
        else:
            typer.echo(text, err=to_stderr)
    if os.environ.get("GITHUB_ACTIONS") == "true":
        # workflow commands are read from stdout, unless it holds the JSON document
        for line in github_annotations(report):
            typer.echo(line, err=fmt is CheckFormat.json)
    raise typer.Exit(report.exit_code)
