"""Stage 1, reading: the text of a spec → plain data, with positions when asked for.

``parse`` is the one way in.  Without positions it takes the fastest reader that can
read the document exactly: ``json.loads`` for JSON, the line reader (``fast``) for YAML
of the common shape, else the PyYAML event walker.  With positions (asked for only when
something is wrong) it always walks.  Every reader gives the same data and the same
problems: syntax errors, duplicate keys, unknown tags, the limits.
"""

from __future__ import annotations

import json
import re
from typing import Any

from circuitrun.problems import Problem
from circuitrun.read import fast
from circuitrun.read.parsed import Parsed
from circuitrun.read.source import line_col, lone_surrogate

_CONSTANT = re.compile(r'"(?:\\.|[^"\\])*"|(-?Infinity|NaN)')
"""A JSON string (skipped), or the words ``json`` reads but JSON does not have."""


class _Constant(Exception):
    """NaN or Infinity in a JSON text: ``json`` reads them, JSON (RFC 8259) has no such
    number."""


def _no_constant(word: str) -> Any:
    raise _Constant(word)


def _constant_problem(text: str, path: str) -> Parsed:
    """The first NaN or Infinity outside a string, as a syntax problem at its place."""
    m = next(m for m in _CONSTANT.finditer(text) if m.group(1))
    line, col = line_col(text, m.start(1))
    return Parsed(None, None, [Problem(
        path, line, col, "yaml-syntax",
        f"'{m.group(1)}' is not JSON: JSON has no NaN or Infinity; write a number")])


class _Duplicate(Exception):
    pass


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    d = dict(pairs)
    if len(d) != len(pairs):
        raise _Duplicate
    return d


def parse(text: str, path: str, *, is_json: bool, track: bool = False,
          duplicates: bool = True) -> Parsed:
    """Plain data of a document, its positions when ``track`` (else None), and problems.

    Problems here are syntax errors, duplicate keys (the later entry is dropped),
    unknown tags and the limits; after a syntax error ``data`` is None.

    ``duplicates=False`` reads JSON without looking for duplicate keys (``json`` keeps
    the last of two, silently; a check of every mapping costs a third of the reading):
    the caller then counts the keys of what was read, and reads again if they are fewer
    than the text's colons (a colon in a string, or a key that was dropped).
    """
    if is_json:
        if not duplicates and not track:
            return _parse_json(text, path, track, hook=None)
        return _parse_json(text, path, track)
    if not track:
        data = fast.read(text)
        if data is not fast.DECLINE:
            return Parsed(data, None, [])
    from circuitrun.read.walker import walk  # PyYAML: see _parse_json

    return walk(text, path, track)


def _parse_json(text: str, path: str, track: bool, hook: Any = _unique_pairs) -> Parsed:
    try:
        data = json.loads(text, object_pairs_hook=hook, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        return _syntax_error(text, path, e)
    except _Constant:
        return _constant_problem(text, path)
    except (_Duplicate, RecursionError, ValueError):
        # json stopped at a duplicate key, a deep nesting or a 4300-digit integer: the
        # walker below places those, but first any syntax error json did not reach
        try:
            # no duplicate check, no digit limit
            json.loads(text, parse_int=float, parse_constant=_no_constant)
        except json.JSONDecodeError as e:
            return _syntax_error(text, path, e)
        except _Constant:
            return _constant_problem(text, path)
        except RecursionError:
            pass
    else:
        bad = lone_surrogate(text)
        if bad is not None:  # "\ud800" reads, but no UTF-8 can write it out again
            line, col = line_col(text, bad)
            return Parsed(None, None, [Problem(
                path, line, col, "yaml-syntax",
                f"'{text[bad:bad + 6]}' is half of a surrogate pair, not a character")])
        if not track:
            return Parsed(data, None, [])
    # Imported here, not above: a valid JSON spec never needs PyYAML, whose import is
    # about a tenth of `circuitrun run`'s start-up.
    from circuitrun.read.jsonevents import json_events
    from circuitrun.read.walker import walk

    try:  # JSON's own tokens: JSON is not always YAML (a key of 1025 characters)
        return walk(text, path, track, json_events(text))
    except ValueError:
        pass  # not JSON after all (json stopped early): read it as YAML
    return walk(text, path, track)


def _syntax_error(text: str, path: str, e: json.JSONDecodeError) -> Parsed:
    line, col = line_col(text, e.pos)  # json counts only LF as a line break
    return Parsed(None, None, [Problem(path, line, col, "yaml-syntax", e.msg)])
