"""Reading a file: bytes → text → plain data, with the position of every key and value.

YAML is read from PyYAML's event stream (its C parser when present), not through its
constructor, so that circuitrun decides what a scalar means (YAML 1.2: ``1e-3`` is a
number, ``yes`` is a string), rejects duplicate keys and unknown tags, never builds
Python objects from tags, and walks any depth without recursion.  JSON is read by the
``json`` module; when a JSON file has a problem, its tokens (``jsonevents``) go through
the same walker to find positions.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from circuitrun.read.jsonevents import json_events
from circuitrun.limits import MAX_BYTES, check_size
from circuitrun.problems import Problem, SpecError

try:
    _Parser: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Parser = yaml.SafeLoader

MAX_DEPTH = 64
"""Nesting a spec never needs; deeper files are rejected before they are read further."""
MAX_ALIASED = 100_000
"""Nodes that YAML aliases may repeat in one file (stops "billion laughs")."""

Path_ = tuple[Any, ...]
Pos = tuple[int, int]

# YAML 1.2 core schema, for plain scalars.
_NULL = re.compile(r"~|null|Null|NULL|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+")
_INT_OCT = re.compile(r"0o[0-7]+")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")
# Characters YAML does not allow in a stream (C0 and C1 controls but tab, LF, CR, NEL).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")

_TAG = "tag:yaml.org,2002:"
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\t\n\r"
# Lines end at LF, CRLF or a lone CR (YAML 1.2, and what editors show).  PyYAML follows
# YAML 1.1, which also ends lines at NEL, LS and PS: positions are then recounted.
_BREAK = re.compile(r"\r\n|\r|\n")
_YAML11_BREAKS = re.compile("[\x85\u2028\u2029]")
# A plain key longer than this is a syntax error in YAML (libyaml reports the ':' after it
# as "mapping values are not allowed here" or "did not find expected ','").
_MAX_KEY = 1024
_KEY_END = re.compile(r"[\s,\[\]{}]")
# JSON escapes of UTF-16 surrogates: a pair is one character, half of one is none.
_SURROGATE = re.compile(r"\\u[dD]([89a-fA-F])[0-9a-fA-F]{2}")
_LOW_HALF = re.compile(r"\\u[dD][c-fC-F][0-9a-fA-F]{2}")


class Positions:
    """Where each key and value of a document starts, by its path of keys and indices."""

    def __init__(self) -> None:
        self.values: dict[Path_, Pos] = {(): (1, 1)}
        self.keys: dict[Path_, Pos] = {}

    def value(self, path: Path_) -> Pos:
        """The value at ``path``, or the nearest enclosing value that has a position."""
        while path not in self.values:
            path = path[:-1]
        return self.values[path]

    def key(self, path: Path_) -> Pos:
        """The key of the entry at ``path`` (the value for list items and the root)."""
        return self.keys.get(path) or self.value(path)


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
        line, col = _line_col(head, len(head))
        raise SpecError([Problem(shown, line, col, "yaml-syntax",
                                 f"byte 0x{data[e.start]:02x} is not UTF-8")]) from None
    check_characters(text, shown)
    return text


def check_characters(text: str, path: str) -> None:
    """Raise ``SpecError`` for a control character, which YAML does not allow."""
    if text.isascii() and not text.encode("ascii").translate(None, _PLAIN_BYTES):
        return  # the common case, in one pass in C
    bad = _CONTROL.search(text)
    if bad:
        line, col = _line_col(text, bad.start())
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


def _line_col(text: str, index: int) -> Pos:
    """The 1-based line and column (in characters) of ``text[index]``."""
    crlf = index > 0 and text.startswith("\r\n", index - 1)  # the LF of a CRLF: the CR's line
    head = text[: index - 1 if crlf else index]
    line = len(_BREAK.findall(head)) + 1
    start = max(head.rfind("\n"), head.rfind("\r")) + 1
    return line, len(head) - start + 1 + crlf


def _long_key(text: str, index: int) -> int | None:
    """Where the key starts when ``text[index]`` is the ':' after a plain key longer than
    YAML allows, else None."""
    head = text[max(0, index - _MAX_KEY - 1) : index]
    if not text.startswith(":", index) or len(head) <= _MAX_KEY or _KEY_END.search(head):
        return None
    start = index - len(head)
    while start > 0 and not _KEY_END.match(text, start - 1):
        start -= 1
    return start


class _Lines:
    """Line and column of a character index, for many indices (a table of line starts)."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(m.end() for m in _BREAK.finditer(text))]

    def at(self, index: int) -> Pos:
        line = bisect.bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1


