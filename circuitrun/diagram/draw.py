"""Draw an evaluated circuit the way CS231n draws backprop: inputs left, output right.

Four renderers, looked up by name: Mermaid (renders on GitHub), Graphviz DOT, a
self-contained SVG laid out in pure Python, and an HTML page that steps through the
forward and backward pass.  A file's suffix picks one when no format is named.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from circuitrun.diagram.common import DIGITS, Result, fmt
from circuitrun.diagram.dot import to_dot
from circuitrun.diagram.html import to_html
from circuitrun.diagram.layout import Layout
from circuitrun.diagram.mermaid import to_mermaid
from circuitrun.diagram.svg import layout, to_svg
from circuitrun.problems import UsageError

Renderer = Callable[..., str]


RENDERERS: dict[str, Renderer] = {"mermaid": to_mermaid, "dot": to_dot, "svg": to_svg,
                                  "html": to_html}
SUFFIXES = {".mmd": "mermaid", ".md": "mermaid", ".dot": "dot", ".gv": "dot", ".svg": "svg",
            ".html": "html", ".htm": "html"}


def formats_text() -> str:
    """The formats and their suffixes, for messages: "mermaid (.mmd, .md), dot (…)…"."""
    return ", ".join(f"{kind} ({', '.join(s for s, k in SUFFIXES.items() if k == kind)})"
                     for kind in RENDERERS)


def kind_for(path: str | PurePath | None) -> str:
    """The format a file's suffix asks for: Mermaid without a suffix (or a file)."""
    suffix = PurePath(path).suffix.lower() if path is not None else ""
    if not suffix:
        return "mermaid"
    if suffix not in SUFFIXES:
        raise UsageError(f"no diagram format writes '{suffix}' files; the formats are "
                         f"{formats_text()}")
    return SUFFIXES[suffix]


def render(result: Result, kind: str | None = None, values: bool = True,
           path: str | PurePath | None = None, digits: int = DIGITS) -> str:
    """The diagram as ``kind`` (mermaid, dot, svg, html); by default by the suffix of
    ``path``, the file it goes to, else Mermaid. Mermaid for a ``.md`` file is a fenced
    block.  Numbers get ``digits`` decimals."""
    kind = kind or kind_for(path)
    if kind not in RENDERERS:
        raise ValueError(f"no diagram format '{kind}': use one of {', '.join(RENDERERS)}")
    if not 0 <= digits <= 15:
        raise UsageError(f"digits must be 0 to 15, not {digits}")
    text = RENDERERS[kind](result, values, digits)
    suffix = PurePath(path).suffix.lower() if path is not None else ""
    return f"```mermaid\n{text}```\n" if kind == "mermaid" and suffix == ".md" else text


__all__ = ["Layout", "fmt", "kind_for", "layout", "render", "to_dot", "to_mermaid", "to_svg"]
