"""Rows of input values from a Parquet file (``circuitrun[parquet]``: pyarrow).

A column per input (``arrow.py`` says what a cell may hold); the file is read a batch of
rows at a time (``ParquetFile.iter_batches``), only the inputs' columns, never whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from circuitrun.extras import need
from circuitrun.report.parquet import SUFFIXES
from circuitrun.rows.arrow import ArrowInputs, pandas_index_columns
from circuitrun.rows.chunk import Rows
from circuitrun.spec.refs import Shape

BATCH_ROWS = 1 << 16
"""Rows read at a time (the engine then takes them a chunk at a time)."""


def is_parquet(path: str | Path) -> bool:
    """Whether ``path`` names a Parquet file (by its suffix)."""
    return Path(path).suffix.lower() in SUFFIXES


def open_parquet(path: str | Path) -> Any:
    """A ``pyarrow.parquet.ParquetFile`` (its footer read, no rows yet)."""
    pq = need("pyarrow.parquet", "Parquet data")
    return pq.ParquetFile(path)


def parquet_inputs(file: Any, path: str | Path, defaults: Mapping[str, float | None],
                   allow_nonfinite: bool, shapes: Mapping[str, Shape] | None = None
                   ) -> ArrowInputs:
    """The cell rule for ``file``, its columns checked (names, types, inputs covered);
    ``shapes``, the inputs' shapes, tell a column named after a vector what it is."""
    schema = file.schema_arrow
    reader = ArrowInputs(str(path), defaults, allow_nonfinite, shapes)
    reader.check(schema.names, schema.types, pandas_index_columns(schema))
    return reader


def read_parquet_rows(path: str | Path, defaults: Mapping[str, float | None],
                      allow_nonfinite: bool, row_group: int | None = None,
                      label: str | Path | None = None,
                      shapes: Mapping[str, Shape] | None = None) -> Iterator[Rows]:
    """The rows of a Parquet file (or of one of its row groups) a batch at a time.

    ``defaults`` gives every input's value where the file has no column for it (None:
    the column is required).  ``Rows.lines`` holds each row's number in the file, from 1.
    Problems name the file as ``label`` (default: ``path``).
    """
    file = open_parquet(path)
    inputs = parquet_inputs(file, path if label is None else label, defaults,
                            allow_nonfinite, shapes)
    meta = file.metadata
    groups = range(meta.num_row_groups) if row_group is None else [row_group]
    first = sum(meta.row_group(i).num_rows for i in range(groups[0])) if groups else 0
    total = sum(meta.row_group(i).num_rows for i in groups)
    size = Path(path).stat().st_size
    for batch in file.iter_batches(batch_size=BATCH_ROWS, row_groups=list(groups),
                                   columns=list(inputs.fields), use_threads=False):
        columns, problem = inputs.columns(batch, first)
        n = len(next(iter(columns.values()))) if columns else batch.num_rows
        if n:  # the rows before a bad cell are handed on before its problem
            yield Rows(columns, range(first + 1, first + n + 1), size * n // max(total, 1))
        if problem is not None:
            raise problem
        first += n