def parse(text: str, path: str, *, is_json: bool, track: bool) -> Parsed:
    """Plain data of a document, its positions when ``track`` (else None), and problems.

    Problems here are syntax errors, duplicate keys (the later entry is dropped),
    unknown tags and the limits; after a syntax error ``data`` is None.
    """
    if is_json:
        try:
            data = json.loads(text, object_pairs_hook=_unique_pairs)
        except json.JSONDecodeError as e:
            line, col = _line_col(text, e.pos)  # json counts only LF as a line break
            return Parsed(None, None, [Problem(path, line, col, "yaml-syntax", e.msg)])
        except (_Duplicate, RecursionError, ValueError):
            # json stopped at a duplicate key, a deep nesting or a 4300-digit integer: the
            # walker below places those, but first any syntax error json did not reach
            try:
                json.loads(text, parse_int=float)  # no duplicate check, no digit limit
            except json.JSONDecodeError as e:
                line, col = _line_col(text, e.pos)
                return Parsed(None, None, [Problem(path, line, col, "yaml-syntax", e.msg)])
            except RecursionError:
                pass
        else:
            bad = lone_surrogate(text) if "\\u" in text else None
            if bad is not None:  # "\ud800" reads, but no UTF-8 can write it out again
                line, col = _line_col(text, bad)
                return Parsed(None, None, [Problem(
                    path, line, col, "yaml-syntax",
                    f"'{text[bad:bad + 6]}' is half of a surrogate pair, not a character")])
            if not track:
                return Parsed(data, None, [])
        try:  # JSON's own tokens: JSON is not always YAML (a key of 1025 characters)
            return _Walker(path, track).run(text, json_events(text))
        except ValueError:
            pass  # not JSON after all (json stopped early): read it as YAML
    return _Walker(path, track).run(text)


def read_fast(text: str, *, is_json: bool) -> Any:
    """Plain data for the happy path (no positions), or None: a syntax error, a
    duplicate key in YAML, or anything the caller should read the exact way.

    JSON is read by the ``json`` module without a duplicate check (the caller counts
    keys instead); YAML by ``yamlfast`` when every line has the common shape, else by
    the walker.
    """
    if is_json:
        if "\\u" in text and lone_surrogate(text) is not None:
            return None  # "\ud800" reads, but cannot be written out: the exact path says so
        try:
            return json.loads(text)
        except (ValueError, RecursionError):
            return None
    from circuitrun.read import fast as yamlfast

    data = yamlfast.read(text)
    if data is not yamlfast.DECLINE:
        return data
    parsed = _Walker("", track=False).run(text)
    return None if parsed.problems else parsed.data


def lone_surrogate(text: str) -> int | None:
    """Where the first escape of half a surrogate pair (``\\ud800`` alone) is, or None."""
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


class Parsed(NamedTuple):
    data: Any
    positions: Positions | None
    problems: list[Problem]


class _Duplicate(Exception):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        raise _Duplicate
    return d


class _Frame:
    __slots__ = ("anchor", "container", "key", "path", "size")

    def __init__(self, container: Any, path: Path_, anchor: str | None) -> None:
        self.container = container
        self.key: Any = _NO_KEY
        self.path = path
        self.size = 1
        self.anchor = anchor


_NO_KEY = object()


