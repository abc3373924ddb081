"""The engine as first written (generic calls for every gate): the reference that the
optimised loops of ``circuitrun.engine`` and ``circuitrun.batch`` must match bit for bit."""

from __future__ import annotations

from circuitrun.engine.scalar import Program


def evaluate(prog: Program, leaves: list[float]) -> list[float]:
    """Every node's value."""
    vals = leaves[:]
    forward, ins = prog.forward, prog.ins
    for p in range(len(vals)):
        f = forward[p]
        if f is not None:
            vals[p] = f(*[vals[i] for i in ins[p]])
    return vals


def differentiate(prog: Program, vals: list[float], output: int) -> list[float | None]:
    """d(output)/d(node) for every node; None for constants."""
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
