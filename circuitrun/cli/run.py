"""``circuitrun run``: one result, or one per input row with ``--inputs``."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from circuitrun.api.circuit import load
from circuitrun.cli.common import DASH, OutOption, SetOption, SpecArgument, emit, parse_sets
from circuitrun.problems import UsageError
from circuitrun.report.formats import DEFAULT, FORMATS, choose

# The registry's formats, as the choices of --format (made when this module is imported).
RunFormat = StrEnum("RunFormat", [(name, name) for name in FORMATS])  # type: ignore[misc]  # a dynamic Enum


def _dash_is_stdin(inputs: Path | None) -> Path | None:
    return Path("/dev/stdin") if inputs == DASH else inputs


def _names(inputs: bool) -> str:
    """``json, csv or table``: the formats for one result (or for rows of inputs)."""
    names = [f.name for f in FORMATS.values() if f.writes(inputs)]
    return " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def run(
    spec: SpecArgument,
    fmt: Annotated[RunFormat | None, typer.Option(
        "--format", "-f", help=f"{_names(inputs=False)} [default: {DEFAULT['terminal']} on"
        f" a terminal, else {DEFAULT['stream']}; with -o, by the file's suffix]",
        show_default=False)] = None,
    out: OutOption = None,
    sets: SetOption = None,
    output: Annotated[str | None, typer.Option(
        "--output", help="Differentiate NODE instead of the spec's output.",
        metavar="NODE")] = None,
    allow_nonfinite: Annotated[bool, typer.Option(
        "--allow-nonfinite", help="Report NaN and infinities instead of failing.")] = False,
    inputs: Annotated[Path | None, typer.Option(
        "--inputs", help="Evaluate once per row of FILE (CSV with a header of input names,"
        f" JSON Lines, or Parquet); rows out as {_names(inputs=True)} [default:"
        f" {DEFAULT['inputs']}]. '-': standard input (CSV or JSON Lines).",
        metavar="FILE", callback=_dash_is_stdin)] = None,
    all_nodes: Annotated[bool, typer.Option(
        "--all-nodes", help="With --inputs: every node's value and gradient.")] = False,
    dask: Annotated[bool, typer.Option(
        "--dask", help="With --inputs: run the rows of Parquet files (a file, a folder or a"
        " quoted glob) on a Dask cluster into the folder -o FOLDER.")] = False,
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="With --dask: the scheduler of a running cluster [default: a"
        " local cluster for the run].", metavar="ADDRESS")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="With --dask: worker processes of the local cluster"
        " [default: one per core].", metavar="N")] = None,
) -> None:
    """Evaluate a circuit and backpropagate: every node's value and gradient."""
    values = parse_sets(sets)
    name = None if fmt is None else str(fmt.value)
    rows_only = name is not None and not FORMATS[name].writes(inputs=False)  # jsonl, parquet
    on_dask = dask or scheduler is not None
    if inputs is not None or all_nodes or rows_only or on_dask or workers is not None:
        if inputs is None:
            used = f"--format {name}" if rows_only else "--all-nodes" if all_nodes else (
                "--dask" if on_dask else "--workers")
            raise UsageError(f"{used} goes with --inputs FILE")
        if on_dask or workers is not None:
            from circuitrun.cli.rows import run_dask

            run_dask(spec, inputs, name, out, values, output, allow_nonfinite, all_nodes,
                     scheduler, workers)
            return
        from circuitrun.cli.rows import run_rows  # numpy and the progress bar: only here

        run_rows(spec, inputs, name, out, values, output, allow_nonfinite, all_nodes)
        return
    result = load(spec).run(values, output=output, allow_nonfinite=allow_nonfinite)
    chosen = choose(name, out, terminal=sys.stdout.isatty())
    if chosen.result is not None:  # large results go out a piece at a time
        emit(chosen.result(result.view), out)
    elif chosen.table is not None:
        from circuitrun.cli.tables import show  # rich: only for people

        show(chosen.table(result.view), out)
