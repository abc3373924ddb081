"""Vector and matrix inputs (SPEC section 9.1, 9.3): an input's value → its element nodes,
and values given at run time for whole vectors, matrices or single elements.

- ``input_elements(name, value)``: ``value`` is the input's plain data (a number or None;
  a list: a vector; a list of lists: a matrix; entry 0 decides which).  Gives the
  input's ``Shape`` and its element nodes in row-major order with their values (None:
  given at run time), or the problems, each located by a ``path`` of list indices into
  ``value`` (``()`` the value itself, ``(1,)`` its entry 1, ``(1, 0)`` entry 0 of row 1).
- ``assign(target, value, inputs)``: one value given at run time (``--set``, the API's
  ``inputs``): ``target`` is ``x``, ``w``, ``w[0]`` or ``W[1][0]``; ``value`` a number or
  a (nested) list.  Gives ``(element node, value)`` pairs; raises ``UsageError`` for a
  name that is no input, a shape that does not match or a value that is no finite
  number.  Apply several in order, later pairs replacing earlier ones.
- ``parse_value(text)``: the text form of such a value, ``2``, ``[1, 2]``, ``[[1], [2]]``;
  ``parse_setting(text)`` reads ``NAME=VALUE`` (the CLI's ``--set``, the notebook magic's).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, NamedTuple

from circuitrun.problems import UsageError
from circuitrun.read import parse_number
from circuitrun.spec.refs import Issue, Shape, elements, resolve, shape_words, unknown_hint


class PathIssue(NamedTuple):
    """A problem in an input's value, at ``path`` (list indices into the value)."""

    path: tuple[int, ...]
    code: str
    message: str


class Elements(NamedTuple):
    """An input's shape and its element nodes with their values, in row-major order."""

    shape: Shape
    nodes: list[tuple[str, float | None]]


class _NotANumber(Exception):
    """A value that is no finite number (a bool, a string, a non-finite or huge one)."""


def _number(v: Any) -> float | None:
    """A finite double, or None; raises ``_NotANumber`` for anything else."""
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise _NotANumber
    try:
        f = float(v)
    except OverflowError:  # an integer beyond a double (JSON keeps integers whole)
        raise _NotANumber from None
    if not math.isfinite(f):
        raise _NotANumber
    return f


def _finite(v: Any) -> float:
    """A finite double; raises ``_NotANumber`` for anything else, None included."""
    f = _number(v)
    if f is None:
        raise _NotANumber
    return f


def _kind(v: Any) -> str:
    """What a value of the wrong kind is, for a message: "a boolean", "inf", "a number"
    (a matrix row that is one), "a list" (a matrix entry that is one) ..."""
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "a boolean"
    if isinstance(v, int | float):
        try:
            f = float(v)
        except OverflowError:  # JSON keeps integers whole
            return "an integer too large for a double"
        return "a number" if math.isfinite(f) else repr(f)
    for kind, words in ((str, "a string"), (dict, "a mapping"), (list, "a list")):
        if isinstance(v, kind):
            return words
    return type(v).__name__


def _type_issue(path: tuple[int, ...], what: str, v: Any) -> PathIssue:
    return PathIssue(path, "bad-type", f"{what} must be a finite number or null, not {_kind(v)}")


def _entries(n: int) -> str:
    return f"{n} {'entry' if n == 1 else 'entries'}"


def input_elements(name: str, value: Any) -> Elements | list[PathIssue]:
    """The element nodes of input ``name`` (see the module docstring), or its problems."""
    if not isinstance(value, list):
        try:
            return Elements((), [(name, _number(value))])
        except _NotANumber:
            return [_type_issue((), f"input '{name}'", value)]
    if not value:
        return [PathIssue((), "bad-shape", f"input '{name}' is an empty list: a vector"
                          " needs at least one number")]
    if not isinstance(value[0], list):
        return _vector(name, value)
    return _matrix(name, value)


def _vector(name: str, value: list[Any]) -> Elements | list[PathIssue]:
    issues: list[PathIssue] = []
    nodes: list[tuple[str, float | None]] = []
    for i, v in enumerate(value):
        if isinstance(v, list):
            issues.append(PathIssue((i,), "bad-shape", f"'{name}[{i}]' is a list, but"
                                    f" '{name}[0]' is a number: '{name}' is a vector"
                                    " (a matrix is a list of rows, each a list)"))
            continue
        try:
            nodes.append((f"{name}[{i}]", _number(v)))
        except _NotANumber:
            issues.append(_type_issue((i,), f"'{name}[{i}]'", v))
    return issues or Elements((len(value),), nodes)


def _matrix(name: str, value: list[Any]) -> Elements | list[PathIssue]:
    issues: list[PathIssue] = []
    cols = len(value[0])
    values: list[float | None] = []
    for i, row in enumerate(value):
        if not isinstance(row, list) or not row or len(row) != cols:
            what = (f"is {_kind(row)}" if not isinstance(row, list) else "is empty"
                    if not row else f"has {_entries(len(row))}")
            issues.append(PathIssue((i,), "bad-shape", f"row {i} of '{name}' {what}, row 0"
                                    f" has {_entries(cols)}: the rows of a matrix are lists"
                                    " of one length, at least 1"))
            if not isinstance(row, list) or i == 0:
                continue
        for j, v in enumerate(row):
            if isinstance(v, list):
                issues.append(PathIssue((i, j), "bad-shape", f"'{name}[{i}][{j}]' is a"
                                        " list: an input is at most a matrix (a list of"
                                        " rows of numbers)"))
                continue
            try:
                values.append(_number(v))
            except _NotANumber:
                issues.append(_type_issue((i, j), f"'{name}[{i}][{j}]'", v))
    if issues:
        return issues
    shape = (len(value), cols)
    return Elements(shape, list(zip(elements(name, shape), values, strict=True)))


