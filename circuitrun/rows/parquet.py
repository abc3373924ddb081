"""Rows in and out as Parquet (``circuitrun[parquet]``, pyarrow), a record batch at a time.

In: a column per input (``arrow.py`` says what a cell may hold); the file is read a
batch of rows at a time (``ParquetFile.iter_batches``), never whole.  Out: the columns
of ``columns.py``, float64, written a row group at a time; a constant's gradient is a
column of nulls (CSV leaves it empty), and NaN and infinities (``--allow-nonfinite``)
are stored as such.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any

import numpy as np

from circuitrun.engine.batch import BatchPlan, chunk_rows
from circuitrun.extras import need
from circuitrun.rows.arrow import ArrowInputs, pandas_index_columns
from circuitrun.rows.columns import output_columns
from circuitrun.rows.read import Rows

SUFFIXES = (".parquet", ".pq", ".parq")
"""File names read and written as Parquet."""
BATCH_ROWS = 1 << 16
"""Rows read at a time (the engine then takes them a chunk at a time)."""
GROUP_CELLS = 1 << 23
"""Cells of a row group written at a time (64 MiB of float64), at most."""


def is_parquet(path: str | Path) -> bool:
    """Whether ``path`` names a Parquet file (by its suffix)."""
    return Path(path).suffix.lower() in SUFFIXES


def open_parquet(path: str | Path) -> Any:
    """A ``pyarrow.parquet.ParquetFile`` (its footer read, no rows yet)."""
    pq = need("pyarrow.parquet", "Parquet data")
    return pq.ParquetFile(path)


def parquet_inputs(file: Any, path: str | Path, defaults: Mapping[str, float | None],
                   allow_nonfinite: bool) -> ArrowInputs:
    """The cell rule for ``file``, its columns checked (names, types, inputs covered)."""
    schema = file.schema_arrow
    reader = ArrowInputs(str(path), defaults, allow_nonfinite)
    reader.check(schema.names, schema.types, pandas_index_columns(schema))
    return reader


def read_parquet_rows(path: str | Path, defaults: Mapping[str, float | None],
                      allow_nonfinite: bool, row_group: int | None = None,
                      label: str | Path | None = None) -> Iterator[Rows]:
    """The rows of a Parquet file (or of one of its row groups) a batch at a time.

    ``defaults`` gives every input's value where the file has no column for it (None:
    the column is required).  ``Rows.lines`` holds each row's number in the file, from 1.
    Problems name the file as ``label`` (default: ``path``).
    """
    file = open_parquet(path)
    inputs = parquet_inputs(file, path if label is None else label, defaults,
                            allow_nonfinite)
    meta = file.metadata
    groups = range(meta.num_row_groups) if row_group is None else [row_group]
    first = sum(meta.row_group(i).num_rows for i in range(groups[0])) if groups else 0
    total = sum(meta.row_group(i).num_rows for i in groups)
    size = Path(path).stat().st_size
    for batch in file.iter_batches(batch_size=BATCH_ROWS, row_groups=list(groups),
                                   columns=list(inputs.fields), use_threads=False):
        n = batch.num_rows
        columns = inputs.columns(batch, first)
        yield Rows(columns, range(first + 1, first + n + 1), size * n // max(total, 1))
        first += n


class ParquetSink:
    """Rows out to a Parquet file: ``write`` takes each chunk's values and gradients."""

    def __init__(self, f: IO[bytes], plan: BatchPlan) -> None:
        pa = need("pyarrow", "Parquet output")
        pq = need("pyarrow.parquet", "Parquet output")
        self.pa = pa
        self.columns = output_columns(plan)
        constant = plan.prog.constant
        self.nulls = [c.grad and constant[c.node] for c in self.columns]
        schema = pa.schema([pa.field(c.name, pa.float64()) for c in self.columns])
        # Dictionaries do not pay for floats that seldom repeat: they were a third of the
        # writing time (measured).
        self.writer = pq.ParquetWriter(f, schema, use_dictionary=False)
        self.rows = max(chunk_rows(len(plan.prog.names)),
                        min(1 << 20, GROUP_CELLS // max(len(self.columns), 1)))
        self.buffer = np.empty((len(self.columns), self.rows))
        self.filled = 0

    def write(self, vals: list[Any], grads: list[Any]) -> None:
        """Add a chunk's rows (``BatchPlan.run``'s arrays, which the next chunk reuses)."""
        n = len(vals[self.columns[0].node])
        done = 0
        while done < n:
            k = min(n - done, self.rows - self.filled)
            at = slice(self.filled, self.filled + k)
            for row, c, null in zip(self.buffer, self.columns, self.nulls, strict=True):
                if not null:
                    row[at] = (grads if c.grad else vals)[c.node][done:done + k]
            self.filled += k
            done += k
            if self.filled == self.rows:
                self.flush()

    def flush(self) -> None:
        """Write the rows held so far as one row group."""
        if self.filled:
            pa, n = self.pa, self.filled
            arrays = [pa.nulls(n, pa.float64()) if null else pa.array(row[:n])
                      for row, null in zip(self.buffer, self.nulls, strict=True)]
            self.writer.write_batch(pa.record_batch(arrays, schema=self.writer.schema))
            self.filled = 0

    def close(self) -> None:
        """The last rows, and the file's footer."""
        self.flush()
        self.writer.close()
