"""circuitrun against micrograd, PyTorch and hand-written numpy: a markdown table.

    pip install -e '.[bench]'          # micrograd, torch==2.13.0 (CPU)
    python bench/run.py [--quick] [--json FILE] [--only SECTION ...]

Every ratio is measured in one run on one machine, peers interleaved with circuitrun,
as the median of several repeats (this machine is shared: absolute times are noisy).
In-process timings are forward + backward of an already loaded circuit; the end-to-end
ones run the command (``/usr/bin/time`` gives wall time and peak RSS).  Circuits come
from ``gen.py`` (random add/mul/relu DAGs, seeded), in a temporary folder.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import e2e  # noqa: E402
import numpy as np  # noqa: E402
from gen import generate, to_json, to_yaml  # noqa: E402
from peers import (  # noqa: E402
    micrograd_forward_backward,
    numpy_forward_backward,
    torch_scalar_forward_backward,
    torch_vector_forward_backward,
)

import circuitrun  # noqa: E402

BIN = Path(sys.executable).parent
Row = dict[str, Any]


def median_time(f: Callable[[], Any], repeat: int) -> float:
    """The median wall time of ``repeat`` calls (the cyclic GC collected before each)."""
    times = []
    for _ in range(repeat):
        gc.collect()
        t = time.perf_counter()
        f()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def interleaved(fs: dict[str, Callable[[], Any]], repeat: int) -> dict[str, float]:
    """Median times of several functions, run in turn so that load hits them alike."""
    times: dict[str, list[float]] = {k: [] for k in fs}
    for _ in range(repeat):
        for name, f in fs.items():
            times[name].append(median_time(f, 1))
    return {k: statistics.median(v) for k, v in times.items()}


def row(what: str, ours: str, peer: str, ratio: str, target: str, met: bool) -> Row:
    return {"what": what, "circuitrun": ours, "peer": peer, "ratio": ratio,
            "target": target, "met": met}


# ---- the measurements ----------------------------------------------------------------


def scalar(folder: Path, gates: int, repeat: int) -> list[Row]:
    """Forward + backward of a loaded circuit, against micrograd and PyTorch scalar."""
    c = generate(gates, seed=1)
    path = folder / f"scalar{gates}.json"
    path.write_text(to_json(c))
    circuit = circuitrun.load(path)
    ours = circuit.run()
    for name, peer in (("micrograd", micrograd_forward_backward),
                       ("torch", torch_scalar_forward_backward)):
        value, _ = peer(c)
        assert math.isclose(value, ours.value(), rel_tol=1e-9), (name, value, ours.value())
    t = interleaved({"circuitrun": circuit.run,
                     "micrograd": lambda: micrograd_forward_backward(c),
                     "torch": lambda: torch_scalar_forward_backward(c)}, repeat)
    tracemalloc.start()
    circuit.run()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    micrograd_forward_backward(c)
    peak_mg = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    tracemalloc.start()
    kept = circuitrun.load(path)
    loaded = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del kept
    n = f"{gates:,}"
    return [
        row(f"forward + backward, {n}-gate circuit", f"{t['circuitrun']:.3f} s",
            f"micrograd {t['micrograd']:.3f} s", f"{t['micrograd'] / t['circuitrun']:.1f}x",
            ">= 20x", t["micrograd"] >= 20 * t["circuitrun"]),
        row(f"forward + backward, {n}-gate circuit", f"{t['circuitrun']:.3f} s",
            f"PyTorch scalar {t['torch']:.3f} s", f"{t['torch'] / t['circuitrun']:.1f}x",
            ">= 30x", t["torch"] >= 30 * t["circuitrun"]),
        row("memory of forward + backward per gate (peak allocated)", f"{peak / gates:.0f} B",
            f"micrograd {peak_mg / gates:.0f} B", f"{peak_mg / peak:.1f}x", "<= 300 B",
            peak / gates <= 300),
        row("memory of the loaded circuit per gate (kept)", f"{loaded / gates:.0f} B", "", "",
            "(for information)", True),
    ]


def yaml_load(folder: Path, gates: int, repeat: int) -> list[Row]:
    """circuitrun.load of a YAML spec against PyYAML's C loader on the same file."""
    import yaml

    path = folder / f"load{gates}.yaml"
    path.write_text(to_yaml(generate(gates, seed=2)))

    def pyyaml() -> None:
        with open(path, encoding="utf-8") as f:
            yaml.load(f, Loader=yaml.CSafeLoader)

    def pyyaml_nogc() -> None:
        gc.disable()
        try:
            pyyaml()
        finally:
            gc.enable()

    t = interleaved({"circuitrun": lambda: circuitrun.load(path), "pyyaml": pyyaml,
                     "pyyaml_nogc": pyyaml_nogc}, repeat)
    n = f"{gates:,}"
    return [
        row(f"load a {n}-gate YAML spec (read, validate, build)", f"{t['circuitrun']:.3f} s",
            f"yaml.load CSafeLoader {t['pyyaml']:.3f} s",
            f"{t['pyyaml'] / t['circuitrun']:.1f}x", ">= 3x", t["pyyaml"] >= 3 * t["circuitrun"]),
        row(f"load a {n}-gate YAML spec, peer without the cyclic GC", f"{t['circuitrun']:.3f} s",
            f"CSafeLoader, gc off {t['pyyaml_nogc']:.3f} s",
            f"{t['pyyaml_nogc'] / t['circuitrun']:.1f}x", "(for information)", True),
    ]


