"""An expression's text → a Python AST, within the limits of SPEC section 9.2 and 9.3.

``parse(text)`` checks the limits on the text before Python's parser sees it (at most
``MAX_LENGTH`` characters, at most ``MAX_NESTING`` levels of open brackets outside string
literals and comments), then parses it with ``ast.parse`` (never ``eval``).  It gives
the tree with a ``Source`` that turns the tree's positions (lines and UTF-8 byte
columns) into character offsets of the string's value, or one ``Issue``:
``bad-expression`` at the offending character, at the end of the expression (offset
``len(text)``) where Python names no position or the end, or at the string as a whole
(offset None) when the text is too long or Python's parser gives up.
"""

from __future__ import annotations

import ast
import re
import sys
import warnings
from typing import NamedTuple

from circuitrun.spec.refs import Issue

MAX_LENGTH = 10_000
"""Characters of an expression's value."""
MAX_NESTING = 64
"""Open brackets ``(``, ``[``, ``{`` inside one another."""

# Headroom for Python's AST conversion, which recurses once per level of the tree within
# a budget of 3x the recursion limit left (CPython 3.11): a flat 1,500-term sum is 1,500
# levels, and 10,000 characters make at most about 5,000 that the parser accepts.  Given
# only when a parse without it runs out (the limit is the interpreter's, for every
# thread: raised for as short a time as possible).
_PARSE_HEADROOM = 4_000

_BLANKS = " \t\f\r\n"
_BREAK = re.compile(r"\r\n|\r|\n")  # Python's tokenizer ends lines at each of these
# What the nesting count skips: comments and string literals (whole, or to the end of
# the line or text where unterminated); brackets are matched one by one.
_SCAN = re.compile(r"""
    (?P<open>[(\[{]) | (?P<close>[)\]}]) | \#[^\r\n]*
  | '''(?:[^\\]|\\.)*?(?:'''|\Z) | \"\"\"(?:[^\\]|\\.)*?(?:\"\"\"|\Z)
  | '(?:[^'\\\r\n]|\\.)*'? | "(?:[^"\\\r\n]|\\.)*"?
""", re.VERBOSE | re.DOTALL)
_GAP = re.compile(r"(?:[\s()]|\\\r?\n|\#[^\r\n]*)*")  # between an operand and an operator
_GIVES_UP = ("too many nested", "too complex")
# Python's tokenizer warns only about a backslash in a string ("invalid escape sequence")
# and a number run into a letter ("invalid decimal literal", 1if): texts with neither
# are parsed without the cost of catching warnings.
_MAY_WARN = re.compile(r"\\|[0-9.][A-Za-z_]")


def too_deep(text: str) -> int | None:
    """The offset of the bracket that opens level ``MAX_NESTING + 1``, or None."""
    if text.count("(") + text.count("[") + text.count("{") <= MAX_NESTING:
        return None
    depth = 0
    for m in _SCAN.finditer(text):
        if m.group("open"):
            depth += 1
            if depth > MAX_NESTING:
                return m.start()
        elif m.group("close") and depth:
            depth -= 1
    return None


class Source:
    """The parsed text: positions of its AST nodes as offsets into the string's value."""

    __slots__ = ("_cols", "_lines", "_starts", "ascii", "lead", "text")

    def __init__(self, text: str, lead: int) -> None:
        self.text = text  # what was parsed: the value without its leading blanks
        self.lead = lead  # how many leading blanks the value has
        self.ascii = text.isascii()
        self._starts: list[int] | None = None
        self._lines: list[str] = []
        self._cols: dict[int, list[int]] = {}  # by line: the character at each UTF-8 byte

    def _line_starts(self) -> list[int]:
        if self._starts is None:
            self._starts = [0, *(m.end() for m in _BREAK.finditer(self.text))]
            ends = [*self._starts[1:], len(self.text)]
            self._lines = [self.text[a:b] for a, b in zip(self._starts, ends, strict=True)]
        return self._starts

    def char_offset(self, lineno: int, col: int, *, in_bytes: bool = True) -> int:
        """The value offset of line ``lineno`` (1-based), column ``col`` (0-based; UTF-8
        bytes as the AST counts them, or characters as ``SyntaxError`` does)."""
        if lineno == 1 and (self.ascii or not in_bytes):
            return self.lead + col
        starts = self._line_starts()
        lineno = min(max(lineno, 1), len(starts))
        if in_bytes and not self.ascii:
            cols = self._cols.get(lineno)
            if cols is None:
                cols = self._cols[lineno] = _byte_columns(self._lines[lineno - 1])
            col = cols[min(max(col, 0), len(cols) - 1)]
        return self.lead + starts[lineno - 1] + col

    def at(self, node: ast.expr | ast.keyword) -> int:
        """The value offset of ``node``'s first character."""
        return self.char_offset(node.lineno, node.col_offset)

    def end(self, node: ast.expr | ast.keyword) -> int:
        """The value offset just past ``node``'s last character."""
        return self.char_offset(node.end_lineno or node.lineno, node.end_col_offset or 0)

    def spelling(self, node: ast.expr | ast.keyword) -> str:
        """The text of ``node`` as written (Python normalizes non-ASCII names: NFKC)."""
        return self.text[self.at(node) - self.lead:self.end(node) - self.lead]

    def operator_at(self, left: ast.expr, right: ast.expr) -> int:
        """The offset of the operator between two operands (past parentheses, blanks and
        comments after ``left``)."""
        start = self.end(left) - self.lead
        gap = _GAP.match(self.text, start)
        return self.lead + (gap.end() if gap is not None and gap.end() < len(self.text)
                            else start)


