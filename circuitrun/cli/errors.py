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
from collections.abc import Mapping

import typer
from typer.core import TyperCommand

from circuitrun.api.circuit import MissingInputsError
from circuitrun.problems import CircuitError, NonFiniteError, Problem, SpecError, UsageError
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
    for p in problems:
        typer.echo(str(p), err=True)
    return 3 if isinstance(error, NonFiniteError) else 2
