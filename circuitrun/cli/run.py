"""``circuitrun run``: one result, or one per input row with ``--inputs``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from circuitrun.api.circuit import load
from circuitrun.cli.common import calling, emit, parse_sets, usage


class RunFormat(StrEnum):
    json = "json"
    csv = "csv"
    table = "table"
    jsonl = "jsonl"  # with --inputs


def run(
    spec: Annotated[Path, typer.Argument(help="The circuit file (.yaml, .yml or .json).",
                                         show_default=False)],
    fmt: Annotated[RunFormat | None, typer.Option(
        "--format", "-f", help="json, csv or table [default: table on a terminal, else json;"
        " with -o, by the file's suffix]", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Write to FILE (whole or not"
                                             " at all) instead of stdout.", metavar="FILE")] = None,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", help="Give input NAME the value VALUE (repeatable).",
        metavar="NAME=VALUE")] = None,
    output: Annotated[str | None, typer.Option(
        "--output", help="Differentiate NODE instead of the spec's output.",
        metavar="NODE")] = None,
    allow_nonfinite: Annotated[bool, typer.Option(
        "--allow-nonfinite", help="Report NaN and infinities instead of failing.")] = False,
    inputs: Annotated[Path | None, typer.Option(
        "--inputs", help="Evaluate once per row of FILE (CSV with a header of input names, or"
        " JSON Lines); rows out as csv [default] or jsonl.", metavar="FILE")] = None,
    all_nodes: Annotated[bool, typer.Option(
        "--all-nodes", help="With --inputs: every node's value and gradient.")] = False,
) -> None:
    """Evaluate a circuit and backpropagate: every node's value and gradient."""
    values = parse_sets(sets or [])
    if inputs is not None or all_nodes or fmt is RunFormat.jsonl:
        _run_rows(spec, inputs, fmt, out, values, output, allow_nonfinite, all_nodes)
        return
    result = calling("run", lambda: load(spec).run(values, output=output,
                                                    allow_nonfinite=allow_nonfinite))
    if fmt is None:
        if out is not None:
            fmt = RunFormat.csv if out.suffix.lower() == ".csv" else RunFormat.json
        else:
            fmt = RunFormat.table if sys.stdout.isatty() else RunFormat.json
    if fmt is RunFormat.table:
        from circuitrun.report.formats import print_table, render_table

        if out is None:
            print_table(result)
            return
        text = render_table(result)
        emit(text, out)
    else:  # large results go out a piece at a time
        from circuitrun.report.formats import csv_pieces, json_pieces

        emit((csv_pieces if fmt is RunFormat.csv else json_pieces)(result), out)


def _run_rows(spec: Path, inputs: Path | None, fmt: RunFormat | None, out: Path | None,
              values: dict[str, float], output: str | None, allow_nonfinite: bool,
              all_nodes: bool) -> None:
    """``run --inputs FILE`` (circuitrun.batchio): one result per row."""
    if inputs is None:
        raise usage("run", "--format jsonl and --all-nodes go with --inputs FILE")
    from circuitrun.rows.run import run_rows

    calling("run", lambda: run_rows(spec, inputs, fmt and fmt.value, out, values, output,
                                     allow_nonfinite, all_nodes))
