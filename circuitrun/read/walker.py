"""PyYAML's event stream → plain data, with the position of every key and value.

YAML is read from PyYAML's events (its C parser when present), not through its
constructor, so that circuitrun decides what a scalar means (``scalars.resolve``),
rejects duplicate keys and unknown tags, never builds Python objects from tags, and
walks any depth without recursion (an explicit stack).  JSON tokens (``jsonevents``)
go through the same walker when a JSON file's problems need positions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import yaml

from circuitrun.limits import MAX_ALIASED, MAX_DEPTH
from circuitrun.problems import Problem
from circuitrun.read.parsed import Parsed, Path_, Positions
from circuitrun.read.scalars import resolve
from circuitrun.read.source import Lines, Pos, line_col
from circuitrun.read.syntax import explain

try:
    _Parser: type = yaml.CSafeLoader
except AttributeError:  # PyYAML built without libyaml
    _Parser = yaml.SafeLoader

_TAG = "tag:yaml.org,2002:"
_SCALAR_TAGS: dict[str, type | tuple[type, ...]] = {
    "str": str, "int": int, "float": (float, int), "bool": bool, "null": type(None),
}
# PyYAML follows YAML 1.1, which also ends lines at NEL, LS and PS: positions are then
# recounted from the text.
_YAML11_BREAKS = re.compile("[\x85\u2028\u2029]")
# A plain key longer than this is a syntax error in YAML (libyaml reports the ':' after it
# as "mapping values are not allowed here" or "did not find expected ','").
_MAX_KEY = 1024
_KEY_END = re.compile(r"[\s,\[\]{}]")
# Flow collections opened one right after the other ("[[[[..."): libyaml 0.2.5 and later
# look ahead on such a line and stop at a nesting of 1000, with a message and column of
# their own, before the walker sees any of it; older builds and PyYAML's pure-Python
# parser do not.  Files with such a run are read by the pure-Python parser, so that the
# walker's own limit answers, whichever libyaml PyYAML has (or none).
_DEEP_FLOW = re.compile(rf"[\[{{]{{{MAX_DEPTH + 1}}}")


class _Frame:
    __slots__ = ("anchor", "container", "key", "path", "size")

    def __init__(self, container: Any, path: Path_, anchor: str | None) -> None:
        self.container = container
        self.key: Any = _NO_KEY
        self.path = path
        self.size = 1
        self.anchor = anchor


_NO_KEY = object()


class _Ignored:
    """The key of a duplicate entry: its value is read and dropped."""

    __slots__ = ("key",)

    def __init__(self, key: Any) -> None:
        self.key = key


class _Stop(Exception):
    """Reading cannot go on; the problem is already recorded."""


def walk(text: str, path: str, track: bool,
         events: Iterator[yaml.Event] | None = None) -> Parsed:
    """The document ``text`` read from ``events`` (default: PyYAML's parser)."""
    return _Walker(path, track).run(text, events)


class _Walker:
    """Builds plain data from PyYAML events with an explicit stack (no recursion)."""

    def __init__(self, path: str, track: bool) -> None:
        self.path = path
        self.positions = Positions() if track else None
        self.problems: list[Problem] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.aliased = 0
        self.lines: Lines | None = None  # set when PyYAML's line numbers need recounting
        self.text = ""

    def _pos(self, mark: Any) -> Pos:
        if self.lines is not None:
            return self.lines.at(mark.index)
        return mark.line + 1, mark.column + 1

    def run(self, text: str, events: Iterator[yaml.Event] | None) -> Parsed:
        self.text = text
        if _YAML11_BREAKS.search(text):
            self.lines = Lines(text)
        if events is None:
            parser = yaml.SafeLoader if _DEEP_FLOW.search(text) else _Parser
            events = yaml.parse(text, Loader=parser)
        try:
            root = self._build(events)
        except yaml.MarkedYAMLError as e:
            mark = e.problem_mark or e.context_mark
            message = e.problem or e.context or "invalid YAML"
            key = _long_key(text, mark.index) if mark is not None else None
            if key is not None:  # at the key, not at the ':' after it
                line, col = line_col(text, key)
                self.problems.append(Problem(
                    self.path, line, col, "yaml-syntax", f"a key of more than {_MAX_KEY}"
                    " characters, which YAML does not allow: write it as '? NAME', or use JSON"))
            else:
                context = e.context_mark.index if e.context_mark is not None else None
                said = explain(text, mark.index, context, message) if mark is not None else None
                if said is not None:  # where the writer went wrong, not where PyYAML stopped
                    line, col = self._pos_of(said.at)
                    self.problems.append(Problem(self.path, line, col, "yaml-syntax",
                                                 said.message))
                else:
                    self._fail(mark, "yaml-syntax", message)
            root = None
        except _Stop:
            root = None
        return Parsed(root, self.positions, self.problems)

    def _pos_of(self, index: int) -> Pos:
        return self.lines.at(index) if self.lines is not None else line_col(self.text, index)

    def _fail(self, mark: Any, code: str, message: str) -> None:
        line, col = self._pos(mark) if mark is not None else (None, None)
        self.problems.append(Problem(self.path, line, col, code, message))

    def _build(self, events: Iterator[yaml.Event]) -> Any:
        stack: list[_Frame] = []
        documents = 0
        root: Any = None
        event: Iterator[Any] = events  # told apart by exact type below: no isinstance calls
        for ev in event:
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
        self.positions.values[path] = self._pos(ev.start_mark)
        if type(ev) is yaml.ScalarEvent and (ev.style or ev.implicit[0]):
            # the source of a string (an expression's problems are placed inside it)
            start, end = ev.start_mark, ev.end_mark
            if start is not None and end is not None:
                self.positions.strings[path] = (self.text[start.index:end.index], ev.style)
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
                if self.positions is not None:
                    self.positions.duplicates.append((*frame.path, value))
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
            return resolve(text)
        if not tag.startswith(_TAG) or tag[len(_TAG):] not in _SCALAR_TAGS:
            self._fail(ev.start_mark, "yaml-syntax", f"tag '{_short_tag(tag)}' is not supported")
            return text
        kind = tag[len(_TAG):]
        if kind == "str":
            return text
        value = resolve(text)
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


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_TAG):] if tag.startswith(_TAG) else tag


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
