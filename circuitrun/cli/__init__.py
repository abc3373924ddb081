"""The command line (Typer): parse options, call the library, hand the result to a reporter."""

from circuitrun.cli.app import app, main

__all__ = ["app", "main"]
