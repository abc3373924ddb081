"""Diagrams: Mermaid and DOT exactly, SVG by its structure and by its geometry."""

from __future__ import annotations

import math
import random
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations, pairwise
from pathlib import Path

import pytest

import circuitrun
from circuitrun.diagram.draw import fmt, layout, to_dot, to_mermaid, to_svg

from support.paths import CIRCUITS

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = sorted(p for p in CIRCUITS.iterdir()
                  if p.suffix in {".yaml", ".json"})
# Estimated text width per character, in em. Wider than the digits of the fonts a browser
# picks for "sans-serif" (DejaVu Sans 0.64, Arial 0.56), so "no overlap" holds for them too.
EM = 0.7


@dataclass
class Node:
    name: str
    op: str
    inputs: tuple[str, ...]
    value: float
    grad: float | None


@dataclass
class Result:
    circuit: str
    output: str
    nodes: list[Node]


# The CS231n neuron f = sigmoid(w0*x0 + w1*x1 + w2). Forward: wx0 = 2*-1 = -2,
# wx1 = -3*-2 = 6, dot = -2 + 6 - 3 = 1, f = sigmoid(1) = 0.7310585786300049.
# Backward: grad(f) = 1; grad(dot) = f*(1-f) = 0.19661193324148185 = g; add passes g to
# wx0, wx1 and w2; mul gives each input the other input times g: grad(w0) = x0*g = -g,
# grad(x0) = w0*g = 2g, grad(w1) = x1*g = -2g, grad(x1) = w1*g = -3g.
G = 0.19661193324148185
SIGMOID = Result("sigmoid-neuron", "f", [
    Node("w0", "input", (), 2.0, -G),
    Node("x0", "input", (), -1.0, 0.3932238664829637),
    Node("w1", "input", (), -3.0, -0.3932238664829637),
    Node("x1", "input", (), -2.0, -0.5898357997244456),
    Node("w2", "input", (), -3.0, G),
    Node("wx0", "mul", ("w0", "x0"), -2.0, G),
    Node("wx1", "mul", ("w1", "x1"), 6.0, G),
    Node("dot", "add", ("wx0", "wx1", "w2"), 1.0, G),
    Node("f", "sigmoid", ("dot",), 0.7310585786300049, 1.0),
])


def random_dag(gates: int, seed: int = 0) -> Result:
    """Random gates over 5 inputs, some with inline constants; values are arbitrary."""
    rnd = random.Random(seed)
    nodes = [Node(f"x{i}", "input", (), rnd.uniform(-3, 3), rnd.uniform(-1, 1))
             for i in range(5)]
    for g in range(gates):
        pool = [n.name for n in nodes[-15:]]
        if rnd.random() < 0.1:
            nodes.append(Node(f"g{g}.1", "const", (), 2.0, None))
            op, ins = "mul", (rnd.choice(pool), f"g{g}.1")
        elif rnd.random() < 0.4:
            op, ins = rnd.choice(["exp", "sigmoid", "tanh", "inv", "square"]), (rnd.choice(pool),)
        else:
            op, ins = rnd.choice(["add", "mul", "max"]), tuple(rnd.sample(pool, 2))
        nodes.append(Node(f"g{g}", op, ins, rnd.uniform(-5, 5), rnd.uniform(-1, 1)))
    return Result(f"random-{gates}", nodes[-1].name, nodes)


def chain(n: int) -> Result:
    nodes = [Node("x", "input", (), 0.5, 1.0)]
    nodes += [Node(f"t{i}", "neg", (nodes[-1].name if i == 0 else f"t{i - 1}",), 0.5, 1.0)
              for i in range(n)]
    return Result("chain", f"t{n - 1}", nodes)


MERMAID = """\
---
title: "sigmoid-neuron"
---
flowchart LR
  %% each wire: its value (green, solid), its gradient (red, dotted)
  n0["w0"]:::leaf
  n1["x0"]:::leaf
  n2["w1"]:::leaf
  n3["x1"]:::leaf
  n4["w2"]:::leaf
  n5(("*<br/>wx0"))
  n6(("*<br/>wx1"))
  n7(("+<br/>dot"))
  n8(("\N{GREEK SMALL LETTER SIGMA}<br/>f")):::out
  out[" "]:::tail
  n0 -->|"2.00"| n5
  n0 -.-|"-0.20"| n5
  n1 -->|"-1.00"| n5
  n1 -.-|"0.39"| n5
  n2 -->|"-3.00"| n6
  n2 -.-|"-0.39"| n6
  n3 -->|"-2.00"| n6
  n3 -.-|"-0.59"| n6
  n5 -->|"-2.00"| n7
  n5 -.-|"0.20"| n7
  n6 -->|"6.00"| n7
  n6 -.-|"0.20"| n7
  n4 -->|"-3.00"| n7
  n4 -.-|"0.20"| n7
  n7 -->|"1.00"| n8
  n7 -.-|"0.20"| n8
  n8 -->|"0.73"| out
  n8 -.-|"1.00"| out
  classDef leaf fill:#eef2f7,stroke:#8a94a6
  classDef out stroke-width:3px
  classDef tail fill:none,stroke:none
  linkStyle 0,2,4,6,8,10,12,14,16 stroke:#2a9d3c,color:#2a9d3c
  linkStyle 1,3,5,7,9,11,13,15,17 stroke:#d62828,color:#d62828
"""


