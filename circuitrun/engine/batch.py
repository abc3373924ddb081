"""One circuit over many input rows: forward and backward with numpy, chunk by chunk.

Every node's value over the rows of a chunk is one array, and each gate is its op's
array form (a few numpy operations per chunk; the loops are ``loops.py``'s, the inline
forms pasted in), in the scalar engine's order and with the op's own formulas, so that
row i gives exactly the floats of ``Circuit.run`` on row i's inputs.  Chunks keep memory bounded and
arrays in cache.

numpy is imported here only, so that a plain ``circuitrun run`` never pays for it.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from circuitrun.engine.scalar import Program, live_gates
from circuitrun.problems import NonFiniteError, Problem, SpecError


class Circuit(Protocol):
    """What a batch run needs of a circuit (``circuitrun.Circuit`` is one)."""

    @property
    def name(self) -> str: ...
    @property
    def program(self) -> Program: ...
    @property
    def shapes(self) -> Mapping[str, tuple[int, ...]]: ...
    def nonfinite_problem(self, p: int, values: list[float], what: str,
                          grad: float | None = None) -> Problem: ...
    def missing_inputs(self, names: list[str]) -> SpecError: ...

CHUNK_CELLS = 1 << 20
"""Node-rows per chunk at most (8 MiB of values, as much of gradients)."""
CHUNK_ROWS = 1 << 13
"""Rows per chunk at most: arrays of 64 KiB are the fastest here (measured: 2K to 64K)."""


def chunk_rows(nodes: int) -> int:
    """How many rows a chunk of a circuit of ``nodes`` nodes holds."""
    return max(1, min(CHUNK_ROWS, CHUNK_CELLS // max(nodes, 1)))


@dataclass(frozen=True, slots=True)
class BatchResult:
    """Values and gradients over rows: one array per name, row i for input row i."""

    circuit: str
    output: str
    inputs: dict[str, Any]  # each input's values (given or the spec's)
    value: Any  # the output's value
    grads: dict[str, Any]  # d(output)/d(input), for each input
    nodes: dict[str, tuple[Any, Any]] | None = None  # with all_nodes: (value, grad or None)


class BatchPlan:
    """A compiled circuit ready to run over chunks of rows.

    ``all_nodes``: every node's gradient is wanted, not only the inputs'.  Without it, a
    gate's gradient array is handed on to one of its inputs where the local gradient is
    1 (an add), instead of being copied.
    """

    def __init__(self, circuit: Circuit, output: str | None = None,
                 all_nodes: bool = False) -> None:
        prog: Program = circuit.program
        self.circuit = circuit
        self.prog = prog
        self.output = prog.output if output is None else prog.position[output]
        self.all_nodes = all_nodes
        code, arg0, arg1 = prog.code, prog.arg0, prog.arg1
        self.steps = [(p, code[p], arg0[p], arg1[p]) for p in live_gates(prog, self.output)]
        self.leaves = [p for p, r in enumerate(prog.records) if r is None]
        self.reported = [p for p, c in enumerate(prog.constant) if not c and (
            all_nodes or prog.ops[p] == "input")]
        self._watch(prog)
        self.rows = 0  # the workspace's rows: arrays reused by every chunk (see _workspace)

    def _watch(self, prog: Program) -> None:
        """Which values and gradients the non-finite checks sum (SPEC 3.5, per row).

        Values: a non-finite value reaches every consumer whose op propagates it (add of
        inf is inf or NaN, and so on), so some node without such a consumer is
        non-finite too: summing those finds every row that has one.  Gradients: a
        non-finite gradient of a gate makes every non-constant input's gradient
        non-finite (g * d is inf or NaN whatever d is), so the first one of a row, in
        output order, is on a node with no such input: an input, or a gate of constants
        only.  Those are the only ones looked at, then.
        """
        n, ins, constant, records = len(prog.names), prog.ins, prog.constant, prog.records
        carried = [False] * n
        for record, srcs in zip(records, ins, strict=True):
            if record is not None and record.propagates:
                for i in srcs:
                    carried[i] = True
        self.watch_values = [records[p] is not None and not carried[p] for p in range(n)]
        self.watch_grads = [not constant[p] and not any(not constant[i] for i in ins[p])
                            for p in range(n)]

    def _workspace(self, rows: int) -> None:
        # Every array of a chunk is a row of these, allocated once: allocating and
        # freeing them per chunk made the C library hand memory back to the system and
        # fault it in again, which took twice as long as the arithmetic (measured).
        if rows > self.rows:
            n = len(self.prog.names)
            self.rows = rows
            self.vbuf = np.empty((n, rows))
            self.gbuf = np.empty((n, rows))
            self.scratch = np.empty(rows)
            self.zeros = np.zeros(rows)
            self.views: dict[int, tuple[list[Any], list[Any]]] = {}

    def _views(self, rows: int) -> tuple[list[Any], list[Any]]:
        """Each node's row of the value and gradient workspaces, ``rows`` long (made once
        per length: every chunk but the last has the same)."""
        if rows not in self.views:
            self.views[rows] = ([v[:rows] for v in self.vbuf], [g[:rows] for g in self.gbuf])
        return self.views[rows]

    def run(self, columns: Mapping[str, Any], rows: int, first_row: int,
            allow_nonfinite: bool) -> tuple[list[Any], list[Any]]:
        """Values and gradients of every node over one chunk (gradients of constants:
        None; of gates, without ``all_nodes``: not meaningful); ``columns`` holds an array
        for each input (the caller fills defaults).  The arrays are the plan's
        workspace: the next chunk overwrites them."""
        self._workspace(rows)
        with np.errstate(all="ignore"):
            vals = self._forward(columns, rows)
            if not allow_nonfinite:
                self._check(vals, first_row, "gave", None, self.watch_values, None)
            grads = self._backward(vals, rows)
            if not allow_nonfinite:
                self._check(grads, first_row, "has gradient", vals, self.watch_grads,
                            self.watch_grads)
        return vals, grads

    def _forward(self, columns: Mapping[str, Any], rows: int) -> list[Any]:
        """The scalar engine's forward pass with arrays for floats."""
        prog = self.prog
        names, ops, values = prog.names, prog.ops, prog.leaf_values
        out = self._views(rows)[0]
        vals: list[Any] = [None] * len(names)
        for p in self.leaves:
            if ops[p] == "input":
                vals[p] = columns[names[p]]
            else:
                vals[p] = out[p]
                vals[p].fill(values[p])
        prog.loops.array_forward(vals, out, prog.code, prog.arg0, prog.arg1, prog.records,
                                 prog.ins)
        return vals

    def _backward(self, vals: list[Any], rows: int) -> list[Any]:
        """The scalar engine's backward pass with arrays for floats.

        The scalar sum of a gradient starts at 0.0: 0.0 + c1 + c2 ...; here it starts at
        c1.  The two differ only where the result is a zero: the scalar one is never
        -0.0, this one may be; so may the contributions it passes on, which differ only
        in zeros' signs too.  Adding 0.0 to each reported gradient at the end (-0.0 + 0.0
        is 0.0, and nothing else changes) gives the scalar engine's bits.
        """
        out = self._views(rows)[1]
        tmp = self.scratch[:rows]
        grads: list[Any] = [None] * len(vals)
        grads[self.output] = out[self.output]
        grads[self.output].fill(1.0)
        prog = self.prog
        prog.loops.array_backward(self.steps, grads, vals, out, tmp, prog.records, prog.ins,
                                  prog.constant, self.all_nodes)
        for p in self.reported:
            if grads[p] is not None:
                grads[p] += 0.0  # -0.0 becomes 0.0, as in the scalar sum (see above)
        for p, c in enumerate(prog.constant):
            if c:
                grads[p] = None  # constants are not differentiated (even as the output)
            elif grads[p] is None:
                grads[p] = self.zeros[:rows]  # off every path to the output
        return grads

    def _check(self, xs: list[Any], first_row: int, what: str, vals: list[Any] | None,
               sums: list[bool], among: list[bool] | None) -> None:
        """Raise for the first row with a non-finite entry, naming the first such node
        ``among`` those selected (all by default): see ``_watch``."""
        rows = [x for x, m in zip(xs, sums, strict=True) if x is not None and m]
        if not rows:
            return
        acc = self.scratch[:len(rows[0])]
        np.copyto(acc, rows[0])
        for x in rows[1:]:
            acc += x  # a row's sum is finite only if every entry is
        if math.isfinite(float(np.add.reduce(acc))):
            return
        bad = ~np.isfinite(acc)
        order = [p for p, x in enumerate(xs) if x is not None and (among is None or among[p])]
        while bad.any():
            r = int(np.argmax(bad))
            p = next((p for p in order if not math.isfinite(xs[p][r])), None)
            if p is not None:
                self._raise(p, r, first_row, what, xs, vals)
            bad[r] = False  # the sum overflowed; every entry of this row is finite

    def _raise(self, p: int, r: int, first_row: int, what: str, xs: list[Any],
               vals: list[Any] | None) -> None:
        row_vals = [float(v[r]) for v in (vals or xs)]
        grad = None if vals is None else float(xs[p][r])
        problem = self.circuit.nonfinite_problem(p, row_vals, what, grad)
        message = f"row {first_row + r + 1}: {problem.message}"
        raise NonFiniteError(Problem(problem.path, None, None, problem.code, message),
                             row=first_row + r)


