"""A fast reader for the common shape of a YAML spec, line by line with regexes.

Generated and hand-written specs are mostly lines like ``  g7: {op: add, in: [a, b]}``
and ``  x0: 0.5``.  PyYAML's event stream costs about ten Python objects per such line;
a regex costs one match.  ``read`` accepts only this subset of YAML:

- top-level ``key: value`` lines at column 0, where a key with no value may own a block
  of lines at one deeper indentation: ``name: value`` entries, or ``- value`` items;
- values: plain scalars of a few safe characters (no ``:``, ``#``, quotes or brackets;
  ``*`` but not first, where it would be an alias), simple quoted strings (no escapes),
  flow sequences of such scalars, and flow mappings whose values are such scalars or
  sequences;
- blank lines and comments.

Anything else (a tab, a ``\\r`` not in CRLF, a block scalar, an anchor, a document
marker, a key too long for PyYAML, a duplicate key, a line of more than 10,000
characters, ...) makes it return ``DECLINE``,
and the caller reads the file with the PyYAML walker instead.  Plain scalars are
resolved by the walker's own YAML 1.2 rules (``scalars.resolve``), so on the documents
it accepts, ``read`` gives exactly the walker's data.  It knows YAML, not the format:
no key of a spec is named here.
"""

from __future__ import annotations

import re
from typing import Any

from circuitrun.read.scalars import WORDS
from circuitrun.read.scalars import resolve as _resolve

DECLINE: Any = object()
"""``read``'s answer for a document outside the subset."""

_KEY = r"[A-Za-z_][A-Za-z0-9_]{0,999}"  # PyYAML allows 1024 characters for a simple key
_TOKEN = r"(?!-[ ,\]}]|-$)[A-Za-z0-9_.+\-]+"  # a plain scalar in flow context
# A plain scalar in block context.  Its first character is never an indicator (``*`` there
# would be an alias, ``&`` an anchor, ``!`` a tag); after it, ``*`` is a character like any
# other (``a * b``, ``w0*x0``: YAML 1.1 and 1.2 agree), and ``: `` or `` #`` never occur.
_FREE = (r"(?!-(?: |$))[A-Za-z0-9_.+\-][A-Za-z0-9_.+\-=()/^>*]*"
         r"(?: +[A-Za-z0-9_.+\-=()/^>*]+)*")
_QUOTED = r"\"[^\"\\]*\"|'[^']*'"
_SEQ = rf"\[ *(?:(?:{_TOKEN}|{_QUOTED})(?: *, *(?:{_TOKEN}|{_QUOTED}))* *)?\]"
_ITEM = rf"{_KEY}: +(?:{_SEQ}|{_TOKEN}|{_QUOTED})"
_MAP = rf"\{{ *(?:{_ITEM}(?: *, *{_ITEM})* *)?\}}"
_TAIL = r" *(?: #.*)?"

# A line: its indentation, then a key and its value, or a sequence item.
_LINE = re.compile(rf"( *)(?:({_KEY}):(?: +({_MAP}|{_SEQ}|{_QUOTED}|{_FREE}))?"
                   rf"|- +({_QUOTED}|{_FREE})){_TAIL}", re.ASCII)
_BLANK = re.compile(r" *(?:#.*)?", re.ASCII)
_SEQ_ITEMS = re.compile(rf"{_TOKEN}|{_QUOTED}", re.ASCII)
_MAP_ITEMS = re.compile(rf"({_KEY}): +({_SEQ}|{_TOKEN}|{_QUOTED})", re.ASCII)
# The commonest nested line, a name and a flow mapping of a scalar and a flow list of
# scalars (``  g7: {op: add, in: [a, b]}``), read in one match, without the general
# machinery.  The list's repeat is possessive (``*+``): the regex engine keeps no
# backtracking state per item, so a line of any length is read (a gate of millions of
# inputs), where ``_LINE`` is limited to ``_LONG_LINE``.
_PAIR_LINE = re.compile(rf"( +)({_KEY}): +\{{({_KEY}): ({_TOKEN}), ({_KEY}): \["
                        rf"({_TOKEN}(?:, {_TOKEN})*+)\]\}}", re.ASCII)