def _numbers(value: str, grad: str) -> str:
    return (f'<br/><font point-size="10" color="#2a9d3c">{value}</font>'
            f'<br/><font point-size="10" color="#d62828">{grad}</font>')


def _dot_leaf(i: int, name: str, value: str, grad: str) -> str:
    return (f"  n{i} [label=<{name}{_numbers(value, grad)}>, "
            'style="rounded,filled", fillcolor="#eef2f7", color="#8a94a6"];\n')


def _dot_gate(i: int, symbol: str, name: str, value: str, grad: str, extra: str = "") -> str:
    return (f'  n{i} [label=<<b>{symbol}</b><br/><font point-size="10" color="#666666">{name}'
            f"</font>{_numbers(value, grad)}>{extra}];\n")


# The numbers sit in the nodes (value green over gradient red), the wires carry none.
DOT = (
    'digraph "sigmoid-neuron" {\n'
    "  rankdir=LR;\n"
    '  node [shape=box, style=rounded, fontname="sans-serif", fontsize=14];\n'
    "  edge [arrowhead=none];\n"
    + _dot_leaf(0, "w0", "2.00", "-0.20")
    + _dot_leaf(1, "x0", "-1.00", "0.39")
    + _dot_leaf(2, "w1", "-3.00", "-0.39")
    + _dot_leaf(3, "x1", "-2.00", "-0.59")
    + _dot_leaf(4, "w2", "-3.00", "0.20")
    + _dot_gate(5, "*", "wx0", "-2.00", "0.20")
    + _dot_gate(6, "*", "wx1", "6.00", "0.20")
    + _dot_gate(7, "+", "dot", "1.00", "0.20")
    + _dot_gate(8, "\N{GREEK SMALL LETTER SIGMA}", "f", "0.73", "1.00", ", penwidth=2")
    + "  out [shape=point, style=invis];\n"
    "  n0 -> n5;\n  n1 -> n5;\n  n2 -> n6;\n  n3 -> n6;\n"
    "  n5 -> n7;\n  n6 -> n7;\n  n4 -> n7;\n  n7 -> n8;\n"
    "  n8 -> out [arrowhead=normal];\n"
    "}\n"
)


def test_mermaid_sigmoid() -> None:
    assert to_mermaid(SIGMOID) == MERMAID


def test_mermaid_without_values_has_no_labels() -> None:
    text = to_mermaid(SIGMOID, values=False)
    assert "|" not in text and "-.-" not in text and "linkStyle" not in text
    assert "  n0 --> n5\n" in text and "  n8 --> out\n" in text


def test_dot_sigmoid() -> None:
    assert to_dot(SIGMOID) == DOT


def test_dot_without_values_has_no_numbers() -> None:
    assert not re.search(r"\d\.\d\d", to_dot(SIGMOID, values=False))


def test_fmt() -> None:
    assert [fmt(2), fmt(-0.19661193324148185), fmt(None), fmt(0.0), fmt(-0.0)] == [
        "2.00", "-0.20", "", "0.00", "0.00"]
    assert [fmt(math.nan), fmt(math.inf), fmt(-math.inf)] == ["nan", "inf", "-inf"]
    # too small for 2 decimals: 2 significant digits in exponent form, sign kept
    assert [fmt(2.1e-05), fmt(-1e-9), fmt(0.004999), fmt(0.005)] == [
        "2.1e-05", "-1.0e-09", "5.0e-03", "0.01"]
    # N digits: N decimals, or N significant digits in exponent form (at least 2)
    assert [fmt(123456.0), fmt(-0.19661193324148185, 4), fmt(2.1e-05, 4), fmt(0.4, 0),
            fmt(263269.1, 0)] == ["1.23e+05", "-0.1966", "2.100e-05", "4.0e-01", "2.6e+05"]