class _Walker:
    """Builds plain data from PyYAML events with an explicit stack (no recursion)."""

    def __init__(self, path: str, track: bool) -> None:
        self.path = path
        self.positions = Positions() if track else None
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.aliased = 0
        self.lines: _Lines | None = None  # set when PyYAML's line numbers need recounting

    def _pos(self, mark: Any) -> Pos:
        if self.lines is not None:
            return self.lines.at(mark.index)
        return mark.line + 1, mark.column + 1

    def run(self, text: str, events: Iterator[yaml.Event] | None = None) -> Parsed:
        if _YAML11_BREAKS.search(text):
            self.lines = _Lines(text)
        try:
            root = self._build(events or yaml.parse(text, Loader=_Parser))
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            message = e.problem or e.context or "invalid YAML"
            key = _long_key(text, mark.index) if mark is not None else None
            if key is not None:  # at the key, not at the ':' after it
                line, col = _line_col(text, key)
                self.problems.append(Problem(
                    self.path, line, col, "yaml-syntax", f"a key of more than {_MAX_KEY}"
                    " characters, which YAML does not allow: write it as '? NAME', or use JSON"))
            else:
                self._fail(mark, "yaml-syntax", message)
            root = None
        except _Stop:
            root = None
        return Parsed(root, self.positions, self.problems)

    def _fail(self, mark: Any, code: str, message: str) -> None:
        line, col = self._pos(mark) if mark is not None else (None, None)
        self.problems.append(Problem(self.path, line, col, code, message))

    def _build(self, events: Iterator[yaml.Event]) -> Any:
        stack: list[_Frame] = []
        documents = 0
        root: Any = None
        for ev in events:
            kind = type(ev)
            if kind is yaml.ScalarEvent:
                value, size, anchor = self._scalar(ev), 1, ev.anchor
            elif kind is yaml.AliasEvent:
                value, size = self._alias(ev)
                anchor = None
            elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                if len(stack) >= MAX_DEPTH:
                    self._fail(ev.start_mark, "yaml-syntax",
                               f"nested deeper than {MAX_DEPTH} levels")
                    raise _Stop
                is_map = kind is yaml.MappingStartEvent
                self._check_tag(ev, "map" if is_map else "seq")
                path = self._place(stack[-1], ev) if stack else ()
                if ev.anchor:
                    self.open_anchors.add(ev.anchor)
                stack.append(_Frame({} if is_map else [], path, ev.anchor))
                continue
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                frame = stack.pop()
                value, size = frame.container, frame.size
                if frame.anchor:
                    self.open_anchors.discard(frame.anchor)
                    self.anchors[frame.anchor] = (value, size)
                if not stack:
                    root = value
                    continue
                self._deliver(stack[-1], value, size, ev, is_collection=True)
                continue
            elif kind is yaml.DocumentStartEvent:
                documents += 1
                if documents > 1:
                    self._fail(ev.start_mark, "yaml-syntax",
                               "more than one document: a file holds one circuit")
                    raise _Stop
                continue
            else:
                continue
            if anchor:
                self.anchors[anchor] = (value, size)
            if not stack:
                root = value
                continue
            self._place(stack[-1], ev)
            self._deliver(stack[-1], value, size, ev, is_collection=False)
        return root

    def _place(self, frame: _Frame, ev: yaml.Event) -> Path_:
        """The path of the value ``ev`` starts in ``frame``, its position noted."""
        if self.positions is None:
            return ()
        if isinstance(frame.container, list):
            path = (*frame.path, len(frame.container))
        elif frame.key is _NO_KEY:
            return frame.path  # ev starts a key: keys are noted when delivered
        else:
            path = (*frame.path, frame.key)
        if self.positions is not None:
            self.positions.values[path] = self._pos(ev.start_mark)
        return path

    def _deliver(self, frame: _Frame, value: Any, size: int, ev: yaml.Event,
                 is_collection: bool) -> None:
        frame.size += size
        c = frame.container
        if isinstance(c, list):
            c.append(value)
            return
        if frame.key is _NO_KEY:  # value is a key
            mark = ev.start_mark
            if is_collection or isinstance(value, list | dict):
                self._fail(mark, "yaml-syntax", "a key must be a name, not a mapping or list")
                frame.key = None
            elif value in c:
                self._fail(mark, "duplicate-key", f"duplicate key '{value}'")
                frame.key = _Ignored(value)
            else:
                frame.key = value
                if self.positions is not None:
                    self.positions.keys[(*frame.path, value)] = self._pos(mark)
            return
        if not isinstance(frame.key, _Ignored):
            c[frame.key] = value
        frame.key = _NO_KEY

    def _scalar(self, ev: yaml.ScalarEvent) -> Any:
        tag = ev.tag
        text = ev.value
        if tag is None or tag == "!":
            if ev.style or tag == "!":  # quoted or block: a string (plain is None or "")
                return text
            return _resolve(text)
        if not tag.startswith(_TAG) or tag[len(_TAG):] not in _SCALAR_TAGS:
            self._fail(ev.start_mark, "yaml-syntax", f"tag '{_short_tag(tag)}' is not supported")
            return text
        kind = tag[len(_TAG):]
        if kind == "str":
            return text
        value = _resolve(text)
        wanted = _SCALAR_TAGS[kind]
        if not isinstance(value, wanted) or (isinstance(value, bool) and wanted is not bool):
            self._fail(ev.start_mark, "yaml-syntax", f"'{text}' is not a valid !!{kind}")
        return value

    def _check_tag(self, ev: Any, kind: str) -> None:
        tag = ev.tag
        if tag is not None and tag != "!" and tag != _TAG + kind:
            self._fail(ev.start_mark, "yaml-syntax", f"tag '{_short_tag(tag)}' is not supported")

    def _alias(self, ev: yaml.AliasEvent) -> tuple[Any, int]:
        name = ev.anchor
        if name in self.open_anchors:
            self._fail(ev.start_mark, "yaml-syntax", f"alias '*{name}' refers to itself")
            raise _Stop
        if name not in self.anchors:  # the C parser leaves this to the constructor
            self._fail(ev.start_mark, "yaml-syntax", f"unknown alias '*{name}'")
            raise _Stop
        value, size = self.anchors[name]
        self.aliased += size
        if self.aliased > MAX_ALIASED:
            self._fail(ev.start_mark, "yaml-syntax",
                       f"aliases repeat more than {MAX_ALIASED:,} nodes")
            raise _Stop
        return value, size


