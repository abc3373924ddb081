"""Tables for people, drawn with rich: the library hands over plain cells."""

from __future__ import annotations

import io
from pathlib import Path

from rich import box
from rich.console import Console
from rich.table import Table

from circuitrun.cli.common import emit
from circuitrun.engine.gradcheck import HEADER, GradcheckResult, Verdict
from circuitrun.report.result import Cells

COLOURS = {Verdict.ok: "green", Verdict.mismatch: "bold red", Verdict.not_differentiable: "yellow"}


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


def gradcheck_table(result: GradcheckResult) -> Table:
    """A gradient check for a terminal: each verdict in its colour, the summary below."""
    table = Table(title=result.title, title_justify="left", caption=result.summary(),
                  caption_justify="left", box=box.SIMPLE_HEAD, pad_edge=False)  # 80 columns
    table.add_column(HEADER[0], no_wrap=True)
    for col in HEADER[1:-1]:  # numbers whole, never cut
        table.add_column(col, justify="right", no_wrap=True, min_width=len(col))
    table.add_column(HEADER[-1], min_width=len(HEADER[-1]))
    for check, (*cells, verdict) in zip(result.nodes, result.rows(), strict=True):
        table.add_row(*cells, f"[{COLOURS[check.verdict]}]{verdict}[/]")
    return table