@pytest.mark.parametrize("digits", [0, 1, 2, 3, 6])
def test_fmt_never_shows_a_non_zero_as_zero(digits: int) -> None:
    rnd = random.Random(digits)
    for _ in range(2000):
        x = rnd.choice([-1, 1]) * 10 ** rnd.uniform(-12, 6)
        text = fmt(x, digits)
        assert float(text) != 0 and (float(text) < 0) == (x < 0), (x, text)
        assert abs(float(text) - x) <= 0.5 * 10**-digits + abs(x) * 0.06, (x, text)


def _texts(svg: str) -> list[ET.Element]:
    return list(ET.fromstring(svg).iter(f"{SVG}text"))


def test_svg_sigmoid_is_valid_and_complete() -> None:
    svg = to_svg(SIGMOID)
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("version") == "1.1"
    assert root.find(f"{SVG}title").text == "sigmoid-neuron"
    texts = [t.text for t in _texts(svg)]
    for node in SIGMOID.nodes:
        assert node.name in texts
    for label in ["2.00", "-1.00", "-3.00", "-2.00", "6.00", "1.00", "0.73",  # values
                  "-0.20", "0.39", "-0.39", "-0.59", "0.20"]:  # gradients
        assert label in texts
    assert {"*", "+", "\N{GREEK SMALL LETTER SIGMA}"} <= set(texts)
    assert texts.count("1.00") == 2  # dot's value, and f's gradient on the output stub
    assert to_svg(SIGMOID) == svg  # deterministic


def test_svg_colours_value_green_and_grad_red() -> None:
    texts = _texts(to_svg(SIGMOID))
    fill = {t.text: t.get("fill") for t in texts}
    assert fill["0.73"] == "#2a9d3c"
    assert fill["-0.59"] == "#d62828"


def test_svg_without_values_has_no_numbers() -> None:
    texts = [t.text for t in _texts(to_svg(SIGMOID, values=False))]
    assert not [t for t in texts if re.fullmatch(r"-?\d+\.\d\d", t)]
    assert "w0" in texts and "\N{GREEK SMALL LETTER SIGMA}" in texts


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def _text_box(t: ET.Element) -> tuple[float, float, float, float]:
    x, y, size = float(t.get("x")), float(t.get("y")), float(t.get("font-size"))
    w = EM * size * len(t.text or "")
    x0 = {"start": x, "middle": x - w / 2, "end": x - w}[t.get("text-anchor", "start")]
    return (x0, y - size, w, 1.25 * size)  # from ascender to descender around the baseline


def _bezier(p: tuple[float, float], q: tuple[float, float], t: float) -> tuple[float, float]:
    # The renderer's bend: control points at the middle x, at the heights of both ends.
    mx = (p[0] + q[0]) / 2
    s = 1 - t
    x = s**3 * p[0] + 3 * s * s * t * mx + 3 * s * t * t * mx + t**3 * q[0]
    y = s**3 * p[1] + 3 * s * s * t * p[1] + 3 * s * t * t * q[1] + t**3 * q[1]
    return x, y


CASES = [SIGMOID, random_dag(200)] + [circuitrun.load(p).run() for p in EXAMPLES]
IDS = ["sigmoid", "random-200"] + [f"circuits/{p.name}" for p in EXAMPLES]


@pytest.mark.parametrize("result", CASES, ids=IDS)
def test_boxes_do_not_overlap(result: Result) -> None:
    boxes = layout(result).boxes
    assert set(boxes) == {node.name for node in result.nodes}
    for (a, ba), (b, bb) in combinations(boxes.items(), 2):
        assert not _overlap(ba, bb), (a, b)


@pytest.mark.parametrize("result", CASES, ids=IDS)
def test_text_labels_do_not_overlap(result: Result) -> None:
    boxes = [(t.text, _text_box(t)) for t in _texts(to_svg(result))]
    for (a, ba), (b, bb) in combinations(boxes, 2):
        assert not _overlap(ba, bb), (a, b)


@pytest.mark.parametrize("result", CASES, ids=IDS)
def test_wires_do_not_cross_boxes(result: Result) -> None:
    lay = layout(result)
    boxes = [(x + 1, y + 1, w - 2, h - 2) for x, y, w, h in lay.boxes.values()]
    for src, dst, points in lay.wires:
        samples = []
        for i, (p, q) in enumerate(pairwise(points)):
            if i % 2 == 0:
                samples += [_bezier(p, q, k / 16) for k in range(17)]
            else:
                samples += [(p[0] + (q[0] - p[0]) * k / 4, p[1]) for k in range(5)]
        for x, y in samples:
            assert not any(_overlap((x, y, 0.01, 0.01), b) for b in boxes), (src, dst, x, y)


