"""What reading a document gives: its plain data, where each part of it is, its problems."""

from __future__ import annotations

from typing import Any, NamedTuple

from circuitrun.problems import Problem
from circuitrun.read.source import Pos

Path_ = tuple[Any, ...]
"""The keys and indices that lead from the document's root to a part of it."""


class Positions:
    """Where each key and value of a document starts, by its path of keys and indices."""

    def __init__(self) -> None:
        self.values: dict[Path_, Pos] = {(): (1, 1)}
        self.keys: dict[Path_, Pos] = {}
        self.strings: dict[Path_, tuple[str, str | None]] = {}
        self.duplicates: list[Path_] = []  # the paths of keys given twice (the later dropped)

    def value(self, path: Path_) -> Pos:
        """The value at ``path``, or the nearest enclosing value that has a position."""
        while path not in self.values:
            path = path[:-1]
        return self.values[path]

    def key(self, path: Path_) -> Pos:
        """The key of the entry at ``path`` (the value for list items and the root)."""
        return self.keys.get(path) or self.value(path)

    def string(self, path: Path_) -> tuple[str, Pos, str | None] | None:
        """The string value at ``path`` as the file writes it: its source (from its first
        character, a quote for a quoted one, to its last), its start and its style
        (PyYAML's: None or "" plain, "'", '"', "|", ">"); None if it is no string."""
        found = self.strings.get(path)
        if found is None:
            return None
        source, style = found
        return source, self.values[path], style


class Parsed(NamedTuple):
    """A document's plain data (None after a syntax error), its positions when asked
    for, and the problems found while reading it."""

    data: Any
    positions: Positions | None
    problems: list[Problem]
