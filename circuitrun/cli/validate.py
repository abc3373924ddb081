"""``circuitrun validate``: every problem of the specs named, without running them."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from circuitrun.api.circuit import load
from circuitrun.cli.common import emit, fail
from circuitrun.golden.discover import discover
from circuitrun.problems import Problem, SpecError


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


def validate(
    specs: Annotated[list[Path], typer.Argument(help="Circuit files, or folders to search.",
                                                show_default=False)],
    fmt: Annotated[ValidateFormat, typer.Option(
        "--format", "-f", help="text: problems on stderr; json: a list of problems on stdout."
    )] = ValidateFormat.text,
) -> None:
    """Check circuit files without running them: every problem at file:line:col."""
    problems: list[Problem] = []
    found = discover(specs).specs
    for path in found:
        try:
            load(path)
        except SpecError as e:
            problems += e.problems
    if fmt is ValidateFormat.json:
        emit(json.dumps([p.to_dict() for p in problems], indent=2) + "\n", None)
    else:
        fail(problems)
        if not problems:
            count = len(found)
            typer.echo(f"{count} spec{'s' if count != 1 else ''} valid", err=True)
    if problems:
        raise typer.Exit(2)