def columns_of(circuit: Circuit, given: Mapping[str, Any], rows: int | None = None,
               allow_nonfinite: bool = False) -> tuple[dict[str, Any], int]:
    """Every input's column as a float64 array: the given ones, else the spec's value."""
    from circuitrun.problems import UsageError, did_you_mean
    from circuitrun.spec.refs import element_issue

    prog = circuit.program
    out: dict[str, Any] = {}
    for name, col in given.items():
        if name not in prog.inputs:
            raise UsageError(element_issue(name, circuit.shapes)
                             or f"'{name}' is not an input of the circuit"
                             f"{did_you_mean(name, prog.inputs)}")
        arr = np.asarray(col)
        if arr.ndim != 1 or not (np.issubdtype(arr.dtype, np.integer)
                                 or np.issubdtype(arr.dtype, np.floating)):
            raise UsageError(f"input '{name}' needs a 1-D array of real numbers")
        arr = arr.astype(np.float64, copy=False)
        if rows is None:
            rows = len(arr)
        elif len(arr) != rows:
            raise UsageError(f"input '{name}' has {len(arr)} rows, not {rows}")
        if not allow_nonfinite and not np.isfinite(arr).all():
            r = int(np.argmax(~np.isfinite(arr)))
            raise UsageError(f"input '{name}' row {r + 1}: {float(arr[r])!r} is not a finite"
                             " number")
        out[name] = arr
    if rows is None:
        raise UsageError("give at least one input column: the number of rows is its length")
    missing = [n for n in prog.inputs if n not in out and prog.leaf_values[prog.position[n]]
               is None]
    if missing:
        raise circuit.missing_inputs(missing)
    return out, rows


