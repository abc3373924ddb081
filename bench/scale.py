"""Parquet and Dask at scale: ``circuitrun run --inputs`` over 10^7 rows of a 100-gate circuit.

    python bench/scale.py [--rows N] [--repeat R] [--no-csv] [--json FILE]

Needs ``pip install -e '.[parquet,dask]'``.  The circuit is ``bench/gen.py``'s 100 gates
with 2 inputs (seed 5, as the CSV streaming row of ``bench/run.py``); the rows are
uniform in [-1, 1], written once as CSV (each float's repr) and once as Parquet (row
groups of 2^20 rows: the pieces Dask spreads over its workers).  Each command runs under
``/usr/bin/time`` (wall time, peak RSS of the command's own process; a Dask worker's
memory is its own process's), R times, median wall time.  The outputs are checked equal
to the CSV path's (with ``--no-csv``: the Parquet path's) on their first and last rows.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from e2e import CIRCUITRUN, _row  # noqa: E402
from gen import generate, to_yaml  # noqa: E402

Row = dict[str, Any]


def make_rows(folder: Path, rows: int, csv_too: bool) -> tuple[Path, Path]:
    """The same ``rows`` rows as CSV (if ``csv_too``) and as Parquet."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv, parquet = folder / "rows.csv", folder / "rows.parquet"
    rng = np.random.default_rng(1)
    block = 1 << 20
    schema = pa.schema([("x0", pa.float64()), ("x1", pa.float64())])
    with open(csv if csv_too else os.devnull, "w", encoding="ascii") as f, \
            pq.ParquetWriter(parquet, schema) as w:
        f.write("x0,x1\n")
        for start in range(0, rows, block):
            x = rng.uniform(-1.0, 1.0, (min(block, rows - start), 2))
            if csv_too:
                f.write("".join(f"{a!r},{b!r}\n" for a, b in x.tolist()))
            w.write_table(pa.table({"x0": x[:, 0], "x1": x[:, 1]}, schema=schema))
    return csv, parquet


CPU: dict[str, list[float]] = {}
"""CPU seconds (user + system) of each command's runs, by the command's label."""


def timed(args: list[str], repeat: int, label: str = "") -> tuple[float, int]:
    """Median wall seconds and the largest peak RSS of ``repeat`` runs; their CPU seconds
    (user + system of the command and every process it waited for: a local cluster's
    workers) kept in ``CPU[label]``, since on a shared machine wall time is mostly the
    others' load."""
    walls, peak = [], 0
    for _ in range(repeat):
        with tempfile.NamedTemporaryFile("r") as report:
            subprocess.run(["/usr/bin/time", "-o", report.name, "-f", "%e %U %S %M", *args],
                           check=True, stdout=subprocess.DEVNULL)
            wall, user, system, kb = report.read().split()[-4:]
        walls.append(float(wall))
        peak = max(peak, int(kb) * 1024)
        CPU.setdefault(label, []).append(float(user) + float(system))
        load = os.getloadavg()[0]
        print(f"  {label}: {float(wall):.1f} s wall, {float(user) + float(system):.1f} s CPU,"
              f" load {load:.1f}", file=sys.stderr, flush=True)
    return statistics.median(walls), peak


def edges(path: Path, n: int) -> list[str]:
    """The header and the first and last ``n`` rows of an output as CSV lines: a CSV file,
    or a Parquet file or folder (cells written as CSV writes them)."""
    if path.suffix == ".csv":
        with open(path, encoding="ascii") as f:
            head = [f.readline() for _ in range(n + 1)]
        tail = subprocess.run(["tail", "-n", str(n), str(path)], capture_output=True,
                              text=True, check=True).stdout.splitlines(keepends=True)
        return head + tail
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    rows = table.slice(0, n).to_pylist() + table.slice(table.num_rows - n).to_pylist()
    return [",".join(table.column_names) + "\n"] + [
        ",".join("" if v is None else repr(v) for v in row.values()) + "\n" for row in rows]


