"""``circuitrun graph``: the circuit drawn, with values and gradients."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from circuitrun.api.circuit import load
from circuitrun.cli.common import OutOption, SetOption, SpecArgument, emit, parse_sets


class GraphFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"
    html = "html"


def graph_command(
    spec: SpecArgument,
    fmt: Annotated[GraphFormat | None, typer.Option(
        "--format", "-f", help="mermaid, dot, svg or html (a page stepping through the run)"
        " [default: by the suffix of -o (.mmd, .md, .dot, .gv, .svg, .html), else mermaid]",
        show_default=False)] = None,
    out: OutOption = None,
    no_values: Annotated[bool, typer.Option(
        "--no-values", help="Draw the circuit only, without values and gradients.")] = False,
    sets: SetOption = None,
    allow_nonfinite: Annotated[bool, typer.Option(
        "--allow-nonfinite", help="Draw NaN and infinities instead of failing.")] = False,
    digits: Annotated[int, typer.Option(
        "--digits", min=0, max=15, metavar="N", help="Decimals of the numbers drawn (a"
        " non-zero too small for them is drawn as 2.1e-05).")] = 2,
) -> None:
    """Draw the circuit: each wire with its value (green) and its gradient (red)."""
    from circuitrun.diagram.draw import kind_for, render

    values = parse_sets(sets)
    kind = fmt.value if fmt is not None else kind_for(out)
    circuit = load(spec)
    if no_values:  # nothing numeric is drawn: inputs need no values, and any will do
        values = {n: 0.0 for n, v in circuit.inputs.items() if v is None} | values
    result = circuit.run(values, allow_nonfinite=allow_nonfinite or no_values)
    text = render(result, kind, values=not no_values, path=out, digits=digits)
    emit(text, out)
