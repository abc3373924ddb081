"""Results as JSON, CSV and a terminal table (SPEC section 4), and atomic file writes."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import stat
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.table import Table

    from circuitrun.circuit import Result


def _num(x: float) -> float | str:
    """A float for JSON: itself, or "nan", "inf", "-inf" (allowed by --allow-nonfinite)."""
    if math.isfinite(x):
        return x
    return "nan" if x != x else ("inf" if x > 0 else "-inf")


def _text(x: float | None) -> str:
    if x is None:
        return ""
    return repr(x) if math.isfinite(x) else str(_num(x))


def to_json(result: Result) -> str:
    """One object; each node on its own line, as in SPEC section 4."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    head = {"circuit": result.circuit, "output": result.output,
            "value": _num(result.value(result.output))}
    lines = ["{"]
    lines += [f"  {dumps(k)}: {dumps(v)}," for k, v in head.items()]
    rows = [
        dumps({"name": n.name, "op": n.op, "in": list(n.inputs), "value": _num(n.value),
               "grad": None if n.grad is None else _num(n.grad)})
        for n in result
    ]
    lines.append('  "nodes": [')
    lines.append(",\n".join("    " + r for r in rows))
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def to_csv(result: Result) -> str:
    """Header ``name,op,in,value,grad``; ``in`` joined by spaces; a null grad is empty."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["name", "op", "in", "value", "grad"])
    for n in result:
        w.writerow([n.name, n.op, " ".join(n.inputs), _text(n.value), _text(n.grad)])
    return buf.getvalue()


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
    """Write ``text`` to ``path`` whole or not at all: a temporary file, then a rename.

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
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return
    path = Path(os.path.realpath(path))
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        os.chmod(tmp, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
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
