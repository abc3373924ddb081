"""YAML syntax errors said where the writer went wrong, and what to change.

PyYAML reports where its reading stopped, which is often a line after the mistake:
``x:-2`` (no space after the colon) is one plain scalar to YAML, and the error is the
``:`` of the next line, "mapping values are not allowed in this context".  ``explain``
looks at the lines around that point for the usual mistakes:

- a key glued to its value (``x:-2``, ``op:neg``): at its ``:``, "put a space after ':'";
- a key indented more than the key above it, which has a value of its own: at the key;
- a key indented less than the key above it, in line with no key it could belong to;
- a tab where YAML wants spaces.

Only when PyYAML has already found an error: a valid document is never looked at.
"""

from __future__ import annotations

import bisect
import re
from typing import NamedTuple

# A line that starts with a key glued to its value: "  x:-2", "- f:{op: neg}".
_GLUED = re.compile(r"( *(?:- +)?)([A-Za-z_][A-Za-z0-9_]*):(?![ \t]|$|//)([^#]*)")
# A line that starts with a key (and a value or not): its indentation and its key.
_KEY_LINE = re.compile(r"( *)(?:- +)?([A-Za-z_][A-Za-z0-9_]*): *(.*)")
_SKIP = re.compile(r" *(?:#.*)?")  # a blank line or a comment
_BREAK = re.compile(r"\r\n|\r|\n")
_SHOWN = 40  # the longest line a message quotes whole


class Explained(NamedTuple):
    """Where the mistake is (an index into the text) and what to change."""

    at: int
    message: str


class _Lines:
    """The text's lines, their starts, and the line of an index."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in _BREAK.finditer(text))]
        self.text = text

    def of(self, index: int) -> int:
        """The 0-based line of ``text[index]``."""
        return bisect.bisect_right(self.starts, index) - 1

    def line(self, n: int) -> str:
        end = self.starts[n + 1] if n + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[n]:end].rstrip("\r\n")

    def previous(self, n: int) -> int | None:
        """The nearest line before line ``n`` that holds more than a comment."""
        while n > 0:
            n -= 1
            if not _SKIP.fullmatch(self.line(n)):
                return n
        return None


def explain(text: str, at: int, context: int | None, message: str) -> Explained | None:
    """What the YAML error ``message`` at ``text[at]`` (``context``: PyYAML's context
    mark, if any) is most likely about, said as what to change; None if nothing is
    recognised."""
    lines = _Lines(text)
    row = lines.of(min(at, len(text) - 1)) if text else 0
    if text.startswith("\t", at) or "tab" in message:
        source = lines.line(row)
        tab = lines.starts[row] + source.find("\t") if "\t" in source else at
        return Explained(tab, "a tab: YAML indents with spaces only, replace it by spaces")
    before = lines.previous(row)
    candidates = [row, before] + ([lines.of(context)] if context is not None else [])
    for n in candidates:
        if n is not None:
            found = _glued(lines, n)
            if found is not None:
                return found
    if before is None:
        return None
    return _indented(lines, row, before)


def _glued(lines: _Lines, n: int) -> Explained | None:
    m = _GLUED.match(lines.line(n))
    if m is None:
        return None
    lead, key, rest = m.groups()
    written = f"{key}:{rest.rstrip()}"
    fixed = f"{key}: {rest.rstrip()}"
    if len(written) > _SHOWN:
        written, fixed = written[:_SHOWN - 3] + "...", fixed[:_SHOWN - 2] + "..."
    return Explained(lines.starts[n] + len(lead) + len(key), glued_message(written, fixed))


def unglued(text: str) -> str | None:
    """``text`` written as a key and its value (``x: -2``) when it is a key glued to its
    value (``x:-2``), else None."""
    m = _GLUED.fullmatch(text)
    return None if m is None or m.group(1) else f"{m.group(2)}: {m.group(3)}"


def glued_message(written: str, fixed: str) -> str:
    """What to say of a key glued to its value."""
    return f"no space after ':' in '{written}', so YAML sees no key: write '{fixed}'"


def _indented(lines: _Lines, row: int, before: int) -> Explained | None:
    """A key on line ``row`` indented unlike the key on line ``before``."""
    m, above = _KEY_LINE.fullmatch(lines.line(row)), _KEY_LINE.fullmatch(lines.line(before))
    if m is None or above is None:
        return None
    spaces, key, _ = m.groups()
    up, up_key, up_value = above.groups()
    at = lines.starts[row] + len(spaces)
    depth, up_depth = len(spaces), len(up)
    if depth > up_depth and up_value and not up_value.startswith(("|", ">", "#")):
        return Explained(at, f"'{key}' is indented more than '{up_key}' above it, which has"
                         f" a value already: indent '{key}' as '{up_key}' is"
                         f" ({_spaces(up_depth)})")
    if depth < up_depth:
        keys = _enclosing(lines, before, up_depth)
        if depth not in {d for d, _ in keys}:
            shown = "".join(f" or as '{k}' ({_spaces(d)})" for d, k in keys if d < up_depth)
            return Explained(at, f"'{key}' is indented less than '{up_key}' above it and lines"
                             f" up with no key: indent it as '{up_key}' is"
                             f" ({_spaces(up_depth)}){shown}")
    return None


def _enclosing(lines: _Lines, n: int, depth: int) -> list[tuple[int, str]]:
    """The keys that line ``n`` (a key indented by ``depth``) is inside, nearest first,
    with their indentation."""
    found = [(depth, "")]
    while depth > 0 and n > 0:
        n -= 1
        m = _KEY_LINE.fullmatch(lines.line(n))
        if m is not None and len(m.group(1)) < depth:
            depth = len(m.group(1))
            found.append((depth, m.group(2)))
    return found


def _spaces(n: int) -> str:
    return "1 space" if n == 1 else f"{n} spaces"
