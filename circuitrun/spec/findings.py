"""Findings: problems at a path of keys, before the reader's positions turn them into
lines and columns; and Pydantic's validation errors said as findings, in the words of
SPEC section 6."""

from __future__ import annotations

import itertools
import math
from typing import Any, NamedTuple

from circuitrun.ops.table import OPS
from circuitrun.problems import did_you_mean
from circuitrun.read.syntax import glued_message, unglued
from circuitrun.spec.models import Expect, Gate, Spec

_GATE_KEYS = frozenset(Gate.__annotations__)

Path_ = tuple[Any, ...]


class Finding(NamedTuple):
    """A problem found at a path of keys; the loader turns the path into a line and column."""

    path: Path_
    at_key: bool  # point at the key of the entry at ``path`` rather than its value
    code: str
    message: str
    offset: int | None = None  # a character of the string value at ``path`` (SPEC 9.2)


def real_path(data: Any, loc: tuple[Any, ...]) -> Path_:
    """``loc`` of a Pydantic error with the document's own keys: Pydantic writes a key
    that is not a string as text (``2.5`` as ``'2.5'``, ``None`` as ``'None'``)."""
    path = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part not in node:
            part = next((k for k in node if not isinstance(k, str) and str(k) == part), part)
        path.append(part)
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int)
            and 0 <= part < len(node) else None)
    return tuple(path)


_GATE_FORMS = ("Gate", "str", "float")  # how Pydantic names GateValue's members in a loc


def merge_gate_errors(errors: list[Any]) -> list[Any]:
    """``errors`` as if a gate were validated by the form its value has: Pydantic tries
    each member of ``GateValue`` and reports them all, at ``('gates', GATE, MEMBER, ...)``.

    A mapping gate's errors are the ``Gate`` member's; a number gate's, the number's (it
    is not finite); anything else is not a mapping.
    """
    merged = []
    for err in errors:
        loc = tuple(err["loc"])
        if len(loc) >= 3 and loc[0] == "gates" and loc[2] in _GATE_FORMS:
            value = err["input"]
            if loc[2] == "float" and isinstance(value, int | float) and not isinstance(
                    value, bool):
                err = {**err, "loc": loc[:2], "type": "finite_number"}
            elif loc[2] != "Gate" or (len(loc) == 3 and isinstance(value, int | float)
                                      and not isinstance(value, bool)):
                continue
            else:
                err = {**err, "loc": (*loc[:2], *loc[3:])}
        merged.append(err)
    return merged


def merge_ref_errors(errors: list[Any]) -> list[Any]:
    """``errors`` with one error for each reference of a gate that is neither a name nor
    a number: Pydantic gives one for each member of ``Ref``'s union, at
    ``('gates', GATE, 'in', K, MEMBER)``."""
    merged = []
    seen = set()
    for err in errors:
        loc = tuple(err["loc"])
        if len(loc) == 5 and loc[0] == "gates" and loc[2] == "in" and isinstance(loc[3], int):
            if loc[:4] in seen:
                continue
            seen.add(loc[:4])
            v = err["input"]
            number = isinstance(v, int | float) and not isinstance(v, bool)
            err = {**err, "loc": loc[:4], "type": "finite_number" if number else "ref_type"}
        merged.append(err)
    return merged


def in_list(data: Any, gate: Path_, key: Any) -> list[str] | None:
    """The inputs meant by ``in: x, y`` in a flow mapping (``{op: mul, in: x, y}``), when
    ``key`` is the first of the keys YAML reads there (``y``, without a value), else None."""
    body: Any = _at(data, gate) if len(gate) == 2 and gate[0] == "gates" else None
    run = _in_run(body)
    if not run or key != run[0]:
        return None
    refs = body["in"]
    return [*(r if isinstance(r, str) else repr(r)
              for r in (refs if isinstance(refs, list) else [refs])), *run]


def _in_run(body: Any) -> list[Any]:
    """The keys without a value right after ``in`` in a gate's mapping, unknown to the
    format: what YAML makes of ``in: x, y, z`` in braces (``y``, ``z``)."""
    if not isinstance(body, dict) or "in" not in body:
        return []
    keys = list(body)
    return list(itertools.takewhile(
        lambda k: isinstance(k, str) and body[k] is None and k not in _GATE_KEYS,
        keys[keys.index("in") + 1:]))


def list_errors(errors: list[Any], data: Any) -> list[Any]:
    """``errors`` without the knock-ons of two slips, each said once at its key: the
    unknown keys that ``in: x, y, z`` in braces makes after the first (``z``; ``y``
    says how to write the list), and the missing ``op`` of ``{op:neg, in: x}`` (the
    unknown key ``op:neg`` says to put a space after ':')."""
    kept = []
    for err in errors:
        loc = real_path(data, tuple(err["loc"]))
        if len(loc) == 3 and loc[0] == "gates":
            body = _at(data, loc[:2])
            if err["type"] == "extra_forbidden" and loc[2] in _in_run(body)[1:]:
                continue
            if err["type"] == "missing" and isinstance(body, dict) and any(
                    isinstance(k, str) and (unglued(k) or "").startswith(f"{loc[2]}: ")
                    for k in body):
                continue
        kept.append(err)
    return kept


