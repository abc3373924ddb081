"""Where a central difference says nothing: kinks, domain edges and poles within the step.

A central difference is only meaningful where the circuit is differentiable. Some ops have
a kink (relu and abs at 0, max and min where the winner changes) or a domain edge or pole
(sqrt and log at 0, 1/x and a divisor at 0, pow's base at 0 unless its exponent makes a
polynomial); their records say so (``ops.record.Kink``). Each such gate has a *state*: the
sign of its argument, or the set of its inputs equal to its result. The rule: if, along the
perturbed node's direction, any such gate that feeds the output has a different state at
n - eps, n and n + eps, the node is "not differentiable here" and names the first such
gate, instead of being failed. An exact tie or a zero argument at n itself is reported as
such ("max tie at gate 'm'", "relu at 0 at gate 'r'"); a change elsewhere in the window as
a kink within eps. A tie that holds at all three points (max(x, x), or a tie the perturbed
node does not move) is no kink along that direction.
"""

from __future__ import annotations

from collections.abc import Hashable

from circuitrun.engine.scalar import Program
from circuitrun.ops.record import Kink


def _state(kink: Kink, ans: float, args: list[float]) -> Hashable:
    """The sign of the kink's argument, or which inputs equal a max/min's result."""
    if kink.sign_of is None:
        return tuple(i for i, a in enumerate(args) if a == ans)
    x = args[kink.sign_of]
    return (x > 0) - (x < 0) if x == x else "nan"


def _on_kink(state: Hashable) -> bool:
    return len(state) > 1 if isinstance(state, tuple) else state == 0


def kink_at(prog: Program, down: list[int], samples: tuple[list[float], ...]) -> str:
    """The first gate in ``down`` whose state is not the same at all samples, as a reason."""
    records, ins, names = prog.records, prog.ins, prog.names
    for p in down:
        record = records[p]
        kink = None if record is None else record.kink
        if kink is None:
            continue
        args = [[vals[i] for i in ins[p]] for vals in samples]
        if kink.smooth_at is not None and all(kink.smooth_at(*a) for a in args):
            continue
        states = [_state(kink, vals[p], a) for vals, a in zip(samples, args, strict=True)]
        if states[0] != states[1] or states[1] != states[2]:
            words = kink.at if _on_kink(states[1]) else kink.near
            return f"{words} at gate '{names[p]}'"
    return ""
