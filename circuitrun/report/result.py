"""One result as JSON, CSV, or cells of a table for people (SPEC section 4).

The writers take a ``ResultView``, the read-only columns of a result, and never the
result itself: the report stage needs nothing else of the engine's or the API's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from circuitrun.report.numbers import json_number, number_text, number_texts

PIECE = 1 << 15
"""Nodes per piece of text: a large result is written a piece at a time (less memory,
and text that is still in the cache when it is written)."""


@dataclass(frozen=True, slots=True)
class ResultView:
    """What a report reads of a result: columns in output order, not to be modified."""

    circuit: str
    output: str
    value: float  # the output's
    names: Sequence[str]
    ops: Sequence[str]
    ins: Sequence[tuple[int, ...]]  # positions of each node's inputs
    values: Sequence[float]
    grads: Sequence[float | None]  # None for constants


def to_json(view: ResultView) -> str:
    """One object; each node on its own line, as in SPEC section 4."""
    return "".join(json_pieces(view))


def json_pieces(view: ResultView) -> Iterator[str]:
    """``to_json``'s text, a piece at a time."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    head = {"circuit": view.circuit, "output": view.output, "value": json_number(view.value)}
    yield "".join(["{\n", *(f"  {dumps(k)}: {dumps(v)},\n" for k, v in head.items()),
                   '  "nodes": [\n'])
    # Formatted directly rather than through json.dumps of a dict per node (4x faster):
    # names are [A-Za-z_][A-Za-z0-9_]* (or GATE.K) and ops are words, so nothing in a
    # row needs escaping.
    quoted = [f'"{n}"' for n in view.names]  # an f-string: 3x as fast as str.format
    n = len(quoted)
    for start in range(0, n, PIECE):
        stop = min(n, start + PIECE)
        values = number_texts(view.values[start:stop], "null", json=True)
        grads = number_texts(view.grads[start:stop], "null", json=True)
        rows = []
        for name, op, srcs, v, g in zip(quoted[start:stop], view.ops[start:stop],
                                        view.ins[start:stop], values, grads, strict=True):
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


def to_csv(view: ResultView) -> str:
    """Header ``name,op,in,value,grad``; ``in`` joined by spaces; a null grad is empty."""
    return "".join(csv_pieces(view))


def csv_pieces(view: ResultView) -> Iterator[str]:
    """``to_csv``'s text, a piece at a time."""
    # Nothing needs CSV quoting: names and ops have no comma, quote or line break.
    yield "name,op,in,value,grad\n"
    names = view.names
    for start in range(0, len(names), PIECE):
        stop = min(len(names), start + PIECE)
        values = number_texts(view.values[start:stop], "")
        grads = number_texts(view.grads[start:stop], "")
        rows = []
        for name, op, srcs, v, g in zip(names[start:stop], view.ops[start:stop],
                                        view.ins[start:stop], values, grads, strict=True):
            refs = " ".join([names[i] for i in srcs])
            rows.append(f"{name},{op},{refs},{v},{g}\n")
        yield "".join(rows)


@dataclass(frozen=True, slots=True)
class Cells:
    """A table for people as plain text cells; a terminal draws it (the CLI, with rich)."""

    title: str
    header: tuple[str, ...]
    right: tuple[bool, ...]  # which columns are numbers, aligned right
    rows: Sequence[tuple[str, ...]]


def table_cells(view: ResultView) -> Cells:
    """The nodes as cells: name, op, inputs, value, grad (a constant's grad is "—")."""
    names = view.names
    rows = [(name, op, " ".join([names[i] for i in srcs]), number_text(v), number_text(g, "—"))
            for name, op, srcs, v, g in zip(names, view.ops, view.ins, view.values,
                                            view.grads, strict=True)]
    return Cells(f"{view.circuit}: {view.output} = {number_text(view.value)}",
                 ("name", "op", "in", "value", "grad"), (False, False, False, True, True), rows)
