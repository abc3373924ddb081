"""``circuitrun.dask.run_files``: the rows of Parquet files on a Dask cluster, into a folder.

Each row group of each file is a task that reads, evaluates and writes its rows a batch
at a time (``part.00000.parquet``, ... in input order), so a worker's memory does not
grow with the rows.  Workers read and write the files themselves: the paths must mean
the same files on every worker.  The folder is written whole or not at all.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from circuitrun.api.circuit import Circuit
from circuitrun.dask.frame import Job, Layout
from circuitrun.extras import need
from circuitrun.problems import UsageError
from circuitrun.report.atomic import open_atomic
from circuitrun.report.parquet import ParquetRows
from circuitrun.rows.parquet import is_parquet, open_parquet, parquet_inputs, read_parquet_rows
from circuitrun.rows.run import run_chunk

PART = "part.{:05d}.parquet"
"""The output file of the k-th piece (row group) of the input, in input order."""


def dataset_files(pattern: str | Path) -> list[Path]:
    """The Parquet files of a dataset: a file, a folder's ``*.parquet`` files, or a glob
    pattern, in name order."""
    path = Path(pattern)
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if is_parquet(p) and not
                       p.name.startswith((".", "_")))
    elif any(c in str(pattern) for c in "*?["):
        anchor = Path(path.anchor) if path.is_absolute() else Path()
        files = sorted(p for p in anchor.glob(str(path.relative_to(anchor)))
                       if p.is_file())
    else:
        files = [path] if path.exists() else []
    if not files:
        raise UsageError(f"no Parquet files in '{pattern}'")
    return files


def run_files(circuit: Circuit, inputs: str | Path, out: Path, *, address: str | None = None,
              workers: int | None = None, sets: Mapping[str, Any] | None = None,
              output: str | None = None, all_nodes: bool = False,
              allow_nonfinite: bool = False, progress: bool = False) -> int:
    """Run the rows of a Parquet dataset on a Dask cluster into the folder ``out``; the
    number of rows.

    ``address``: a running scheduler's (else a local cluster of ``workers`` processes,
    one per core by default).  ``out`` holds ``part.00000.parquet``, ... in input order;
    it is written whole or not at all (a hidden folder beside it, renamed at the end; an
    ``out`` that already exists is replaced only if it holds nothing but Parquet files).
    Raises ``UsageError``, ``InputError`` or ``NonFiniteError`` (naming file and row).
    """
    distributed = need("distributed", "running on a Dask cluster")
    given = circuit.settings(sets or {})  # w=[...] sets w[0] ... (SPEC section 9.1)
    defaults = {n: given.get(n, v) for n, v in circuit.inputs.items()}
    job = Job(circuit, output, all_nodes, allow_nonfinite, defaults)
    pieces: list[tuple[str, str, int]] = []
    rows = 0
    for path in dataset_files(inputs):  # each file's columns checked before any work
        file = open_parquet(path)
        parquet_inputs(file, path, defaults, allow_nonfinite, circuit.shapes)
        rows += file.metadata.num_rows
        # opened by its absolute path (a worker's working folder is its own), named as given
        pieces += [(os.path.abspath(path), str(path), g)
                   for g in range(file.metadata.num_row_groups)]
    out = Path(os.path.abspath(out))
    _replaceable(out)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        with _client(distributed, address, workers) as client:
            shipped = client.scatter(job, broadcast=True)
            futures = [client.submit(_piece, shipped, path, label, group,
                                     str(tmp / PART.format(k)), pure=False)
                       for k, (path, label, group) in enumerate(pieces)]
            try:
                if progress:  # Dask's bar writes to stdout; messages go to stderr
                    with contextlib.redirect_stdout(sys.stderr):
                        distributed.progress(futures)
                client.gather(futures)
            finally:
                client.cancel(futures)
        for left in tmp.glob(".*.tmp"):  # a killed task's temporary file (its rerun wrote)
            left.unlink()
        _replace(tmp, out)
    except BaseException:
        _remove(tmp)
        raise
    return rows


def _piece(job: Job, path: str, label: str, group: int, target: str) -> int:
    """One task: a row group of ``path`` (named ``label`` in problems) evaluated into the
    Parquet file ``target``."""
    plan = job.plan()
    done = 0
    with open_atomic(target, binary=True) as f:
        writer = ParquetRows(Layout.of(plan), job.all_nodes)
        writer.start(f)
        try:
            for rows in read_parquet_rows(path, job.defaults, job.allow_nonfinite, group,
                                          label, job.circuit.shapes):
                for vals, grads in run_chunk(plan, rows, job.allow_nonfinite, label):
                    writer.write(vals, grads)
                done += len(rows.lines)
        except BaseException:
            writer.discard()
            raise
        writer.finish()
    return done


@contextlib.contextmanager
def _client(distributed: Any, address: str | None, workers: int | None) -> Iterator[Any]:
    """A client of the scheduler at ``address``, or of a local cluster made for the run."""
    import logging

    if address is not None:
        with distributed.Client(address, timeout="30s") as client:
            yield client
        return
    n = workers or len(os.sched_getaffinity(0))
    # The first worker runs in this process, as a thread; the others are processes.  A
    # worker process costs about 0.9 s of CPU before it does any work (spawning it,
    # importing Dask, numpy, pyarrow and circuitrun again, the circuit compiled again:
    # docs/performance.md); this process has all that already.  More threads of this
    # process would not do: the engine's Python between numpy calls holds the GIL, and
    # two threads ran no faster than one.
    # A failed task is reported by the run, in one line: Dask's own log of it ("Compute
    # Failed" and its traceback) is left out.
    quiet = logging.CRITICAL
    local = {"host": "127.0.0.1", "nthreads": 1}
    spec = {0: {"cls": distributed.Worker, "options": local}} | {
        k: {"cls": distributed.Nanny, "options": {**local, "silence_logs": quiet}}
        for k in range(1, n)}
    scheduler = {"cls": distributed.Scheduler,
                 "options": {"host": "127.0.0.1", "dashboard_address": ":0"}}
    with distributed.SpecCluster(workers=spec, scheduler=scheduler, silence_logs=quiet
                                 ) as cluster, distributed.Client(cluster) as client:
        yield client


def _replaceable(out: Path) -> None:
    """Refuse an ``out`` that exists and is not a folder of Parquet files (the run would
    replace it)."""
    if out.is_dir():
        others = [p.name for p in out.iterdir()
                  if not (p.is_file() and (is_parquet(p) or p.name.startswith("_")))]
        if not others:
            return
        raise UsageError(f"'{out}' holds other things than Parquet files"
                         f" ('{sorted(others)[0]}'): not replaced")
    if out.exists() or out.is_symlink():
        raise UsageError(f"'{out}' exists and is not a folder: not replaced")
    if not out.parent.is_dir():
        raise UsageError(f"cannot write '{out}': no folder '{out.parent}'")


def _replace(tmp: Path, out: Path) -> None:
    """Put the folder ``tmp`` at ``out``; an old ``out`` is moved aside, then removed."""
    if out.exists():
        _replaceable(out)  # it may have changed during the run
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
        os.replace(out, old / out.name)
        os.rename(tmp, out)
        _remove(old)
    else:
        os.rename(tmp, out)


def _remove(folder: Path) -> None:
    """Remove ``folder``, even while a cancelled task still writes a file into it."""
    for _ in range(50):
        shutil.rmtree(folder, ignore_errors=True)
        if not folder.exists():
            return
        threading.Event().wait(0.1)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
