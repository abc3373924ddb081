"""Forward in topological order, backward in reverse: the chain rule over a flat program.

The DAG is compiled once into lists indexed by output position, so that the hot loops
(``loops.py``) touch only Python lists and floats, never networkx.  Each gate gets its
op's record (``ops.Op``), with the local-gradient rule its attributes select, and a
code telling the loops how to run it: inline (the record's own expressions, pasted into
the loop) or by calling the record's functions.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, compress, islice, repeat
from operator import ne

from circuitrun.engine.loops import CALL, FIRST_INLINE, LEAF, Loops, loops
from circuitrun.graph.build import Built
from circuitrun.ops.inline import Inline
from circuitrun.ops.record import Op
from circuitrun.ops.table import OPS


@dataclass(slots=True)
class Program:
    """A circuit compiled for evaluation; every list is in output order."""

    names: list[str]
    ops: list[str]
    ins: list[tuple[int, ...]]  # output positions of each node's inputs
    records: list[Op | None]  # each gate's op, its attributes applied; None for leaves
    leaf_values: list[float | None]  # inputs' and constants' spec values
    constant: list[bool]
    position: dict[str, int]
    inputs: list[str]  # input names in file order
    output: int  # position of the default output
    loops: Loops  # the loops for the inline forms of the op table
    code: list[int]  # LEAF, CALL, or the code of the gate's inline form (see loops.py)
    arg0: list[int] = field(default_factory=list)  # first input, or 0
    arg1: list[int] = field(default_factory=list)  # second input, or 0
    plans: dict[int, list[int] | None] = field(default_factory=dict, repr=False)  # see _plan

    def __post_init__(self) -> None:
        if not self.arg0:
            self.arg0 = list(map(next, map(iter, self.ins), repeat(0)))
            self.arg1 = [t[1] if len(t) > 1 else 0 for t in self.ins]


def _records(ops: list[str], ties: list[str | None]) -> list[Op | None]:
    """Each node's record: its op's, or the variant its ``ties`` selects."""
    record_of: dict[str, Op | None] = {name: op for name, op in OPS.items() if name != "const"}
    record_of["input"] = record_of["const"] = None
    if ties.count(None) == len(ties):
        return list(map(record_of.__getitem__, ops))
    chosen: dict[tuple[str, str | None], Op | None] = {}
    out = []
    for op, tie in zip(ops, ties, strict=True):
        key = (op, tie)
        if key not in chosen:
            record = record_of[op]
            chosen[key] = record if record is None else record.choose("ties", tie)
        out.append(chosen[key])
    return out


def _codes(records: list[Op | None], ins: list[tuple[int, ...]], constant: list[bool],
           inlines: tuple[Inline, ...]) -> list[int]:
    """How the loops run each node: LEAF, CALL, or its op's inline form."""
    code_of: dict[Op | None, int] = {None: LEAF}
    arity_of: dict[Op | None, int] = {None: -1}
    for record in set(records):
        if record is not None:
            inline = record.inline
            code_of[record] = CALL if inline is None else FIRST_INLINE + inlines.index(inline)
            arity_of[record] = -1 if inline is None else len(inline.grads)
    code = list(map(code_of.__getitem__, records))
    # An inline form is for one number of inputs (add and mul of two, relu of one); a
    # gate with a constant input takes the call path, which skips the constant.
    arity = list(map(arity_of.__getitem__, records))
    for p in compress(range(len(ins)), map(ne, map(len, ins), arity)):
        if code[p] >= FIRST_INLINE:
            code[p] = CALL
    if True in constant:
        for p, k in enumerate(code):
            if k >= FIRST_INLINE and any(constant[i] for i in ins[p]):
                code[p] = CALL
    return code