def batch(folder: Path, rows: int, repeat: int) -> list[Row]:
    """run_batch against PyTorch vectorised autograd (1 thread) and hand-written numpy."""
    import torch

    torch.set_num_threads(1)
    c = generate(100, seed=3)
    path = folder / "batch100.yaml"
    path.write_text(to_yaml(c))
    circuit = circuitrun.load(path)
    rng = np.random.default_rng(0)
    cols = [rng.uniform(-1.0, 1.0, rows) for _ in c.input_names]
    named = dict(zip(c.input_names, cols, strict=True))
    ours = circuit.run_batch(named)
    for name, peer in (("torch", torch_vector_forward_backward),
                       ("numpy", numpy_forward_backward)):
        value, grads = peer(c, cols)
        assert np.allclose(value, ours.value, rtol=1e-12), name
        assert np.allclose(grads[0], ours.grads[c.input_names[0]], rtol=1e-12), name
    t = interleaved({"circuitrun": lambda: circuit.run_batch(named),
                     "torch": lambda: torch_vector_forward_backward(c, cols),
                     "numpy": lambda: numpy_forward_backward(c, cols)}, repeat)
    nodes = len(c.input_names) + len(c.ops)
    ns = {k: v * 1e9 / (nodes * rows) for k, v in t.items()}
    what = f"batch, 100-gate circuit x {rows:,} rows, ns per node-row"
    return [
        row(what, f"{ns['circuitrun']:.2f} ns", f"PyTorch vectorised (1 thread) {ns['torch']:.2f}"
            " ns", f"{ns['torch'] / ns['circuitrun']:.2f}x", "<= PyTorch",
            ns["circuitrun"] <= ns["torch"]),
        row(what, f"{ns['circuitrun']:.2f} ns", f"hand-written numpy {ns['numpy']:.2f} ns",
            f"{ns['numpy'] / ns['circuitrun']:.2f}x", "(for information)", True),
    ]


# ---- the report ----------------------------------------------------------------------


def machine() -> str:
    """The CPU model, cores, Python and the peers' versions."""
    model = "unknown CPU"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        model = next(line.split(":", 1)[1].strip() for line in out.splitlines()
                     if line.startswith("Model name"))
    except (OSError, StopIteration):
        pass
    import torch

    versions = [f"Python {platform.python_version()}", f"numpy {np.__version__}",
                f"torch {torch.__version__}", f"circuitrun {circuitrun.__version__}"]
    load = ", ".join(f"{x:.1f}" for x in __import__("os").getloadavg())
    return (f"{model}, {__import__('os').cpu_count()} cores; {', '.join(versions)};"
            f" load average at start {load}")


def table(rows: list[Row]) -> str:
    """The rows as a markdown table."""
    lines = ["| what | circuitrun | peer | ratio | target | met |",
             "|---|---|---|---|---|---|"]
    lines += [f"| {r['what']} | {r['circuitrun']} | {r['peer']} | {r['ratio']} | {r['target']}"
              f" | {'yes' if r['met'] else '**no**'} |" for r in rows]
    return "\n".join(lines)


SECTIONS = ("scalar", "yaml", "batch", "e2e", "stream", "startup", "check")


def main() -> None:
    """Run every measurement and print the table."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    ap.add_argument("--json", type=Path, help="also write the rows to this file")
    ap.add_argument("--only", nargs="+", metavar="SECTION", choices=SECTIONS,
                    help=f"run only these sections (of {', '.join(SECTIONS)})")
    args = ap.parse_args()
    quick = args.quick
    print(f"machine: {machine()}\n", flush=True)
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        steps: list[tuple[str, Callable[[], list[Row]]]] = [
            ("scalar", lambda: scalar(folder, 10_000 if quick else 100_000, 3 if quick else 5)),
            ("yaml", lambda: yaml_load(folder, 10_000 if quick else 100_000, 3 if quick else 5)),
            ("batch", lambda: batch(folder, 100_000 if quick else 1_000_000, 3 if quick else 5)),
            # the target's size, 10^5 gates (start-up is a third of it), and 10^6
            ("e2e", lambda: e2e.end_to_end(folder, 100_000, 1 if quick else 5)
             + ([] if quick else e2e.end_to_end(folder, 1_000_000, 3))),
            ("stream", lambda: e2e.streamed(folder, 10**5 if quick else 10**7)),
            ("startup", lambda: e2e.startup(5 if quick else 21)),
            ("check", lambda: e2e.check(folder, 100 if quick else 1000)),
        ]
        for name, step in steps:
            if args.only and name not in args.only:
                continue
            t = time.perf_counter()
            rows += step()
            print(f"  {name}: {time.perf_counter() - t:.0f} s", file=sys.stderr, flush=True)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps({"machine": machine(), "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
