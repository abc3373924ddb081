"""Pictures of an evaluated circuit: Mermaid, Graphviz DOT, SVG, and a step-through page."""

from circuitrun.diagram.draw import (
    Layout,
    fmt,
    kind_for,
    layout,
    render,
    to_dot,
    to_mermaid,
    to_svg,
)
from circuitrun.diagram.html import to_html

__all__ = ["Layout", "fmt", "kind_for", "layout", "render", "to_dot", "to_html", "to_mermaid",
           "to_svg"]
