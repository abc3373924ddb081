"""``circuitrun explain``: the forward and backward pass written out, step by step."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from circuitrun.api.circuit import load
from circuitrun.cli.common import SetOption, SpecArgument, emit, parse_sets


class ExplainFormat(StrEnum):
    text = "text"
    markdown = "markdown"


def explain_command(
    spec: SpecArgument,
    sets: SetOption = None,
    node: Annotated[str | None, typer.Option(
        "--node", help="Explain only the chain from NAME to the output.", metavar="NAME",
        show_default=False)] = None,
    fmt: Annotated[ExplainFormat, typer.Option(
        "--format", "-f", help="text or markdown.")] = ExplainFormat.text,
) -> None:
    """Explain a run: each gate's value, then the chain rule edge by edge."""
    values = parse_sets(sets)
    explanation = load(spec).run(values).explain(node)
    text = explanation.to_markdown() if fmt is ExplainFormat.markdown else explanation.to_text()
    emit(text, None)
