"""The happy path of loading: plain data → the DAG in one pass, or None.

A valid spec is checked and built here without Pydantic models or positions: one loop
over the gates, with type checks inlined.  This code accepts only what ``spec.py``'s
models and ``graph.build`` accept, and builds exactly what they build; on anything
else, or anything unusual (a key ``in_``, an integer beyond 2**53, ...), it returns
None, and ``load.py`` takes the exact path, which finds and places every problem.
The tests hold the two paths to that: the same ``Built`` for valid specs, None for
invalid ones.
"""

from __future__ import annotations

import re
from itertools import islice, repeat
from operator import itemgetter
from typing import Any, NamedTuple

from pydantic import ValidationError

from circuitrun.graph.build import Built, output_order, sinks
from circuitrun.ops.table import OPS
from circuitrun.spec.models import Expect

_TOP = frozenset({"version", "name", "description", "inputs", "gates", "wires", "output",
                  "expect"})
_WIRE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*->\s*([A-Za-z_][A-Za-z0-9_]*)\s*")
_BIG = 2**53  # integers up to this convert to float exactly; larger ones take the exact path
_ANY = 1 << 62  # "no upper bound" for the arity check
_ARITY = {name: (op.min_in, _ANY if op.max_in is None else op.max_in) for name, op in OPS.items()}
_OP_NAME = {name: name for name in OPS}  # one string object per op, shared by every gate
_PLAIN_OP = {name: name for name in OPS if name != "const"}
_NONE: Any = object()  # a key that is absent


class Fast(NamedTuple):
    built: Built
    name: str | None
    keys: int  # keys of every mapping in the document (to detect duplicates in JSON)


def _number(v: Any) -> float | None:
    """A finite float from a number (not a bool, not a string), else None."""
    t = type(v)
    if t is float:
        return v if v - v == 0.0 else None  # inf - inf and nan - nan are nan
    if t is int and -_BIG <= v <= _BIG:
        return float(v)
    return None


def _name(v: Any) -> bool:
    return type(v) is str and v.isascii() and v.isidentifier()  # [A-Za-z_][A-Za-z0-9_]*


def _text(v: Any) -> bool:
    return v is None or type(v) is str


def build_fast(data: Any) -> Fast | None:
    """The DAG of a valid spec document, or None (invalid, or unusual: see above)."""
    if type(data) is not dict or not data.keys() <= _TOP:
        return None
    version = data.get("version")
    if version is not None and not (type(version) is int and version == 1):
        return None
    if not (_text(data.get("name")) and _text(data.get("description"))
            and _text(data.get("output"))):
        return None
    inputs = data.get("inputs", _NONE)
    gates = data.get("gates")
    if inputs is _NONE or type(gates) is not dict or not gates:
        return None
    if inputs is None:
        inputs = {}
    elif type(inputs) is not dict:
        return None
    keys = len(data) + len(inputs) + len(gates)

    names: list[str] = []
    ops: list[str] = []
    values: list[float | None] = []
    ties: list[str | None] = []
    for name, v in inputs.items():
        if not _name(name):
            return None
        if v is not None:
            v = _number(v)
            if v is None:
                return None
        names.append(name)
        values.append(v)
    n_inputs = len(names)
    ops += ["input"] * n_inputs
    ties += [None] * n_inputs
    index = {name: i for i, name in enumerate(names)}
    if len(index) != n_inputs:  # pragma: no cover - a mapping has unique keys
        return None

    wires = data.get("wires")
    plain = _plain_gates(gates, names, values) if wires is None or wires == [] else None
    if plain is not None:
        names, ops, ins, values, ties, index = plain
        keys += 2 * len(gates)
    else:
        general = _gates(gates, wires, names, ops, values, ties, index)
        if general is None:
            return None
        ins, n_keys = general
        keys += n_keys

    order = output_order(ins)
    if order is None:
        return None
    output_name = data.get("output")
    if output_name is not None:
        output = index.get(output_name, -1)
    else:
        ends = sinks(ins)
        output = ends[0] if len(ends) == 1 else -1
    if output < 0:
        return None
    expect = data.get("expect")
    if expect is not None:
        try:
            model = Expect.model_validate(expect)
        except ValidationError:
            return None
        if not all(n in index for part in (model.values, model.grads) for n in part):
            return None
        keys += len(expect) + sum(len(expect.get(part) or ()) for part in ("values", "grads"))
    built = Built(names, ops, ins, values, ties, order, output, index)
    return Fast(built, data.get("name"), keys)


