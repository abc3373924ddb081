"""The notebook cell magic: ``%load_ext circuitrun``, then a cell

    %%circuit [NAME] [--set NAME=VALUE]... [--output NODE] [--explain]
    inputs: {x: -2, y: 5}
    gates:
      f: {op: mul, in: [x, y]}

runs the spec the cell holds and shows the result (its node table and picture), and with
``--explain`` the run step by step.  NAME keeps the result in the notebook's namespace.
A bad spec or option prints one line per problem, as the command line does.
"""

from __future__ import annotations

import shlex
import sys
from typing import Any

from circuitrun.api.circuit import loads
from circuitrun.api.result import Result
from circuitrun.problems import NonFiniteError, SpecError, UsageError
from circuitrun.spec.shapes import parse_settings

USAGE = "%%circuit [NAME] [--set NAME=VALUE]... [--output NODE] [--explain]"


def _options(line: str) -> tuple[str | None, dict[str, Any], str | None, bool]:
    """The magic line: (NAME, --set values, --output, --explain)."""
    words = shlex.split(line)
    name: str | None = None
    settings: list[str] = []
    output, explain = None, False
    while words:
        word = words.pop(0)
        if word == "--explain":
            explain = True
        elif word in ("--set", "--output"):
            if not words:
                raise UsageError(f"{word} needs a value: {USAGE}")
            value = words.pop(0)
            if word == "--output":
                output = value
                continue
            settings.append(value)
        elif not word.startswith("-") and name is None and word.isidentifier():
            name = word
        else:
            raise UsageError(f"unknown option '{word}': {USAGE}")
    try:
        sets = parse_settings(settings)
    except UsageError as e:
        raise UsageError(f"--set {e}") from None
    return name, sets, output, explain


def circuit_magic(line: str, cell: str, namespace: dict[str, Any] | None = None) -> Result | None:
    """Run the spec in ``cell``; the result is the cell's output (None after a problem)."""
    try:
        name, sets, output, explain = _options(line)
        # Problems are placed, and a spec without a name is named, by NAME (else "cell").
        result = loads(cell, name or "cell").run(sets, output=output)
    except SpecError as e:
        print("\n".join(str(p) for p in e.problems), file=sys.stderr)
        return None
    except NonFiniteError as e:
        print(e.problem, file=sys.stderr)
        return None
    except UsageError as e:
        print(f"%%circuit: error: {e} [usage]", file=sys.stderr)
        return None
    if name is not None and namespace is not None:
        namespace[name] = result
    if explain:
        from IPython.display import display

        display(result, result.explain())  # type: ignore[no-untyped-call]  # IPython: untyped
        return None
    return result


def register(ipython: Any) -> None:
    """Register ``%%circuit`` with an IPython shell."""
    ipython.register_magic_function(
        lambda line, cell: circuit_magic(line, cell, ipython.user_ns), "cell", "circuit")
