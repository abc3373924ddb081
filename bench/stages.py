"""Time each stage of ``circuitrun run`` on one spec, in one process.

    python bench/stages.py SPEC [--repeat N]

Stages of the happy path: read (bytes → text), parse (text → plain data), validate
(plain data → the Pydantic model; JSON: parse+validate, Pydantic reading the text as it
validates), keys (JSON only: the duplicate-key check), build (the DAG and its order),
compile, forward, backward, write (the JSON text).  Prints the median of N runs of each,
in CPU seconds (less disturbed by other load than wall time), with the cyclic collector
off during loading and compiling as ``circuitrun`` has it.
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

from circuitrun import read as reader
from circuitrun.api.circuit import Result
from circuitrun.api.loader import no_cyclic_gc
from circuitrun.engine import scalar as engine
from circuitrun.graph.build import build
from circuitrun.spec.validate import check, check_json


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
        if is_json:  # as the loader does: Pydantic reads the text as it validates
            checked = timed("parse+validate", lambda: check_json(text))
        else:
            parsed = timed("parse", lambda: reader.parse(text, str(spec), is_json=is_json,
                                                         duplicates=False))
            assert not parsed.problems
            checked = timed("validate", lambda: check(parsed.data))
        assert checked is not None and checked.spec is not None and not checked.findings
        if is_json:  # as the loader does: the keys kept against the colons
            count = timed("keys", lambda: text.count(":"))
            assert count == checked.keys, "a colon in a string: the loader reads again"
        built, findings = timed("build", lambda: build(checked.spec))
        assert not findings, "not a valid spec"
    finally:
        gc.enable()
    with no_cyclic_gc():  # as Circuit compiles
        prog = timed("compile", lambda: engine.compile_program(built))
    leaves = prog.leaf_values
    vals = timed("forward", lambda: engine.evaluate(prog, leaves))  # type: ignore[arg-type]
    grads = timed("backward", lambda: engine.differentiate(prog, vals, prog.output))
    result = Result(checked.spec.name or spec.stem, prog.names[prog.output], prog, vals, grads)
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
