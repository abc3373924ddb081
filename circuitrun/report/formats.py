"""Results as JSON, CSV and a terminal table (SPEC section 4), and atomic file writes."""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.table import Table

    from circuitrun.api.circuit import Result


def _num(x: float) -> float | str:
    """A float for JSON: itself, or "nan", "inf", "-inf" (allowed by --allow-nonfinite)."""
    if math.isfinite(x):
        return x
    return "nan" if x != x else ("inf" if x > 0 else "-inf")


def _text(x: float | None) -> str:
    if x is None:
        return ""
    return repr(x) if math.isfinite(x) else str(_num(x))


PIECE = 1 << 15
"""Nodes per piece of text: a large result is written a piece at a time (less memory,
and text that is still in the cache when it is written)."""


def to_json(result: Result) -> str:
    """One object; each node on its own line, as in SPEC section 4."""
    return "".join(json_pieces(result))


def json_pieces(result: Result) -> Iterator[str]:
    """``to_json``'s text, a piece at a time."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    head = {"circuit": result.circuit, "output": result.output,
            "value": _num(result.value(result.output))}
    yield "".join(["{\n", *(f"  {dumps(k)}: {dumps(v)},\n" for k, v in head.items()),
                   '  "nodes": [\n'])
    # Formatted directly rather than through json.dumps of a dict per node (4x faster):
    # names are [A-Za-z_][A-Za-z0-9_]* (or GATE.K) and ops are words, so nothing in a
    # row needs escaping; floats are repr'd, as the json module does.
    prog = result._prog
    quoted = list(map('"{}"'.format, prog.names))
    n = len(quoted)
    for start in range(0, n, PIECE):
        stop = min(n, start + PIECE)
        values, grads = _texts(result, start, stop, "null", '"{}"')
        rows = []
        for name, op, srcs, v, g in zip(quoted[start:stop], prog.ops[start:stop],
                                        prog.ins[start:stop], values, grads, strict=True):
            k = len(srcs)
            if k == 2:
                refs = f"{quoted[srcs[0]]}, {quoted[srcs[1]]}"
            elif k == 1:
                refs = quoted[srcs[0]]
            else:
                refs = ", ".join([quoted[i] for i in srcs])
            rows.append(f'    {{"name": {name}, "op": "{op}", "in": [{refs}], "value": {v},'
                        f' "grad": {g}}}')
        yield ",\n".join(rows) + (",\n" if stop < n else "\n")
    yield "  ]\n}\n"


def _texts(result: Result, start: int, stop: int, null: str, nonfinite: str
           ) -> tuple[list[str], list[str]]:
    """Values and gradients of nodes start..stop-1 as text: repr, ``null`` for
    constants' gradients, ``nonfinite`` formatting "nan", "inf" and "-inf" (their reprs)."""
    from circuitrun.engine.scalar import first_nonfinite

    out = []
    for xs in (result._values[start:stop], result._grads[start:stop]):
        texts = list(map(repr, xs))
        if first_nonfinite(xs) is not None and nonfinite != "{}":
            texts = [nonfinite.format(t) if t[-1] in "fn" else t for t in texts]  # inf, nan
        out.append(texts)
    values, grads = out
    constant = result._prog.constant[start:stop]
    if True in constant:
        for p, c in enumerate(constant):
            if c:
                grads[p] = null
    return values, grads


def to_csv(result: Result) -> str:
    """Header ``name,op,in,value,grad``; ``in`` joined by spaces; a null grad is empty."""
    return "".join(csv_pieces(result))


def csv_pieces(result: Result) -> Iterator[str]:
    """``to_csv``'s text, a piece at a time."""
    # Nothing needs CSV quoting: names and ops have no comma, quote or line break.
    yield "name,op,in,value,grad\n"
    prog = result._prog
    names = prog.names
    for start in range(0, len(names), PIECE):
        stop = min(len(names), start + PIECE)
        values, grads = _texts(result, start, stop, "", "{}")
        rows = []
        for name, op, srcs, v, g in zip(names[start:stop], prog.ops[start:stop],
                                        prog.ins[start:stop], values, grads, strict=True):
            refs = " ".join([names[i] for i in srcs])
            rows.append(f"{name},{op},{refs},{v},{g}\n")
        yield "".join(rows)


def build_table(result: Result) -> Table:
    """A rich table of the nodes, for people."""
    from rich.table import Table

    table = Table(title=f"{result.circuit}: {result.output} = "
                        f"{_text(result.value(result.output))}", title_justify="left")
    for col in ("name", "op", "in"):
        table.add_column(col)
    table.add_column("value", justify="right")
    table.add_column("grad", justify="right")
    for n in result:
        grad = "—" if n.grad is None else _text(n.grad)
        table.add_row(n.name, n.op, " ".join(n.inputs), _text(n.value), grad)
    return table


def print_table(result: Result) -> None:
    """The table on the terminal."""
    from rich.console import Console

    Console().print(build_table(result))


def render_table(result: Result) -> str:
    """The table as plain text, for a file."""
    from rich.console import Console

    buf = io.StringIO()
    Console(file=buf, width=200, color_system=None).print(build_table(result))
    return buf.getvalue()


def write_atomic(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` whole or not at all: a temporary file, then a rename."""
    with open_atomic(path) as f:
        f.write(text)


@contextlib.contextmanager
def open_atomic(path: str | Path, binary: bool = False) -> Iterator[IO[Any]]:
    """A text file (``binary``: a binary one) to write ``path`` with, whole or not at all:
    a temporary file in the same folder, renamed over ``path`` when the block ends
    without an error.

    A symlink is written through (its target replaced, the link kept).  A device, a
    FIFO, and anything under /dev or /proc (``/dev/null``, ``/dev/stdout``) are written
    in place, as ``open`` would: a rename would replace the device, the FIFO, or the
    file a shell redirected stdout to, behind the shell's back.
    """
    try:
        mode: int | None = os.stat(path).st_mode
    except OSError:
        mode = None
    special = mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)
    if special or os.path.abspath(path).startswith(("/dev/", "/proc/")):
        with open(path, "wb") if binary else open(path, "w", encoding="utf-8",
                                                  newline="") as f:
            yield f
        return
    path = Path(os.path.realpath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8",
                                                           newline="") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _mode_for(path: Path) -> int:
    """The existing file's permissions, or what a plain ``open`` would give."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
