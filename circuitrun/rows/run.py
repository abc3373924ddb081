"""A circuit run once per row of an inputs file, a chunk of rows at a time.

The file is read (``read.py``), evaluated (``engine/batch.py``) and handed on a chunk
of rows at a time, so memory stays bounded whatever its length.  A non-finite result is
``FILE:LINE: error: gate 'q' (div) gave inf from inputs ... [non-finite]``: the rule of
SPEC section 3.5 applied to the row on that line.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from circuitrun.api.circuit import Circuit
from circuitrun.engine.batch import BatchPlan, iter_chunks, make_plan
from circuitrun.problems import NonFiniteError, Problem
from circuitrun.rows.chunk import Rows
from circuitrun.rows.read import read_rows


class RowsRun:
    """``circuit`` over the rows of the inputs file ``path``.

    ``values`` gives inputs a value where the file has none; ``output`` is the node
    differentiated; ``all_nodes`` keeps every node's gradient.  Raises ``UsageError``
    for a name that is not an input, or an output that is not a node.
    """

    def __init__(self, circuit: Circuit, path: str | Path,
                 values: Mapping[str, float] | None = None, output: str | None = None,
                 allow_nonfinite: bool = False, all_nodes: bool = False) -> None:
        inputs = circuit.inputs
        values = circuit.settings(values or {})  # w=[...] sets w[0] ... (SPEC section 9.1)
        self.circuit = circuit
        self.path = Path(path)
        self.defaults = {n: values.get(n, v) for n, v in inputs.items()}
        self.allow_nonfinite = allow_nonfinite
        self.plan = make_plan(circuit, output, all_nodes)
        prog = circuit.program
        self.names: Sequence[str] = prog.names
        self.ops: Sequence[str] = prog.ops
        self.input_positions: Sequence[int] = [prog.position[n] for n in inputs]
        self.output_position: int = self.plan.output
        self.chars_read = 0  # of the file, as its rows are run

    def chunks(self) -> Iterator[tuple[list[Any], list[Any]]]:
        """Every node's values and gradients over the rows, a part of a chunk at a time
        (the arrays are overwritten by the next part); ``chars_read`` grows as the file is
        read.  Raises ``InputError`` for a bad row, ``NonFiniteError`` at the row's line,
        and ``OSError`` or ``UnicodeDecodeError`` for a file that cannot be read."""
        for rows in read_rows(self.path, self.circuit, self.defaults, self.allow_nonfinite):
            yield from run_chunk(self.plan, rows, self.allow_nonfinite, self.path)
            self.chars_read += rows.chars


def run_chunk(plan: BatchPlan, rows: Rows, allow_nonfinite: bool, path: str | Path
              ) -> Iterator[tuple[list[Any], list[Any]]]:
    """Every node's values and gradients over a chunk of rows of the file ``path``, a part
    at a time (the arrays are overwritten by the next part).  At a non-finite result the
    rows before it are handed on, then ``NonFiniteError`` names its line."""
    done = 0
    try:
        for _, stop, vals, grads in iter_chunks(plan, rows.columns, len(rows.lines),
                                                allow_nonfinite):
            yield vals, grads
            done = stop
    except NonFiniteError as e:
        bad = e.row or 0
        if bad > done:  # the rows of its part before it: all finite
            part = {n: c[done:bad] for n, c in rows.columns.items()}
            for _, _, vals, grads in iter_chunks(plan, part, bad - done, allow_nonfinite):
                yield vals, grads
        message = e.problem.message.split(": ", 1)[1]  # without "row N: "
        raise NonFiniteError(Problem(str(path), rows.lines[bad], None, "non-finite", message),
                             row=bad) from None
