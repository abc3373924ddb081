"""Comparing a result with what was expected: a spec's ``expect`` block or a golden file.

A golden file is the JSON output of ``circuitrun run`` (SPEC section 4).  An entry
passes when |actual - expected| <= atol + rtol*|expected| (SPEC section 5); a null
gradient (a constant's) and the non-finite values nan, inf and -inf only match
themselves.
"""

from __future__ import annotations

import errno
import json
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from circuitrun.api.result import Result
from circuitrun.read import lone_surrogate
from circuitrun.report.numbers import NONFINITE, number_text
from circuitrun.spec.models import Expect

DEFAULT_RTOL: float = Expect.model_fields["rtol"].default
DEFAULT_ATOL: float = Expect.model_fields["atol"].default


@dataclass(frozen=True, slots=True)
class Tolerance:
    """``rtol`` and ``atol`` of SPEC section 5."""

    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL

    def allowed(self, expected: float) -> float:
        """The largest |actual - expected| that passes."""
        return self.atol + self.rtol * abs(expected)


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One failing entry: ``PATH: grad(w0): expected -0.2, got -0.19 (|diff| ..., tol ...)``."""

    path: str  # the file that holds the expectation: the spec or its golden file
    entry: str  # "value(f)", "grad(w0)", "node 'h'", or "" for the whole file
    detail: str
    expected: Any = None  # as the file holds it: a number (nan, inf), null, a name, a list
    actual: Any = None
    diff: float | None = None  # |actual - expected| of two finite numbers
    tol: float | None = None  # the largest |diff| that passes
    rel: float | None = None  # diff / |expected| (inf for expected 0); None: not two numbers
    at: tuple[Any, ...] = ()  # the keys and indices that lead to the entry in its file
    line: int | None = None  # where ``at`` is written in the file (1-based), once placed
    col: int | None = None

    def __str__(self) -> str:
        return f"{self.path}: {self.entry}: {self.detail}" if self.entry else (
            f"{self.path}: {self.detail}")


def relative(diff: float, expected: float) -> float:
    """|actual - expected| relative to |expected|: inf when expected is 0 and they differ."""
    if expected:
        return diff / abs(expected)
    return math.inf if diff else 0.0


def show(x: float | None) -> str:
    """A number as the reports and golden files write it: repr, nan, inf, -inf or null."""
    return number_text(x, "null")


def compare(path: str, entry: str, expected: float | None, actual: float | None,
            tol: Tolerance, at: tuple[Any, ...] = ()) -> Mismatch | None:
    """The mismatch of one entry, or None when ``actual`` is close enough to ``expected``."""
    if expected is None or actual is None or not (
            math.isfinite(expected) and math.isfinite(actual)):
        if show(expected) == show(actual):
            return None
        return Mismatch(path, entry, f"expected {show(expected)}, got {show(actual)}",
                        expected, actual, at=at)
    diff = abs(actual - expected)
    allowed = tol.allowed(expected)
    if diff <= allowed:
        return None
    return Mismatch(path, entry, f"expected {show(expected)}, got {show(actual)}"
                                 f" (|diff| {diff:.1e}, tol {allowed:.1e})",
                    expected, actual, diff, allowed, relative(diff, expected), at)


def compare_expect(path: str, expect: Expect, result: Result, tol: Tolerance) -> list[Mismatch]:
    """The entries of an ``expect`` block that ``result`` misses, in the block's order."""
    found = [compare(path, f"value({name})", e, result.value(name), tol,
                     ("expect", "values", name)) for name, e in expect.values.items()]
    found += [compare(path, f"grad({name})", e, result.grad(name), tol,
                      ("expect", "grads", name)) for name, e in expect.grads.items()]
    return [m for m in found if m is not None]


# ---- golden files --------------------------------------------------------------------


class GoldenError(Exception):
    """A golden file that cannot be read or is not the JSON output of ``circuitrun run``;
    ``line`` and ``col`` (1-based) where the JSON itself is broken."""

    def __init__(self, message: str, line: int | None = None, col: int | None = None) -> None:
        super().__init__(message)
        self.line, self.col = line, col


@dataclass(frozen=True, slots=True)
class GoldenNode:
    """One node of a golden file."""

    name: str
    op: Any
    inputs: Any
    value: float
    grad: float | None
    index: int  # its place in the file's list of nodes


@dataclass(slots=True)
class Golden:
    """A golden file: the circuit's name, its output and its value, its nodes by name, in
    file order."""

    circuit: Any
    output: Any
    nodes: dict[str, GoldenNode]
    value: float | None = None
    text: str = ""  # the file's text, to place its mismatches


