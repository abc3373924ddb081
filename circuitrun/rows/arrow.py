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
from circuitrun.rows.read import InputError


class ArrowInputs:
    """The inputs of a circuit read from Arrow columns of ``path``.

    ``defaults`` holds every input's value where the data has no column for it (None:
    the column is required); ``check`` is called once with the data's schema, then
    ``columns`` with each batch of rows.
    """

    def __init__(self, path: str, defaults: Mapping[str, float | None],
                 allow_nonfinite: bool) -> None:
        self.pa = need("pyarrow", "Arrow and Parquet data")
        self.path = path
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
                raise self.error(None, None, f"column '{name}' is not an input of the circuit"
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
                raise self.error(None, None, f"no column for input '{name}', and the spec"
                                             " gives it no value")

    def columns(self, batch: Any, first_row: int) -> dict[str, Any]:
        """Every input's column of ``batch`` (a RecordBatch or Table whose first row is row
        ``first_row`` of the data, counted from 0) as a float64 array."""
        rows = batch.num_rows
        out: dict[str, Any] = {}
        for name, default in self.defaults.items():
            if name in self.fields:
                out[name] = self.floats(batch.column(name), name, first_row)
            else:
                out[name] = np.full(rows, default, dtype=np.float64)
        return out

    def floats(self, col: Any, name: str, first_row: int) -> Any:
        """One column as float64, or the problem of its first bad cell."""
        if col.null_count:
            i = self.pa.compute.index(col.is_null(), True).as_py()
            raise self.bad(name, first_row + i, "null")
        arr = np.asarray(col.to_numpy(), dtype=np.float64)
        if not self.allow_nonfinite and not np.isfinite(arr).all():
            i = int(np.argmax(~np.isfinite(arr)))
            raise self.bad(name, first_row + i, repr(float(arr[i])))
        return arr

    def bad(self, name: str, row: int, shown: str) -> InputError:
        need = "a number" if self.allow_nonfinite else "a finite number"
        return self.error(row + 1, self.fields[name], f"input '{name}' needs {need},"
                                                      f" not {shown}")

    def error(self, row: int | None, field: int | None, message: str) -> InputError:
        return InputError(self.path, row, field, message)


def pandas_index_columns(schema: Any) -> frozenset[str]:
    """The columns that hold a pandas index (written by ``DataFrame.to_parquet``)."""
    meta = schema.pandas_metadata or {}
    return frozenset(c for c in meta.get("index_columns", []) if isinstance(c, str))

