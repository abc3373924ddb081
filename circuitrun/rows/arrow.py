"""Input columns from Arrow data (Parquet files, Dask partitions): the rule for a cell.

A column is named after an input and holds integers or floats; a null cell, a column of
anything else (strings, booleans, dates, decimals), or a non-finite number (unless
allowed) is a ``[bad-input]`` problem naming the row and the column:
``data.parquet:3:2: error: input 'b' needs a finite number, not null [bad-input]`` is row
3 (counted from 1, over the whole file) of the file's second column.  Integers become
the nearest float, as they do in a spec.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from circuitrun.extras import need
from circuitrun.problems import did_you_mean
from circuitrun.rows.errors import InputError
from circuitrun.spec.refs import Shape, element_issue


class ArrowInputs:
    """The inputs of a circuit read from Arrow columns of ``path``.

    ``defaults`` holds every input's value where the data has no column for it (None:
    the column is required); ``check`` is called once with the data's schema, then
    ``columns`` with each batch of rows.
    """

    def __init__(self, path: str, defaults: Mapping[str, float | None],
                 allow_nonfinite: bool, shapes: Mapping[str, Shape] | None = None) -> None:
        self.pa = need("pyarrow", "Arrow and Parquet data")
        self.path = path
        self.shapes = shapes or {}  # the inputs' shapes: a column named after a vector
        self.defaults = dict(defaults)
        self.allow_nonfinite = allow_nonfinite
        self.fields: dict[str, int] = {}  # input name -> its column, counted from 1

    def check(self, names: list[str], types: list[Any], ignored: frozenset[str] = frozenset()
              ) -> None:
        """Every column an input of the circuit, once, of numbers; every input given a
        value (by a column or by ``defaults``)."""
        pa = self.pa
        self.fields = {}
        for i, (name, kind) in enumerate(zip(names, types, strict=True)):
            if name in ignored:
                continue
            if name not in self.defaults:
                issue = element_issue(name, self.shapes)
                raise self.error(None, None, f"column '{name}': {issue}" if issue is not None else
                                 f"column '{name}' is not an input of the circuit"
                                 f"{did_you_mean(name, self.defaults)}")
            if name in self.fields:
                raise self.error(None, None, f"column '{name}' is given twice")
            if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)
                    or pa.types.is_null(kind)):
                raise self.error(None, None, f"column '{name}' holds {kind}, not numbers:"
                                             f" input '{name}' needs integers or floats")
            self.fields[name] = i + 1
        for name, value in self.defaults.items():
            if value is None and name not in self.fields:
                raise InputError(self.path, None, None, f"no value for input '{name}': the"
                                 " spec has none; give it a column", missing=name)

    def columns(self, batch: Any, first_row: int) -> tuple[dict[str, Any], InputError | None]:
        """Every input's column of ``batch`` (a RecordBatch or Table whose first row is row
        ``first_row`` of the data, counted from 0) as a float64 array, up to its first bad
        cell (in the data's order, row by row), and that cell's problem (None: no bad cell).
        """
        rows = batch.num_rows
        out: dict[str, Any] = {}
        bad: tuple[int, int, str, str] | None = None  # row, field, input, the cell shown
        for name, default in self.defaults.items():
            if name in self.fields:
                out[name], found = self.floats(batch.column(name))
                if found is not None:
                    i, shown = found
                    if bad is None or (i, self.fields[name]) < bad[:2]:
                        bad = (i, self.fields[name], name, shown)
            else:
                out[name] = np.full(rows, default, dtype=np.float64)
        if bad is None:
            return out, None
        row, _, name, shown = bad
        need = "a number" if self.allow_nonfinite else "a finite number"
        problem = self.error(first_row + row + 1, self.fields[name],
                             f"input '{name}' needs {need}, not {shown}")
        return {k: v[:row] for k, v in out.items()}, problem

    def floats(self, col: Any) -> tuple[Any, tuple[int, str] | None]:
        """One column as float64, and its first bad cell (its index, how it is shown)."""
        first: tuple[int, str] | None = None
        if col.null_count:
            pc = need("pyarrow.compute", "Arrow and Parquet data")  # not imported before
            first = (pc.index(col.is_null(), True).as_py(), "null")
            col = col.fill_null(0)  # the cells before it are what counts
        arr = self.numbers(col)
        if not self.allow_nonfinite and not np.isfinite(arr).all():
            i = int(np.argmax(~np.isfinite(arr)))
            if first is None or i < first[0]:
                first = (i, repr(float(arr[i])))
        return arr, first

    def numbers(self, col: Any) -> Any:
        """A column without nulls as float64: integers become the nearest float."""
        pa = self.pa
        kind = col.type
        if not (pa.types.is_integer(kind) or pa.types.is_floating(kind)):  # a null column
            return np.asarray(col.to_numpy(), dtype=np.float64)
        if isinstance(col, pa.ChunkedArray):
            col = col.combine_chunks()
        # Its buffer as it is, rather than by to_numpy(), which imports pandas (0.7 s of
        # CPU time, in every Dask worker process too: measured, docs/performance.md).
        letter = "f" if pa.types.is_floating(kind) else "i" if pa.types.is_signed_integer(
            kind) else "u"
        width = kind.bit_width // 8
        raw = np.frombuffer(col.buffers()[1], dtype=f"{letter}{width}", count=len(col),
                            offset=col.offset * width)
        return raw.astype(np.float64, copy=False)

    def error(self, row: int | None, field: int | None, message: str) -> InputError:
        return InputError(self.path, row, field, message)


def pandas_index_columns(schema: Any) -> frozenset[str]:
    """The columns that hold a pandas index (written by ``DataFrame.to_parquet``)."""
    meta = schema.pandas_metadata or {}
    return frozenset(c for c in meta.get("index_columns", []) if isinstance(c, str))