def read_text(path: str | Path) -> str:
    """A golden file's text; raises ``OSError`` or ``UnicodeDecodeError``.

    Only a regular file is read: a FIFO or a device named like a golden file would
    block ``check`` forever, or never end.
    """
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as f:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "is a directory", str(path))
        if not stat.S_ISREG(mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return f.read().decode("utf-8")


def read_golden(path: str | Path) -> Golden:
    """Read a golden file; raises ``GoldenError``."""
    try:
        text = read_text(path)
    except (OSError, UnicodeDecodeError) as e:
        reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        raise GoldenError(f"cannot read the golden file: {reason.lower()}") from None
    return parse_golden(text)


def parse_golden(text: str) -> Golden:
    """A golden file's text as a ``Golden``; raises ``GoldenError``."""
    try:
        doc = json.loads(text, object_pairs_hook=_no_duplicates)
    except _DuplicateKey as e:
        raise GoldenError(f"not a golden file: duplicate key '{e.args[0]}'") from None
    except json.JSONDecodeError as e:
        raise GoldenError(f"not a golden file: invalid JSON at line {e.lineno}, column"
                          f" {e.colno}: {e.msg[:1].lower()}{e.msg[1:]}", e.lineno, e.colno
                          ) from None
    except ValueError as e:  # a number of more than 4,300 digits, say
        raise GoldenError(f"not a golden file: invalid JSON ({e})") from None
    except RecursionError:
        raise GoldenError("not a golden file: nested too deeply") from None
    if "\\u" in text and lone_surrogate(text) is not None:  # no UTF-8 can print it
        raise GoldenError("not a golden file: a string holds half of a surrogate pair")
    nodes = doc.get("nodes") if isinstance(doc, dict) else None
    if not isinstance(nodes, list):
        raise GoldenError("not a golden file: no list of 'nodes'")
    golden = Golden(doc.get("circuit"), doc.get("output"), {}, text=text)
    for i, node in enumerate(nodes):
        name = node.get("name") if isinstance(node, dict) else None
        if not isinstance(name, str) or name in golden.nodes:
            what = "a duplicate" if isinstance(name, str) else "no"
            raise GoldenError(f"not a golden file: node {i + 1} has {what} name")
        value, grad = _number(node.get("value")), _number(node.get("grad"))
        if value is None or (grad is None and node.get("grad", 0) is not None):
            raise GoldenError(f"not a golden file: node '{name}' needs a number for"
                              f" {'value' if value is None else 'grad'}")
        golden.nodes[name] = GoldenNode(name, node.get("op"), node.get("in"), value, grad, i)
    golden.value = _number(doc.get("value"))
    if golden.value is None:
        raise GoldenError("not a golden file: needs a number for the top-level 'value'")
    return golden


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    for key, value in pairs:
        if key in doc:
            raise _DuplicateKey(key)
        doc[key] = value
    return doc


def _number(v: Any) -> float | None:
    if isinstance(v, str):
        return NONFINITE.get(v)
    if isinstance(v, int | float) and not isinstance(v, bool):
        try:
            return float(v)
        except OverflowError:  # an integer beyond a double: no output of circuitrun's
            return None
    return None


def compare_golden(path: str, golden: Golden, result: Result, tol: Tolerance) -> list[Mismatch]:
    """The whole golden file against ``result``: its structure (circuit, output, node names
    and order, ops, inputs) exactly, every number with the tolerances."""
    found: list[Mismatch | None] = [
        _same(path, what, expected, actual, (what,)) for what, expected, actual in (
            ("circuit", golden.circuit, result.circuit), ("output", golden.output, result.output))]
    out = golden.nodes.get(result.output)
    if out is None or show(out.value) != show(golden.value):  # else value(OUTPUT) says it
        found.append(compare(path, "value", golden.value, result.value(result.output), tol,
                             ("value",)))
    order = [n for n in golden.nodes if n in {node.name for node in result}]
    seen = set()
    for node in result:
        seen.add(node.name)
        g = golden.nodes.get(node.name)
        if g is None:
            found.append(Mismatch(path, f"node '{node.name}'", "not in the golden file",
                                  actual=node.name, at=("nodes",)))
            continue
        at = ("nodes", g.index)
        found.append(_same(path, f"op({node.name})", g.op, node.op, at))
        found.append(_same(path, f"in({node.name})", g.inputs, list(node.inputs), at))
        found.append(compare(path, f"value({node.name})", g.value, node.value, tol, at))
        found.append(compare(path, f"grad({node.name})", g.grad, node.grad, tol, at))
    if order != [node.name for node in result if node.name in golden.nodes]:
        found.append(Mismatch(path, "node order", "the golden file lists the nodes in"
                              " another order than the circuit's output", at=("nodes",)))
    found += [Mismatch(path, f"node '{g.name}'", "in the golden file, not in the circuit",
                       g.name, at=("nodes", g.index))
              for g in golden.nodes.values() if g.name not in seen]
    return [m for m in found if m is not None]


def _same(path: str, entry: str, expected: Any, actual: Any,
          at: tuple[Any, ...]) -> Mismatch | None:
    if expected == actual and type(expected) is type(actual):
        return None
    return Mismatch(path, entry, f"expected {json.dumps(expected)}, got {json.dumps(actual)}",
                    expected, actual, at=at)


def same_shape(golden: Golden, result: Result) -> bool:
    """Whether the golden file names the same circuit, output, nodes, ops and inputs."""
    shape = [(n.name, n.op, list(n.inputs)) for n in result]
    return (golden.circuit, golden.output) == (result.circuit, result.output) and shape == [
        (g.name, g.op, g.inputs) for g in golden.nodes.values()]
