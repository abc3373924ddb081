"""The command line as the tests drive it: Typer's runner, and spec files in a folder."""

from __future__ import annotations

import textwrap
from pathlib import Path

from typer.testing import CliRunner, Result

from circuitrun.cli import app

runner = CliRunner()


def invoke(*args: object) -> Result:
    """``circuitrun ARGS`` through Typer's runner (stdout and stderr apart)."""
    return runner.invoke(app, [str(a) for a in args])


def write(folder: Path, name: str, text: str) -> Path:
    """``text`` (dedented) as the file ``folder/name``, its folders made."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path
