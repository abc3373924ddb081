"""``circuitrun run SPEC --inputs FILE``: one result per row of FILE, as CSV or JSON Lines."""

from __future__ import annotations

from pathlib import Path

from circuitrun.api.circuit import load
from circuitrun.cli.common import open_output
from circuitrun.cli.progress import Progress
from circuitrun.problems import UsageError
from circuitrun.report.formats import choose
from circuitrun.rows.run import RowsRun


def run_rows(spec: Path, inputs: Path, fmt: str | None, out: Path | None,
             values: dict[str, float], output: str | None, allow_nonfinite: bool,
             all_nodes: bool) -> None:
    """Evaluate SPEC once per row of INPUTS; rows to OUT (whole or not at all) or stdout.

    Raises the library's errors, and ``UsageError`` for a file that cannot be read or
    written.
    """
    chosen = choose(fmt, out, inputs=True)
    assert chosen.rows is not None  # choose(inputs=True) picks a format that writes rows
    run = RowsRun(load(spec), inputs, values, output, allow_nonfinite, all_nodes)
    writer = chosen.rows(run, all_nodes)
    progress = Progress(inputs)
    try:
        with open_output(out) as sink:
            sink.write(writer.header)
            done = 0
            for vals, grads in run.chunks():
                sink.write(writer.rows(vals, grads))
                progress.advance(run.chars_read - done)
                done = run.chars_read
    except FileNotFoundError:
        raise UsageError(f"--inputs '{inputs}': no such file") from None
    except UnicodeDecodeError as e:
        raise UsageError(f"--inputs '{inputs}' is not UTF-8 text ({e.reason})") from None
    except OSError as e:
        raise UsageError(f"cannot read '{inputs}' or write the rows: {e.strerror or e}"
                         ) from None
    finally:
        progress.close()
