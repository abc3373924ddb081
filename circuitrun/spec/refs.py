"""References to nodes outside expressions (SPEC section 9.1, 9.3): ``NAME``, ``NAME[i]``,
``NAME[i][j]``, checked against the shapes of the circuit's names.

One function, ``resolve``, serves every place a reference is written outside an
expression: a gate's ``in``, wires, ``output``, ``expect``, and (by the API and CLI) the
names given to set inputs, to pick an output and to label batch columns.

- ``Shape`` is ``()`` for a scalar node (an input or a gate), ``(n,)`` for a vector input
  of n elements, ``(r, c)`` for an r x c matrix input.  Element nodes are named
  ``w[0]``, ``W[1][0]`` (``element_name``), declared in row-major order (``elements``).
- ``resolve(text, shapes)`` gives the node name the text refers to, or an ``Issue``
  (``bad-index`` for a bare vector or matrix name, an index out of range, an indexed
  scalar or an index not written as a plain decimal; ``undefined-ref`` for an unknown
  name).  ``GATE.K`` names of expressions are passed as ``extra`` where they may be named
  (``output``, ``expect``, the output of a run), and are then accepted as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from itertools import product
from typing import NamedTuple

from circuitrun.problems import UsageError, did_you_mean

Shape = tuple[int, ...]
"""``()`` a scalar, ``(n,)`` a vector, ``(r, c)`` a matrix."""

Suggest = Callable[[str], str]
"""Gives the " (did you mean 'x'?)" hint for an unknown name, or ``""``."""


class Issue(NamedTuple):
    """A problem inside one string of the spec (an expression, a reference).

    ``offset`` is a character offset into the string's value, or None for the string as
    a whole (the position of its scalar, or of the item it is).
    """

    offset: int | None
    code: str
    message: str


INDEX_PATTERN = r"\[(?:0|[1-9][0-9]*)\]"
"""One index of an element reference: ``[0]``, ``[12]`` (no sign, blanks or leading zeros)."""
_REF = re.compile(rf"([A-Za-z_][A-Za-z0-9_]*)((?:{INDEX_PATTERN})*)")
_LOOSE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(\[.*\])")
_INDEX = re.compile(r"\[(\d+)\]")
_TRAILING_DIGITS = re.compile(r"([A-Za-z_][A-Za-z0-9_]*?)(0|[1-9][0-9]*)")


def element_name(name: str, index: Iterable[int]) -> str:
    """The node name of one element: ``w[0]``, ``W[1][0]``."""
    return name + "".join(f"[{i}]" for i in index)


def elements(name: str, shape: Shape) -> list[str]:
    """The node names of an input of ``shape``, in row-major order (``[name]`` for ())."""
    if not shape:
        return [name]
    if len(shape) == 1:
        return [f"{name}[{i}]" for i in range(shape[0])]
    return [element_name(name, ix) for ix in product(*map(range, shape))]


def shape_words(shape: Shape) -> str:
    """What a node of ``shape`` is, in words: "a number", "a vector of 3", "a 2x3 matrix"."""
    if not shape:
        return "a number"
    if len(shape) == 1:
        return f"a vector of {shape[0]}"
    return f"a {shape[0]}x{shape[1]} matrix"


def index_issue(name: str, shape: Shape, index: tuple[int, ...]) -> str | None:
    """Why ``name`` indexed by ``index`` (fewer indices than ``shape`` allowed) is no
    element or row, or None; the message of a ``bad-index``."""
    ref = element_name(name, index)
    if not shape:
        return f"'{name}' is a number, not a vector: '{ref}' indexes nothing (write {name})"
    if len(index) > len(shape):
        return f"'{name}' is {shape_words(shape)}: '{ref}' has too many indices"
    for axis, (i, n) in enumerate(zip(index, shape, strict=False)):
        if i >= n:
            last = element_name(name, (*index[:axis], n - 1))
            return (f"index {i} in '{ref}' is out of range: '{name}' is"
                    f" {shape_words(shape)} (the last is {last})")
    return None


def bare_issue(ref: str, shape: Shape) -> str:
    """The message of a bare vector or matrix (or a matrix row) where one number is
    needed."""
    first = element_name(ref, [0] * len(shape))
    last = element_name(ref, [n - 1 for n in shape])
    return f"'{ref}' is {shape_words(shape)}, not one number: name an element ({first} .. {last})"


def unknown_hint(name: str, shapes: Mapping[str, Shape], suggest: Suggest | None = None) -> str:
    """The " (did you mean ...?)" of an unknown ``name``: ``w[2]`` for ``w2`` when ``w``
    is a vector that long, else the closest name (by ``suggest`` when given)."""
    m = _TRAILING_DIGITS.fullmatch(name)
    if m is not None:
        shape = shapes.get(m.group(1))
        if shape is not None and len(shape) == 1 and int(m.group(2)) < shape[0]:
            return f" (did you mean '{m.group(1)}[{int(m.group(2))}]'?)"
    return suggest(name) if suggest is not None else did_you_mean(name, shapes)


_SEPARATED = re.compile(r"\s*,\s*|\s+")


def several(text: str) -> list[str] | None:
    """The references in ``text`` when it is several written as one (``x y``, ``x, y``),
    else None."""
    parts = _SEPARATED.split(text.strip())
    return parts if len(parts) > 1 and all(map(_REF.fullmatch, parts)) else None


def list_suggest(refs: Sequence[object], suggest: Suggest) -> Suggest:
    """``suggest``, or when a reference of a gate's ``in`` is several written as one
    (``in: x y``, ``in: x, y``), one that says how to write the list for it:
    ``": write `in: [x, y]` for a list of inputs"``."""
    out: list[str] = []
    for ref in refs:
        if isinstance(ref, str):
            out += several(ref) or [ref]
        elif isinstance(ref, int | float):
            out.append(repr(int(ref) if ref == int(ref) else ref))
        else:  # a reference that failed validation
            return suggest
    if len(out) == len(refs):
        return suggest
    hint = f": write `in: [{', '.join(out)}]` for a list of inputs"
    return lambda word: hint if several(word) else suggest(word)


def resolve(text: str, shapes: Mapping[str, Shape], extra: Container[str] = (),
            suggest: Suggest | None = None) -> str | Issue:
    """The node ``text`` refers to (a scalar's name or an element's), or an ``Issue``
    with no offset (the problem is at the reference as a whole).

    ``extra`` holds other names accepted as they are (the ``GATE.K`` nodes of
    expressions, where those may be named); ``suggest`` gives the "did you mean" of an
    unknown name (by default, the closest name of ``shapes``).
    """
    m = _REF.fullmatch(text)
    if m is None:
        if text in extra:
            return text
        loose = _LOOSE.fullmatch(text)
        if loose is not None and loose.group(1) in shapes:
            return Issue(None, "bad-index",
                         f"bad index in '{text}': an index is a number written 0, 1, 2 ..."
                         " (no sign, blanks or leading zeros)")
        name = loose.group(1) if loose is not None else text
        return _unknown(text, name, shapes, suggest)
    name, tail = m.groups()
    shape = shapes.get(name)
    if shape is None:
        return text if text in extra else _unknown(text, name, shapes, suggest)
    if not tail:
        return name if not shape else Issue(None, "bad-index", bare_issue(name, shape))
    index = tuple(int(i) for i in _INDEX.findall(tail))
    problem = index_issue(name, shape, index)
    if problem is None and len(index) < len(shape):
        problem = bare_issue(text, shape[len(index):])
    return text if problem is None else Issue(None, "bad-index", problem)


def _unknown(text: str, name: str, shapes: Mapping[str, Shape],
             suggest: Suggest | None) -> Issue:
    return Issue(None, "undefined-ref",
                 f"unknown reference '{text}'{unknown_hint(name, shapes, suggest)}")


def element_issue(text: str, shapes: Mapping[str, Shape]) -> str | None:
    """Why ``text`` is no element of an input of ``shapes`` where it looks like one (a
    bare vector or matrix name, an index out of range, an indexed number): the message of
    a ``bad-index``; None when it names no input of ``shapes`` at all."""
    found = resolve(text, shapes)
    return found.message if isinstance(found, Issue) and found.code == "bad-index" else None


def unknown_node(name: str, nodes: Sequence[str], shapes: Mapping[str, Shape]) -> str:
    """Why ``name`` is no node of ``nodes``: a vector's or matrix's name, a row of a
    matrix or an element out of range says so (SPEC section 9.3), anything else which
    node is close."""
    return element_issue(name, shapes) or (
        f"no node '{name}' in the circuit{did_you_mean(name, nodes)}")


def output_error(output: str, nodes: Sequence[str], shapes: Mapping[str, Shape]
                 ) -> UsageError:
    """The error of an ``output`` that names no node of ``nodes``: a vector's name or an
    element out of range says so (SPEC section 9.3), anything else which node is close."""
    issue = element_issue(output, shapes)
    if issue is not None:
        return UsageError(f"output '{output}': {issue}", argument="output")
    return UsageError(f"output '{output}' is not a node of the circuit"
                      f"{did_you_mean(output, nodes)}", argument="output")
