"""circuitrun on a real Dask cluster: a LocalCluster of two worker processes.

Marked ``cluster`` (deselected by default, ``pytest -m cluster`` in CI): starting worker
processes takes seconds.  Every cluster is closed by its fixture, every wait is bounded.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dask.dataframe as dd
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from distributed import Client, LocalCluster
from typer.testing import CliRunner

import circuitrun
from circuitrun.dask import evaluate, run_files
from circuitrun.rows.errors import InputError

from support.cli import invoke
from support.rows import (
    EXAMPLES,
    arrow_cells,
    bits,
    csv_cells,
    example_rows,
    write_csv,
    write_parquet,
)

pytestmark = pytest.mark.cluster
runner = CliRunner()

# Python-speed ops (exp, sin, tanh call the C library element by element), so that a
# row group takes a moment and a worker can be killed in the middle of a run.
SLOW = """\
inputs: {x: 0.5, y: -1.5}
gates:
  e: {op: exp, in: x}
  s: {op: sin, in: [y]}
  t: {op: tanh, in: [e]}
  m: {op: mul, in: [t, s]}
  f: {op: add, in: [m, x, 1]}
"""


def two_workers() -> LocalCluster:
    return LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                        dashboard_address=":0")


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with two_workers() as c:
        yield c


@pytest.fixture
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster) as c:
        yield c


def dataset(folder: Path, files: int, rows: int, row_group: int, seed: int = 0
            ) -> dict[str, Any]:
    """``files`` Parquet files of ``rows`` rows of x and y; all the rows, in file order."""
    folder.mkdir()
    rng = np.random.default_rng(seed)
    xs, ys = rng.normal(0, 2, files * rows), rng.normal(0, 2, files * rows)
    for k in range(files):
        part = slice(k * rows, (k + 1) * rows)
        write_parquet(folder / f"day{k}.parquet", {"x": xs[part], "y": ys[part]}, row_group)
    return {"x": xs, "y": ys}


def assert_equal_to_run_batch(out: Path, circuit: circuitrun.Circuit,
                              cols: dict[str, Any]) -> None:
    """The parts of ``out``, in name order, hold exactly ``run_batch``'s rows."""
    parts = sorted(out.iterdir())
    assert all(p.name.startswith("part.") and p.suffix == ".parquet" for p in parts)
    table = pa.concat_tables(pq.read_table(p) for p in parts)
    want = circuit.run_batch(cols, all_nodes=True)
    assert table.num_rows == len(cols["x"])
    assert np.array_equal(bits(table.column("value").to_numpy()), bits(want.value))
    for name in circuit.inputs:
        assert np.array_equal(bits(table.column(f"grad.{name}").to_numpy()),
                              bits(want.grads[name]))
    assert want.nodes is not None
    for name, (value, grad) in want.nodes.items():
        if name not in circuit.inputs:
            assert np.array_equal(bits(table.column(f"value.{name}").to_numpy()), bits(value))
            if grad is None:
                assert table.column(f"grad.{name}").null_count == table.num_rows
            else:
                assert np.array_equal(bits(table.column(f"grad.{name}").to_numpy()),
                                      bits(grad))


def test_files_on_two_workers_equal_one_machine(tmp_path: Path, cluster: LocalCluster
                                                ) -> None:
    circuit = circuitrun.loads(SLOW)
    cols = dataset(tmp_path / "data", files=3, rows=5000, row_group=2000)
    out = tmp_path / "out"
    rows = run_files(circuit, tmp_path / "data" / "*.parquet", out,
                     address=cluster.scheduler_address, all_nodes=True)
    assert rows == 15000
    assert len(list(out.iterdir())) == 9  # 3 row groups per file, a part each
    assert_equal_to_run_batch(out, circuit, cols)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]  # nothing else left


def test_evaluate_on_the_cluster(tmp_path: Path, client: Client) -> None:
    circuit = circuitrun.loads(SLOW)
    cols = dataset(tmp_path / "data", files=2, rows=3000, row_group=1000)
    frame = dd.read_parquet(tmp_path / "data")
    got = client.compute(evaluate(circuit, frame)).result(timeout=120)
    want = circuit.run_batch(cols)
    assert np.array_equal(bits(got["value"].to_numpy(dtype=float)), bits(want.value))
    assert np.array_equal(bits(got["grad.y"].to_numpy(dtype=float)), bits(want.grads["y"]))


def test_a_worker_killed_mid_run(tmp_path: Path) -> None:
    circuit = circuitrun.loads(SLOW)
    cols = dataset(tmp_path / "data", files=4, rows=40_000, row_group=4000)
    out = tmp_path / "out"
    with two_workers() as cluster, Client(cluster) as client:
        pids = client.run(os.getpid)
        done: dict[str, Any] = {}

        def run() -> None:
            try:
                done["rows"] = run_files(circuit, tmp_path / "data", out,
                                         address=cluster.scheduler_address, all_nodes=True)
            except BaseException as e:  # handed to the test's thread
                done["error"] = e

        runner = threading.Thread(target=run)
        runner.start()
        # Kill a worker once some parts are written and most are not (40 in all).
        deadline = time.monotonic() + 120
        written = 0
        while time.monotonic() < deadline and runner.is_alive():
            written = sum(1 for p in tmp_path.glob(".out.*.tmp/part.*.parquet"))
            if written >= 2:
                break
            time.sleep(0.02)
        assert 2 <= written < 30, written
        os.kill(next(iter(pids.values())), signal.SIGKILL)
        runner.join(timeout=300)
        assert not runner.is_alive()
        assert "error" not in done, done.get("error")
        assert done["rows"] == 160_000
        assert set(client.run(os.getpid).values()) != set(pids.values())  # it was replaced
    assert_equal_to_run_batch(out, circuit, cols)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]


