"""How circuits and results show themselves: a one-line ``repr``, and in a notebook (IPython,
Jupyter, GitHub, nbviewer) a node table with the picture.

The picture goes into the HTML as ``<img src="data:image/svg+xml;base64,…">``: an image,
not inline SVG, renders in untrusted notebooks and where HTML is sanitized.  Large circuits
show their first rows only and no picture, so that displaying one stays cheap.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the picture's modules load when a notebook asks for one
    from circuitrun.diagram.common import Node
    from circuitrun.engine.batch import BatchResult


class Result(Protocol):
    """What a result's display reads (``circuitrun.Result``)."""

    circuit: str
    output: str

    @property
    def nodes(self) -> Sequence[Node]: ...

    def value(self, name: str | None = None) -> float: ...


class Circuit(Protocol):
    """What a circuit's display reads (``circuitrun.Circuit``)."""

    name: str

    @property
    def output(self) -> str: ...
    @property
    def inputs(self) -> Mapping[str, float | None]: ...
    @property
    def node_names(self) -> list[str]: ...

    def run(self, inputs: Mapping[str, float] | None = None, output: str | None = None,
            allow_nonfinite: bool = False) -> Result: ...

ROWS = 50  # table rows shown at most
PICTURE_NODES = 200  # no picture past this many nodes: it would be unreadable and slow
NAMES = 5  # input names in a one-line summary

Bundle = dict[str, str]


def _names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:NAMES])
    return shown + (f", … ({len(names)} in all)" if len(names) > NAMES else "")


def num(x: float) -> str:
    """A number as the explanations write it (imported on use: not on every ``run``)."""
    from circuitrun.explain.formula import num

    return num(x)


def _table(header: Sequence[str], rows: Iterable[Sequence[str]], total: int) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = []
    for k, row in enumerate(rows):
        if k == ROWS:
            body.append(f'<tr><td colspan="{len(header)}">… {total - ROWS} more</td></tr>')
            break
        body.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _img(svg: str, alt: str) -> str:
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{data}" alt="{escape(alt)}">'


def _bundle(text: str, title: str, table: str, svg: str | None) -> Bundle:
    html = f"<div><p><strong>{escape(title)}</strong></p>{table}"
    html += (_img(svg, title) if svg else "") + "</div>"
    bundle = {"text/plain": text, "text/html": html}
    if svg:
        bundle["image/svg+xml"] = svg
    return bundle


# ---- Result ------------------------------------------------------------------


def result_text(result: Result) -> str:
    """``<Result 'add-mul': f = -12.0, 5 nodes>``."""
    return (f"<Result {result.circuit!r}: {result.output} = {result.value()!r},"
            f" {len(result.nodes)} nodes>")


def result_bundle(result: Result) -> Bundle:
    """Every node's value and gradient, and the picture with them."""
    nodes = result.nodes
    rows = ([n.name, n.op, " ".join(n.inputs), num(n.value),
             "" if n.grad is None else num(n.grad)] for n in nodes)
    table = _table(["node", "op", "in", "value", f"d{result.output}/d(node)"], rows,
                   len(nodes))
    from circuitrun.diagram import to_svg  # only when a notebook asks: not on every run

    svg = to_svg(result) if len(nodes) <= PICTURE_NODES else None
    return _bundle(result_text(result), f"{result.circuit}: {result.output} = "
                   f"{num(result.value())}", table, svg)


# ---- Circuit -----------------------------------------------------------------


def circuit_text(circuit: Circuit) -> str:
    """``<Circuit 'add-mul': 5 nodes, inputs x, y, z, output f>``."""
    inputs = list(circuit.inputs)
    return (f"<Circuit {circuit.name!r}: {len(circuit.node_names)} nodes, inputs"
            f" {_names(inputs) or '(none)'}, output {circuit.output}>")


def circuit_bundle(circuit: Circuit) -> Bundle:
    """The nodes with their spec values, and the picture of the wiring."""
    from circuitrun.diagram import to_svg

    missing = {name: 0.0 for name, v in circuit.inputs.items() if v is None}
    # The structure, as `graph --no-values` draws it: any value does for the missing inputs.
    drawn = circuit.run(missing, allow_nonfinite=True)
    given = circuit.inputs
    rows = ([n.name, n.op, " ".join(n.inputs),
             "" if n.op not in ("input", "const") else
             "(to be given)" if n.op == "input" and given[n.name] is None else num(n.value)]
            for n in drawn.nodes)
    table = _table(["node", "op", "in", "value"], rows, len(drawn.nodes))
    svg = to_svg(drawn, values=False) if len(drawn.nodes) <= PICTURE_NODES else None
    return _bundle(circuit_text(circuit), f"{circuit.name}: output {circuit.output}", table,
                   svg)


# ---- BatchResult ---------------------------------------------------------------


def batch_text(batch: BatchResult) -> str:
    """``<BatchResult 'sigmoid-neuron': 1000 rows, output f>``."""
    n = len(batch.value)
    return f"<BatchResult {batch.circuit!r}: {n} row{'' if n == 1 else 's'}, output {batch.output}>"


def batch_bundle(batch: BatchResult) -> Bundle:
    """The first rows: the inputs, the output's value, the gradients."""
    names = list(batch.inputs)
    header = [*names, batch.output, *(f"d{batch.output}/d{n}" for n in names)]
    columns = [batch.inputs[n] for n in names] + [batch.value] + [batch.grads[n] for n in names]
    n = len(batch.value)
    rows = ([num(float(c[i])) for c in columns] for i in range(min(n, ROWS + 1)))
    return _bundle(batch_text(batch), f"{batch.circuit}: {n} rows", _table(header, rows, n),
                   None)