# Scalars that start with a letter or "_", one after the other: strings, but for WORDS.
_WORD_LIST = re.compile(r"[A-Za-z_][A-Za-z0-9_.+\-]*(?:, [A-Za-z_][A-Za-z0-9_.+\-]*)*+",
                        re.ASCII)
_NOT_WORD = frozenset("0123456789+-.")  # how a plain scalar that may be a number starts
_PLAIN_LF = bytes(range(0x20, 0x7F)) + b"\n"
# Longer lines go to the walker: matching a flow list of n items costs the regex engine
# about 500 bytes per item (its backtracking stack), 2 GB for a gate of 4 million inputs.
_LONG_LINE = 10_000
_SPECIAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def read(text: str) -> Any:
    """The document's plain data, or ``DECLINE`` when it is not of the simple shape."""
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if text.isascii():
        if text.encode("ascii").translate(None, _PLAIN_LF):
            return DECLINE  # a tab, a lone \r or a control character
    elif _SPECIAL.search(text):
        return DECLINE
    root: dict[str, Any] = {}
    block: dict[str, Any] | list[Any] | None = None  # the open nested block
    indent = 0  # its indentation (0: not fixed yet)
    owner = ""  # the top-level key that owns it
    pair_line = _PAIR_LINE.fullmatch
    line_match = _LINE.fullmatch
    pair_keys = ("", "")  # the inner keys last found to be strings
    for line in text.split("\n"):
        m = pair_line(line)
        if m is not None and owner and (len(m.group(1)) == indent or not indent):
            if not indent:  # the block's first line
                indent = len(m.group(1))
                block = root[owner] = {}
            if type(block) is not dict:
                return DECLINE
            _, name, k1, v1, k2, items = m.groups()
            if name in block or k1 == k2 or name in WORDS:
                return DECLINE  # a duplicate, or a key that is not a string (null, true)
            if (k1, k2) != pair_keys:
                if k1 in WORDS or k2 in WORDS:
                    return DECLINE
                pair_keys = (k1, k2)
            refs = items.split(", ")
            if not (_WORD_LIST.fullmatch(items) and WORDS.isdisjoint(refs)):
                refs = [_resolve(t) for t in refs]  # numbers, null, ...: resolved one by one
            block[name] = {k1: v1 if v1 not in WORDS and v1[0] not in _NOT_WORD
                           else _resolve(v1), k2: refs}
            continue
        if len(line) > _LONG_LINE:
            return DECLINE
        m = line_match(line)
        if m is None:
            if _BLANK.fullmatch(line):
                continue
            return DECLINE
        spaces, key, value, item = m.groups()
        if not spaces:  # a top-level entry
            if key is None or key in root or _resolve(key) is not key:
                return DECLINE
            if value is None:
                block, indent, owner = None, 0, key
                root[key] = None
            else:
                block, owner = None, ""
                root[key] = _value(value, _resolve)
                if root[key] is DECLINE:
                    return DECLINE
            continue
        if not owner or (indent and len(spaces) != indent):
            return DECLINE  # nested under a key that has a value, or a different depth
        if not indent:
            indent = len(spaces)
            block = {} if key is not None else []
            root[owner] = block
        if key is not None:
            if type(block) is not dict or key in block or _resolve(key) is not key:
                return DECLINE
            v = _value(value, _resolve) if value is not None else None
            if v is DECLINE:
                return DECLINE
            block[key] = v
        else:
            if type(block) is not list:
                return DECLINE
            v = _value(item, _resolve)
            if v is DECLINE:
                return DECLINE
            block.append(v)
    return root if root else DECLINE


def _value(text: str, resolve: Any) -> Any:
    """A value matched by the line regex: a scalar, a flow sequence or a flow mapping."""
    first = text[0]
    if first == "{":
        out: dict[str, Any] = {}
        for m in _MAP_ITEMS.finditer(text):
            key, v = m.groups()
            if key in out or resolve(key) is not key:
                return DECLINE
            out[key] = _value(v, resolve)
            if out[key] is DECLINE:
                return DECLINE
        return out
    if first == "[":
        items = [_value(t, resolve) for t in _SEQ_ITEMS.findall(text)]
        return DECLINE if DECLINE in items else items
    if first in "\"'":
        return text[1:-1]
    if text == "-":
        return DECLINE
    return resolve(text)
