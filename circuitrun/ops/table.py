"""The op table: every op a gate may name, one record each (see ``record.Op``).

A new op is one record in ``nary.py``, ``binary.py`` or ``unary.py`` (and its row in the
README's table); everything else — the spec's op names and attributes, both engines,
gradcheck, diagrams, explanations — reads it from here.
"""

from __future__ import annotations

from circuitrun.ops import binary, nary, unary
from circuitrun.ops.record import Op

__all__ = ["CONST", "OPS", "TIES", "Op"]


def _const(*xs: float) -> float:  # the value comes from the attribute, not from here
    raise TypeError("a const node takes its value from the spec")


def _const_arrays(xs: object, out: object) -> object:
    raise TypeError("a const node takes its value from the spec")


CONST = Op(name="const", min_in=0, max_in=0,
           forward=_const, local_grads=lambda ans: (),
           array_forward=_const_arrays, array_local_grads=lambda ans, xs: [],
           symbol="const", explain_value="", explain_grads=(), attrs={"value": None})

OPS: dict[str, Op] = {op.name: op for op in (*nary.RECORDS, *binary.RECORDS, *unary.RECORDS,
                                             CONST)}
"""Every op a gate may name: n-ary, binary, unary, then the leaf ``const``."""

TIES = nary.TIES
"""The values of max's and min's ``ties`` attribute, each with its local-gradient rule."""
