"""``circuitrun run SPEC --inputs FILE``: one result per row of FILE, as CSV, JSON Lines or
Parquet; with ``--dask``, the rows of Parquet files on a Dask cluster."""

from __future__ import annotations

import sys
from itertools import chain
from pathlib import Path

from circuitrun.api.circuit import load
from circuitrun.cli.common import open_output
from circuitrun.cli.progress import Progress
from circuitrun.problems import UsageError
from circuitrun.report.atomic import open_atomic
from circuitrun.report.formats import choose
from circuitrun.rows.run import RowsRun


def run_rows(spec: Path, inputs: Path, fmt: str | None, out: Path | None,
             values: dict[str, float], output: str | None, allow_nonfinite: bool,
             all_nodes: bool) -> None:
    """Evaluate SPEC once per row of INPUTS; rows to OUT (whole or not at all) or stdout.

    Nothing is written before the first rows are read (a bad header, an unreadable file:
    only the error); on stdout every row before a failing one is written, and the run
    stops when the reader goes away (``| head``).  Raises the library's errors, and
    ``UsageError`` for a file that cannot be read or written.
    """
    chosen = choose(fmt, out, inputs=True)
    assert chosen.rows is not None  # choose(inputs=True) picks a format that writes rows
    run = RowsRun(load(spec), inputs, values, output, allow_nonfinite, all_nodes)
    writer = chosen.rows(run, all_nodes)
    if writer.binary and out is None:
        raise UsageError(f"--format {chosen.name} writes a file: give -o FILE")
    where = open_atomic(out, binary=True) if out is not None and writer.binary else (
        open_output(out))
    progress = Progress(inputs)
    chunks = run.chunks()
    try:
        first = next(chunks, None)  # the file opened and its first rows read
        with where as sink:
            writer.start(sink)
            done = 0
            try:
                for vals, grads in chain([first] if first is not None else [], chunks):
                    writer.write(vals, grads)
                    progress.advance(run.chars_read - done)
                    done = run.chars_read
            except BaseException:
                writer.discard()
                raise
            writer.finish()
    except FileNotFoundError:
        raise UsageError(f"--inputs '{inputs}': no such file") from None
    except UnicodeDecodeError as e:
        raise UsageError(f"--inputs '{inputs}' is not UTF-8 text ({e.reason})") from None
    except OSError as e:
        raise UsageError(f"cannot read '{inputs}' or write the rows: {e.strerror or e}"
                         ) from None
    finally:
        progress.close()


def run_dask(spec: Path, inputs: Path, fmt: str | None, out: Path | None,
             values: dict[str, float], output: str | None, allow_nonfinite: bool,
             all_nodes: bool, scheduler: str | None, workers: int | None) -> None:
    """The rows of the Parquet files INPUTS on a Dask cluster, into the folder OUT."""
    if out is None:
        raise UsageError("--dask writes a folder of Parquet files: give -o FOLDER")
    if fmt not in (None, "parquet"):
        raise UsageError(f"--dask writes Parquet files, not {fmt}")
    if scheduler is not None and workers is not None:
        raise UsageError("--workers is the size of a local cluster, not of --scheduler's")
    from circuitrun.dask import run_files  # dask: only here

    run_files(load(spec), str(inputs), out, address=scheduler, workers=workers, sets=values,
              output=output, all_nodes=all_nodes, allow_nonfinite=allow_nonfinite,
              progress=sys.stderr.isatty())