def _wire_samples(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    samples = []
    for i, (p, q) in enumerate(pairwise(points)):
        if i % 2 == 0:
            samples += [_bezier(p, q, k / 32) for k in range(33)]
        else:
            samples += [(p[0] + (q[0] - p[0]) * k / 8, p[1]) for k in range(9)]
    return samples


@pytest.mark.parametrize("result", CASES, ids=IDS)
def test_wires_do_not_pass_through_labels(result: Result) -> None:
    # Every piece of text (gate symbols, names, values, gradients) against every wire,
    # routed or the straight stub out of a box; a wire counts as 1.5 px wide. Wire under
    # a box is hidden (boxes are drawn over wires), so it cannot hide a label either.
    lay = layout(result)
    texts = [(t.text, _text_box(t)) for t in _texts(to_svg(result))]
    wires = [(f"{s} -> {d}", _wire_samples(points)) for s, d, points in lay.wires]
    for name, (x, _, w, _) in lay.boxes.items():
        _, x1, sy = lay.stubs[name]
        wires.append((f"{name} ->", [(x + w + (x1 - x - w) * k / 32, sy) for k in range(33)]))
    boxes, labels = _Grid(lay.boxes.values()), _Grid(box for _, box in texts)
    for wire, samples in wires:
        for x, y in samples:
            if any(_overlap((x, y, 0.01, 0.01), b) for b in boxes.near(x, y)):
                continue
            hit = [box for box in labels.near(x, y)
                   if _overlap((x - 0.75, y - 0.75, 1.5, 1.5), box)]
            assert not hit, (wire, [text for text, box in texts if box in hit], x, y)


class _Grid:
    """Rectangles by the 20 px cells they touch, so that a point is compared with the few
    near it, not with all (the 200-gate case has thousands of samples and of labels)."""

    CELL = 20.0

    def __init__(self, rects: Iterable[tuple[float, float, float, float]]) -> None:
        self.cells: dict[tuple[int, int], list[tuple[float, float, float, float]]] = {}
        for r in rects:
            x, y, w, h = r
            for i in range(int((x - 1) // self.CELL), int((x + w + 1) // self.CELL) + 1):
                for j in range(int((y - 1) // self.CELL), int((y + h + 1) // self.CELL) + 1):
                    self.cells.setdefault((i, j), []).append(r)

    def near(self, x: float, y: float) -> list[tuple[float, float, float, float]]:
        """The rectangles within a pixel of the cell of (x, y)."""
        return self.cells.get((int(x // self.CELL), int(y // self.CELL)), [])


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_svg_names_every_node_and_label(path: Path) -> None:
    result = circuitrun.load(path).run()
    root = ET.fromstring(to_svg(result))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    for node in result:
        assert node.name in texts
        assert fmt(node.value) in texts
        if node.grad is not None:
            assert fmt(node.grad) in texts
    # SVG 1.1 elements only, generic font families only
    tags = {e.tag.removeprefix(SVG) for e in root.iter()}
    assert tags <= {"svg", "title", "desc", "defs", "marker", "path", "rect", "g", "text"}
    fonts = {e.get("font-family") for e in root.iter()} - {None}
    assert fonts == {"sans-serif"}


def test_repeated_input_and_const() -> None:
    # sq = x * x and y = sq + 1 (an inline constant y.1): two wires from x into sq.
    result = Result("square", "y", [
        Node("x", "input", (), 3.0, 6.0),
        Node("sq", "mul", ("x", "x"), 9.0, 1.0),
        Node("y.1", "const", (), 1.0, None),
        Node("y", "add", ("sq", "y.1"), 10.0, 1.0),
    ])
    lay = layout(result)
    ports = sorted(points[-1][1] for src, dst, points in lay.wires if dst == "sq")
    assert len(ports) == 2 and ports[0] < ports[1]
    texts = [t.text for t in _texts(to_svg(result))]
    assert "y.1" in texts and "1" in texts  # a constant shows its name and value
    assert to_mermaid(result).count("n0 -->") == 2
    assert 'n2["y.1 = 1"]:::leaf' in to_mermaid(result)


def test_long_chain_needs_no_recursion() -> None:
    result = chain(2000)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # far below the chain's depth
    try:
        lay = layout(result)
        svg = to_svg(result)
        to_mermaid(result)
        to_dot(result)
    finally:
        sys.setrecursionlimit(limit)
    assert len(lay.boxes) == 2001
    ET.fromstring(svg)
