"""Tables for people, drawn with rich: the library hands over plain cells."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from rich.table import Table

from circuitrun.cli.common import emit
from circuitrun.report.result import Cells


def draw(cells: Cells) -> Table:
    """The cells as a rich table."""
    table = Table(title=cells.title, title_justify="left")
    for name, right in zip(cells.header, cells.right, strict=True):
        table.add_column(name, justify="right" if right else "left")
    for row in cells.rows:
        table.add_row(*row)
    return table


def show(cells: Cells, out: Path | None) -> None:
    """The table on the terminal, or as plain text in the file ``out``."""
    if out is None:
        Console().print(draw(cells))
        return
    buf = io.StringIO()
    Console(file=buf, width=200, color_system=None).print(draw(cells))
    emit(buf.getvalue(), out)
