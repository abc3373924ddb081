"""Results of many input rows as CSV or JSON Lines, a chunk of rows at a time.

The columns of a table of rows (CSV, Parquet, a Dask DataFrame) are ``output_columns``:
``input.NAME`` for each input, ``value`` (the output's), ``grad.NAME`` for each input;
with ``all_nodes``, every other node's ``value.NODE`` and ``grad.NODE``.  A name has no
dot (SPEC section 1), so no column is named like another, whatever the inputs are
called.  JSON Lines: ``{"inputs": ..., "value": ..., "grads": ...}`` and, with
``all_nodes``, ``"nodes": {NODE: {"value": ..., "grad": ...}}``.  Numbers are written as
``circuitrun.report.numbers`` says.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any, NamedTuple, Protocol

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


class Column(NamedTuple):
    """A column of a table of rows: its name, the node it shows, and which of its numbers."""

    name: str
    node: int  # output position
    grad: bool  # the node's gradient (else its value)

    def of(self, vals: list[Any], grads: list[Any]) -> Any:
        """This column's array in a chunk's values and gradients (None: no gradient)."""
        return (grads if self.grad else vals)[self.node]


def output_columns(layout: RowsLayout, all_nodes: bool) -> list[Column]:
    """The columns of a table of rows, in order (see the module's docstring)."""
    names = layout.names
    inputs = list(layout.input_positions)
    cols = [Column(f"input.{names[p]}", p, False) for p in inputs]
    cols.append(Column("value", layout.output_position, False))
    cols += [Column(f"grad.{names[p]}", p, True) for p in inputs]
    if all_nodes:
        for p, op in enumerate(layout.ops):
            if op != "input":
                cols += [Column(f"value.{names[p]}", p, False),
                         Column(f"grad.{names[p]}", p, True)]
    return cols


class RowsWriter:
    """Rows out to a file: ``start(f)``, ``write(values, grads)`` for each chunk, where
    ``values[p]`` and ``grads[p]`` are node p's arrays over the chunk (a grad may be None),
    then ``finish()``.  Text formats write their ``header``, then ``rows()``'s text."""

    binary = False  # whether the file is opened for bytes (else for text)
    json = False  # whether numbers are written as JSON writes them
    header = ""

    def __init__(self, layout: RowsLayout, all_nodes: bool) -> None:
        self.output = layout.output_position
        self.inputs = list(layout.input_positions)
        self.nodes: list[int] = []
        self.file: IO[Any] | None = None

    def start(self, f: IO[Any]) -> None:
        """Begin the rows in ``f`` (a text file, or a binary one if ``binary``)."""
        self.file = f
        f.write(self.header)

    def write(self, vals: list[Any], grads: list[Any]) -> None:
        """Add a chunk's rows (the arrays may be overwritten once this returns)."""
        assert self.file is not None, "start() first"
        self.file.write(self.rows(vals, grads))

    def finish(self) -> None:
        """End the rows (what a format writes after the last row)."""

    def discard(self) -> None:
        """Give up the rows (a run that failed: its file is not kept)."""

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
        self.columns = output_columns(layout, all_nodes)
        self.header = ",".join(c.name for c in self.columns) + "\n"

    def rows(self, vals: list[Any], grads: list[Any]) -> str:
        """The text of these rows."""
        n = len(vals[self.output])
        return self.join([self.texts(c.of(vals, grads), n) for c in self.columns])

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