def run_batch(circuit: Circuit, columns: Mapping[str, Any], output: str | None = None,
              allow_nonfinite: bool = False, all_nodes: bool = False) -> BatchResult:
    """See ``Circuit.run_batch``."""
    given, rows = columns_of(circuit, columns, allow_nonfinite=allow_nonfinite)
    plan = make_plan(circuit, output, all_nodes)
    prog = plan.prog
    full = {n: given[n] if n in given else np.full(rows, prog.leaf_values[prog.position[n]],
                                                   dtype=np.float64) for n in prog.inputs}
    value = np.empty(rows)
    grads = {n: np.empty(rows) for n in prog.inputs}
    nodes = {n: (np.empty(rows), np.empty(rows) if not c else None)
             for n, c in zip(prog.names, prog.constant, strict=True)} if all_nodes else None
    for start, stop, vals, gs in iter_chunks(plan, full, rows, allow_nonfinite):
        value[start:stop] = vals[plan.output]
        for n in prog.inputs:
            grads[n][start:stop] = gs[prog.position[n]]
        if nodes is not None:
            for p, (v, g) in enumerate(nodes.values()):
                v[start:stop] = vals[p]
                if g is not None:
                    g[start:stop] = gs[p]
    return BatchResult(circuit.name, prog.names[plan.output], full, value, grads, nodes)


def make_plan(circuit: Circuit, output: str | None, all_nodes: bool = False) -> BatchPlan:
    """A plan for ``output`` (a usage error when it names no node)."""
    from circuitrun.spec.refs import output_error

    prog = circuit.program
    if output is not None and output not in prog.position:
        raise output_error(output, prog.names, circuit.shapes)
    return BatchPlan(circuit, output, all_nodes)


def iter_chunks(plan: BatchPlan, columns: Mapping[str, Any], rows: int,
                allow_nonfinite: bool, first_row: int = 0
                ) -> Iterator[tuple[int, int, list[Any], list[Any]]]:
    """``(start, stop, values, gradients)`` for each chunk of the rows of ``columns``;
    the arrays are overwritten by the next chunk."""
    step = chunk_rows(len(plan.prog.names))
    for start in range(0, rows, step):
        stop = min(rows, start + step)
        chunk = {n: col[start:stop] for n, col in columns.items()}
        vals, grads = plan.run(chunk, stop - start, first_row + start, allow_nonfinite)
        yield start, stop, vals, grads
