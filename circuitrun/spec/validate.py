"""Stage 2, validation: plain data → the ``Spec`` model, and every finding in it.

When Pydantic rejects part of a document, only that part is set aside: a bad value
becomes ``BROKEN`` (it exists, nothing else is known of it), an unknown key is left
out, and the rest is handed on as a spec, so that the graph checks still run on all
of it.  A gate with an unknown key, an unknown op or a bad reference still has its
other keys, its attributes and its references checked: every problem at once.
"""

from __future__ import annotations

import re
from typing import Any, Final, NamedTuple

from pydantic import ValidationError

from circuitrun.spec.findings import (
    Finding,
    describe,
    from_error,
    list_errors,
    merge_gate_errors,
    merge_ref_errors,
    real_path,
)
from circuitrun.spec.models import (
    NAME_PATTERN,
    Expect,
    Gate,
    Spec,
    attribute_problems,
    key_count,
    plain,
)


class _Broken:
    """A value that failed validation."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "BROKEN"


BROKEN: Final = _Broken()
"""Stands for a value that failed validation (a gate's op, a reference, a wire)."""

_TOP_KEYS = frozenset(f.alias or name for name, f in Spec.model_fields.items())
_GATE_KEYS = frozenset(Gate.__annotations__)


class Checked(NamedTuple):
    """A document validated as far as it goes."""

    spec: Spec | None  # None: nothing to build (not a mapping, no gates)
    findings: list[Finding]
    broken: frozenset[str]  # names of inputs and gates with a problem of their own
    keys: int = 0  # the keys of all its mappings, when valid (``models.key_count``)


def check(data: Any) -> Checked:
    """The model of ``data`` (as much of it as is valid) and what is wrong with it."""
    if data is None:
        return Checked(None, [Finding((), False, "missing-key", "the file is empty: a circuit"
                                      " needs 'inputs' and 'gates'")], frozenset())
    if not isinstance(data, dict):
        return Checked(None, [Finding((), False, "bad-type", "a circuit is a mapping of inputs"
                                      f" and gates, not {describe(data)}")], frozenset())
    try:
        spec = Spec.model_validate(data)
    except ValidationError as e:
        errors = list_errors(merge_ref_errors(merge_gate_errors(e.errors(include_url=False))),
                             data)
        findings = [from_error(err, data) for err in errors]
        mended, broken = _set_aside(data, errors)
        if mended is not None:
            findings += _attribute_findings(mended)
        return Checked(mended, findings, broken)
    return _checked(spec)


def check_json(text: str) -> Checked | None:
    """``check`` of a JSON document read by Pydantic as it validates, in one pass with
    no plain data in between: the result for a document the format accepts, else None
    (anything wrong, syntax included, is then read and checked as any document is)."""
    try:
        spec = Spec.model_validate_json(text)
    except ValidationError:
        return None
    return _checked(spec)


def _checked(spec: Spec) -> Checked:
    """A valid model's attribute findings and its count of keys."""
    bodies: list[Any] = list(spec.gates.values())
    if set(map(type, bodies)) != {dict}:  # expression gates (SPEC 9.2): no keys, no attributes
        bodies = [b for b in bodies if isinstance(b, dict)]
    gate_keys = sum(map(len, bodies))
    findings = [] if plain(bodies, gate_keys) else _attribute_findings(spec)
    return Checked(spec, findings, frozenset(), key_count(spec, gate_keys))


def _attribute_findings(spec: Spec) -> list[Finding]:
    return [Finding(("gates", name, key) if key else ("gates", name), True, code, message)
            for name, key, code, message in attribute_problems(spec.gates)]


def model(data: Any) -> Spec:
    """The model of a document known to be valid."""
    return Spec.model_validate(data)


_NAME = re.compile(NAME_PATTERN)


def _set_aside(data: dict[Any, Any], errors: list[Any]) -> tuple[Spec | None, frozenset[str]]:
    """A spec of what in ``data`` is valid, with what is not set aside (see above), and
    the names of the inputs and gates that had a problem."""
    top = {k: v for k, v in data.items() if k in _TOP_KEYS}
    gates = dict(top["gates"]) if isinstance(top.get("gates"), dict) else {}
    inputs = dict(top["inputs"]) if isinstance(top.get("inputs"), dict) else None
    wires = list(top["wires"]) if isinstance(top.get("wires"), list) else None
    expect = top.get("expect")
    expect = {k: dict(v) if isinstance(v, dict) else v for k, v in expect.items()} if (
        isinstance(expect, dict)) else None
    broken: set[Any] = set()
    mended: set[Any] = set()  # gates copied before their first change
    unnamed: set[tuple[Any, Any]] = set()  # entries of inputs and gates whose name is no name
    for err in errors:
        loc = err["loc"]
        if loc[-1] == "[key]" or err["type"] == "invalid_key":  # a key that is no name
            loc = (*real_path(data, loc[:len(loc) - (loc[-1] == "[key]") - 1]), err["input"])
            if err["loc"][-1] == "[key]":
                unnamed.add(loc[:2])
        else:
            loc = real_path(data, loc)
        head, name = loc[0], loc[1] if len(loc) > 1 else None
        if head == "gates" and len(loc) > 1:
            broken.add(name)
            if len(loc) == 2:  # not a mapping
                gates[name] = {"op": BROKEN, "in": [BROKEN]}
            elif isinstance(gates.get(name), dict):
                if name not in mended:
                    gates[name] = dict(gates[name])
                    mended.add(name)
                _mend(gates[name], loc[2:])
        elif head == "inputs" and len(loc) > 1 and inputs is not None:
            broken.add(name)
            inputs[name] = None
        elif head == "wires" and len(loc) > 1 and wires is not None:
            wires[loc[1]] = BROKEN
        elif head == "expect" and len(loc) > 2 and loc[1] in ("values", "grads") and (
                expect is not None and isinstance(expect.get(loc[1]), dict)):
            expect[loc[1]].pop(loc[2], None)
        else:
            top.pop(head, None)
    listed = data.get("inputs")
    if isinstance(listed, list):  # names written as a list: declared, so no knock-on problems
        inputs = dict.fromkeys(n for n in listed if isinstance(n, str) and _NAME.fullmatch(n))
        broken.update(inputs)
    for head, name in unnamed:  # left out: no node can be named so
        if head == "gates":
            gates.pop(name, None)
        elif inputs is not None:
            inputs.pop(name, None)
    if not isinstance(top.get("gates"), dict) or not gates:
        return None, frozenset()
    for name, gate in gates.items():  # `in` as validation gives it: a list, or None
        if not isinstance(gate, dict):  # an expression gate: a string or a number
            continue
        refs = gate.get("in")
        if refs is not None and not isinstance(refs, list):
            gates[name] = {**gate, "in": [refs]}
    top.update(gates=gates, inputs=inputs or {}, wires=wires)
    if "expect" in top:
        try:
            top["expect"] = Expect.model_validate(expect)
        except ValidationError:
            del top["expect"]
    names = frozenset(n for n in broken if isinstance(n, str))
    return Spec.model_construct(**top), names


def _mend(gate: dict[Any, Any], loc: tuple[Any, ...]) -> None:
    """Set aside the part of ``gate`` at ``loc``: a key unknown to the format is left out,
    a bad value (or one reference of ``in``) becomes ``BROKEN``."""
    key = loc[0]
    if key not in _GATE_KEYS:
        gate.pop(key, None)
        if "in" not in gate:  # the unknown key may be its `in`, misspelt: inputs unknown
            gate["in"] = [BROKEN]
    elif key == "in" and len(loc) > 1:
        refs = gate.get("in")
        refs = list(refs) if isinstance(refs, list) else [refs]
        if isinstance(loc[1], int) and loc[1] < len(refs):
            refs[loc[1]] = BROKEN
        gate["in"] = refs
    else:
        gate[key] = BROKEN
