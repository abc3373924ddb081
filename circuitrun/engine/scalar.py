"""Forward in topological order, backward in reverse: the chain rule over a flat program.

The DAG is compiled once into lists indexed by output position, so that the hot loops
touch only Python lists and floats, never networkx.  The commonest gates (add and mul
of two nodes, relu) are done inline by the loops, with no call and no argument list;
every other gate calls its op's ``forward`` and local-gradient function from the op
table.  The inline forms are the op's own formulas, so both give the same floats.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import chain, compress, islice, repeat
from operator import ne

from circuitrun.graph.build import Built
from circuitrun.ops.table import OPS, Forward, Grads, local_grads

# How the loops treat a position (Program.code).
LEAF = 0  # an input or a constant: its value is given
ADD2 = 1  # add of two non-constant nodes
MUL2 = 2  # mul of two non-constant nodes
RELU = 3  # relu of a non-constant node
CALL = 4  # anything else: the op's functions are called


@dataclass(slots=True)
class Program:
    """A circuit compiled for evaluation; every list is in output order."""

    names: list[str]
    ops: list[str]
    ins: list[tuple[int, ...]]  # output positions of each node's inputs
    forward: list[Forward | None]  # None for inputs and constants
    grads: list[Grads | None]
    leaf_values: list[float | None]  # inputs' and constants' spec values
    constant: list[bool]
    position: dict[str, int]
    inputs: list[str]  # input names in file order
    output: int  # position of the default output
    code: list[int] = field(default_factory=list)  # LEAF, ADD2, MUL2, RELU or CALL
    arg0: list[int] = field(default_factory=list)  # first input of ADD2, MUL2, RELU
    arg1: list[int] = field(default_factory=list)  # second input of ADD2, MUL2
    plans: dict[int, list[int] | None] = field(default_factory=dict, repr=False)  # see _plan

    def __post_init__(self) -> None:
        if not self.code:
            self.code, self.arg0, self.arg1 = _codes(self)


def _codes(prog: Program) -> tuple[list[int], list[int], list[int]]:
    """The loop's path for each position, with the inputs of the inline ones."""
    ins, constant = prog.ins, prog.constant
    inline = {"input": LEAF, "const": LEAF}
    for name, (k, op) in _INLINE.items():
        if OPS.get(name) == op:  # the table's own record (a test may plant another)
            inline[name] = k
    code = list(map(inline.get, prog.ops, repeat(CALL)))
    # add and mul are inline for exactly two inputs; constants as inputs need the call
    # path, which skips them (they get no gradient).
    for p in compress(range(len(ins)), map(ne, map(len, ins), repeat(2))):
        if code[p] == ADD2 or code[p] == MUL2:
            code[p] = CALL
    if True in constant:
        for p, k in enumerate(code):
            if k != LEAF and k != CALL and any(constant[i] for i in ins[p]):
                code[p] = CALL
    arg0 = list(map(next, map(iter, ins), repeat(0)))  # first input, or 0
    arg1 = [t[1] if len(t) > 1 else 0 for t in ins]
    return code, arg0, arg1


_INLINE = {name: (k, OPS[name]) for name, k in (("add", ADD2), ("mul", MUL2), ("relu", RELU))}
"""The ops the loops do inline, with the records whose formulas the loops copy."""


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
    forward_of = {name: op.forward for name, op in OPS.items() if name != "const"}
    grads_of = {name: op.grads for name, op in OPS.items() if name != "const"}
    forward = list(map(forward_of.get, ops))
    if ties.count(None) == len(ties):
        grads = list(map(grads_of.get, ops))
    else:
        grads = [grads_of.get(op) if tie is None else local_grads(OPS[op], tie)
                 for op, tie in zip(ops, ties, strict=True)]
    return Program(
        names=names,
        ops=ops,
        ins=ins,
        forward=forward,
        grads=grads,
        leaf_values=values,
        constant=list(map("const".__eq__, ops)),
        position=position,
        inputs=list(compress(built.names, map("input".__eq__, built.ops))),
        output=built.output if at is None else at[built.output],
    )


def evaluate(prog: Program, leaves: list[float]) -> list[float]:
    """Every node's value; ``leaves`` holds the value of each input and constant position."""
    vals = leaves[:]
    forward, ins = prog.forward, prog.ins
    for p, k, a, b in zip(range(len(vals)), prog.code, prog.arg0, prog.arg1, strict=True):
        if k == ADD2:
            vals[p] = vals[a] + vals[b]
        elif k == MUL2:
            vals[p] = vals[a] * vals[b]
        elif k == RELU:
            x = vals[a]
            vals[p] = x if x > 0 or x != x else 0.0
        elif k == CALL:
            vals[p] = forward[p](*[vals[i] for i in ins[p]])  # type: ignore[misc]
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
    ins, grads, constant = prog.ins, prog.grads, prog.constant
    plan = _plan(prog, output)
    if plan is None:  # every node is on a path to the output: walk them all, from it back
        skip = n - 1 - output
        steps: Iterator[tuple[int, int, int, int]] = zip(
            range(output, -1, -1), islice(reversed(code), skip, None),
            islice(reversed(arg0), skip, None), islice(reversed(arg1), skip, None), strict=True)
    else:
        steps = zip(plan, map(code.__getitem__, plan), map(arg0.__getitem__, plan),
                    map(arg1.__getitem__, plan), strict=True)
    for p, k, a, b in steps:
        if k == ADD2:  # local gradients 1, 1 (and g * 1.0 is g)
            g = grad[p]
            grad[a] += g  # type: ignore[operator]
            grad[b] += g  # type: ignore[operator]
        elif k == MUL2:  # local gradients b, a
            g = grad[p]
            grad[a] += g * vals[b]  # type: ignore[operator]
            grad[b] += g * vals[a]  # type: ignore[operator]
        elif k == RELU:  # local gradient 1 where a > 0, else 0
            g = grad[p]
            grad[a] += g if vals[a] > 0 else g * 0.0  # type: ignore[operator]
        elif k == CALL:
            g = grad[p]
            srcs = ins[p]
            local = grads[p](vals[p], *[vals[i] for i in srcs])  # type: ignore[misc]
            for i, d in zip(srcs, local, strict=True):
                if not constant[i]:
                    grad[i] += g * d
    if True in constant:
        for p, c in enumerate(constant):
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
        ins, grads = prog.ins, prog.grads
        for p in range(output, -1, -1):
            if live[p] and grads[p] is not None:
                plan.append(p)
                for i in ins[p]:
                    live[i] = True
    prog.plans[output] = plan
    return plan


def live_gates(prog: Program, output: int) -> list[int]:
    """The gates the output depends on, from the output back."""
    plan = _plan(prog, output)
    if plan is None:
        grads = prog.grads
        return [p for p in range(output, -1, -1) if grads[p] is not None]
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