def test_a_bad_partition_fails_and_leaves_nothing(tmp_path: Path, cluster: LocalCluster
                                                 ) -> None:
    data = tmp_path / "data"
    dataset(data, files=3, rows=5000, row_group=2000)
    bad = pa.table({"x": pa.array([1.0] * 2500 + [None] + [2.0] * 2499), "y": [0.5] * 5000})
    pq.write_table(bad, data / "day1.parquet", row_group_size=2000)
    out = tmp_path / "out"
    with pytest.raises(InputError) as e:
        run_files(circuitrun.loads(SLOW), data, out, address=cluster.scheduler_address)
    # row 2501 of the file, its first column
    assert str(e.value) == (f"{data / 'day1.parquet'}:2501:1: error: input 'x' needs a finite"
                            " number, not null [bad-input]")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_an_old_output_folder_is_replaced_only_if_it_holds_parquet(
        tmp_path: Path, cluster: LocalCluster) -> None:
    circuit = circuitrun.loads(SLOW)
    cols = dataset(tmp_path / "data", files=1, rows=100, row_group=100)
    out = tmp_path / "out"
    out.mkdir()
    (out / "part.00000.parquet").write_bytes(b"old")
    (out / "part.00007.parquet").write_bytes(b"old")
    run_files(circuit, tmp_path / "data", out, address=cluster.scheduler_address,
              all_nodes=True)
    assert [p.name for p in out.iterdir()] == ["part.00000.parquet"]
    assert_equal_to_run_batch(out, circuit, cols)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(circuitrun.UsageError) as e:
        run_files(circuit, tmp_path / "data", out, address=cluster.scheduler_address)
    assert str(e.value) == (f"'{out}' holds other things than Parquet files ('notes.txt'):"
                            " not replaced")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "out"]


# ---- the command line: run --inputs 'data/*.parquet' --dask -o out/ ----------------------


def cli_dataset(tmp_path: Path, spec: Path) -> Path:
    """Rows of an example circuit as 3 Parquet files in data/ and, all together, as one CSV
    file (returned)."""
    cols = example_rows(circuitrun.load(spec), 3000, seed=7)
    (tmp_path / "data").mkdir()
    for k in range(3):
        part = {n: c[k * 1000:(k + 1) * 1000] for n, c in cols.items()}
        write_parquet(tmp_path / "data" / f"{k}.parquet", part, row_group=400)
    return write_csv(tmp_path / "rows.csv", cols)


@pytest.mark.parametrize("where", ["scheduler", "local", "local-one"])
def test_cli_equals_csv_bit_for_bit(tmp_path: Path, cluster: LocalCluster, where: str,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    spec = EXAMPLES[0]  # activations: exp, tanh, sigmoid, relu
    monkeypatch.chdir(tmp_path)
    rows_csv = cli_dataset(tmp_path, spec)
    opts = ["--all-nodes", "--allow-nonfinite"]
    ref = invoke("run", spec, "--inputs", rows_csv, *opts)
    # local-one: a local cluster of one worker, run in this process (docs/batch.md)
    on = (["--scheduler", cluster.scheduler_address] if where == "scheduler"
          else ["--workers", "2" if where == "local" else "1"])
    got = invoke("run", spec, "--inputs", "data/*.parquet", "--dask", *on, *opts, "-o", "out")
    assert (got.exit_code, got.stdout, got.stderr) == (0, "", "")
    parts = sorted((tmp_path / "out").iterdir())
    assert len(parts) == 9  # 3 row groups in each of 3 files
    table = pa.concat_tables(pq.read_table(p) for p in parts)
    assert arrow_cells(table) == csv_cells(ref.stdout)


@pytest.mark.parametrize("where", ["scheduler", "local"])
def test_cli_bad_partition(tmp_path: Path, cluster: LocalCluster, where: str,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    # local: a cluster of a worker in this process and a worker process.
    monkeypatch.chdir(tmp_path)
    dataset(tmp_path / "data", files=2, rows=1000, row_group=300)
    pq.write_table(pa.table({"x": [1.0] * 999 + [None], "y": [2.0] * 1000}),
                   tmp_path / "data" / "day1.parquet", row_group_size=300)
    spec = tmp_path / "slow.yaml"
    spec.write_text(SLOW)
    on = (["--scheduler", cluster.scheduler_address] if where == "scheduler"
          else ["--workers", "2"])
    got = invoke("run", spec, "--inputs", "data", "--dask", *on, "-o", "out")
    assert (got.exit_code, got.stdout, got.stderr) == (
        2, "", "data/day1.parquet:1000:1: error: input 'x' needs a finite number, not null"
               " [bad-input]\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "slow.yaml"]
