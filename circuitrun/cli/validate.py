"""``circuitrun validate``: every problem of the specs named, without running them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from circuitrun.api.circuit import load
from circuitrun.cli.common import emit, fail
from circuitrun.problems import Problem, SpecError

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


def spec_files(paths: list[Path]) -> Iterator[Path]:
    """The files named, and the specs (*.yaml, *.yml, *.json) in the folders named."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*")
                              if p.suffix.lower() in SPEC_SUFFIXES and p.is_file())
        else:
            yield path


def validate(
    specs: Annotated[list[Path], typer.Argument(help="Circuit files, or folders to search.",
                                                show_default=False)],
    fmt: Annotated[ValidateFormat, typer.Option(
        "--format", "-f", help="text: problems on stderr; json: a list of problems on stdout."
    )] = ValidateFormat.text,
) -> None:
    """Check circuit files without running them: every problem at file:line:col."""
    problems: list[Problem] = []
    count = 0
    for path in spec_files(specs):
        count += 1
        try:
            load(path)
        except SpecError as e:
            problems += e.problems
    if fmt is ValidateFormat.json:
        emit(json.dumps([p.to_dict() for p in problems], indent=2) + "\n", None)
    else:
        fail(problems)
        if not problems:
            typer.echo(f"{count} spec{'s' if count != 1 else ''} valid", err=True)
    if problems:
        raise typer.Exit(2)
