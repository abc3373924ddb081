"""What a plain YAML scalar means: the YAML 1.2 core schema, written once.

PyYAML follows YAML 1.1, where ``1e-3`` is a string and ``yes`` is a boolean; circuitrun
reads YAML 1.2, where ``1e-3`` is a number and ``yes`` is a string.  Every reader of a
spec (the event walker, the line reader, ``--set`` and row values) resolves plain
scalars here.
"""

from __future__ import annotations

import math
import re
from typing import Any

_WORDS: dict[str, Any] = {
    "": None, "~": None, "null": None, "Null": None, "NULL": None,
    "true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False,
}
WORDS = frozenset(_WORDS)
"""The plain scalars that are null or a boolean: any other plain scalar that starts with
a letter or ``_`` is a string."""
_INT = re.compile(r"[-+]?[0-9]+")
_INT_OCT = re.compile(r"0o[0-7]+")
_INT_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")


def resolve(text: str) -> Any:
    """A plain scalar by the YAML 1.2 core schema: None, a bool, an int, a float or ``text``."""
    first = text[:1]
    if first and first in "0123456789+-.":
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
    return _WORDS.get(text, text)


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
    value = resolve(text)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        value = float(value)
    except OverflowError:
        return None
    return value if math.isfinite(value) else None
