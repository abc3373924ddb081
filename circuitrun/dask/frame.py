"""``circuitrun.dask.evaluate``: the numpy batch engine over the partitions of a Dask DataFrame.

The output's columns and types are known from the spec, so Dask's ``meta`` is exact and
nothing is computed before it is asked for.  A ``Job`` is what every task gets: the
circuit (pickled as its spec's text, compiled once per worker thread) and how to run it.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np

from circuitrun.api.circuit import Circuit
from circuitrun.engine.batch import BatchPlan, make_plan
from circuitrun.extras import need
from circuitrun.report.parquet import float_array
from circuitrun.report.rows import output_columns
from circuitrun.rows.arrow import ArrowInputs
from circuitrun.rows.chunk import Rows
from circuitrun.rows.run import run_chunk


class Layout(NamedTuple):
    """Where a plan's rows are: what the writers of rows need (``report.rows.RowsLayout``)."""

    names: Sequence[str]
    ops: Sequence[str]
    input_positions: Sequence[int]
    output_position: int

    @classmethod
    def of(cls, plan: BatchPlan) -> Layout:
        """The layout of ``plan``'s rows."""
        prog = plan.prog
        return cls(prog.names, prog.ops, [prog.position[n] for n in prog.inputs], plan.output)


class Job:
    """A circuit and how to run it: what each task gets (pickled as the spec's text and
    these settings; the compiled plan is made again by each worker thread)."""

    def __init__(self, circuit: Circuit, output: str | None = None, all_nodes: bool = False,
                 allow_nonfinite: bool = False,
                 defaults: Mapping[str, float | None] | None = None) -> None:
        self.circuit = circuit
        self.output = output
        self.all_nodes = all_nodes
        self.allow_nonfinite = allow_nonfinite
        self.defaults = dict(circuit.inputs if defaults is None else defaults)
        plan = make_plan(circuit, output, all_nodes)  # an output that is no node: raised here
        self.columns = output_columns(Layout.of(plan), all_nodes)
        self._local = threading.local()

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_local"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._local = threading.local()

    def plan(self) -> BatchPlan:
        """This thread's plan (a plan's workspace is reused by each chunk it runs)."""
        plan: BatchPlan | None = getattr(self._local, "plan", None)
        if plan is None:
            plan = self._local.plan = make_plan(self.circuit, self.output, self.all_nodes)
        return plan

    def meta(self) -> Any:
        """An empty pandas DataFrame of the output's columns: float64, nulls and NaN apart."""
        pd = need("pandas", "circuitrun.dask")
        pa = need("pyarrow", "circuitrun.dask")
        kind = pd.ArrowDtype(pa.float64())
        return pd.DataFrame({c.name: pd.Series([], dtype=kind) for c in self.columns})


def evaluate(circuit: Circuit, dataframe: Any, all_nodes: bool = False, *,
             output: str | None = None, allow_nonfinite: bool = False) -> Any:
    """A Dask DataFrame of one output row per row of ``dataframe`` (lazy, index kept).

    Every column of ``dataframe`` must be an input of the circuit (integers or floats);
    inputs it has no column for take the spec's value.  The columns are those of
    ``run --inputs`` (``input.NAME``, ``value``, ``grad.NAME``; with ``all_nodes``,
    ``value.NODE`` and ``grad.NODE`` too), of type ``double[pyarrow]``: a constant's
    gradient is null, and NaN (``allow_nonfinite``) stays NaN.  A bad cell or a
    non-finite result raises, when computed, naming the partition and its row.
    """
    dask = need("dask", "circuitrun.dask")
    need("dask.dataframe", "circuitrun.dask")
    pd = need("pandas", "circuitrun.dask")
    job = Job(circuit, output, all_nodes, allow_nonfinite)
    # The columns' names and types are known before anything is computed: checked now.
    empty = [pd.Series([], dtype=d) for d in dataframe.dtypes]
    ArrowInputs("dataframe", job.defaults, allow_nonfinite, circuit.shapes).check(
        [str(c) for c in dataframe.columns], [_arrow(s).type for s in empty])
    return dataframe.map_partitions(_partition, dask.delayed(job), meta=job.meta())


def _arrow(series: Any) -> Any:
    """A pandas Series as an Arrow array; a NaN stays a NaN (it is no missing value)."""
    pa = need("pyarrow", "circuitrun.dask")
    return pa.array(series, from_pandas=False)


def _partition(frame: Any, job: Job, partition_info: Mapping[str, Any] | None = None) -> Any:
    """One partition's output rows (a pandas DataFrame with the partition's index)."""
    pa = need("pyarrow", "circuitrun.dask")
    pd = need("pandas", "circuitrun.dask")
    where = f"partition {partition_info['number'] if partition_info else 0}"
    names = [str(c) for c in frame.columns]
    arrays = [_arrow(frame.iloc[:, j]) for j in range(len(names))]
    inputs = ArrowInputs(where, job.defaults, job.allow_nonfinite, job.circuit.shapes)
    inputs.check(names, [a.type for a in arrays])
    n = len(frame)
    table = pa.table(arrays, names=names)
    columns, problem = inputs.columns(table, 0)
    if problem is not None:
        raise problem
    rows = Rows(columns, range(1, n + 1), 0)
    plan = job.plan()
    out = np.empty((len(job.columns), n))
    start = 0
    for vals, grads in run_chunk(plan, rows, job.allow_nonfinite, where):
        stop = start + len(vals[plan.output])
        for row, c in zip(out, job.columns, strict=True):
            got = c.of(vals, grads)
            if got is not None:
                row[start:stop] = got
        start = stop
    constant = plan.prog.constant  # a constant's gradient: None, a null in every row
    data = {c.name: pd.arrays.ArrowExtensionArray(
        pa.nulls(n, pa.float64()) if c.grad and constant[c.node] else float_array(pa, row))
        for row, c in zip(out, job.columns, strict=True)}
    return pd.DataFrame(data, index=frame.index)
