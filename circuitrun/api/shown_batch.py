"""The batch result ``Circuit.run_batch`` returns: the engine's, showing itself in a
notebook (its own module: it needs numpy's engine, which a plain ``run`` never loads)."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from circuitrun.api.display import Bundle, batch_bundle, batch_text
from circuitrun.engine.batch import BatchResult


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
