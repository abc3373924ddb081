"""Lines of an inputs file, bounded: an endless line is a problem, not all the memory.

The file's own line ends are kept (it is opened with ``newline=""``): ``\\n``, ``\\r\\n``
and ``\\r``, as ``readline`` sees them.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from circuitrun.rows.errors import InputError

MAX_LINE = 1 << 24
"""Characters of one line at most (16 Mi)."""
SHOWN = 40
"""Characters of a bad cell quoted in a problem, at most."""


def read_lines(f: IO[str], path: Path, chars: int) -> Iterator[list[str]]:
    """The file's lines, about ``chars`` characters of them at a time, each whole (and
    none longer than ``MAX_LINE``)."""
    rest = ""  # the start of a line whose end is not read yet
    done = 0  # lines handed on
    while text := f.read(chars):
        # the file's own line ends (newline=""): \n, \r\n and \r, as readline sees them
        lines = io.StringIO(rest + text, newline="").readlines()
        # a last line that ends in \r may go on with \n in the next read
        rest = lines.pop() if not lines[-1].endswith("\n") else ""
        if lines and len(lines[0]) > MAX_LINE:  # the others are shorter than a read
            raise _too_long(path, done + 1)
        if len(rest) > MAX_LINE:
            raise _too_long(path, done + len(lines) + 1)
        if lines:
            done += len(lines)
            yield lines
    if rest:
        yield [rest]


def _too_long(path: Path, line: int) -> InputError:
    return InputError(path, line, None, f"a line of more than {MAX_LINE:,} characters: rows"
                                        " end at a newline")


def quoted(cell: Any) -> str:
    """A cell as JSON, cut short: ``"12345..." (50,000,000 characters)``."""
    if isinstance(cell, str) and len(cell) > SHOWN:
        return f"{json.dumps(cell[:SHOWN])[:-1]}...\" ({len(cell):,} characters)"
    text = json.dumps(cell)
    return text if len(text) <= SHOWN else f"{text[:SHOWN]}... ({len(text):,} characters)"
