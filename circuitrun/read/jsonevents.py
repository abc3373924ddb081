"""A JSON document as the PyYAML events the walker reads, with the position of each token.

The problems of a JSON file are placed by walking it as YAML events.  Reading the
JSON text with a YAML parser mostly works (JSON is nearly YAML), but not always: a key
of more than 1024 characters, which YAML does not allow, made every problem of such a
file a bogus syntax error.  These events come from the JSON text itself, so a JSON file
is placed exactly as ``json`` reads it.  The text should be valid JSON; brackets that
do not match, or anything after the document, end the events with ``ValueError``.
"""

from __future__ import annotations

import json.decoder
import re
from collections.abc import Callable, Iterator

import yaml

from circuitrun.read.source import Lines

# A JSON string at an index → its value and the index after it: public in json.decoder,
# but not in typeshed.
scanstring: Callable[[str, int], tuple[str, int]] = (
    json.decoder.scanstring)  # type: ignore[attr-defined]  # not in typeshed
_TOKEN = re.compile(r"[ \t\n\r]*(?:([{}\[\],:])|(\")|(-?[0-9][0-9.eE+-]*|true|false|null)|\Z)")


def json_events(text: str) -> Iterator[yaml.Event]:
    """The events of the JSON document ``text``: keys and strings quoted, the rest plain."""
    lines = Lines(text)

    def mark(index: int) -> yaml.Mark:
        line, col = lines.at(index)
        return yaml.Mark("<json>", index, line - 1, col - 1, None, 0)

    yield yaml.StreamStartEvent()
    yield yaml.DocumentStartEvent(explicit=False)
    pos = 0
    open_: list[str] = []  # the brackets not closed yet
    done = False  # the document's value is complete
    while True:
        m = _TOKEN.match(text, pos)
        if m is None:
            raise ValueError(f"not JSON at character {pos}")
        at, pos = m.end() - len(m.group(0).lstrip(" \t\n\r")), m.end()
        if done and at < len(text):
            raise ValueError(f"not JSON after the document, at character {at}")
        if m.group(1):
            c = m.group(1)
            here = mark(at)
            if c in "}]":
                if not open_ or open_.pop() != {"}": "{", "]": "["}[c]:
                    raise ValueError(f"not JSON: {c!r} at character {at}")
                done = not open_
            elif c in "{[":
                open_.append(c)
            if c == "{":
                yield yaml.MappingStartEvent(None, None, True, here, here, flow_style=True)
            elif c == "[":
                yield yaml.SequenceStartEvent(None, None, True, here, here, flow_style=True)
            elif c == "}":
                yield yaml.MappingEndEvent(here, here)
            elif c == "]":
                yield yaml.SequenceEndEvent(here, here)
        elif m.group(2):
            value, pos = scanstring(text, pos)
            here = mark(at)
            done = not open_
            yield yaml.ScalarEvent(None, None, (False, True), value, here, mark(pos), style='"')
        elif m.group(3):
            here = mark(at)
            done = not open_
            yield yaml.ScalarEvent(None, None, (True, False), m.group(3), here, here)
        else:  # the end of the text
            if open_ or not done:
                raise ValueError("not JSON: the text ends inside the document")
            break
    here = mark(len(text))
    yield yaml.DocumentEndEvent(here, here)
    yield yaml.StreamEndEvent(here, here)
