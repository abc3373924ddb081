"""Forward in topological order, backward in reverse: the chain rule over a flat program.

The DAG is compiled once into lists indexed by output position, so that the hot loops
touch only Python lists and floats, never networkx.  The commonest gates (add and mul
of two nodes, relu) are done inline by the loops, with no call and no argument list;
every other gate calls its op's ``forward`` and local-gradient function from the op
table.  The inline forms are the op's own formulas, so both give the same floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from circuitrun.graph import Built
from circuitrun.ops import OPS, Forward, Grads, local_grads

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
    plans: dict[int, list[int]] = field(default_factory=dict, repr=False)  # see _plan

    def __post_init__(self) -> None:
        if not self.code:
            self.code, self.arg0, self.arg1 = _codes(self)


def _codes(prog: Program) -> tuple[list[int], list[int], list[int]]:
    """The loop's path for each position, with the inputs of the inline ones."""
    code: list[int] = []
    arg0: list[int] = []
    arg1: list[int] = []
    constant = prog.constant
    for op, srcs, f in zip(prog.ops, prog.ins, prog.forward, strict=True):
        n = len(srcs)
        a = srcs[0] if n else 0
        b = srcs[1] if n > 1 else 0
        if f is None:
            k = LEAF
        elif any(constant[i] for i in srcs):
            k = CALL  # constants get no gradient: the loop must skip them
        elif op == "add" and n == 2:
            k = ADD2
        elif op == "mul" and n == 2:
            k = MUL2
        elif op == "relu":
            k = RELU
        else:
            k = CALL
        code.append(k)
        arg0.append(a)
        arg1.append(b)
    return code, arg0, arg1


def compile_program(built: Built) -> Program:
    """Flatten ``built`` into output order (sharing its lists when that is file order)."""
    order = built.order
    names, ops, ins, values = built.names, built.ops, built.ins, built.values
    if isinstance(order, range):  # output order is declaration order
        position, at = built.index, None
    else:
        at = {n: p for p, n in enumerate(order)}
        position = {names[n]: p for p, n in enumerate(order)}
        names = [names[n] for n in order]
        ops = [ops[n] for n in order]
        ins = [tuple(at[i] for i in ins[n]) for n in order]
        values = [values[n] for n in order]
    ties = built.ties if at is None else [built.ties[n] for n in order]
    funcs: dict[tuple[str, str | None], tuple[Forward | None, Grads | None]] = {}
    forward: list[Forward | None] = []
    grads: list[Grads | None] = []
    for op_name, tie in zip(ops, ties, strict=True):
        key = (op_name, tie)
        pair = funcs.get(key)
        if pair is None:
            op = OPS.get(op_name)
            if op is None or op.name == "const":
                pair = funcs[key] = (None, None)
            else:
                pair = funcs[key] = (op.forward, local_grads(op, tie))
        forward.append(pair[0])
        grads.append(pair[1])
    return Program(
        names=names,
        ops=ops,
        ins=ins,
        forward=forward,
        grads=grads,
        leaf_values=values,
        constant=[op == "const" for op in ops],
        position=position,
        inputs=[name for name, op in zip(built.names, built.ops, strict=True) if op == "input"],
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
    grad: list[float | None] = [0.0] * len(vals)
    grad[output] = 1.0
    code, arg0, arg1 = prog.code, prog.arg0, prog.arg1
    ins, grads, constant = prog.ins, prog.grads, prog.constant
    for p in _plan(prog, output):
        g = grad[p]
        k = code[p]
        if k == ADD2:  # local gradients 1, 1 (and g * 1.0 is g)
            grad[arg0[p]] += g  # type: ignore[operator]
            grad[arg1[p]] += g  # type: ignore[operator]
        elif k == MUL2:  # local gradients b, a
            a = arg0[p]
            b = arg1[p]
            grad[a] += g * vals[b]  # type: ignore[operator]
            grad[b] += g * vals[a]  # type: ignore[operator]
        elif k == RELU:  # local gradient 1 where a > 0, else 0
            a = arg0[p]
            grad[a] += g if vals[a] > 0 else g * 0.0  # type: ignore[operator]
        else:
            srcs = ins[p]
            local = grads[p](vals[p], *[vals[i] for i in srcs])  # type: ignore[misc]
            for i, d in zip(srcs, local, strict=True):
                if not constant[i]:
                    grad[i] += g * d  # type: ignore[operator]
    if True in constant:
        for p, c in enumerate(constant):
            if c:
                grad[p] = None
    return grad


def _plan(prog: Program, output: int) -> list[int]:
    """The gates the output depends on, from the output back (cached per output)."""
    plan = prog.plans.get(output)
    if plan is None:
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
