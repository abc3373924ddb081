"""Where a mismatch is written: the line and column of its entry in the spec (an ``expect``
entry) or in the golden file (a node, or a top-level key), for reports that point at lines
(GitHub annotations, ``--format json``).  Placing reads the file again with positions, so
it is done only for files that have mismatches."""

from __future__ import annotations

from dataclasses import replace

from circuitrun.golden.compare import Mismatch
from circuitrun.read import Positions, parse


def place(mismatches: list[Mismatch], positions: Positions | None) -> list[Mismatch]:
    """``mismatches`` with the line and column of each entry that has keys (``at``)."""
    if positions is None:
        return mismatches
    placed = []
    for m in mismatches:
        if m.at:
            line, col = positions.key(m.at)
            m = replace(m, line=line, col=col)
        placed.append(m)
    return placed


def golden_positions(text: str, path: str) -> Positions | None:
    """Where each key and value of a golden file's text is written."""
    return parse(text, path, is_json=True, track=True).positions