class _Ignored:
    """The key of a duplicate entry: its value is read and dropped."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key


class _Stop(Exception):
    """Reading cannot go on; the problem is already recorded."""


_SCALAR_TAGS: dict[str, type | tuple[type, ...]] = {
    "str": str, "int": int, "float": (float, int), "bool": bool, "null": type(None),
}


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


def _resolve(text: str) -> Any:
    """A plain scalar by the YAML 1.2 core schema."""
    if not text:
        return None
    first = text[0]
    if first in "0123456789+-.":
        if _INT.fullmatch(text):
            return _integer(text)
        if _FLOAT.fullmatch(text):
            return float(text)
        if _INT_OCT.fullmatch(text):
            return _integer(text[2:], 8)
        if _INT_HEX.fullmatch(text):
            return _integer(text[2:], 16)
        if _INF.fullmatch(text):
            return float("-inf") if first == "-" else float("inf")
        if _NAN.fullmatch(text):
            return float("nan")
        return text
    if first in "nN~" and _NULL.fullmatch(text):
        return None
    if first in "tT" and _TRUE.fullmatch(text):
        return True
    if first in "fF" and _FALSE.fullmatch(text):
        return False
    return text


def _integer(text: str, base: int = 10) -> int | float:
    """An integer literal; one beyond a double's range is an infinity, as ``1e309`` is.

    Never ``int()``'s error for more than 4300 decimal digits (and no such number is
    kept whole, only to be turned into a float later).
    """
    try:
        value = int(text, base)
    except ValueError:  # more digits than int() converts: only base 10 has the limit
        return float(text)
    try:
        float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf
    return value


def parse_number(text: str) -> float | None:
    """A finite number written as YAML 1.2 writes one (``2``, ``-1e-3``), else None."""
    value = _resolve(text)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        value = float(value)
    except OverflowError:
        return None
    return value if math.isfinite(value) else None
