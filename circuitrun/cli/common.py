"""What every command shares: options, ``--set`` values, writing data out."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Annotated, Any

import typer

from circuitrun.cli.errors import show
from circuitrun.problems import Problem, UsageError
from circuitrun.report.atomic import open_atomic
from circuitrun.spec.shapes import parse_settings

SetOption = Annotated[list[str] | None, typer.Option(
    "--set", help="Give input NAME the value VALUE (repeatable).", metavar="NAME=VALUE")]
SpecArgument = Annotated[Path, typer.Argument(help="The circuit file (.yaml, .yml or .json).",
                                              show_default=False)]
DASH = Path("-")
"""``-o -`` and ``--inputs -``: stdout and stdin, as Unix tools take them."""


def _dash_is_stdout(out: Path | None) -> Path | None:
    return None if out == DASH else out


OutOption = Annotated[Path | None, typer.Option(
    "-o", "--out", help="Write to FILE (whole or not at all) instead of stdout ('-':"
    " stdout).", metavar="FILE", callback=_dash_is_stdout)]


def fail(problems: Iterable[Problem]) -> None:
    """Each problem on its line, on stderr (on a terminal, with its source line)."""
    show(problems)


@contextlib.contextmanager
def open_output(out: Path | None) -> Iterator[IO[str]]:
    """Where data goes: ``out``, written whole or not at all, or stdout."""
    if out is not None:
        with open_atomic(out) as f:
            yield f
        return
    try:
        yield sys.stdout
        sys.stdout.flush()
    except BrokenPipeError:  # `circuitrun run ... | head`: the reader left; so do we
        sys.stdout = None  # nothing more to say: never write or flush again


def emit(text: str | Iterable[str], out: Path | None) -> None:
    """Data to ``out`` (whole or not at all) or to stdout; ``text`` may come in pieces."""
    pieces = [text] if isinstance(text, str) else text
    try:
        with open_output(out) as f:
            for piece in pieces:
                f.write(piece)
    except OSError as e:
        if out is None:
            raise
        raise UsageError(f"cannot write '{out}': {e.strerror or e}") from None


def parse_sets(pairs: list[str] | None) -> dict[str, Any]:
    """``--set NAME=VALUE`` options as input values (a number as YAML 1.2 writes it, or a
    list for a vector or matrix), in the order they apply: a later one wins."""
    try:
        return parse_settings(pairs or [])
    except UsageError as e:
        raise UsageError(f"--set {e}") from None
