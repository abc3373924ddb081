"""Time each stage of ``circuitrun run`` on one spec, in one process.

    python bench/stages.py SPEC [--repeat N]

Stages of the happy path: read (bytes → text), parse (text → plain data), build
(validation, the DAG and its order in one pass), keys (JSON only: the duplicate-key
count), compile, forward, backward, write (the JSON text).  Prints the median of N
runs of each, in CPU seconds (less disturbed by other load than wall time), with the
cyclic collector off during loading and compiling as ``circuitrun`` has it.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from circuitrun.api.circuit import Result
from circuitrun.api.loader import no_cyclic_gc
from circuitrun.engine import scalar as engine
from circuitrun.graph import fast as fastload
from circuitrun.read import text as reader


def stages(spec: Path) -> dict[str, float]:
    """Seconds per stage, one run."""
    times: dict[str, float] = {}

    def timed(name: str, f: Callable[[], Any]) -> Any:
        t = time.process_time()  # CPU time: a shared machine's other load counts less
        out = f()
        times[name] = time.process_time() - t
        return out

    is_json = spec.suffix == ".json"
    gc.disable()
    try:
        text = timed("read", lambda: reader.read_text(spec))
        data = timed("parse", lambda: reader.read_fast(text, is_json=is_json))
        fast = timed("build", lambda: fastload.build_fast(data))
        assert fast is not None, "not a valid spec, or not one for the happy path"
        if is_json:
            count = timed("keys", lambda: text.count(":"))
            assert count == fast.keys, "a colon in a string: the duplicate check reads again"
    finally:
        gc.enable()
    with no_cyclic_gc():  # as Circuit compiles
        prog = timed("compile", lambda: engine.compile_program(fast.built))
    leaves = prog.leaf_values
    vals = timed("forward", lambda: engine.evaluate(prog, leaves))  # type: ignore[arg-type]
    grads = timed("backward", lambda: engine.differentiate(prog, vals, prog.output))
    result = Result(fast.name or spec.stem, prog.names[prog.output], prog, vals, grads)
    timed("write", result.to_json)
    return times


def main() -> None:
    """Print the median time of each stage."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("spec", type=Path)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    runs = []
    for _ in range(args.repeat):
        runs.append(stages(args.spec))
        gc.collect()
    total = 0.0
    for name in runs[0]:
        m = statistics.median(r[name] for r in runs)
        total += m
        print(f"{name:9} {m:8.3f} s CPU")
    print(f"{'total':9} {total:8.3f} s CPU")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
