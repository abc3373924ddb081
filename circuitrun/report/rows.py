"""Results of many input rows as CSV or JSON Lines, a chunk of rows at a time.

CSV: the inputs, ``value``, ``grad.NAME`` for each input; with ``all_nodes``, every
other node's ``value.NODE,grad.NODE``.  JSON Lines: ``{"inputs": ..., "value": ...,
"grads": ...}`` and, with ``all_nodes``, ``"nodes": {NODE: {"value": ..., "grad": ...}}``.
Numbers are written as ``circuitrun.report.numbers`` says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from circuitrun.report.numbers import number_texts


class RowsLayout(Protocol):
    """What a rows writer needs to know of the circuit being run."""

    @property
    def names(self) -> Sequence[str]: ...  # every node, in output order
    @property
    def ops(self) -> Sequence[str]: ...
    @property
    def input_positions(self) -> Sequence[int]: ...  # the inputs' positions, in file order
    @property
    def output_position(self) -> int: ...


class RowsWriter:
    """The text of rows: ``header`` once, then ``rows(values, grads)`` for each chunk, where
    ``values[p]`` and ``grads[p]`` are node p's arrays over the chunk (a grad may be None)."""

    json = False  # whether numbers are written as JSON writes them
    header = ""

    def __init__(self, layout: RowsLayout, all_nodes: bool) -> None:
        self.output = layout.output_position
        self.inputs = list(layout.input_positions)
        self.nodes: list[int] = []

    def rows(self, vals: list[Any], grads: list[Any]) -> str:
        """The text of these rows."""
        n = len(vals[self.output])
        cols = [vals[p] for p in self.inputs] + [vals[self.output]]
        cols += [grads[p] for p in self.inputs]
        for p in self.nodes:
            cols += [vals[p], grads[p]]
        return self.join([self.texts(c, n) for c in cols])

    def texts(self, col: Any, n: int) -> list[str]:
        """A column's numbers as text (a constant's missing gradient as null)."""
        null = "null" if self.json else ""
        return [null] * n if col is None else number_texts(col.tolist(), null, self.json)

    def join(self, texts: list[list[str]]) -> str:
        """Rows of cells as text."""
        raise NotImplementedError


class CsvRows(RowsWriter):
    """Rows as CSV, with a header of column names."""

    def __init__(self, layout: RowsLayout, all_nodes: bool) -> None:
        super().__init__(layout, all_nodes)
        names = layout.names
        if all_nodes:
            self.nodes = [p for p, op in enumerate(layout.ops) if op != "input"]
        cols = [names[p] for p in self.inputs] + ["value"]
        cols += [f"grad.{names[p]}" for p in self.inputs]
        cols += [f"{kind}.{names[p]}" for p in self.nodes for kind in ("value", "grad")]
        self.header = ",".join(cols) + "\n"

    def join(self, texts: list[list[str]]) -> str:
        """One line of cells per row."""
        return "".join(",".join(t) + "\n" for t in zip(*texts, strict=True))


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class JsonlRows(RowsWriter):
    """Rows as JSON Lines, one object per row."""

    json = True

    def __init__(self, layout: RowsLayout, all_nodes: bool) -> None:
        super().__init__(layout, all_nodes)
        names = layout.names
        if all_nodes:
            self.nodes = list(range(len(names)))
        # A format string per row, with the names in place: names need no escaping.
        ins = ", ".join(_literal(f'"{names[p]}": ') + "{}" for p in self.inputs)
        template = _literal('{"inputs": {') + ins + _literal('}, "value": ') + "{}"
        template += _literal(', "grads": {') + ins + _literal("}")
        if all_nodes:
            nodes = ", ".join(_literal(f'"{names[p]}": {{"value": ') + "{}"
                              + _literal(', "grad": ') + "{}" + _literal("}")
                              for p in self.nodes)
            template += _literal(', "nodes": {') + nodes + _literal("}")
        self.template = template + _literal("}")

    def join(self, texts: list[list[str]]) -> str:
        """One object per row, each on its line."""
        return "".join(t + "\n" for t in map(self.template.format, *texts))
