"""The output formats, looked up by name in one registry (SPEC section 4).

A format writes one result (``result``: text, a piece at a time), the results of
many input rows (``rows``: a writer), or cells of a table that a terminal draws
(``table``).  ``choose`` picks one: by name, else by the suffix of the file written,
else the default.  A new format is one entry in ``FORMATS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath

from circuitrun.problems import UsageError
from circuitrun.report.parquet import SUFFIXES as PARQUET
from circuitrun.report.parquet import ParquetRows
from circuitrun.report.result import Cells, ResultView, csv_pieces, json_pieces, table_cells
from circuitrun.report.rows import CsvRows, JsonlRows, RowsLayout, RowsWriter


@dataclass(frozen=True, slots=True)
class Format:
    """An output format: its name, the file suffixes that pick it, and what it writes."""

    name: str
    suffixes: tuple[str, ...] = ()
    result: Callable[[ResultView], Iterator[str]] | None = None
    rows: Callable[[RowsLayout, bool], RowsWriter] | None = None
    table: Callable[[ResultView], Cells] | None = None

    def writes(self, inputs: bool) -> bool:
        """Whether this format writes the results of rows of inputs (else one result)."""
        if inputs:
            return self.rows is not None
        return self.result is not None or self.table is not None


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("json", (".json",), result=json_pieces),
    Format("csv", (".csv",), result=csv_pieces, rows=CsvRows),
    Format("jsonl", (".jsonl", ".ndjson"), rows=JsonlRows),
    Format("parquet", PARQUET, rows=ParquetRows),
    Format("table", table=table_cells),
)}

DEFAULT = {"inputs": "csv", "file": "json", "terminal": "table", "stream": "json"}
"""The format when none is named and no suffix picks one: for rows of inputs, for one
result written to a file, on a terminal, and to a pipe or a file redirected to."""


def choose(name: str | None = None, path: str | PurePath | None = None, *,
           inputs: bool = False, terminal: bool = False) -> Format:
    """The format named; else the one whose suffixes hold ``path``'s; else the default.

    ``inputs``: for the results of rows of inputs.  ``terminal``: the text goes to a
    terminal.  Raises ``UsageError`` for a format unknown or not for these results.
    """
    usable = [f for f in FORMATS.values() if f.writes(inputs)]
    if name is not None:
        chosen = FORMATS.get(name)
        if chosen is None or chosen not in usable:
            what = "does not apply to inputs" if chosen is not None else "is not known"
            raise UsageError(f"format {name} {what}: use {' or '.join(f.name for f in usable)}",
                             argument="format")
        return chosen
    if path is not None:
        suffix = PurePath(path).suffix.lower()
        for f in usable:
            if suffix in f.suffixes:
                return f
    where = "inputs" if inputs else "file" if path is not None else (
        "terminal" if terminal else "stream")
    return FORMATS[DEFAULT[where]]
