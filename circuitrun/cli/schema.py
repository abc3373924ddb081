"""``circuitrun schema``: the JSON Schema of a spec, for editors."""

from __future__ import annotations

import json

from circuitrun.cli.common import OutOption, emit


def schema(out: OutOption = None) -> None:
    """Print the JSON Schema of a circuit spec (for editors)."""
    from circuitrun.spec.schema import json_schema

    emit(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", out)
