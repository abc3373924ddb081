"""The step-through page: one self-contained HTML file (inline CSS, JS and SVG, nothing
fetched) that plays the forward pass gate by gate and the backward pass edge by edge.

The steps and each node's chain-rule lines come from ``circuitrun.explain`` as JSON in the
page; the picture is the SVG renderer's, with hooks for the script.  Every number the
page shows is formatted here, by ``fmt``: the script only swaps texts.
"""

from __future__ import annotations

import json
from importlib.resources import files
from typing import Any
from xml.sax.saxutils import escape

from circuitrun.diagram.common import DIGITS, fmt
from circuitrun.diagram.svg import to_svg
from circuitrun.explain import explain
from circuitrun.explain.steps import Evaluated

PAGE = files("circuitrun.diagram") / "page"
ZOOM = 1.4  # the picture is drawn for print; on a screen it reads better larger


def page_data(result: Evaluated, digits: int = DIGITS) -> dict[str, Any]:
    """What the page's script reads: the steps, with their labels, and each node's lines."""
    ex = explain(result)
    steps = [{"phase": s.phase, "kind": s.kind, "node": s.node, "gate": s.gate,
              "text": s.text, "label": None if s.number is None else fmt(s.number, digits)}
             for s in ex.steps]
    return {"circuit": result.circuit, "output": result.output, "steps": steps,
            "chains": {n.name: ex.chain(n.name) for n in result.nodes}}


def _json(data: dict[str, Any]) -> str:
    # Inside <script>, "</" could end the element early: JSON allows "<\/" for it.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")


def to_html(result: Evaluated, values: bool = True, digits: int = DIGITS) -> str:
    """A page stepping through the run of ``result`` (a static picture without ``values``)."""
    svg = to_svg(result, values, digits, hooks=True)
    svg = svg.split("\n", 1)[1]  # no XML declaration inside HTML
    width = float(svg.split('width="', 1)[1].split('"', 1)[0])
    svg = svg.replace("<svg ", f'<svg style="width: {ZOOM * width:.0f}px" ', 1)
    data = page_data(result, digits) if values else {
        "circuit": result.circuit, "output": result.output, "steps": [], "chains": {}}
    name = escape(result.circuit)
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{name}: backprop step by step</title>",
        f"<style>\n{(PAGE / 'step.css').read_text(encoding='utf-8')}</style>",
        "</head>",
        "<body>",
        f"<header><h1>{name}</h1><p class=\"hint\">&larr; &rarr; step, Home/End jump;"
        " click a node for its chain rule</p></header>",
        '<nav id="controls">',
        '<button id="home" type="button" title="first step (Home)">|&#x25C0;</button>',
        '<button id="prev" type="button" title="back one step (&larr;)">&#x25C0;</button>',
        '<button id="next" type="button" title="one step on (&rarr;)">&#x25B6;</button>',
        '<button id="end" type="button" title="last step (End)">&#x25B6;|</button>',
        '<span id="counter"></span> <span id="phase"></span>',
        "</nav>",
        f'<figure id="picture">\n{svg}</figure>',
        '<p id="line" aria-live="polite"></p>',
        '<section id="chain" hidden><h2 id="chain-title"></h2><ol id="chain-lines"></ol>'
        "</section>",
        f'<script type="application/json" id="steps">{_json(data)}</script>',
        f"<script>\n{(PAGE / 'step.js').read_text(encoding='utf-8')}</script>",
        "</body>",
        "</html>",
    ]) + "\n"
