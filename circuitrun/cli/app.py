"""The ``circuitrun`` command: the Typer app, its commands, and the process around them.

Every failure ends in one line on stderr and an exit code (SPEC section 7): 2 for a
usage error or an invalid spec, 3 for a non-finite result; never a traceback.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from typer.core import TyperCommand, TyperGroup

try:  # typer vendors click from 0.2x on; older releases use click itself
    from typer._click import Context
    from typer._click import exceptions as _click
except ImportError:  # pragma: no cover
    from click import Context  # type: ignore[assignment]  # the same class, unvendored
    from click import exceptions as _click  # type: ignore[no-redef]  # the same, unvendored

from circuitrun import __version__
from circuitrun.cli import check, explain, gradcheck, graph, ops, run, schema, validate
from circuitrun.cli.errors import report
from circuitrun.problems import CircuitError


class _Group(TyperGroup):
    """Every error as one line (``circuitrun run: error: ... [usage]``) and an exit code:
    click's for options it cannot parse, the library's (``circuitrun.cli.errors``) and
    the commands' own for the rest."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        try:
            rv = super().main(args, prog_name or "circuitrun", complete_var,
                              standalone_mode=False, windows_expand_args=windows_expand_args,
                              **extra)
            code = rv if isinstance(rv, int) else 0
        except _click.NoArgsIsHelpError as e:
            typer.echo(e.ctx.get_help() if e.ctx else str(e), err=True)
            code = 2
        except _click.UsageError as e:
            where = e.ctx.command_path if e.ctx else "circuitrun"
            typer.echo(f"{where}: error: {e.format_message()} [usage]", err=True)
            code = 2
        except _click.ClickException as e:
            typer.echo(f"circuitrun: error: {e.format_message()}", err=True)
            code = e.exit_code
        except typer.Abort:
            typer.echo("circuitrun: aborted", err=True)
            code = 130
        if standalone_mode:
            sys.exit(code)
        return code

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except CircuitError as e:  # named after the command that ran, whichever it was
            name = ctx.invoked_subcommand
            command = self.get_command(ctx, name) if name else None
            where = f"{ctx.command_path} {name}" if name else ctx.command_path
            code = report(e, where, command if isinstance(command, TyperCommand) else None)
            raise typer.Exit(code) from None


app = typer.Typer(
    cls=_Group,
    name="circuitrun",
    help="Run circuit specs: values and gradients of scalar gate diagrams.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"circuitrun {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """Run circuit specs: values and gradients of scalar gate diagrams."""


app.command()(run.run)
app.command()(validate.validate)
app.command()(schema.schema)
app.command("gradcheck")(gradcheck.gradcheck_command)
app.command("graph")(graph.graph_command)
app.command("check")(check.check_command)
app.command("explain")(explain.explain_command)
app.command("ops")(ops.ops_command)


def main() -> None:
    """Console-script entry point."""
    # One command, then the process ends: it makes millions of objects on a large
    # circuit and no garbage cycles worth the collector's passes over all of them.
    gc.disable()
    try:
        app()
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else 0 if e.code is None else 1
        if isinstance(e.code, str):
            print(e.code, file=sys.stderr)
    # Leave without freeing every object one by one: after a million-gate run that took
    # about 0.4 s (mypy leaves the same way).  Nothing is left to do but flush.
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None:
                stream.flush()
        except (BrokenPipeError, ValueError):  # a reader gone; a stream closed
            pass
    os._exit(code)


