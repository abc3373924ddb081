"""Input rows for the Parquet and Dask tests: generated per circuit, written as CSV and as
Parquet from the same floats, and outputs read back as text cells to compare bit for bit."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np

import circuitrun

from support.paths import CIRCUITS

EXAMPLES = sorted(CIRCUITS.glob("*.*"))


def example_rows(circuit: circuitrun.Circuit, n: int, seed: int) -> dict[str, Any]:
    """Columns for every other input of ``circuit`` (the rest keep the spec's value): wide
    random floats, small integers (ties, zeros: infinities and NaN for some ops), and
    negative zeros."""
    rng = np.random.default_rng(seed)
    cols = {}
    for i, (name, value) in enumerate(circuit.inputs.items()):
        if i % 2 and len(circuit.inputs) > 1:
            continue
        col = rng.normal(value or 0.0, 2.0, n)
        ints = rng.random(n) < 0.2
        col[ints] = rng.integers(-3, 4, int(ints.sum()))
        col[rng.random(n) < 0.02] = -0.0
        cols[name] = col
    return cols


def write_csv(path: Path, cols: dict[str, Any]) -> Path:
    """The columns as CSV, each float as its repr (which reads back as the same float)."""
    names = list(cols)
    lines = [",".join(names)]
    lines += [",".join(map(repr, row)) for row in zip(*(cols[n].tolist() for n in names),
                                                      strict=True)]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path


def write_parquet(path: Path, cols: dict[str, Any], row_group: int) -> Path:
    """The columns as a Parquet file of row groups of ``row_group`` rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table(cols), path, row_group_size=row_group)
    return path


def csv_cells(text: str) -> tuple[list[str], list[list[str]]]:
    """The header and the columns of CSV text, as the cells' text."""
    rows = list(csv.reader(io.StringIO(text)))
    return rows[0], [list(c) for c in zip(*rows[1:], strict=True)]


def arrow_cells(table: Any) -> tuple[list[str], list[list[str]]]:
    """The names and the columns of an Arrow table as CSV writes them: a float's repr
    (``nan``, ``inf``, ``-inf`` included), an empty cell for a null."""
    cols = [["" if v is None else repr(v) for v in table.column(i).to_pylist()]
            for i in range(table.num_columns)]
    return table.column_names, cols


def bits(values: Any) -> Any:
    """Floats as their bit patterns, so that -0.0 differs from 0.0 and NaN equals NaN."""
    return np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