def _plain_gates(gates: dict[Any, Any], input_names: list[str], input_values: list[float | None]
                 ) -> tuple[list[Any], ...] | None:
    """The common case in a few passes, mostly in C: every gate is exactly ``{op, in}``
    with node names only; None for anything else (the general loop then decides)."""
    gate_names = list(gates)
    bodies = list(gates.values())
    try:
        if not (all(map(str.isidentifier, gate_names)) and all(map(str.isascii, gate_names))):
            return None
        if set(map(type, bodies)) != {dict} or set(map(len, bodies)) != {2}:
            return None
        ops = ["input"] * len(input_names)
        ops += map(_PLAIN_OP.__getitem__, map(itemgetter("op"), bodies))
        refs_of = list(map(itemgetter("in"), bodies))
        if set(map(type, refs_of)) != {list}:  # a single name stands for a list of one
            refs_of = [r if type(r) is list else (r,) for r in refs_of]
        names = input_names + gate_names
        index = dict(zip(names, range(len(names)), strict=True))
        if len(index) != len(names):
            return None  # a gate named like an input
        get = index.__getitem__
        ins = [()] * len(input_names)
        ins += map(tuple, map(map, repeat(get), refs_of))  # (index of each name), in C
    except (TypeError, KeyError):  # a name that is no string, an unknown op or name, ...
        return None
    k = len(input_names)
    for op, n in set(zip(islice(ops, k, None), map(len, islice(ins, k, None)), strict=True)):
        lo, hi = _ARITY[op]
        if not lo <= n <= hi:
            return None
    values = input_values + [None] * len(gates)
    return names, ops, ins, values, [None] * len(names), index


def _gates(gates: dict[Any, Any], wires: Any, names: list[str], ops: list[str],
           values: list[float | None], ties: list[str | None], index: dict[str, int]
           ) -> tuple[list[tuple[int, ...]], int] | None:
    """Every case: declare the gates (inline constants just before their gate) and
    resolve their references and wires; the inputs, the key count, or None."""
    keys = 0
    gate_at: list[int] = []
    refs_of: list[list[Any] | None] = []
    wirable: dict[str, int] = {}  # gates without `in` (not const): their place in gate_at
    for name, gate in gates.items():
        if not _name(name) or name in index or type(gate) is not dict:
            return None
        n_keys = len(gate)
        keys += n_keys
        op = _OP_NAME.get(gate.get("op")) if type(gate.get("op")) is str else None
        refs = gate.get("in", _NONE)
        if op is None:
            return None
        found = 1
        if refs is not _NONE:
            found += 1
        tie = None
        if n_keys != found:  # attributes, or unknown keys
            value = gate.get("value", _NONE)
            tie = gate.get("ties", _NONE)
            if value is not _NONE:
                found += 1
                if op != "const":
                    return None
            if tie is not _NONE:
                found += 1
                if op not in ("max", "min") or (tie is not None and tie not in ("first",
                                                                                 "split")):
                    return None
            else:
                tie = None
            if n_keys != found:
                return None
        if op == "const":
            v = _number(gate.get("value"))
            if v is None or (refs is not _NONE and refs is not None):
                return None  # no value, or inputs on a const (arity)
            index[name] = len(names)
            names.append(name)
            ops.append(op)
            values.append(v)
            ties.append(None)
            continue
        if refs is _NONE or refs is None:
            refs = None
            wirable[name] = len(gate_at)
        elif type(refs) is not list:
            refs = [refs]
        if refs is not None:
            for k, r in enumerate(refs):
                if type(r) is not str:
                    v = _number(r)
                    if v is None:
                        return None
                    if refs is gate.get("in"):
                        refs = refs[:]  # leave the document as it was
                    refs[k] = len(names)  # the constant's node
                    index[f"{name}.{k}"] = len(names)
                    names.append(f"{name}.{k}")
                    ops.append("const")
                    values.append(v)
                    ties.append(None)
        index[name] = len(names)
        gate_at.append(len(names))
        refs_of.append(refs)
        names.append(name)
        ops.append(op)
        values.append(None)
        ties.append(tie)

    if wires is not None:
        if type(wires) is not list:
            return None
        for wire in wires:
            m = _WIRE.fullmatch(wire) if type(wire) is str else None
            if m is None:
                return None
            src, dst = m.groups()
            if src not in index or dst not in wirable:
                return None  # unknown source; target not a gate taking wires
            j = wirable[dst]
            if refs_of[j] is None:
                refs_of[j] = []
            refs_of[j].append(src)  # type: ignore[union-attr]

    ins: list[tuple[int, ...]] = [()] * len(names)
    arity = _ARITY
    get = index.__getitem__
    try:
        for at, refs in zip(gate_at, refs_of, strict=True):
            t = tuple(map(get, refs)) if refs is not None else ()
            lo, hi = arity[ops[at]]
            if not lo <= len(t) <= hi:
                return None
            ins[at] = t
    except (KeyError, TypeError):  # an unknown name (TypeError: a constant's index)
        ins = _resolve_mixed(gate_at, refs_of, index, ops, ins)
        if not ins:
            return None

    return ins, keys


def _resolve_mixed(gate_at: list[int], refs_of: list[list[Any] | None], index: dict[str, int],
                   ops: list[str], ins: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """``ins`` when some references are constants' indices; [] for an unknown name."""
    for at, refs in zip(gate_at, refs_of, strict=True):
        t = tuple(index.get(r, -1) if type(r) is str else r for r in refs or ())
        lo, hi = _ARITY[ops[at]]
        if -1 in t or not lo <= len(t) <= hi:
            return []
        ins[at] = t
    return ins
