"""Graphviz DOT.  The numbers sit inside each node, under its name (value green, gradient
red), never on the wires: dot routes wires around nodes but not around wire labels, which
it lets wires cross.  The a and b inputs of sub, div and pow enter at ports so named."""

from __future__ import annotations

import json
from xml.sax.saxutils import escape

from circuitrun.diagram.common import (
    DIGITS,
    GREEN,
    LEAF_FILL,
    LEAF_INK,
    NAME_INK,
    RED,
    Node,
    Result,
    box_text,
    input_labels,
    kind,
    labels,
)
from circuitrun.diagram.mermaid import node_ids

SMALL = 'point-size="10"'


def _html(node: Node, values: bool, digits: int) -> str:
    """The lines of a node's label: its symbol (and name), then value and gradient."""
    lines = [f"<b>{escape(box_text(node))}</b>" if kind(node) == "gate"
             else escape(box_text(node))]
    if node.op != "input":
        lines.append(f'<font {SMALL} color="{NAME_INK}">{escape(node.name)}</font>')
    shown = labels(node, values and node.op != "const", digits)  # a constant shows its value
    lines += [f'<font {SMALL} color="{colour}">{escape(text)}</font>'
              for colour, text in zip((GREEN, RED), shown, strict=False)]
    return "<br/>".join(lines)


def _label(node: Node, values: bool, digits: int) -> str:
    body = _html(node, values, digits)
    ports = input_labels(node)
    if not ports:
        return f"<{body}>"
    # A table: one cell per named input on the left, the gate's text on the right.
    rows = [f'<tr><td port="{p}"><font {SMALL}>{p}</font></td>'
            + (f'<td rowspan="{len(ports)}">{body}</td>' if i == 0 else "") + "</tr>"
            for i, p in enumerate(ports)]
    return (f'<<table border="1" cellborder="0" cellspacing="2" style="rounded">'
            f'{"".join(rows)}</table>>')


def to_dot(result: Result, values: bool = True, digits: int = DIGITS) -> str:
    """Graphviz DOT, `rankdir=LR`; each node shows its value (green) over its gradient (red)."""
    ids = node_ids(result)
    lines = [f"digraph {json.dumps(result.circuit, ensure_ascii=False)} {{",
             "  rankdir=LR;",
             '  node [shape=box, style=rounded, fontname="sans-serif", fontsize=14];',
             "  edge [arrowhead=none];"]
    for node in result.nodes:
        attrs = [f"label={_label(node, values, digits)}"]
        if input_labels(node):
            attrs.append("shape=plain")
        elif kind(node) != "gate":
            attrs.append(f'style="rounded,filled", fillcolor="{LEAF_FILL}", color="{LEAF_INK}"')
        if node.name == result.output:
            attrs.append("penwidth=2")
        lines.append(f"  {ids[node.name]} [{', '.join(attrs)}];")
    lines.append("  out [shape=point, style=invis];")
    for node in result.nodes:
        ports = input_labels(node)
        for k, s in enumerate(node.inputs):
            port = f":{ports[k]}:w" if ports else ""
            lines.append(f"  {ids[s]} -> {ids[node.name]}{port};")
    lines.append(f"  {ids[result.output]} -> out [arrowhead=normal];")
    return "\n".join(lines) + "\n}\n"
