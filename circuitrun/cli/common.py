"""What every command shares: options, the one-line error forms, writing data out."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from circuitrun.problems import CircuitError, NonFiniteError, Problem, SpecError, UsageError
from circuitrun.read import parse_number

SetOption = Annotated[list[str] | None, typer.Option(
    "--set", help="Give input NAME the value VALUE (repeatable).", metavar="NAME=VALUE")]
SpecArgument = Annotated[Path, typer.Argument(help="The circuit file (.yaml, .yml or .json).",
                                              show_default=False)]


def fail(problems: list[Problem]) -> None:
    for p in problems:
        typer.echo(str(p), err=True)


def usage(command: str, message: str) -> typer.Exit:
    typer.echo(f"circuitrun {command}: error: {message} [usage]", err=True)
    return typer.Exit(2)


def emit(text: str | Iterable[str], out: Path | None, command: str = "run") -> None:
    """Data to ``out`` (whole or not at all) or to stdout; ``text`` may come in pieces."""
    pieces = [text] if isinstance(text, str) else text
    if out is None:
        try:
            for piece in pieces:
                sys.stdout.write(piece)
            sys.stdout.flush()
        except BrokenPipeError:  # `circuitrun run ... | head`: the reader left; so do we
            sys.stdout = None  # type: ignore[assignment]
        return
    from circuitrun.report.formats import open_atomic

    try:
        with open_atomic(out) as f:
            for piece in pieces:
                f.write(piece)
    except OSError as e:
        raise usage(command, f"cannot write '{out}': {e.strerror or e}") from None


T = TypeVar("_T")


def calling(command: str, call: Callable[[], T]) -> T:
    """``call()``, its errors ending in one line each: exit 3 for non-finite, else 2."""
    try:
        return call()
    except SpecError as e:
        fail(e.problems)
        raise typer.Exit(2) from None
    except UsageError as e:
        raise usage(command, str(e)) from None
    except NonFiniteError as e:
        fail([e.problem])
        raise typer.Exit(3) from None
    except CircuitError as e:  # a bad inputs file (batchread.InputError)
        fail([e.problem])  # type: ignore[attr-defined]
        raise typer.Exit(2) from None




def parse_sets(pairs: list[str], command: str = "run") -> dict[str, float]:
    values: dict[str, float] = {}
    for pair in pairs:
        name, eq, text = pair.partition("=")
        name = name.strip()
        if not eq or not name:
            raise usage(command, f"--set '{pair}': write NAME=VALUE")
        value = parse_number(text.strip())
        if value is None:
            raise usage(command, f"--set {name}={text}: '{text}' is not a finite number")
        values[name] = value
    return values
