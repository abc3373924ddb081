"""The API side of many rows: a single number given for an input stands for every row, and
the batch result shows itself in a notebook.  Its own module: it needs numpy, which a plain
``run`` never loads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from numbers import Real
from typing import Any

import numpy as np

from circuitrun.api.display import Bundle, batch_bundle, batch_text
from circuitrun.engine.batch import BatchResult


def broadcast(columns: Mapping[str, Any]) -> dict[str, Any]:
    """``columns`` with each single number (not a bool) made a column as long as the others
    (one row when every input is a single number); anything else is left for the engine to
    check."""
    def single(v: Any) -> bool:
        if isinstance(v, np.ndarray):
            return v.ndim == 0 and v.dtype.kind in "iuf"
        return isinstance(v, Real) and not isinstance(v, bool | np.bool_)

    lengths = [len(v) for v in columns.values() if not single(v) and hasattr(v, "__len__")]
    rows = lengths[0] if lengths else 1
    return {k: np.full(rows, float(v)) if single(v) else v for k, v in columns.items()}


@dataclass(frozen=True)
class ShownBatch(BatchResult):
    """A ``BatchResult`` with a one-line ``repr`` and a table in notebooks."""

    def __repr__(self) -> str:
        return batch_text(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Bundle:
        return batch_bundle(self)


def shown(batch: BatchResult) -> ShownBatch:
    """``batch`` as a ``ShownBatch``: the same fields, the same arrays."""
    return ShownBatch(**{f.name: getattr(batch, f.name) for f in fields(batch)})
