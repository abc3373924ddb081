"""How circuitrun writes a number, in every output: the one rule, written once.

A float is written as Python's shortest round-trip ``repr`` (``0.1``, ``2.0``,
``1e-300``), and so are NaN and the infinities: ``nan``, ``inf``, ``-inf``.  JSON has
no such numbers, so JSON holds them as the strings ``"nan"``, ``"inf"``, ``"-inf"``.
A missing number (a constant's gradient) is written as the format's null.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import compress, repeat
from operator import or_

from pydantic_core import to_json

NONFINITE: dict[str, float] = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
"""The words for the non-finite numbers, and the numbers they stand for."""


def number_text(x: float | None, null: str = "") -> str:
    """``x`` as text: its repr (``nan``, ``inf``, ``-inf`` included), or ``null`` for None."""
    return null if x is None else repr(x)


def json_number(x: float) -> float | str:
    """``x`` for ``json.dumps``: the float itself, or the word of a non-finite one."""
    return x if math.isfinite(x) else repr(x)


def number_texts(xs: Sequence[float | None], null: str, json: bool = False) -> list[str]:
    """Many numbers as text at once, as ``number_text`` writes each (and quoted
    non-finite words with ``json``): the fast form, for columns of a million."""
    if len(xs) == 0:
        return []
    if not _all_finite(xs):
        texts = list(map(repr, xs))
        if json:
            texts = [f'"{t}"' if t[-1] in "fn" else t for t in texts]  # inf, -inf, nan
        missing = "None"
    else:
        texts = _finite_reprs(xs)
        missing = "null"
    if missing in texts:  # no float's text: a missing number
        texts = [null if t == missing else t for t in texts]
    return texts


def _finite_reprs(xs: Sequence[float | None]) -> list[str]:
    """``repr`` of each finite number (None as ``null``), three times as fast as calling it.

    Pydantic's serializer (in Rust) writes a float's shortest round-trip digits, as
    ``repr`` does; the digits agree for every float, ties between two shortest candidates
    included (both round to even).  The notation agrees too, except below 1e-4, where
    ``repr`` writes ``1e-05`` and Rust ``0.00001``, or ``1e-7`` for ``1e-07``: those few
    are written by ``repr`` itself.
    """
    blob = to_json(xs if isinstance(xs, list) else list(xs))
    texts = blob[1:-1].decode("ascii").split(",")
    if b"e-" in blob or any(map(blob.__contains__, _TINY_IN)):  # in C; then which, in C
        tiny = map(or_, map(str.startswith, texts, repeat(_TINY)),
                   map(str.__contains__, texts, repeat("e-")))
        for i in compress(range(len(texts)), tiny):
            texts[i] = repr(xs[i])
    return texts


_TINY = ("0.0000", "-0.0000")  # how Rust begins a number below 1e-4 that it writes in full
_TINY_IN = tuple(f"{c}{t}".encode() for c in "[," for t in _TINY)  # the same in the list


def _all_finite(xs: Sequence[float | None]) -> bool:
    # A sum is finite only if every term is (inf and nan stay): one pass in C for the
    # common case.  filter(None) leaves out the missing numbers (and zeros).
    return math.isfinite(sum(filter(None, xs)))
