"""How circuitrun writes a number, in every output: the one rule, written once.

A float is written as Python's shortest round-trip ``repr`` (``0.1``, ``2.0``,
``1e-300``), and so are NaN and the infinities: ``nan``, ``inf``, ``-inf``.  JSON has
no such numbers, so JSON holds them as the strings ``"nan"``, ``"inf"``, ``"-inf"``.
A missing number (a constant's gradient) is written as the format's null.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

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
    texts = list(map(repr, xs))
    if json and not _all_finite(xs):
        texts = [f'"{t}"' if t[-1] in "fn" else t for t in texts]  # inf, -inf, nan
    if "None" in texts:  # no float's repr: a missing number
        texts = [null if t == "None" else t for t in texts]
    return texts


def _all_finite(xs: Sequence[float | None]) -> bool:
    # A sum is finite only if every term is (inf and nan stay): one pass in C for the
    # common case.  filter(None) leaves out the missing numbers (and zeros).
    return math.isfinite(sum(filter(None, xs)))
