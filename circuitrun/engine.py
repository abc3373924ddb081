"""Forward in topological order, backward in reverse: the chain rule over a flat program.

The DAG is compiled once into lists indexed by output position, so that the hot loops
touch only Python lists and floats, never networkx.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from circuitrun.graph import Built
from circuitrun.ops import OPS, Forward, Grads, local_grads


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


def compile_program(built: Built) -> Program:
    """Flatten ``built`` into output order."""
    order = built.order
    position = {built.names[n]: p for p, n in enumerate(order)}
    at = {n: p for p, n in enumerate(order)}
    forward: list[Forward | None] = []
    grads: list[Grads | None] = []
    for n in order:
        op = OPS.get(built.ops[n])
        if op is None or op.name == "const":
            forward.append(None)
            grads.append(None)
        else:
            forward.append(op.forward)
            grads.append(local_grads(op, built.ties[n]))
    return Program(
        names=[built.names[n] for n in order],
        ops=[built.ops[n] for n in order],
        ins=[tuple(at[i] for i in built.ins[n]) for n in order],
        forward=forward,
        grads=grads,
        leaf_values=[built.values[n] for n in order],
        constant=[built.ops[n] == "const" for n in order],
        position=position,
        inputs=[name for name, op in zip(built.names, built.ops, strict=True) if op == "input"],
        output=at[built.output],
    )


def evaluate(prog: Program, leaves: list[float]) -> list[float]:
    """Every node's value; ``leaves`` holds the value of each input and constant position."""
    vals = leaves[:]
    forward, ins = prog.forward, prog.ins
    for p in range(len(vals)):
        f = forward[p]
        if f is not None:
            vals[p] = f(*[vals[i] for i in ins[p]])
    return vals


def differentiate(prog: Program, vals: list[float], output: int) -> list[float | None]:
    """d(output)/d(node) for every node; None for constants.

    Go one node at a time from the output back, and apply the chain rule: each gate
    adds grad(gate) x local gradient to each of its inputs (so gradients add up at
    forks).  Only nodes the output depends on pass gradients on: a node off every
    path to the output contributes nothing, even where its local gradient is infinite.
    """
    n = len(vals)
    grad = [0.0] * n
    live = [False] * n
    grad[output] = 1.0
    live[output] = True
    ins, grads, constant = prog.ins, prog.grads, prog.constant
    for p in range(output, -1, -1):
        local = grads[p]
        if not live[p] or local is None:
            continue
        g = grad[p]
        srcs = ins[p]
        for i, d in zip(srcs, local(vals[p], *[vals[i] for i in srcs]), strict=True):
            if not constant[i]:
                grad[i] += g * d
                live[i] = True
    return [None if c else g for g, c in zip(grad, constant, strict=True)]


def first_nonfinite(xs: list[float] | list[float | None]) -> int | None:
    """Position of the first NaN or infinity in ``xs`` (None entries are skipped)."""
    isfinite = math.isfinite
    for p, x in enumerate(xs):
        if x is not None and not isfinite(x):
            return p
    return None
