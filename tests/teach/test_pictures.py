"""Pictures as a new user meets them: Mermaid's colours, the a and b of sub, div and pow,
DOT laid out by the real Graphviz, and the hooks the step-through page scripts."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest

import circuitrun
from circuitrun import Result
from circuitrun.diagram.draw import layout, to_dot, to_mermaid, to_svg

from support.needs import need
from support.paths import ROOT

SVG = "{http://www.w3.org/2000/svg}"
EXAMPLES = sorted(p for p in (ROOT / "circuits").iterdir() if p.suffix in {".yaml", ".json"})
RESULTS = [circuitrun.load(p).run() for p in EXAMPLES]
IDS = [p.name for p in EXAMPLES]
# arithmetic.yaml: diff = a - b = 1.5 - (-0.5) = 2, q = diff / c = 2 / 4 = 0.5
ARITHMETIC = circuitrun.load(ROOT / "circuits" / "arithmetic.yaml").run()
POW = circuitrun.loads("inputs: {x: 2, y: 3}\ngates:\n  p: {op: pow, in: [y, x]}\n").run()


@pytest.mark.parametrize("result", RESULTS, ids=IDS)
def test_mermaid_colours_every_value_green_and_every_gradient_red(result: Result) -> None:
    text = to_mermaid(result)
    links = [line for line in text.splitlines() if re.match(r"  \w+ (-->|-\.-)", line)]
    green = [k for k, line in enumerate(links) if " -->" in line]
    red = [k for k, line in enumerate(links) if " -.-" in line]
    styles = dict(re.findall(r"  linkStyle ([\d,]+) stroke:(#\w+),color:\2", text)[i][::-1]
                  for i in range(2))
    assert styles == {"#2a9d3c": ",".join(map(str, green)), "#d62828": ",".join(map(str, red))}
    nodes = {n.name: n for n in result.nodes}
    # one red link per wire from a node with a gradient (constants have none)
    wires = [(s, n.name) for n in nodes.values() for s in n.inputs] + [(result.output, "")]
    assert len(green) == len(wires)
    assert len(red) == sum(nodes[s].grad is not None for s, _ in wires)


def test_mermaid_names_a_and_b() -> None:
    text = to_mermaid(ARITHMETIC)
    assert '  n0 -->|"a: 1.50"| n4\n' in text and '  n1 -->|"b: -0.50"| n4\n' in text
    assert '  n4 -->|"a: 2.00"| n5\n' in text and '  n2 -->|"b: 4.00"| n5\n' in text
    assert '  n0 -->|"1.50"| n6\n' in text  # neg: one input, no name
    assert '  n1 -->|"a"| n2\n  n0 -->|"b"| n2\n' in to_mermaid(POW, values=False)  # p = y^x


def test_svg_names_a_and_b_at_their_ports() -> None:
    for result, gates in [(ARITHMETIC, ["diff", "q"]), (POW, ["p"])]:
        lay = layout(result)
        texts = list(ET.fromstring(to_svg(result)).iter(f"{SVG}text"))
        for gate in gates:
            x, y, w, h = lay.boxes[gate]
            inside = [t for t in texts if t.text in {"a", "b"}
                      and x < float(t.get("x")) < x + w and y < float(t.get("y")) < y + h]
            assert [t.text for t in sorted(inside, key=lambda t: float(t.get("y")))] == ["a", "b"]
            ports = [points[-1][1] for _, dst, points in lay.wires if dst == gate]
            for t, port in zip(inside, ports, strict=True):
                # at its wire's height (coordinates are written to 0.1)
                assert abs(float(t.get("y")) - 0.35 * 9 - port) <= 0.06
    assert not [t for t in ET.fromstring(to_svg(RESULTS[0])).iter(f"{SVG}text")
                if t.text in {"a", "b"} and t.get("font-size") == "9"]  # add.yaml: none


def test_dot_names_a_and_b_ports() -> None:
    text = to_dot(ARITHMETIC)
    assert "  n0 -> n4:a:w;\n  n1 -> n4:b:w;\n  n4 -> n5:a:w;\n  n2 -> n5:b:w;\n" in text
    assert '<td port="a"><font point-size="10">a</font></td>' in text


def _bezier(points: list[tuple[float, ...]], steps: int = 24) -> list[tuple[float, ...]]:
    out = []
    for i in range(0, len(points) - 3, 3):
        p0, p1, p2, p3 = points[i:i + 4]
        for k in range(steps + 1):
            t = k / steps
            s = 1 - t
            out.append(tuple(s**3 * a + 3 * s * s * t * b + 3 * s * t * t * c + t**3 * d
                             for a, b, c, d in zip(p0, p1, p2, p3, strict=True)))
    return out


@pytest.mark.parametrize("result", RESULTS, ids=IDS)
def test_dot_labels_never_meet_a_wire(result: Result) -> None:
    """Laid out by Graphviz itself: wires carry no text, and no wire crosses a node, where
    all the text is."""
    text = to_dot(result)
    for line in text.splitlines():
        if " -> " in line:
            assert not re.search(r"\b(label|xlabel|headlabel|taillabel)=", line), line
    dot = need("dot")
    laid = json.loads(subprocess.run([dot, "-Tjson"], input=text, capture_output=True,
                                     text=True, check=True).stdout)
    boxes = {}
    for obj in laid["objects"]:
        if obj["name"] != "out":
            cx, cy = map(float, obj["pos"].split(","))
            w, h = 72 * float(obj["width"]) / 2 - 1, 72 * float(obj["height"]) / 2 - 1
            boxes[obj["_gvid"]] = (cx - w, cy - h, cx + w, cy + h)
    for edge in laid["edges"]:
        points = [tuple(map(float, p.split(","))) for p in edge["pos"].split()
                  if not p.startswith(("e,", "s,"))]
        for x, y in _bezier(points):
            for gvid, (x0, y0, x1, y1) in boxes.items():
                if gvid not in (edge["tail"], edge["head"]):
                    assert not (x0 < x < x1 and y0 < y < y1), (edge["tail"], edge["head"], gvid)


@pytest.mark.parametrize("result", RESULTS, ids=IDS)
def test_svg_hooks_for_the_page(result: Result) -> None:
    plain, hooked = to_svg(result), to_svg(result, hooks=True)
    assert "data-" not in plain
    root = ET.fromstring(hooked)
    nodes = result.nodes
    boxes = [g.get("data-node") for g in root.iter(f"{SVG}g") if g.get("data-node")]
    assert boxes == [n.name for n in nodes]
    parts = {(t.get("data-node"), t.get("data-part")) for t in root.iter(f"{SVG}text")
             if t.get("data-part")}
    assert parts == {(n.name, "value") for n in nodes} | {
        (n.name, "grad") for n in nodes if n.grad is not None}
    wires = [(p.get("data-src"), p.get("data-dst")) for p in root.iter(f"{SVG}path")
             if p.get("data-dst")]
    assert sorted(wires) == sorted((s, n.name) for n in nodes for s in dict.fromkeys(n.inputs)
                                   for _ in range(n.inputs.count(s)))
    # the same picture: only the hooks (and the tooltips' numbers) differ
    strip = re.compile(r' data-\w+="[^"]*"| value [^<]*(?=</title>)')
    assert strip.sub("", hooked) == strip.sub("", plain)