def measure(folder: Path, rows: int, repeat: int, csv_too: bool) -> list[Row]:
    spec = folder / "stream100.yaml"
    spec.write_text(to_yaml(generate(100, seed=5, inputs=2)))
    t = time.perf_counter()
    csv, parquet = make_rows(folder, rows, csv_too)
    print(f"  rows written: {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    run = [CIRCUITRUN, "run", str(spec), "--inputs"]
    csv_out, pq_out, dask_out = folder / "out.csv", folder / "out.parquet", folder / "out"
    if csv_too:
        t_csv, m_csv = timed([*run, str(csv), "-o", str(csv_out)], 1, "csv")
        print(f"  CSV: {t_csv:.0f} s", file=sys.stderr, flush=True)
    else:  # the Parquet output, as CSV, is what the others are checked against
        t_csv = m_csv = 0
    t_pq, m_pq = timed([*run, str(parquet), "-o", str(pq_out)], repeat, "parquet")
    reference = edges(csv_out if csv_too else pq_out, 1000)
    assert edges(pq_out, 1000) == reference
    dask: dict[int, tuple[float, int]] = {}
    for workers in (1, 2):
        dask[workers] = timed([*run, str(parquet), "--dask", "--workers", str(workers),
                               "-o", str(dask_out)], repeat, f"dask{workers}")
        assert edges(dask_out, 1000) == reference
    print(f"  largest process of --dask (client or worker): {dask[1][1] / 2**20:.0f} MiB"
          f" (1 worker), {dask[2][1] / 2**20:.0f} MiB (2 workers)", file=sys.stderr)
    cpu = {k: statistics.median(v) for k, v in CPU.items()}
    print("  median CPU seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in cpu.items()),
          file=sys.stderr)
    ns = {k: v * 1e9 / rows for k, v in (("csv", t_csv), ("pq", t_pq))}
    n = f"{rows:,}"
    out = [
        _row(f"Parquet in, Parquet out, 100 gates x {n} rows, per row",
             f"{ns['pq']:.0f} ns ({t_pq:.1f} s)", f"CSV in, CSV out {ns['csv']:.0f} ns"
             f" ({t_csv:.1f} s)", f"{t_csv / t_pq:.2f}x", ">= 1x", t_pq <= t_csv),
        _row(f"Parquet in, Parquet out, {n} rows: peak RSS", f"{m_pq / 2**20:.0f} MiB",
             f"CSV in, CSV out {m_csv / 2**20:.0f} MiB", "", "<= 500 MB", m_pq <= 500e6),
    ] if csv_too else [
        _row(f"Parquet in, Parquet out, {n} rows: peak RSS", f"{m_pq / 2**20:.0f} MiB"
             f" ({t_pq:.1f} s)", "", "", "<= 500 MB", m_pq <= 500e6)]
    return [
        *out,
        _row(f"`--dask`, local cluster, {n} rows: 2 workers against 1",
             f"{dask[2][0]:.1f} s", f"1 worker {dask[1][0]:.1f} s",
             f"{dask[1][0] / dask[2][0]:.2f}x", ">= 1.6x", dask[1][0] >= 1.6 * dask[2][0]),
        _row(f"`--dask`, local cluster of 1 worker, {n} rows, against no Dask",
             f"{dask[1][0]:.1f} s", f"`run --inputs rows.parquet` {t_pq:.1f} s",
             f"{dask[1][0] / t_pq - 1:+.0%}", "<= +25%", dask[1][0] <= 1.25 * t_pq),
        _row(f"`--dask`, local cluster of 1 worker, {n} rows: CPU time against no Dask",
             f"{cpu['dask1']:.1f} s", f"`run --inputs rows.parquet` {cpu['parquet']:.1f} s",
             f"{cpu['dask1'] / cpu['parquet'] - 1:+.0%}", "(<= +25%)",
             cpu["dask1"] <= 1.25 * cpu["parquet"]),
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10**7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--json", type=Path, help="also write the rows to this file")
    ap.add_argument("--no-csv", action="store_true", help="leave out CSV in, CSV out (the"
                    " slowest part): only Parquet and Dask")
    args = ap.parse_args()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"{os.cpu_count()} cores, load average at start {load}\n", flush=True)
    with tempfile.TemporaryDirectory(dir=HERE.parent) as tmp:
        rows = measure(Path(tmp), args.rows, args.repeat, not args.no_csv)
    from run import table

    print(table(rows))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\nload average at the end {load}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
