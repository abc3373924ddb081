"""The op records' formula templates, filled in with names or numbers.

A template (``Op.explain_value``, ``Op.explain_grads``) is text with slots in braces:
``{a}`` and ``{b}`` are the first and second input; ``{(a)}`` is the same, with a negative
number put in parentheses (``(-3)²``); any other text in braces, such as ``{ + }``, joins
every input with that text.  In the local gradient of an op taking any number of inputs,
``{a}`` is the input the gradient is for and a join runs over the *other* inputs (an
empty join is the empty product, 1).
"""

from __future__ import annotations

import math
import re

SLOT = re.compile(r"\{\(([ab])\)\}|\{([ab])\}|\{([^{}]*)\}")  # {(a)}, {a}, { join }
MINUS = "\N{MINUS SIGN}"


def num(x: float) -> str:
    """A number as the explanations write it: the shortest repr, without a trailing ".0"."""
    if not math.isfinite(x):
        return "nan" if x != x else ("inf" if x > 0 else "-inf")
    text = repr(x)
    return text[:-2] if text.endswith(".0") else text


def _paren(text: str, number: bool) -> str:
    return f"({text})" if number and text.startswith("-") else text


def fill(template: str, items: list[str], numbers: bool = False, this: int | None = None) -> str:
    """``template`` with its slots filled from ``items`` (names, or numbers as text).

    ``this``: the input a local gradient of an n-ary op is for (``{a}`` is that input,
    a join the others).  With ``numbers``, negative numbers get parentheses where the
    template asks and after the first term of a sum or product.
    """
    if this is not None:
        first, others = items[this], items[:this] + items[this + 1:]
    else:
        first, others = (items[0] if items else ""), items

    def one(m: re.Match[str]) -> str:
        wrapped, label, sep = m.groups()
        if sep is not None:
            # a sum or product of numbers: (-3) after the first term; a list needs none
            wrap = numbers and "," not in sep
            joined = [_paren(t, wrap and k > 0) for k, t in enumerate(others)]
            return sep.join(joined) if joined else "1"
        text = first if (wrapped or label) == "a" else items[1]
        return _paren(text, numbers and wrapped is not None)

    return SLOT.sub(one, template)


def same(formula: str, number: str) -> bool:
    """Whether a formula says nothing its number does not ("1", "−1")."""
    return formula.replace(MINUS, "-") == number
