"""``circuitrun gradcheck``: backpropagated gradients against central differences."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from circuitrun.api.circuit import load
from circuitrun.cli.common import SetOption, SpecArgument, emit, parse_sets


def gradcheck_command(
    spec: SpecArgument,
    eps: Annotated[float, typer.Option(
        help="Step of the central differences, the largest: smaller near poles.")] = 1e-6,
    rtol: Annotated[float, typer.Option(help="Relative tolerance.")] = 1e-5,
    atol: Annotated[float, typer.Option(help="Absolute tolerance.")] = 1e-8,
    sets: SetOption = None,
    all_nodes: Annotated[bool, typer.Option(
        "--all-nodes", help="Check every gate too, not only the inputs.")] = False,
) -> None:
    """Compare backpropagated gradients with central differences; exit 1 on a mismatch."""
    values = parse_sets(sets)
    result = load(spec).gradcheck(eps=eps, rtol=rtol, atol=atol, inputs=values,
                                  all_nodes=all_nodes)
    if sys.stdout.isatty():
        from rich.console import Console

        from circuitrun.cli.tables import gradcheck_table  # rich: only for people

        Console().print(gradcheck_table(result))
    else:
        emit(result.to_text(), None)
    if not result.ok:
        raise typer.Exit(1)