def compile_program(built: Built) -> Program:
    """Flatten ``built`` into output order (sharing its lists when that is file order)."""
    order = built.order
    names, ops, ins, values, ties = built.names, built.ops, built.ins, built.values, built.ties
    if isinstance(order, range):  # output order is declaration order
        position, at = built.index, None
    else:
        at = {n: p for p, n in enumerate(order)}
        position = {names[n]: p for p, n in enumerate(order)}
        names = [names[n] for n in order]
        ops = [ops[n] for n in order]
        ins = [tuple(at[i] for i in ins[n]) for n in order]
        values = [values[n] for n in order]
        ties = [ties[n] for n in order]
    inlines = tuple(op.inline for op in OPS.values() if op.inline is not None)
    records = _records(ops, ties)
    constant = list(map("const".__eq__, ops))
    return Program(
        names=names,
        ops=ops,
        ins=ins,
        records=records,
        leaf_values=values,
        constant=constant,
        position=position,
        inputs=list(compress(built.names, map("input".__eq__, built.ops))),
        output=built.output if at is None else at[built.output],
        loops=loops(inlines),
        code=_codes(records, ins, constant, inlines),
    )


def evaluate(prog: Program, leaves: list[float]) -> list[float]:
    """Every node's value; ``leaves`` holds the value of each input and constant position."""
    vals = leaves[:]
    prog.loops.forward(vals, prog.code, prog.arg0, prog.arg1, prog.records, prog.ins)
    return vals


def differentiate(prog: Program, vals: list[float], output: int) -> list[float | None]:
    """d(output)/d(node) for every node; None for constants.

    Go one node at a time from the output back, and apply the chain rule: each gate
    adds grad(gate) x local gradient to each of its inputs (so gradients add up at
    forks).  Only nodes the output depends on pass gradients on: a node off every
    path to the output contributes nothing, even where its local gradient is infinite.
    """
    n = len(vals)
    grad: list[float | None] = [0.0] * n
    grad[output] = 1.0
    code, arg0, arg1 = prog.code, prog.arg0, prog.arg1
    plan = _plan(prog, output)
    if plan is None:  # every node is on a path to the output: walk them all, from it back
        skip = n - 1 - output
        steps: Iterator[tuple[int, int, int, int]] = zip(
            range(output, -1, -1), islice(reversed(code), skip, None),
            islice(reversed(arg0), skip, None), islice(reversed(arg1), skip, None), strict=True)
    else:
        steps = zip(plan, map(code.__getitem__, plan), map(arg0.__getitem__, plan),
                    map(arg1.__getitem__, plan), strict=True)
    prog.loops.backward(steps, grad, vals, prog.records, prog.ins, prog.constant)
    if True in prog.constant:
        for p, c in enumerate(prog.constant):
            if c:
                grad[p] = None
    return grad


def _plan(prog: Program, output: int) -> list[int] | None:
    """The gates the output depends on, from the output back; None when that is every
    node up to the output (cached per output)."""
    if output in prog.plans:
        return prog.plans[output]
    plan: list[int] | None = None
    n = len(prog.ins)
    # When the output is last and every other node feeds some node, every path leads to
    # the output: all nodes are live (a set of the inputs' positions tells, in C).
    if output != n - 1 or len(set(chain.from_iterable(prog.ins))) != n - 1:
        live = [False] * (output + 1)
        live[output] = True
        plan = []
        ins, records = prog.ins, prog.records
        for p in range(output, -1, -1):
            if live[p] and records[p] is not None:
                plan.append(p)
                for i in ins[p]:
                    live[i] = True
    prog.plans[output] = plan
    return plan


def live_gates(prog: Program, output: int) -> list[int]:
    """The gates the output depends on, from the output back."""
    plan = _plan(prog, output)
    if plan is None:
        records = prog.records
        return [p for p in range(output, -1, -1) if records[p] is not None]
    return plan


def first_nonfinite(xs: list[float] | list[float | None]) -> int | None:
    """Position of the first NaN or infinity in ``xs`` (None entries are skipped)."""
    # A sum is finite only if every term is (once inf or nan, it stays so): one pass in
    # C over the common case; the Python scan runs only to find the culprit.
    try:
        if math.isfinite(sum(filter(None, xs))):
            return None
    except OverflowError:  # pragma: no cover - float sums do not raise
        pass
    isfinite = math.isfinite
    for p, x in enumerate(xs):
        if x is not None and not isfinite(x):
            return p
    return None
