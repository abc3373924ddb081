"""A spec file's bytes → its text, and where a character of that text is (line, column).

Only regular files are read, never more than ``MAX_BYTES``; a byte-order mark is
dropped; bytes that are not UTF-8 and characters YAML does not allow are problems at
their line and column.  Lines end at LF, CRLF or a lone CR (YAML 1.2, and what editors
show); columns count characters.
"""

from __future__ import annotations

import bisect
import os
import re
import stat
from pathlib import Path

from circuitrun.limits import MAX_BYTES, check_size
from circuitrun.problems import Problem, SpecError

Pos = tuple[int, int]

# Characters YAML does not allow in a stream (C0 and C1 controls but tab, LF, CR, NEL).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n\r"
_BREAK = re.compile(r"\r\n|\r|\n")
# JSON escapes of UTF-16 surrogates: a pair is one character, half of one is none.
_SURROGATE = re.compile(r"\\u[dD]([89a-fA-F])[0-9a-fA-F]{2}")
_LOW_HALF = re.compile(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def read_text(path: str | Path) -> str:
    """The text of a spec file; unreadable files and bad bytes raise ``SpecError``."""
    shown = str(path)
    try:
        data = _read_bytes(Path(path))
    except IsADirectoryError:
        reason = "is a directory, not a spec file"
    except FileNotFoundError:
        reason = "no such file"
    except OSError as e:
        reason = f"cannot read: {e.strerror or e}".lower()
    else:
        reason = ""
    if reason:
        raise SpecError([Problem(shown, None, None, "unreadable", reason)])
    data = data.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark is not content
    if not data.translate(None, _PLAIN_BYTES):
        return data.decode("ascii")  # printable ASCII, tabs and line breaks: nothing to check
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        head = data[: e.start].decode("utf-8", "replace")
        line, col = line_col(head, len(head))
        raise SpecError([Problem(shown, line, col, "yaml-syntax",
                                 f"byte 0x{data[e.start]:02x} is not UTF-8")]) from None
    check_characters(text, shown)
    return text


def shown_text(path: str | Path) -> str | None:
    """The text of a spec file as far as it can be shown (bytes that are not UTF-8
    replaced, control characters kept), or None when it cannot be read: for quoting
    the lines that problems are on."""
    try:
        data = _read_bytes(Path(path))
    except (OSError, SpecError):
        return None
    return data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "replace")


def check_characters(text: str, path: str) -> None:
    """Raise ``SpecError`` for a control character, which YAML does not allow."""
    if text.isascii() and not text.encode("ascii").translate(None, _PLAIN_BYTES):
        return  # the common case, in one pass in C
    bad = _CONTROL.search(text)
    if bad:
        line, col = line_col(text, bad.start())
        raise SpecError([Problem(path, line, col, "yaml-syntax",
                                 f"control character U+{ord(bad.group()):04X} is not allowed")])


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; only regular files (a FIFO or a device would block or never end)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO must not block
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(st.st_mode):
            raise OSError(0, "not a regular file", str(path))
        check_size(st.st_size, str(path))
        data = f.read(MAX_BYTES + 1)  # never more: a file may grow, or lie about its size
        check_size(len(data), str(path))
        return data


def line_col(text: str, index: int) -> Pos:
    """The 1-based line and column (in characters) of ``text[index]``."""
    crlf = index > 0 and text.startswith("\r\n", index - 1)  # the LF of a CRLF: the CR's line
    head = text[: index - 1 if crlf else index]
    line = len(_BREAK.findall(head)) + 1
    start = max(head.rfind("\n"), head.rfind("\r")) + 1
    return line, len(head) - start + 1 + crlf


def split_lines(text: str) -> list[str]:
    """The lines of ``text`` without their breaks, numbered as problems number them."""
    return _BREAK.split(text)


class Lines:
    """Line and column of a character index, for many indices (a table of line starts)."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def at(self, index: int) -> Pos:
        """The 1-based line and column of ``text[index]``."""
        line = bisect.bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1


def lone_surrogate(text: str) -> int | None:
    """Where the first JSON escape of half a surrogate pair (``\\ud800`` alone) is, or None.

    ``json`` reads it into a string that no UTF-8 output can hold.
    """
    if "\\u" not in text:
        return None
    skip = -1
    for m in _SURROGATE.finditer(text):
        at = m.start()
        if at < skip:
            continue
        start = at
        while start and text[start - 1] == "\\":
            start -= 1
        if (at - start) % 2:  # "\\ud800": an escaped backslash, then text
            continue
        if m.group(1).lower() not in "89ab":  # a low half, not after a high one
            return at
        if not _LOW_HALF.match(text, at + 6):
            return at
        skip = at + 12
    return None
