"""Mermaid (GitHub renders it in Markdown): each wire twice, its value forward in green and
its gradient backward in red, coloured with ``linkStyle``; leaves styled with ``classDef``."""

from __future__ import annotations

import json

from circuitrun.diagram.common import (
    DIGITS,
    GREEN,
    LEAF_FILL,
    LEAF_INK,
    LEAF_KINDS,
    RED,
    Result,
    box_text,
    fmt,
    input_labels,
)


def node_ids(result: Result) -> dict[str, str]:
    """Ids, not names: a Mermaid id must not be a keyword ("end") nor hold a dot ("p.1")."""
    return {node.name: f"n{i}" for i, node in enumerate(result.nodes)}


def _label(text: str) -> str:
    return f'|"{text}"|' if text else ""


def to_mermaid(result: Result, values: bool = True, digits: int = DIGITS) -> str:
    """A Mermaid `flowchart LR`: a solid green wire with the value, a dotted red one with
    the gradient; the a and b inputs of sub, div and pow named on their wires."""
    ids = node_ids(result) | {"out": "out"}  # "out": the arrow's invisible end
    by_name = {node.name: node for node in result.nodes}
    lines = ["---", f"title: {json.dumps(result.circuit, ensure_ascii=False)}", "---",
             "flowchart LR"]
    if values:
        lines.append("  %% each wire: its value (green, solid), its gradient (red, dotted)")
    for node in result.nodes:
        text = box_text(node).replace('"', "#quot;")
        if node.op == "const":
            text = f"{node.name} = {text}"
        shape = f'["{text}"]' if node.op in LEAF_KINDS else f'(("{text}<br/>{node.name}"))'
        cls = ":::leaf" if node.op in LEAF_KINDS else ""
        cls = ":::out" if node.name == result.output else cls
        lines.append(f"  {ids[node.name]}{shape}{cls}")
    lines.append('  out[" "]:::tail')
    green: list[int] = []
    red: list[int] = []
    wires = [(s, node.name, role) for node in result.nodes
             for s, role in zip(node.inputs, input_labels(node) or [""] * len(node.inputs),
                                strict=True)]
    wires.append((result.output, "out", ""))
    for src, dst, role in wires:
        source = by_name[src]
        value = fmt(source.value, digits) if values else ""
        forward = ": ".join(t for t in (role, value) if t)
        green.append(len(green) + len(red))
        lines.append(f"  {ids[src]} -->{_label(forward)} {ids[dst]}")
        if values and source.grad is not None:
            red.append(len(green) + len(red))
            lines.append(f"  {ids[src]} -.-{_label(fmt(source.grad, digits))} {ids[dst]}")
    lines += [f"  classDef leaf fill:{LEAF_FILL},stroke:{LEAF_INK}",
              "  classDef out stroke-width:3px",
              "  classDef tail fill:none,stroke:none"]
    if values:
        lines += [f"  linkStyle {','.join(map(str, green))} stroke:{GREEN},color:{GREEN}",
                  f"  linkStyle {','.join(map(str, red))} stroke:{RED},color:{RED}"]
    return "\n".join(lines) + "\n"
