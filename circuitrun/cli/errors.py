"""The library's errors as the command line says them: one line each, and an exit code.

The library speaks of its parameters (``output``, ``golden_dir``); the command line
names its options instead (``--output``, ``--golden-dir``).  The rule, applied to every
``UsageError`` that names its ``argument``: a parameter name written unquoted in the
message is the option of the same name (``golden_dir`` is ``--golden-dir``), when the
command has that option.  An input without a value is given with ``--set``.
"""

from __future__ import annotations

import dataclasses
import re
import sys
import unicodedata
from collections.abc import Iterable, Mapping

import typer
from typer.core import TyperCommand

from circuitrun.api.circuit import MissingInputsError
from circuitrun.problems import (
    CircuitError,
    NonFiniteError,
    Problem,
    SpecError,
    UsageError,
    printable,
)
from circuitrun.read import shown_text, split_lines
from circuitrun.rows.errors import InputError

_QUOTED = re.compile(r"('[^']*')")  # values are quoted in messages; parameter names are not
# a word, but not one followed by "of": that is prose ("index 7 is out of range")
_WORD = re.compile(r"(?<![\w-])[a-z][a-z0-9_]*(?![\w-])(?! of\b)")


def options(command: TyperCommand | None) -> dict[str, str]:
    """The command's long options by parameter name: ``{"golden_dir": "--golden-dir"}``."""
    found: dict[str, str] = {}
    for param in command.params if command is not None else []:
        for opt in param.opts:
            if opt.startswith("--"):
                found[opt[2:].replace("-", "_")] = opt
    return found


def option_words(message: str, names: Mapping[str, str]) -> str:
    """``message`` with each unquoted parameter name in ``names`` written as its option."""
    parts = _QUOTED.split(message)
    for i in range(0, len(parts), 2):  # the even parts are outside quotes
        parts[i] = _WORD.sub(lambda m: names.get(m.group(), m.group()), parts[i])
    return "".join(parts)


def report(error: CircuitError, where: str, command: TyperCommand | None) -> int:
    """Print ``error`` as one line per problem (``where`` names the command for usage
    errors: ``circuitrun run``); the exit code: 3 for non-finite, else 2."""
    names = options(command)
    if isinstance(error, UsageError):
        message = str(error)
        if error.argument is not None:
            message = option_words(message, names)
        typer.echo(f"{where}: error: {message} [usage]", err=True)
        return 2
    problems: list[Problem] = []
    if isinstance(error, MissingInputsError) and "set" in names:
        problems = [dataclasses.replace(p, message=f"{p.message}: give one with --set {n}=VALUE")
                    for p, n in zip(error.problems, error.inputs, strict=True)]
    elif isinstance(error, SpecError):
        problems = error.problems
    elif isinstance(error, InputError):
        hint = " or with --set" if error.missing is not None and "set" in names else ""
        problems = [dataclasses.replace(error.problem, message=error.problem.message + hint)]
    elif isinstance(error, NonFiniteError):
        problems = [error.problem]
    else:  # pragma: no cover - every error of the library is one of the above
        raise error
    show(problems)
    return 3 if isinstance(error, NonFiniteError) else 2


def show(problems: Iterable[Problem]) -> None:
    """Each problem as its one line on stderr; when stderr is a terminal, followed by the
    line of the spec it is on and a caret under its column, as rustc and ruff show them.
    Piped or redirected, the one-line form alone (what scripts and editors read)."""
    terminal = sys.stderr.isatty()
    sources: dict[str, list[str] | None] = {}
    for p in problems:
        typer.echo(str(p), err=True)
        if terminal and p.line is not None:
            if p.path not in sources:
                sources[p.path] = _source(p.path)
            lines = sources[p.path]
            if lines is not None and p.line <= len(lines):
                for row in excerpt(lines[p.line - 1], p.line, p.col):
                    typer.echo(row, err=True)


def _source(path: str) -> list[str] | None:
    """The lines of the spec file at ``path`` as problems number them (None: unreadable)."""
    text = shown_text(path)  # None: gone, or not a file (a spec given as text)
    return None if text is None else split_lines(text)


_WIDTH = 100  # the most of a source line shown; a longer one is cut around the column


def excerpt(line: str, number: int, col: int | None) -> list[str]:
    """Line ``number`` of a spec and a caret under column ``col`` (1-based, characters):
    `` 5 |   f: {op: multiply}`` over ``   |           ^``.  Control characters show
    escaped, a tab as 4 columns, a wide character (CJK) as 2."""
    at = min(max((col or 1) - 1, 0), len(line))
    start = 0 if at < _WIDTH - 10 else at - _WIDTH // 2  # a long line: around the column
    cells = [_cell(c) for c in line[start:start + _WIDTH]]
    head = "..." if start else ""
    tail = "..." if start + _WIDTH < len(line) else ""
    text = head + "".join(s for s, _ in cells) + tail
    offset = len(head) + sum(w for _, w in cells[:at - start])
    rows = [f" {number} | {text}".rstrip()]
    if col is not None:
        rows.append(f" {' ' * len(str(number))} | {' ' * offset}^")
    return rows


def _cell(c: str) -> tuple[str, int]:
    """How a character is shown, and the columns it takes on a terminal."""
    if c == "\t":
        return "    ", 4
    shown = printable(c)
    if shown != c:
        return shown, len(shown)
    if unicodedata.combining(c):
        return c, 0
    return c, 2 if unicodedata.east_asian_width(c) in "WF" else 1
