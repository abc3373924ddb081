"""Whole-command measurements for ``bench/run.py``: wall time and peak RSS of processes.

    python bench/e2e.py micrograd GATES SEED   # (child) micrograd forward + backward time
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from gen import generate, to_json, to_yaml  # noqa: E402

Row = dict[str, Any]
PYTHON = sys.executable
CIRCUITRUN = str(Path(sys.executable).parent / "circuitrun")


def _command(args: list[str], stdout: Any = subprocess.DEVNULL) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one run of a command, by /usr/bin/time."""
    import tempfile

    with tempfile.NamedTemporaryFile("r") as report:
        subprocess.run(["/usr/bin/time", "-o", report.name, "-f", "%e %M", *args],
                       check=True, stdout=stdout)
        wall, kb = report.read().split()[-2:]
    return float(wall), int(kb) * 1024


def _row(what: str, ours: str, peer: str, ratio: str, target: str, met: bool) -> Row:
    return {"what": what, "circuitrun": ours, "peer": peer, "ratio": ratio,
            "target": target, "met": met}


def end_to_end(folder: Path, gates: int, repeat: int) -> list[Row]:
    """``circuitrun run`` of a JSON spec to a JSON file, against micrograd's forward +
    backward alone (in a fresh process, the circuit generated before the clock starts)."""
    spec = folder / f"e2e{gates}.json"
    spec.write_text(to_json(generate(gates, seed=4)))
    out = folder / "e2e-out.json"
    ours, mg, peak = [], [], 0
    for _ in range(repeat):
        wall, rss = _command([CIRCUITRUN, "run", str(spec), "-o", str(out)])
        ours.append(wall)
        peak = max(peak, rss)
        child = subprocess.run([PYTHON, __file__, "micrograd", str(gates), "4"], check=True,
                               capture_output=True, text=True)
        mg.append(float(child.stdout))
    t, m = statistics.median(ours), statistics.median(mg)
    n = f"{gates:,}"
    return [
        _row(f"`circuitrun run` end to end, {n}-gate JSON spec, JSON to a file", f"{t:.2f} s",
             f"micrograd forward + backward alone {m:.2f} s", f"{m / t:.2f}x", "< micrograd",
             t < m),
        _row(f"`circuitrun run` end to end, {n}-gate JSON spec: peak RSS",
             f"{peak / 2**30:.2f} GiB", "", "", "<= 1.5 GB", peak <= 1.5e9),
    ]


def streamed(folder: Path, rows: int) -> list[Row]:
    """``run --inputs`` over a CSV of ``rows`` rows (2 inputs, 100 gates): peak RSS."""
    import numpy as np

    spec = folder / "stream100.yaml"
    spec.write_text(to_yaml(generate(100, seed=5, inputs=2)))
    data = folder / "rows.csv"
    rng = np.random.default_rng(1)
    with open(data, "w", encoding="ascii") as f:
        f.write("x0,x1\n")
        for start in range(0, rows, 1 << 18):
            block = rng.uniform(-1.0, 1.0, (min(1 << 18, rows - start), 2))
            f.write("".join(f"{a!r},{b!r}\n" for a, b in block.tolist()))
    wall, peak = _command([CIRCUITRUN, "run", str(spec), "--inputs", str(data)])
    data.unlink()
    return [_row(f"batch, {rows:,} rows streamed (CSV in, CSV out): peak RSS",
                 f"{peak / 2**20:.0f} MiB ({wall:.0f} s)", "", "", "<= 500 MB", peak <= 500e6)]


def startup(repeat: int) -> list[Row]:
    """``circuitrun run circuits/sigmoid.yaml`` against importing its four libraries."""
    base = [PYTHON, "-c", "import yaml, pydantic, networkx, typer"]
    run = [CIRCUITRUN, "run", "circuits/sigmoid.yaml"]
    times: dict[str, list[float]] = {"base": [], "run": []}
    for _ in range(repeat):
        for key, args in (("base", base), ("run", run)):
            t = time.perf_counter()
            subprocess.run(args, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            times[key].append(time.perf_counter() - t)
    b, r = statistics.median(times["base"]), statistics.median(times["run"])
    return [_row("`circuitrun run circuits/sigmoid.yaml`", f"{r * 1000:.0f} ms",
                 f"`python -c \"import yaml, pydantic, networkx, typer\"` {b * 1000:.0f} ms",
                 f"{r / b:.2f}x", "<= 1.3x", r <= 1.3 * b)]


def check(folder: Path, specs: int) -> list[Row]:
    """``circuitrun check`` over ``specs`` small specs with expect blocks."""
    where = folder / "check"
    examples = sorted((ROOT / "circuits").glob("*.yaml"))
    for i in range(specs):
        target = where / f"d{i // 100}" / f"s{i}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(examples[i % len(examples)], target)
    has_check = subprocess.run([CIRCUITRUN, "check", "--help"], capture_output=True).returncode == 0
    if has_check:
        args, how = [CIRCUITRUN, "check", str(where)], "`circuitrun check DIR`"
    else:  # this branch has no check command: the same work through the API
        script = ("import sys, pathlib, circuitrun\n"
                  "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')):\n"
                  "    c = circuitrun.load(p); r = c.run(); e = c.spec.expect\n"
                  "    assert all(abs(r.value(n) - v) <= e.atol + e.rtol * abs(v)"
                  " for n, v in e.values.items())\n")
        args, how = [PYTHON, "-c", script, str(where)], "load + run + compare expect (API)"
    walls = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run(args, check=False, stdout=subprocess.DEVNULL)
        walls.append(time.perf_counter() - t)
    shutil.rmtree(where)
    ms = statistics.median(walls) * 1000 / specs
    return [_row(f"{how} over {specs:,} small specs", f"{ms:.2f} ms per spec", "", "",
                 "<= 3 ms per spec", ms <= 3)]


def _micrograd_child(gates: int, seed: int) -> None:
    from peers import micrograd_forward_backward

    c = generate(gates, seed)
    t = time.perf_counter()
    micrograd_forward_backward(c)
    print(time.perf_counter() - t)


if __name__ == "__main__":
    if sys.argv[1:2] == ["micrograd"]:
        _micrograd_child(int(sys.argv[2]), int(sys.argv[3]))
