"""``circuitrun ops``: the op table, made from the op records."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import PurePath
from typing import Annotated

import typer

from circuitrun.cli.common import OutOption, emit
from circuitrun.explain.optable import HEADER, OP_TABLE_FORMATS, op_rows
from circuitrun.report.formats import DEFAULT

TABLE = "table"
OpsFormat = StrEnum("OpsFormat", [(n, n) for n in (TABLE, *OP_TABLE_FORMATS)])  # type: ignore[misc]
SUFFIXES = {".json": "json", ".csv": "csv", ".md": "markdown"}


def ops_command(
    fmt: Annotated[OpsFormat | None, typer.Option(
        "--format", "-f", help=f"{', '.join(OpsFormat)} [default: {DEFAULT['terminal']} on a"
        f" terminal, else {DEFAULT['stream']}; with -o, by the file's suffix]",
        show_default=False)] = None,
    out: OutOption = None,
) -> None:
    """List the ops: inputs, value, local gradient and how an expression writes each."""
    if fmt is not None:
        name = str(fmt.value)
    elif out is not None:
        name = SUFFIXES.get(PurePath(out).suffix.lower(), DEFAULT["file"])
    else:
        name = DEFAULT["terminal"] if sys.stdout.isatty() else DEFAULT["stream"]
    rows = op_rows()
    if name != TABLE:
        emit(OP_TABLE_FORMATS[name](rows), out)
        return
    from circuitrun.cli.tables import show  # rich: only for people
    from circuitrun.report.result import Cells

    show(Cells("ops", HEADER, (False,) * len(HEADER), [r.cells(sep="\n") for r in rows]), out)
