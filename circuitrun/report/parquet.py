"""Results of many input rows as a Parquet file (``circuitrun[parquet]``: pyarrow).

The columns of CSV (``rows.output_columns``), with the same names, as float64, written a
row group at a time; a constant's gradient is a column of nulls (CSV leaves it empty),
and NaN and the infinities are stored as such.
"""

from __future__ import annotations

import contextlib
from typing import IO, Any

from circuitrun.extras import need
from circuitrun.ops.ieee import np  # numpy on first use: a plain `run` never imports it
from circuitrun.report.rows import RowsLayout, RowsWriter, output_columns

SUFFIXES = (".parquet", ".pq", ".parq")
"""The names of Parquet files: written as Parquet, read as Parquet."""
GROUP_CELLS = 1 << 22
"""Cells of a row group (32 MiB of float64), at most: the rows gathered before writing."""
GROUP_ROWS = 1 << 20
"""Rows of a row group, at most."""


class ParquetRows(RowsWriter):
    """Rows as a Parquet file."""

    binary = True

    def __init__(self, layout: RowsLayout, all_nodes: bool) -> None:
        super().__init__(layout, all_nodes)
        self.pa = need("pyarrow", "Parquet output")
        self.pq = need("pyarrow.parquet", "Parquet output")
        self.columns = output_columns(layout, all_nodes)
        self.group = max(1, min(GROUP_ROWS, GROUP_CELLS // len(self.columns)))
        self.buffer = np.empty((len(self.columns), self.group))
        self.nulls = [False] * len(self.columns)  # columns without numbers (constants' grads)
        self.filled = 0
        self.writer: Any = None

    def start(self, f: IO[Any]) -> None:
        """Begin the file: its schema."""
        pa = self.pa
        schema = pa.schema([pa.field(c.name, pa.float64()) for c in self.columns])
        # Dictionaries do not pay for floats that seldom repeat: they took a third of the
        # time of writing (measured).
        self.writer = self.pq.ParquetWriter(f, schema, use_dictionary=False)

    def write(self, vals: list[Any], grads: list[Any]) -> None:
        """Add a chunk's rows, copied: the engine reuses its arrays for the next chunk."""
        n = len(vals[self.output])
        arrays = [c.of(vals, grads) for c in self.columns]
        done = 0
        while done < n:
            k = min(n - done, self.group - self.filled)
            at = slice(self.filled, self.filled + k)
            for j, (row, arr) in enumerate(zip(self.buffer, arrays, strict=True)):
                if arr is None:
                    self.nulls[j] = True
                else:
                    row[at] = arr[done:done + k]
            self.filled += k
            done += k
            if self.filled == self.group:
                self.flush()

    def finish(self) -> None:
        """The last rows, and the file's footer."""
        self.flush()
        self.writer.close()

    def discard(self) -> None:
        """Close the writer without its last rows, while its file is still open (else
        pyarrow would close it when collected, into a file gone by then)."""
        if self.writer is not None:
            with contextlib.suppress(Exception):  # the file is removed anyway
                self.writer.close()

    def flush(self) -> None:
        """Write the rows gathered so far as one row group."""
        if self.filled:
            pa, n = self.pa, self.filled
            arrays = [pa.nulls(n, pa.float64()) if null else float_array(pa, row[:n])
                      for row, null in zip(self.buffer, self.nulls, strict=True)]
            self.writer.write_batch(pa.record_batch(arrays, schema=self.writer.schema))
            self.filled = 0


def float_array(pa: Any, values: Any) -> Any:
    """A pyarrow float64 array over the numpy float64 array ``values`` (no copy: written
    before ``values`` changes).  ``pa.array`` would import pandas (0.7 s of CPU time, in
    every Dask worker process too: docs/performance.md)."""
    values = np.ascontiguousarray(values, dtype=np.float64)
    return pa.Array.from_buffers(pa.float64(), len(values), [None, pa.py_buffer(values)])