# ---- values given at run time ------------------------------------------------

_TOKEN = re.compile(r"\s*(?:(\[)|(\])|(,)|([^\[\],]+))")


def parse_value(text: str) -> float | list[Any]:
    """A number, or a list of numbers or of lists of numbers, written as ``[1, 2]``;
    raises ``UsageError`` when the text is neither."""
    stripped = text.strip()
    if not stripped.startswith("["):
        n = parse_number(stripped)
        if n is None:
            raise UsageError(f"'{text}' is not a finite number")
        return n
    top: list[Any] = []
    stack: list[list[Any]] = []
    expect_item = True  # after '[' or ','
    pos = 0
    for m in _TOKEN.finditer(stripped):
        if m.start() != pos:
            break
        pos = m.end()
        opening, closing, comma, word = m.groups()
        if opening and expect_item and len(stack) < 2:
            stack.append([])
            expect_item = True
        elif closing and stack and (not expect_item or not stack[-1]):
            done = stack.pop()
            (stack[-1] if stack else top).append(done)
            expect_item = False
        elif comma and stack and not expect_item:
            expect_item = True
        elif word and stack and expect_item:
            n = parse_number(word.strip())
            if n is None:
                raise UsageError(f"'{word.strip()}' in '{text}' is not a finite number")
            stack[-1].append(n)
            expect_item = False
        else:
            break
        if not stack:
            break
    if stack or pos != len(stripped) or len(top) != 1:
        raise UsageError(f"'{text}' is not a number or a list of numbers such as [1, 2]"
                         " or [[1, 2], [3, 4]]")
    value: list[Any] = top[0]
    return value


def parse_settings(texts: list[str]) -> dict[str, Any]:
    """``NAME=VALUE`` texts as input values, in the order they apply: a later one wins
    (``w=[1, 2, 3]`` then ``w[0]=5`` gives ``w[0]`` 5); raises ``UsageError``."""
    values: dict[str, Any] = {}
    for text in texts:
        name, value = parse_setting(text)
        values.pop(name, None)  # given again: it applies after those given in between
        values[name] = value
    return values


def parse_setting(text: str) -> tuple[str, float | list[Any]]:
    """``NAME=VALUE`` (``w[0]=1``, ``w=[1, 2]``) as the name and its value; raises
    ``UsageError`` saying what is wrong, prefixed by what was given."""
    name, eq, value = text.partition("=")
    name = name.strip()
    if not eq or not name:
        raise UsageError(f"'{text}': write NAME=VALUE")
    try:
        return name, parse_value(value)
    except UsageError as e:
        raise UsageError(f"{name}={value}: {e}") from None


def assign(target: str, value: Any, inputs: Mapping[str, Shape]) -> list[tuple[str, float]]:
    """The element values that giving ``value`` to ``target`` means (module docstring)."""
    shape = inputs.get(target)
    if shape:  # a whole vector or matrix
        return _whole(target, shape, value)
    node = resolve(target, inputs)
    if isinstance(node, Issue):
        base = target.partition("[")[0].strip()
        if node.code == "undefined-ref":
            raise UsageError(f"'{base}' is not an input of the circuit"
                             f"{unknown_hint(base, inputs)}")
        raise UsageError(node.message)
    if isinstance(value, list):
        raise UsageError(f"'{node}' is one number, not a list")
    try:
        return [(node, _finite(value))]
    except _NotANumber:
        raise UsageError(f"input '{node}' needs a finite number, not {value!r}") from None


def _whole(name: str, shape: Shape, value: Any) -> list[tuple[str, float]]:
    rows = value if len(shape) == 2 else [value]
    if not isinstance(value, list) or not all(isinstance(r, list) for r in rows) or (
            len(rows) != (shape[0] if len(shape) == 2 else 1)) or any(
            len(r) != shape[-1] for r in rows):
        raise UsageError(f"input '{name}' is {shape_words(shape)}: give"
                         f" {_expected(shape)}, not {_describe(value)}")
    numbers = []
    for v in (v for r in rows for v in r):
        try:
            numbers.append(_finite(v))
        except _NotANumber:
            raise UsageError(f"input '{name}' needs finite numbers, not {v!r}") from None
    return list(zip(elements(name, shape), numbers, strict=True))


def _expected(shape: Shape) -> str:
    if len(shape) == 1:
        return f"a list of {shape[0]} numbers"
    return f"{shape[0]} rows of {shape[1]} numbers, as [[...], ...]"


def _describe(value: Any) -> str:
    if not isinstance(value, list):
        return "a number" if isinstance(value, int | float) else repr(value)
    if value and all(isinstance(r, list) for r in value):
        lengths = sorted({len(r) for r in value})
        return f"{len(value)} rows of {' or '.join(map(str, lengths))}"
    return f"a list of {len(value)}"
