"""A standalone SVG 1.1 drawing, CS231n style, laid out in pure Python (``layout.py``).

Every wire carries the value of the node that drives it (green, above) and that node's
gradient (red, below); each gate shows its op symbol, and the a and b inputs of sub, div
and pow are named at their ports.  With ``hooks``, elements carry ``data-`` attributes
(node, wire, label part) for the step-through page to script.
"""

from __future__ import annotations

from itertools import pairwise
from xml.sax.saxutils import escape, quoteattr

from circuitrun.diagram.common import (
    DIGITS,
    GATE_FILL,
    GREEN,
    INK,
    LEAF_FILL,
    LEAF_INK,
    NAME_INK,
    RED,
    Node,
    Result,
    box_text,
    has_tail,
    input_labels,
    kind,
    labels,
)
from circuitrun.diagram.layout import Item, Layout, Point, place, text_width

LABEL_PT = 11.0  # wire labels and captions
SYMBOL_PT = 14.0  # text inside a box
PORT_PT = 9.0  # the a and b at a gate's ports
GATE_H = 36.0
LEAF_H = 32.0
TAIL = 18.0  # the arrow after the output's labels


def _items(result: Result, values: bool, digits: int) -> list[Item]:
    items = []
    tail = has_tail(result)
    for node in result.nodes:
        k = kind(node)
        text = box_text(node)
        w = max(LEAF_H if k != "gate" else GATE_H, text_width(text, SYMBOL_PT) + 16)
        h = LEAF_H if k != "gate" else max(GATE_H, 12.0 * len(node.inputs))
        caption = "" if k == "input" else node.name
        label_w = max((text_width(t, LABEL_PT) for t in labels(node, values, digits)),
                      default=0)
        items.append(Item(
            name=node.name, inputs=tuple(node.inputs), kind=k, w=w, h=h,
            col_w=max(w, text_width(caption, LABEL_PT) + 4),
            top=LABEL_PT + 6 if caption else 0.0, label_w=label_w + 16,
            tail=TAIL if tail and node.name == result.output else 0.0,
            ordered=bool(input_labels(node))))
    return items


def layout(result: Result, values: bool = True, digits: int = DIGITS) -> Layout:
    """Positions of every box (name -> (x, y, w, h)), stub wire and routed wire."""
    return place(_items(result, values, digits))


def _n(x: float) -> str:
    return f"{x:.1f}".removesuffix(".0")


def _text(x: float, y: float, text: str, size: float, fill: str = INK,
          anchor: str = "middle", extra: str = "") -> str:
    return (f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" '
            f'fill="{fill}"{extra}>{escape(text)}</text>')


def _path(points: list[Point], end: Point, extra: str = "") -> str:
    d = [f"M{_n(points[0][0])},{_n(points[0][1])}"]
    for i, ((x0, y0), (x1, y1)) in enumerate(pairwise(points)):
        if i % 2 == 0:  # a bend: a cubic with horizontal tangents at both ends
            mx = (x0 + x1) / 2
            d.append(f"C{_n(mx)},{_n(y0)} {_n(mx)},{_n(y1)} {_n(x1)},{_n(y1)}")
        else:
            d.append(f"L{_n(x1)},{_n(y1)}")
    d.append(f"L{_n(end[0])},{_n(end[1])}")
    return f'<path d="{" ".join(d)}"{extra}/>'


def _data(hooks: bool, **attrs: str) -> str:
    if not hooks:
        return ""
    return "".join(f" data-{k}={quoteattr(v)}" for k, v in attrs.items())


def _box(node: Node, lay: Layout, output: str, values: bool, hooks: bool) -> str:
    x, y, w, h = lay.boxes[node.name]
    k = kind(node)
    radius = min(w, h) / 2 if k == "gate" else 6.0
    stroke = 2.5 if node.name == output else 1.5
    line, fill = (INK, GATE_FILL) if k == "gate" else (LEAF_INK, LEAF_FILL)
    tip = f"{node.name} ({node.op})"
    if values and not hooks:  # the page shows the numbers step by step instead
        tip += f" value {node.value!r}" + (f" grad {node.grad!r}" if node.grad is not None
                                           else "")
    return (f'<g{_data(hooks, node=node.name)}><title>{escape(tip)}</title><rect x="{_n(x)}" '
            f'y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" rx="{_n(radius)}" ry="{_n(radius)}" '
            f'fill="{fill}" stroke="{line}" stroke-width="{stroke}"/></g>')


def to_svg(result: Result, values: bool = True, digits: int = DIGITS,
           hooks: bool = False) -> str:
    """A standalone SVG 1.1 drawing, laid out in pure Python."""
    lay = layout(result, values, digits)
    tail = has_tail(result)
    wires, boxes, texts = [], [], []
    ports: dict[str, list[float]] = {}
    for source, target, points in lay.wires:
        x, _, w, _ = lay.boxes[target]  # the wire ends under the box, at its middle
        ports.setdefault(target, []).append(points[-1][1])
        wires.append(_path(points, (x + w / 2, points[-1][1]),
                           _data(hooks, src=source, dst=target)))
    for node in result.nodes:
        x, y, w, h = lay.boxes[node.name]
        x0, x1, sy = lay.stubs[node.name]
        arrow = tail and node.name == result.output
        end = ' marker-end="url(#arrow)"' if arrow else ""
        wires.append(f'<path d="M{_n(x + w / 2)},{_n(sy)} L{_n(x1)},{_n(sy)}"{end}'
                     f'{_data(hooks, src=node.name)}/>')
        boxes.append(_box(node, lay, result.output, values, hooks))
        texts.append(_text(x + w / 2, y + h / 2 + 0.35 * SYMBOL_PT, box_text(node), SYMBOL_PT,
                           extra=' font-weight="bold"' if kind(node) == "gate" else ""))
        for label, port in zip(input_labels(node), ports.get(node.name, []), strict=False):
            texts.append(_text(x + 4, port + 0.35 * PORT_PT, label, PORT_PT, NAME_INK, "start"))
        if kind(node) != "input":
            texts.append(_text(x + w / 2, y - 5, node.name, LABEL_PT, NAME_INK))
        mid = (x0 + x1 - (TAIL if arrow else 0.0)) / 2
        for (part, dy, colour), text in zip(
                (("value", -4.0, GREEN), ("grad", 4.0 + 0.8 * LABEL_PT, RED)),
                labels(node, values, digits), strict=False):
            texts.append(_text(mid, sy + dy, text, LABEL_PT, colour,
                               extra=_data(hooks, node=node.name, part=part)))
    width, height = _n(lay.width), _n(lay.height)
    return "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif">',
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
