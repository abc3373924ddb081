"""The columns of ``run --inputs`` output, the one rule for CSV, Parquet and Dask.

``input.NAME`` for each input's value, ``value`` for the output's, ``grad.NAME`` for each
input's gradient, and with all nodes ``value.NODE`` and ``grad.NODE`` for every other
node.  A name has no dot (SPEC section 1), so no two columns can have the same name,
whatever the inputs are called.
"""

from __future__ import annotations

from typing import NamedTuple

from circuitrun.engine.batch import BatchPlan


class Column(NamedTuple):
    """One output column: its name, the node it shows, and which of its two numbers."""

    name: str
    node: int  # output position
    grad: bool  # the node's gradient (else its value)


def output_columns(plan: BatchPlan) -> list[Column]:
    """The columns of ``plan``'s rows, in order; ``plan.all_nodes`` adds every node."""
    prog = plan.prog
    names = prog.names
    inputs = [prog.position[n] for n in prog.inputs]
    cols = [Column(f"input.{names[p]}", p, False) for p in inputs]
    cols.append(Column("value", plan.output, False))
    cols += [Column(f"grad.{names[p]}", p, True) for p in inputs]
    if plan.all_nodes:
        for p, op in enumerate(prog.ops):
            if op != "input":
                cols += [Column(f"value.{names[p]}", p, False),
                         Column(f"grad.{names[p]}", p, True)]
    return cols
