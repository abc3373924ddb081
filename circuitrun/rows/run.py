"""``circuitrun run SPEC --inputs FILE``: evaluate a chunk of rows at a time, write rows.

The file is read (``batchread.py``), evaluated (``batch.py``) and written a chunk of
rows at a time, so memory stays bounded whatever its length.  A non-finite result is
``FILE:LINE: error: gate 'q' (div) gave inf from inputs ... [non-finite]``: the rule of
SPEC section 3.5 applied to the row on that line.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from circuitrun.engine.batch import BatchPlan, iter_chunks
from circuitrun.rows.read import InputError, Rows, read_rows
from circuitrun.problems import NonFiniteError, Problem, did_you_mean

__all__ = ["InputError", "Progress", "Writer", "evaluate", "run_rows"]


# ---- evaluating and writing ----------------------------------------------------------


def evaluate(plan: BatchPlan, rows: Rows, allow_nonfinite: bool, path: Path
             ) -> Iterator[tuple[list[Any], list[Any]]]:
    """Values and gradients of every node, a part of the chunk at a time."""
    try:
        for _, _, vals, grads in iter_chunks(plan, rows.columns, len(rows.lines),
                                             allow_nonfinite):
            yield vals, grads
    except NonFiniteError as e:
        line = rows.lines[e.row or 0]
        message = e.problem.message.split(": ", 1)[1]  # without "row N: "
        raise NonFiniteError(Problem(str(path), line, None, "non-finite", message),
                             row=e.row) from None


def _literal(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


class Writer:
    """Rows out: CSV (the inputs, ``value``, ``grad.NAME`` for each input) or JSON Lines
    (``{"inputs": ..., "value": ..., "grads": ...}``); ``all_nodes`` adds every node's
    value and gradient (CSV: ``value.NODE,grad.NODE``; JSON: ``"nodes"``)."""

    def __init__(self, plan: BatchPlan, jsonl: bool, all_nodes: bool) -> None:
        prog = plan.prog
        names = prog.names
        self.output = plan.output
        self.jsonl = jsonl
        self.inputs = [prog.position[n] for n in prog.inputs]
        if jsonl:
            self.nodes = list(range(len(names))) if all_nodes else []
            ins = ", ".join(_literal(f'"{names[p]}": ') + "{}" for p in self.inputs)
            template = _literal('{"inputs": {') + ins + _literal('}, "value": ') + "{}"
            template += _literal(', "grads": {') + ins + _literal("}")
            if all_nodes:
                nodes = ", ".join(_literal(f'"{names[p]}": {{"value": ') + "{}"
                                  + _literal(', "grad": ') + "{}" + _literal("}")
                                  for p in self.nodes)
                template += _literal(', "nodes": {') + nodes + _literal("}")
            self.template = template + _literal("}")
            self.header = ""
        else:
            self.nodes = [p for p in range(len(names)) if prog.ops[p] != "input"
                          ] if all_nodes else []
            cols = [names[p] for p in self.inputs] + ["value"]
            cols += [f"grad.{names[p]}" for p in self.inputs]
            cols += [f"{kind}.{names[p]}" for p in self.nodes for kind in ("value", "grad")]
            self.header = ",".join(cols) + "\n"

    def rows(self, vals: list[Any], grads: list[Any]) -> str:
        """The text of these rows."""
        n = len(vals[self.output])
        cols = [vals[p] for p in self.inputs] + [vals[self.output]]
        cols += [grads[p] for p in self.inputs]
        for p in self.nodes:
            cols += [vals[p], grads[p]]
        texts = [self._texts(c, n) for c in cols]
        if self.jsonl:
            return "".join(t + "\n" for t in map(self.template.format, *texts))
        return "".join(",".join(t) + "\n" for t in zip(*texts, strict=True))

    def _texts(self, col: Any, n: int) -> list[str]:
        if col is None:  # a constant's gradient
            return ["null" if self.jsonl else ""] * n
        texts = list(map(repr, col.tolist()))  # nan, inf and -inf are the CSV words too
        if self.jsonl and not np.isfinite(col).all():
            texts = [f'"{t}"' if t[-1] in "fn" else t for t in texts]
        return texts


class Progress:
    """A progress bar on stderr, on a terminal only, once a run has taken a second."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.start = time.monotonic()
        self.bar: Any = None
        try:
            self.total: int | None = path.stat().st_size
        except OSError:
            self.total = None

    def advance(self, chars: int) -> None:
        """Count ``chars`` more of the file as done."""
        if self.bar is None:
            if not sys.stderr.isatty() or time.monotonic() - self.start < 1:
                return
            from rich.console import Console
            from rich.progress import Progress as Bar

            # rich would route stdout through its console (to stderr, with the bar): the
            # data must stay on stdout, untouched.
            self.bar = Bar(console=Console(stderr=True), transient=True,
                           redirect_stdout=False, redirect_stderr=False)
            self.bar.start()
            self.task = self.bar.add_task(self.path.name, total=self.total)
        self.bar.advance(self.task, chars)

    def close(self) -> None:
        """Take the bar away."""
        if self.bar is not None:
            self.bar.stop()


