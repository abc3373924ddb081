"""Draw an evaluated circuit the way CS231n draws backprop: inputs left, output right.

Every wire carries the value of the node that drives it (green, above) and that node's
gradient (red, below); each gate shows its op symbol. Three renderers: Mermaid (renders on
GitHub), Graphviz DOT, and a self-contained SVG laid out in pure Python (`layout.py`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from itertools import pairwise
from pathlib import PurePath
from typing import Protocol
from xml.sax.saxutils import escape

from circuitrun.diagram.layout import Item, Layout, Point, place, text_width
from circuitrun.ops import OPS

GREEN = "#2a9d3c"
RED = "#d62828"
INK = "#333333"
LEAF_FILL = "#eef2f7"
LEAF_INK = "#8a94a6"
GATE_FILL = "#ffffff"
LABEL_PT = 11.0  # wire labels and captions
SYMBOL_PT = 14.0  # text inside a box
GATE_H = 36.0
LEAF_H = 32.0
LEAF_KINDS = ("input", "const")
TAIL = 18.0  # the arrow after the output's labels


class Node(Protocol):
    """One evaluated node, as a Result lists it."""

    name: str
    op: str
    inputs: tuple[str, ...]
    value: float
    grad: float | None


class Result(Protocol):
    """What a diagram needs from an evaluated circuit."""

    circuit: str
    output: str
    nodes: Sequence[Node]


def fmt(x: float | None) -> str:
    """A wire label: 2 decimals ("2.00", "-0.20"), never "-0.00"; nan/inf as words."""
    if x is None:
        return ""
    if not math.isfinite(x):
        return "nan" if x != x else ("inf" if x > 0 else "-inf")
    text = f"{x:.2f}" if abs(x) < 1e5 else f"{x:.2e}"
    return "0.00" if text == "-0.00" else text


def _box_text(node: Node) -> str:
    if node.op == "input":
        return node.name
    if node.op == "const":  # a constant's value is part of the circuit, not a result
        return f"{node.value:g}"
    return OPS[node.op].symbol


def _ordered(node: Node) -> bool:
    """Whether the inputs are drawn top to bottom in order: they have labels (a, b)."""
    op = OPS.get(node.op)
    return op is not None and bool(op.labels)


def _labels(node: Node, values: bool) -> list[str]:
    if not values:
        return []
    return [fmt(node.value)] + ([fmt(node.grad)] if node.grad is not None else [])


def _kind(node: Node) -> str:
    return node.op if node.op in LEAF_KINDS else "gate"


def _has_tail(result: Result) -> bool:
    # The output's wire ends in an arrow, unless it also feeds other gates.
    return all(result.output not in node.inputs for node in result.nodes)


def _items(result: Result, values: bool) -> list[Item]:
    items = []
    tail = _has_tail(result)
    for node in result.nodes:
        kind = _kind(node)
        text = _box_text(node)
        w = max(LEAF_H if kind != "gate" else GATE_H, text_width(text, SYMBOL_PT) + 16)
        h = LEAF_H if kind != "gate" else max(GATE_H, 12.0 * len(node.inputs))
        caption = "" if kind == "input" else node.name
        label_w = max((text_width(t, LABEL_PT) for t in _labels(node, values)), default=0)
        items.append(Item(
            name=node.name, inputs=tuple(node.inputs), kind=kind, w=w, h=h,
            col_w=max(w, text_width(caption, LABEL_PT) + 4),
            top=LABEL_PT + 6 if caption else 0.0, label_w=label_w + 16,
            tail=TAIL if tail and node.name == result.output else 0.0,
            ordered=_ordered(node)))
    return items


def layout(result: Result, values: bool = True) -> Layout:
    """Positions of every box (name -> (x, y, w, h)), stub wire and routed wire."""
    return place(_items(result, values))


# ---- Mermaid and DOT ---------------------------------------------------------


def _edge_text(node: Node) -> str:
    return " / ".join(_labels(node, True))


def _node_ids(result: Result) -> dict[str, str]:
    # Ids, not names: a Mermaid id must not be a keyword ("end") nor hold a dot ("p.1").
    return {node.name: f"n{i}" for i, node in enumerate(result.nodes)}


def to_mermaid(result: Result, values: bool = True) -> str:
    """A Mermaid `flowchart LR`; each wire is labelled "value / gradient"."""
    ids = _node_ids(result)
    by_name = {node.name: node for node in result.nodes}
    lines = ["---", f"title: {json.dumps(result.circuit, ensure_ascii=False)}", "---",
             "flowchart LR"]
    if values:
        lines.append("  %% wire labels: value / gradient")
    for node in result.nodes:
        text = _box_text(node).replace('"', "#quot;")
        if node.op == "const":
            text = f"{node.name} = {text}"
        shape = f'["{text}"]' if node.op in LEAF_KINDS else f'(("{text}<br/>{node.name}"))'
        cls = ":::leaf" if node.op in LEAF_KINDS else ""
        cls = ":::out" if node.name == result.output else cls
        lines.append(f"  {ids[node.name]}{shape}{cls}")
    lines.append('  out[" "]:::tail')
    for node in result.nodes:
        for s in node.inputs:
            label = f'|"{_edge_text(by_name[s])}"|' if values else ""
            lines.append(f"  {ids[s]} -->{label} {ids[node.name]}")
    label = f'|"{_edge_text(by_name[result.output])}"|' if values else ""
    lines.append(f"  {ids[result.output]} -->{label} out")
    lines += [f"  classDef leaf fill:{LEAF_FILL},stroke:{LEAF_INK}",
              "  classDef out stroke-width:3px",
              "  classDef tail fill:none,stroke:none"]
    return "\n".join(lines) + "\n"


def _dot_label(node: Node) -> str:
    parts = [f'<font color="{c}">{escape(t)}</font>'
             for c, t in zip((GREEN, RED), _labels(node, True), strict=False)]
    return f"label=<{'<br/>'.join(parts)}>"


def to_dot(result: Result, values: bool = True) -> str:
    """Graphviz DOT, `rankdir=LR`; wire labels hold the value (green) over the grad (red)."""
    ids = _node_ids(result)
    by_name = {node.name: node for node in result.nodes}
    lines = [f"digraph {json.dumps(result.circuit, ensure_ascii=False)} {{",
             "  rankdir=LR;",
             '  node [shape=circle, fontname="sans-serif", fontsize=14];',
             '  edge [fontname="sans-serif", fontsize=10, arrowhead=none];']
    for node in result.nodes:
        attrs = [f"label={json.dumps(_box_text(node), ensure_ascii=False)}"]
        if node.op != "input":
            attrs.append(f"xlabel={json.dumps(node.name)}")
        if node.op in LEAF_KINDS:
            attrs.append(f'shape=box, style="rounded,filled", fillcolor="{LEAF_FILL}"')
        if node.name == result.output:
            attrs.append("penwidth=2")
        lines.append(f"  {ids[node.name]} [{', '.join(attrs)}];")
    lines.append("  out [shape=point, style=invis];")
    for node in result.nodes:
        for s in node.inputs:
            label = f" [{_dot_label(by_name[s])}]" if values else ""
            lines.append(f"  {ids[s]} -> {ids[node.name]}{label};")
    label = f"{_dot_label(by_name[result.output])}, " if values else ""
    lines.append(f"  {ids[result.output]} -> out [{label}arrowhead=normal];")
    return "\n".join(lines) + "\n}\n"


# ---- SVG ---------------------------------------------------------------------


def _n(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def _text(x: float, y: float, text: str, size: float, fill: str = INK,
          anchor: str = "middle", extra: str = "") -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" '
            f'fill="{fill}"{extra}>{escape(text)}</text>')


def _path(points: list[Point], end: Point) -> str:
    d = [f"M{_n(points[0][0])},{_n(points[0][1])}"]
    for i, ((x0, y0), (x1, y1)) in enumerate(pairwise(points)):
        if i % 2 == 0:  # a bend: a cubic with horizontal tangents at both ends
            mx = (x0 + x1) / 2
            d.append(f"C{_n(mx)},{_n(y0)} {_n(mx)},{_n(y1)} {_n(x1)},{_n(y1)}")
        else:
            d.append(f"L{_n(x1)},{_n(y1)}")
    d.append(f"L{_n(end[0])},{_n(end[1])}")
    return f'<path d="{" ".join(d)}"/>'


def to_svg(result: Result, values: bool = True) -> str:
    """A standalone SVG 1.1 drawing, laid out in pure Python."""
    lay = layout(result, values)
    tail = _has_tail(result)
    wires, boxes, texts = [], [], []
    for _, target, points in lay.wires:
        x, _, w, _ = lay.boxes[target]  # the wire ends under the box, at its middle
        wires.append(_path(points, (x + w / 2, points[-1][1])))
    for node in result.nodes:
        x, y, w, h = lay.boxes[node.name]
        x0, x1, sy = lay.stubs[node.name]
        arrow = tail and node.name == result.output
        end = ' marker-end="url(#arrow)"' if arrow else ""
        wires.append(f'<path d="M{_n(x + w / 2)},{_n(sy)} L{_n(x1)},{_n(sy)}"{end}/>')
        kind = _kind(node)
        radius = min(w, h) / 2 if kind == "gate" else 6.0
        stroke = 2.5 if node.name == result.output else 1.5
        line, fill = (INK, GATE_FILL) if kind == "gate" else (LEAF_INK, LEAF_FILL)
        tip = f"{node.name} ({node.op})"
        if values:
            tip += f" value {node.value!r}" + (f" grad {node.grad!r}" if node.grad is not None
                                               else "")
        boxes.append(
            f'<g><title>{escape(tip)}</title><rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" '
            f'height="{_n(h)}" rx="{_n(radius)}" ry="{_n(radius)}" fill="{fill}"'
            f' stroke="{line}" stroke-width="{stroke}"/></g>')
        texts.append(_text(x + w / 2, y + h / 2 + 0.35 * SYMBOL_PT, _box_text(node), SYMBOL_PT,
                           extra=' font-weight="bold"' if kind == "gate" else ""))
        if kind != "input":
            texts.append(_text(x + w / 2, y - 5, node.name, LABEL_PT, "#666666"))
        mid = (x0 + x1 - (TAIL if arrow else 0.0)) / 2
        for text, dy, colour in zip(_labels(node, values), (-4.0, 4.0 + 0.8 * LABEL_PT),
                                    (GREEN, RED), strict=False):
            texts.append(_text(mid, sy + dy, text, LABEL_PT, colour))
    w, h = _n(lay.width), _n(lay.height)
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{w}" height="{h}" '
        f'viewBox="0 0 {w} {h}" font-family="sans-serif">',
        f"<title>{escape(result.circuit)}</title>",
        f'<desc>{escape("circuitrun: wire value (green) above, gradient (red) below")}</desc>',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" '
        f'markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="{INK}"/></marker>'
        "</defs>",
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<g fill="none" stroke="{INK}" stroke-width="1.5">', *wires, "</g>",
        "<g>", *boxes, "</g>",
        "<g>", *texts, "</g>",
        "</svg>",
    ]) + "\n"


# ---- choosing a format -------------------------------------------------------------

RENDERERS = {"mermaid": to_mermaid, "dot": to_dot, "svg": to_svg}
SUFFIXES = {".svg": "svg", ".dot": "dot", ".gv": "dot", ".mmd": "mermaid", ".md": "mermaid"}


def render(result: Result, kind: str | None = None, values: bool = True,
           path: str | PurePath | None = None) -> str:
    """The diagram as ``kind`` (mermaid, dot, svg); by default by the suffix of ``path``,
    the file it goes to, else Mermaid. Mermaid for a ``.md`` file is a fenced block."""
    suffix = PurePath(path).suffix.lower() if path is not None else ""
    kind = kind or SUFFIXES.get(suffix, "mermaid")
    if kind not in RENDERERS:
        raise ValueError(f"no diagram format '{kind}': use one of {', '.join(RENDERERS)}")
    text = RENDERERS[kind](result, values)
    return f"```mermaid\n{text}```\n" if kind == "mermaid" and suffix == ".md" else text


__all__ = ["Layout", "fmt", "layout", "render", "to_dot", "to_mermaid", "to_svg"]