def _at(data: Any, path: Path_) -> Any:
    """The part of ``data`` at ``path``, or None."""
    for key in path:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def from_error(err: Any, data: Any) -> Finding:
    """The finding of one Pydantic error in validating ``data``."""
    kind: str = err["type"]
    value = err.get("input")
    loc = tuple(err["loc"])
    if loc and loc[-1] == "[key]":  # a name that is no name: at the name
        path = (*real_path(data, loc[:-2]), value)
        if kind == "string_pattern_mismatch" and isinstance(value, str):
            return Finding(path, True, "bad-name", f"'{value}' is not a valid name: letters,"
                           " digits and _, not starting with a digit")
        return Finding(path, True, "bad-name", f"a name must be a string, not {describe(value)}")
    if kind == "invalid_key":  # a key that is no string, where the keys are fixed
        path = (*real_path(data, loc[:-1]), value)
        return Finding(path, True, "unknown-key", f"a key must be a name, not {describe(value)}")
    loc = real_path(data, loc)
    last = loc[-1] if loc else None
    if kind == "missing":
        where = "the circuit" if len(loc) == 1 else f"'{loc[-2]}'"
        return Finding(loc[:-1], True, "missing-key", f"{where} has no '{last}'")
    if kind == "extra_forbidden":
        listed = in_list(data, loc[:-1], last)
        if listed is not None:
            return Finding(loc, True, "unknown-key",
                           f"unknown key '{last}': write `in: [{', '.join(listed)}]`"
                           " for a list of inputs")
        hint = _glued(last) or did_you_mean(str(last), _keys_at(loc[:-1]))
        return Finding(loc, True, "unknown-key", f"unknown key '{last}'{hint}")
    if kind == "literal_error":
        if len(loc) == 3 and loc[0] == "gates" and last == "op":
            if isinstance(value, str):
                return Finding(loc, False, "unknown-op",
                               f"unknown op '{value}'{did_you_mean(value, OPS, 'ops')}")
            return Finding(loc, False, "bad-type", f"op must be a name, not {describe(value)}")
        if last == "ties":
            return Finding(loc, False, "bad-type",
                           f"ties must be 'first' or 'split', not {describe(value)}")
        if last == "version":
            return Finding(loc, False, "bad-type",
                           f"unsupported version {describe(value)}: this circuitrun reads 1")
    if kind == "too_short" and loc == ("gates",):
        return Finding(loc, True, "missing-key", "'gates' is empty: a circuit needs a gate")
    if kind == "greater_than_equal":
        return Finding(loc, False, "bad-type", f"{last} must be 0 or more, not {value!r}")
    if kind == "finite_number" or (isinstance(value, float) and not math.isfinite(value)):
        return Finding(loc, False, "bad-type", f"expected a finite number, got {describe(value)}")
    expected = _EXPECTED.get(kind, "a valid value")
    hint = _glued(value) if expected == "a mapping" else ""
    if expected == "a mapping" and isinstance(value, list) and loc in (("inputs",), ("gates",)):
        hint = _as_list(loc[0], value)
    return Finding(loc, False, "bad-type", f"expected {expected}, got {describe(value)}{hint}")


def _as_list(head: str, items: list[Any]) -> str:
    """What to write instead of ``inputs`` or ``gates`` as a YAML list (``- NAME``)."""
    if head == "gates":
        return ": write each gate as `NAME: ...` on its own line, with no '-' before it"
    names = [i for i in items if isinstance(i, str)]
    if not names or len(names) != len(items):
        return ": write each input as `NAME: VALUE` on its own line"
    shown = ", ".join(f"{n}: null" for n in names[:3]) + (", ..." if len(names) > 3 else "")
    return f": write `inputs: {{{shown}}}` (null: a value given at run time)"


def _glued(value: Any) -> str:
    """`` (no space after ':' ...)`` for a key glued to its value (``x:-2``), else ""."""
    fixed = unglued(value) if isinstance(value, str) else None
    return "" if fixed is None else f" ({glued_message(value, fixed)})"


def _keys_at(path: Path_) -> list[str]:
    """The keys the format allows in the mapping at ``path``."""
    if not path:
        return [f.alias or name for name, f in Spec.model_fields.items()]
    if len(path) == 2 and path[0] == "gates":
        return list(Gate.__annotations__)
    if path == ("expect",):
        return list(Expect.model_fields)
    return []


_EXPECTED = {
    "float_type": "a number", "finite_number": "a finite number", "float_parsing": "a number",
    "string_type": "a string", "dict_type": "a mapping", "model_type": "a mapping",
    "model_attributes_type": "a mapping", "list_type": "a list",
    "ref_type": "a node name or a number", "int_type": "a whole number",
}


def describe(v: Any) -> str:
    """A value as a message shows it: ``the string 'x'``, ``the boolean true``, ``2.5``."""
    if v is None:
        return "nothing (null)"
    if isinstance(v, bool):
        return f"the boolean {str(v).lower()}"
    if isinstance(v, str):
        shown = v if len(v) <= 40 else v[:37] + "..."
        return f"the string '{shown}'"
    if isinstance(v, float) and not math.isfinite(v):
        return {math.inf: ".inf", -math.inf: "-.inf"}.get(v, ".nan")
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, dict):
        return "a mapping"
    if isinstance(v, list):
        return "a list"
    return type(v).__name__