def run_rows(spec: Path, inputs: Path, fmt: str | None, out: Path | None,
             sets: dict[str, float], output: str | None, allow_nonfinite: bool,
             all_nodes: bool) -> None:
    """Evaluate SPEC once per row of INPUTS; rows to OUT (whole or not at all) or stdout.

    ``sets`` gives inputs a value where the file has none.  Raises ``SpecError``,
    ``UsageError``, ``InputError``, or ``NonFiniteError`` naming the row's line.
    """
    from circuitrun.engine.batch import make_plan
    from circuitrun.api.circuit import load
    from circuitrun.problems import UsageError
    from circuitrun.report.formats import open_atomic

    if fmt is None:
        fmt = "jsonl" if out is not None and out.suffix.lower() in (".jsonl", ".ndjson") else "csv"
    if fmt not in ("csv", "jsonl"):
        raise UsageError(f"--format {fmt} does not apply to --inputs: use csv or jsonl")
    circuit = load(spec)
    prog = circuit._prog
    for name in sets:
        if name not in prog.inputs:
            raise UsageError(f"'{name}' is not an input of the circuit"
                             f"{did_you_mean(name, prog.inputs)}")
    defaults = {n: sets.get(n, prog.leaf_values[prog.position[n]]) for n in prog.inputs}
    plan = make_plan(circuit, output, all_nodes)
    writer = Writer(plan, fmt == "jsonl", all_nodes)
    progress = Progress(inputs)
    try:
        with open_atomic(out) if out is not None else _Stdout() as sink:
            sink.write(writer.header)
            for rows in read_rows(inputs, circuit, defaults, allow_nonfinite):
                for vals, grads in evaluate(plan, rows, allow_nonfinite, inputs):
                    sink.write(writer.rows(vals, grads))
                progress.advance(rows.chars)
    except FileNotFoundError:
        raise UsageError(f"--inputs '{inputs}': no such file") from None
    except UnicodeDecodeError as e:
        raise UsageError(f"--inputs '{inputs}' is not UTF-8 text ({e.reason})") from None
    except OSError as e:
        raise UsageError(f"cannot read '{inputs}' or write the rows: {e.strerror or e}"
                         ) from None
    finally:
        progress.close()


class _Stdout:
    """stdout as a sink; a reader that goes away (``| head``) ends the run quietly."""

    def __enter__(self) -> _Stdout:
        return self

    def write(self, text: str) -> None:
        if sys.stdout is not None:
            try:
                sys.stdout.write(text)
            except BrokenPipeError:
                sys.stdout = None  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        if sys.stdout is not None:
            try:
                sys.stdout.flush()
            except BrokenPipeError:
                sys.stdout = None  # type: ignore[assignment]
