"""The builder's fast path: the DAG's lists of a spec whose gates are all
``{op, in: [names]}``, in a few passes run in C (generated specs, mostly).  Anything else,
or anything wrong, is left to the gate-by-gate build in ``build.py``, which says what is
wrong; both give the same lists."""

from __future__ import annotations

from itertools import islice
from operator import itemgetter
from typing import Any

from circuitrun.ops.table import OPS


def plain_gates(gates: dict[str, Any], input_names: list[str]
                 ) -> tuple[list[str], list[str], list[tuple[int, ...]], dict[str, int]] | None:
    """Names, ops, inputs and the index, when every gate is ``{op, in: [names]}`` with
    known names, no name is used twice, and every op takes its number of inputs; else
    None (the gate-by-gate build then says what is wrong)."""
    bodies = list(gates.values())
    try:
        if set(map(len, bodies)) != {2}:
            return None
        refs_of = list(map(itemgetter("in"), bodies))  # KeyError: {op, value}, {op, ties}
        ops = ["input"] * len(input_names)
        ops += map(itemgetter("op"), bodies)
        names = input_names + list(gates)
        index = dict(zip(names, range(len(names)), strict=True))
        if len(index) != len(names):
            return None  # a gate named like an input
        get = index.__getitem__
        ins: list[tuple[int, ...]] = [()] * len(input_names)
        # the index of each name; two inputs (most gates) spelled out: 1.4x as fast
        ins += [(index[r[0]], index[r[1]]) if len(r) == 2 else tuple(map(get, r))
                for r in refs_of]
    except (KeyError, TypeError):  # an unknown name, a number (an inline constant), no `in`
        return None
    k = len(input_names)
    for op, n in set(zip(islice(ops, k, None), map(len, islice(ins, k, None)), strict=True)):
        if op == "const" or not OPS[op].takes(n):
            return None
    return names, ops, ins, index
