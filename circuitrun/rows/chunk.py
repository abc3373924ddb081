"""A chunk of input rows, as every reader hands them on (no numpy or pyarrow here)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class Rows:
    """A chunk of input rows: a column for every input, and each row's line in the file."""

    def __init__(self, columns: dict[str, Any], lines: Sequence[int], chars: int) -> None:
        self.columns = columns
        self.lines = lines  # each row's line in the file (a Parquet file: its row), from 1
        self.chars = chars  # of the file, read for this chunk