def _byte_columns(line: str) -> list[int]:
    """For each UTF-8 byte offset of ``line`` (and its end), the character there."""
    cols: list[int] = []
    for i, c in enumerate(line):
        o = ord(c)
        cols += [i] * (1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4)
    cols.append(len(line))
    return cols


class Parsed(NamedTuple):
    """An expression's tree and where its nodes are."""

    tree: ast.expr
    source: Source


def parse(text: str) -> Parsed | Issue:
    """The AST of an expression, or the ``bad-expression`` that stops it (module doc)."""
    if len(text) > MAX_LENGTH:
        return Issue(None, "bad-expression", f"the expression is {len(text):,} characters"
                     f" long: at most {MAX_LENGTH:,} are allowed")
    nul = text.find("\x00")
    if nul >= 0:
        return Issue(nul, "bad-expression", "a NUL character is not allowed in an expression")
    deep = too_deep(text)
    if deep is not None:
        return Issue(deep, "bad-expression", f"the expression is nested deeper than"
                     f" {MAX_NESTING} levels of brackets")
    body = text.lstrip(_BLANKS)
    source = Source(body, len(text) - len(body))
    try:
        return Parsed(_ast(body), source)
    except SyntaxError as e:
        if any(words in str(e.msg) for words in _GIVES_UP):
            return _gave_up()
        at = _error_offset(e, source, len(text))
        glued = _glued(text, at) if e.msg == "invalid decimal literal" else None
        if glued is not None:
            return glued
        return Issue(at, "bad-expression", f"not a valid expression: {e.msg}")
    except (RecursionError, MemoryError, ValueError):
        return _gave_up()


def _ast(body: str) -> ast.expr:
    """``ast.parse``, with what it needs on the rare texts that need it."""
    if _MAY_WARN.search(body) is None:
        try:
            return ast.parse(body, mode="eval").body
        except RecursionError:
            pass  # a deep tree: again below, with headroom
    limit = sys.getrecursionlimit()
    try:
        with warnings.catch_warnings():
            # "invalid escape sequence" and the like: the parse is what matters here
            warnings.simplefilter("ignore")
            sys.setrecursionlimit(limit + _PARSE_HEADROOM)
            return ast.parse(body, mode="eval").body
    finally:
        sys.setrecursionlimit(limit)


_NUMBER_END = re.compile(r"(?:[0-9][0-9_]*\.?[0-9_]*|\.[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)?\Z")
_NAME_AT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _glued(text: str, at: int) -> Issue | None:
    """Python's "invalid decimal literal" at ``at`` (a number's last digit) where a name
    follows the number, as in ``2x``: say to write the product, at the name."""
    name = _NAME_AT.match(text, at + 1)
    number = _NUMBER_END.search(text, 0, at + 1)
    if name is None or number is None or number[0].endswith("_"):  # 2_x: no number
        return None
    return Issue(at + 1, "bad-expression", f"a number run into a name, '{number[0]}{name[0]}':"
                 f" write {number[0]} * {name[0]} for a product")


def _gave_up() -> Issue:
    return Issue(None, "bad-expression", "the expression is too complex for Python's parser")


def _error_offset(e: SyntaxError, source: Source, end: int) -> int:
    """Where a syntax error is: Python's line and column, else the expression's end."""
    if not e.lineno or not e.offset or e.offset < 1:
        return end
    offset = source.char_offset(e.lineno, e.offset - 1, in_bytes=False)
    return min(offset, end)
