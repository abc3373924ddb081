"""The op table for people (``circuitrun ops``, the README's table), made from the records.

One row per op of ``circuitrun.ops.OPS``: its name, how many inputs it takes, its value
and local gradient (the record's explanation templates, filled in with the inputs'
names ``a``, ``b``), and how an expression writes it.  The expression spellings are
what the expression compiler makes of them: each of Python's arithmetic operators is
compiled over two names and kept where it makes an op, each function the compiler
knows is listed under the op it makes, so the table cannot offer a spelling the
compiler refuses.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import NamedTuple

from circuitrun.explain.formula import fill
from circuitrun.ops.table import OPS, Op

__all__ = ["HEADER", "OP_TABLE_FORMATS", "OpRow", "op_rows"]

HEADER = ("op", "inputs", "value", "local gradient", "expression")
EACH = ("a", "b", "…")
"""The inputs of an op of any number of them, as the table writes them."""
_OPERATORS = ("a + b", "a - b", "a * b", "a / b", "a ** b", "a % b", "a // b", "a @ b", "-a",
              "2")
"""Python's arithmetic operators (and a number), each tried on the compiler."""


class OpRow(NamedTuple):
    """One op in the table's words."""

    op: str
    inputs: str
    value: str
    gradient: str
    expression: tuple[str, ...]

    def cells(self, sep: str = "  ") -> tuple[str, ...]:
        """The row as the columns of ``HEADER``, the spellings joined by ``sep``."""
        return (self.op, self.inputs, self.value, self.gradient, sep.join(self.expression))


def _spellings() -> dict[str, list[str]]:
    """Op name → the expressions that make it, operators first."""
    # the expression compiler, asked what each spelling makes: loaded for this table only
    from circuitrun.spec.expr import FUNCTIONS, compile_expression

    names = {"a": (), "b": ()}
    found: dict[str, list[str]] = {}
    for text in _OPERATORS:
        nodes = compile_expression("g", text, names).nodes
        if nodes and nodes[-1].inputs in {("a", "b"), ("a",), ()}:
            found.setdefault(nodes[-1].op, []).append(text)
    for name, f in FUNCTIONS.items():
        op = OPS[f.op]  # its record says how many inputs it takes
        args = ", ".join(EACH[:2]) + ", …" if f.spread else ", ".join(EACH[:op.min_in])
        if f.spread and name != f.op:  # another name of the op (sum): of a vector
            args = "v"
        # the ties value that is not the default (the first)
        ties = f", ties='{list(OPS[f.op].attrs['ties'] or ())[-1]}'" if f.ties else ""
        found.setdefault(f.op, []).append(f"{name}({args}{ties})")
    return found


def _row(op: Op, spelled: list[str]) -> OpRow:
    if op.max_in == 0:  # a leaf: its value is its number attribute
        attr = next(name for name, kind in op.attrs.items() if kind is None)
        return OpRow(op.name, op.arity_text(), f"the attribute {attr}", "—", tuple(spelled))
    if op.max_in is None:
        # any number of inputs: the value over a, b, ...; the gradient of each input a,
        # the others being b, ...
        value = fill(op.explain_value, list(EACH))
        grad = fill(op.explain_grads[0], list(EACH), this=0)
        if "ties" in op.attrs:  # the template is when a input wins: it gets the gradient
            grad = f"1 if {grad}, else 0 (ties: {', '.join(op.attrs['ties'] or ())})"
        grad = f"each input a: {grad}"
    else:
        names = list(op.labels or EACH[:op.max_in])
        value = fill(op.explain_value, names)
        grads = [fill(t, names) for t in op.explain_grads]
        grad = grads[0] if len(grads) == 1 else "; ".join(
            f"{n}: {g}" for n, g in zip(names, grads, strict=True))
    return OpRow(op.name, op.arity_text(), value, grad, tuple(spelled))


def op_rows() -> list[OpRow]:
    """Every op of the table, in its order."""
    spellings = _spellings()
    return [_row(op, spellings.get(name, [])) for name, op in OPS.items()]


def to_json(rows: list[OpRow]) -> str:
    """The rows as a JSON list of objects, one per op."""
    items = [{"op": r.op, "inputs": r.inputs, "value": r.value, "local_gradient": r.gradient,
              "expression": list(r.expression)} for r in rows]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"


def to_csv(rows: list[OpRow]) -> str:
    """The rows as CSV under ``HEADER`` (the spellings joined by two blanks)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(r.cells() for r in rows)
    return out.getvalue()


def to_markdown(rows: list[OpRow]) -> str:
    """The rows as a Markdown table (the README's), names and spellings as code."""
    def md(text: str) -> str:
        return text.replace("|", "\\|")

    lines = [f"| {' | '.join(HEADER)} |", "|" + "---|" * len(HEADER)]
    for r in rows:
        spelled = ", ".join(f"`{md(s)}`" for s in r.expression)
        lines.append(f"| `{r.op}` | {r.inputs} | {md(r.value)} | {md(r.gradient)} | {spelled} |")
    return "\n".join(lines) + "\n"


OP_TABLE_FORMATS: dict[str, Callable[[list[OpRow]], str]] = {
    "json": to_json, "csv": to_csv, "markdown": to_markdown}
"""The op table's text formats by name; a terminal draws the table itself."""
