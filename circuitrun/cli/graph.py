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


def graph_command(
    spec: SpecArgument,
    fmt: Annotated[GraphFormat | None, typer.Option(
        "--format", "-f", help="mermaid, dot or svg [default: by the suffix of -o"
        " (.svg, .dot, .gv, .mmd, .md), else mermaid]", show_default=False)] = None,
    out: OutOption = None,
    no_values: Annotated[bool, typer.Option(
        "--no-values", help="Draw the circuit only, without values and gradients.")] = False,
    sets: SetOption = None,
    allow_nonfinite: Annotated[bool, typer.Option(
        "--allow-nonfinite", help="Draw NaN and infinities instead of failing.")] = False,
) -> None:
    """Draw the circuit: each wire with its value (green) over its gradient (red)."""
    from circuitrun.diagram.draw import render

    values = parse_sets(sets)
    circuit = load(spec)
    if no_values:  # nothing numeric is drawn: inputs need no values, and any will do
        values = {n: 0.0 for n, v in circuit.inputs.items() if v is None} | values
    result = circuit.run(values, allow_nonfinite=allow_nonfinite or no_values)
    text = render(result, fmt, values=not no_values, path=out)
    emit(text, out)
