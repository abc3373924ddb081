"""Where a character of a string's value is in the file (SPEC section 9.2, 9.3).

    ScalarText(source, line, col, style, value).position(offset) -> (line, col)

``source`` is the scalar as the file writes it, from its first character (a quote, for a
quoted scalar) to its last (PyYAML's ``start_mark`` to ``end_mark``; a JSON string with
its quotes); ``line`` and ``col`` are its 1-based start; ``style`` is PyYAML's scalar
style: ``None`` or ``""`` plain, ``"'"`` single-quoted, ``'"'`` double-quoted (JSON
strings too), ``"|"`` or ``">"`` block; ``value`` is the string the scalar means.

In a plain or a single-line quoted scalar an offset is exact: the opening quote counts
as a column, an escape (``''``, ``\\t``, ``\\u0041``, a JSON surrogate pair) is one
character at the column of its first source character, and the offset just past the
value is the closing quote (just past the last character for a plain scalar).  In a
block or multi-line scalar, and wherever the source does not give back the value,
every offset is the scalar's start; so is ``None`` (the string as a whole).
"""

from __future__ import annotations

import re

# Source length of a double-quoted escape, by the character after the backslash.
_HEX_ESCAPE = {"x": 4, "u": 6, "U": 10}
_PAIR = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")


class ScalarText:
    """The columns of a scalar's value characters (see the module docstring)."""

    __slots__ = ("_cols", "col", "line")

    def __init__(self, source: str, line: int, col: int, style: str | None,
                 value: str) -> None:
        self.line = line
        self.col = col
        # _cols[k]: source index of value character k, and of the end at k = len(value)
        self._cols: list[int] | range | None = None
        if "\n" in source or "\r" in source or style in ("|", ">"):
            return
        if not style:
            if source == value:
                self._cols = range(len(value) + 1)
        elif style == "'":
            self._cols = _single(source, len(value))
        elif style == '"':
            self._cols = _double(source, len(value), pairs=True)
            if self._cols is None and _PAIR.search(source):
                self._cols = _double(source, len(value), pairs=False)

    def position(self, offset: int | None) -> tuple[int, int]:
        """The 1-based line and column of value character ``offset`` (module docstring)."""
        if offset is None or self._cols is None:
            return self.line, self.col
        cols = self._cols
        return self.line, self.col + cols[min(max(offset, 0), len(cols) - 1)]


def _single(source: str, length: int) -> list[int] | None:
    """Source indices of a single-quoted scalar's characters (``''`` is one)."""
    cols = []
    i, n = 1, len(source)
    while i < n:
        if source[i] == "'":
            if i + 1 < n and source[i + 1] == "'":
                cols.append(i)
                i += 2
                continue
            break  # the closing quote
        cols.append(i)
        i += 1
    cols.append(i)
    return cols if len(cols) == length + 1 else None


def _double(source: str, length: int, *, pairs: bool) -> list[int] | None:
    """Source indices of a double-quoted scalar's characters (an escape is one; with
    ``pairs``, so is a JSON surrogate pair ``\\ud83d\\ude00``)."""
    cols = []
    i, n = 1, len(source)
    while i < n:
        c = source[i]
        if c == '"':
            break
        cols.append(i)
        if c != "\\" or i + 1 >= n:
            i += 1
        elif pairs and _PAIR.match(source, i):
            i += 12
        else:
            i += _HEX_ESCAPE.get(source[i + 1], 2)
    cols.append(i)
    return cols if len(cols) == length + 1 else None
