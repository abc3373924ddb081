"""The one error type: a problem at a position in a spec file."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

# Characters that would break the one-line form (or hide in it) when a message quotes
# what the file holds: a name with a newline, an op with a tab, a wire with a CR.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    c = m.group()
    return _ESCAPES.get(c) or (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}")


def printable(text: str) -> str:
    """``text`` with its control characters escaped (``\\n``, ``\\x1b``): one line, shown
    as written, never acted on by a terminal."""
    return _UNPRINTABLE.sub(_escape, text)


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem with a spec, printed as ``path:line:col: error: message [code]``."""

    path: str
    line: int | None  # 1-based; None when the problem has no position
    col: int | None
    code: str
    message: str  # one line: control characters appear escaped, as \n or \x1b

    def __post_init__(self) -> None:
        if _UNPRINTABLE.search(self.message):
            object.__setattr__(self, "message", printable(self.message))

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}" if self.col is None else f":{self.line}:{self.col}"
        return f"{where}: error: {self.message} [{self.code}]"

    def to_dict(self) -> dict[str, object]:
        """The JSON form of ``validate --format json``."""
        return {"path": self.path, "line": self.line, "column": self.col,
                "code": self.code, "message": self.message}


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    """Problems by position; those without one last, each group in its given order."""
    return sorted(problems, key=lambda p: (p.line is None, p.line or 0, p.col or 0))


class CircuitError(Exception):
    """Base of circuitrun's errors."""


class SpecError(CircuitError):
    """A spec that cannot be used; ``problems`` says why, all at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sort_problems(problems)
        super().__init__("\n".join(map(str, self.problems)))


class NonFiniteError(CircuitError):
    """A run gave NaN or an infinity (SPEC section 3.5); ``row`` is the 0-based input row
    of a batch run (None for a single run)."""

    def __init__(self, problem: Problem, row: int | None = None) -> None:
        self.problem = problem
        self.row = row
        super().__init__(str(problem))

    def __reduce__(self) -> tuple[object, ...]:  # pickled whole (Dask sends it to the client)
        return (NonFiniteError, (self.problem, self.row))


class UsageError(CircuitError):
    """A bad argument to the API or the CLI (exit 2), such as an unknown input name.

    ``argument`` is the parameter the message is about (``"output"``, ``"golden_dir"``),
    written in the message by that name: the CLI names its option instead (``--output``).
    """

    def __init__(self, message: str, argument: str | None = None) -> None:
        super().__init__(message)
        self.argument = argument


class UnknownNodeError(UsageError, KeyError):
    """A node name the circuit does not have: a ``UsageError`` naming the closest one, and
    a ``KeyError``, as a lookup by name raises."""

    def __str__(self) -> str:
        return str(self.args[0])  # KeyError's would quote the message


def did_you_mean(word: str, candidates: Iterable[str], listing: str = "") -> str:
    """`` (did you mean 'x'?)`` for the closest candidate; when none is close, with a
    ``listing`` (``"ops"``), `` (ops: a, b, ...)`` naming them all, else nothing.

    A candidate that differs only in case is the closest (``X`` for ``x``): difflib
    alone finds no likeness between two one-letter names.
    """
    names = list(candidates)
    folded = word.casefold()
    close = [n for n in names if n.casefold() == folded][:1] or difflib.get_close_matches(
        word, names, n=1, cutoff=0.6)
    if close:
        return f" (did you mean '{close[0]}'?)"
    return f" ({listing}: {', '.join(names)})" if listing else ""
