"""``circuitrun schema``: the JSON Schema of a spec, for editors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from circuitrun.cli.common import emit


def schema(
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Write to FILE.",
                                             metavar="FILE")] = None,
) -> None:
    """Print the JSON Schema of a circuit spec (for editors)."""
    from circuitrun.spec.models import json_schema

    emit(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", out)
