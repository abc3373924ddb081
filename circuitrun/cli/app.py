"""The command line: parse options, call the library, hand the result to a writer.

Every failure ends in one line on stderr and an exit code (SPEC section 7): 2 for a
usage error or an invalid spec, 3 for a non-finite result; never a traceback.
"""

from __future__ import annotations

import gc
import json
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

try:  # typer vendors click from 0.2x on; older releases use click itself
    from typer._click import exceptions as _click
except ImportError:  # pragma: no cover
    from click import exceptions as _click  # type: ignore[no-redef]

from circuitrun import __version__
from circuitrun.api.circuit import load
from circuitrun.problems import CircuitError, NonFiniteError, Problem, SpecError, UsageError
from circuitrun.read.text import parse_number

SPEC_SUFFIXES = (".yaml", ".yml", ".json")


class _Group(TyperGroup):
    """Click's errors as one line (``circuitrun run: error: ... [usage]``), exit 2."""

    def main(self, args: Any = None, prog_name: str | None = None, complete_var: str | None = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            rv = super().main(args, prog_name or "circuitrun", complete_var,
                              standalone_mode=False, **extra)
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


def _fail(problems: list[Problem]) -> None:
    for p in problems:
        typer.echo(str(p), err=True)


def _usage(command: str, message: str) -> typer.Exit:
    typer.echo(f"circuitrun {command}: error: {message} [usage]", err=True)
    return typer.Exit(2)


def _emit(text: str | Iterable[str], out: Path | None, command: str = "run") -> None:
    """Data to ``out`` (whole or not at all) or to stdout; ``text`` may come in pieces."""
    pieces = [text] if isinstance(text, str) else text
    if out is None:
        try:
            for piece in pieces:
                sys.stdout.write(piece)
            sys.stdout.flush()
        except BrokenPipeError:  # `circuitrun run ... | head`: the reader left; so do we
            sys.stdout = None  # type: ignore[assignment]
        return
    from circuitrun.report.formats import open_atomic

    try:
        with open_atomic(out) as f:
            for piece in pieces:
                f.write(piece)
    except OSError as e:
        raise _usage(command, f"cannot write '{out}': {e.strerror or e}") from None


_T = TypeVar("_T")


def _calling(command: str, call: Callable[[], _T]) -> _T:
    """``call()``, its errors ending in one line each: exit 3 for non-finite, else 2."""
    try:
        return call()
    except SpecError as e:
        _fail(e.problems)
        raise typer.Exit(2) from None
    except UsageError as e:
        raise _usage(command, str(e)) from None
    except NonFiniteError as e:
        _fail([e.problem])
        raise typer.Exit(3) from None
    except CircuitError as e:  # a bad inputs file (batchread.InputError)
        _fail([e.problem])  # type: ignore[attr-defined]
        raise typer.Exit(2) from None


# ---- run -----------------------------------------------------------------------------


class RunFormat(StrEnum):
    json = "json"
    csv = "csv"
    table = "table"
    jsonl = "jsonl"  # with --inputs


def _parse_sets(pairs: list[str], command: str = "run") -> dict[str, float]:
    values: dict[str, float] = {}
    for pair in pairs:
        name, eq, text = pair.partition("=")
        name = name.strip()
        if not eq or not name:
            raise _usage(command, f"--set '{pair}': write NAME=VALUE")
        value = parse_number(text.strip())
        if value is None:
            raise _usage(command, f"--set {name}={text}: '{text}' is not a finite number")
        values[name] = value
    return values


@app.command()
def run(
    spec: Annotated[Path, typer.Argument(help="The circuit file (.yaml, .yml or .json).",
                                         show_default=False)],
    fmt: Annotated[RunFormat | None, typer.Option(
        "--format", "-f", help="json, csv or table [default: table on a terminal, else json;"
        " with -o, by the file's suffix]", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Write to FILE (whole or not"
                                             " at all) instead of stdout.", metavar="FILE")] = None,
    sets: Annotated[list[str] | None, typer.Option(
        "--set", help="Give input NAME the value VALUE (repeatable).",
        metavar="NAME=VALUE")] = None,
    output: Annotated[str | None, typer.Option(
        "--output", help="Differentiate NODE instead of the spec's output.",
        metavar="NODE")] = None,
    allow_nonfinite: Annotated[bool, typer.Option(
        "--allow-nonfinite", help="Report NaN and infinities instead of failing.")] = False,
    inputs: Annotated[Path | None, typer.Option(
        "--inputs", help="Evaluate once per row of FILE (CSV with a header of input names, or"
        " JSON Lines); rows out as csv [default] or jsonl.", metavar="FILE")] = None,
    all_nodes: Annotated[bool, typer.Option(
        "--all-nodes", help="With --inputs: every node's value and gradient.")] = False,
) -> None:
    """Evaluate a circuit and backpropagate: every node's value and gradient."""
    values = _parse_sets(sets or [])
    if inputs is not None or all_nodes or fmt is RunFormat.jsonl:
        _run_rows(spec, inputs, fmt, out, values, output, allow_nonfinite, all_nodes)
        return
    result = _calling("run", lambda: load(spec).run(values, output=output,
                                                    allow_nonfinite=allow_nonfinite))
    if fmt is None:
        if out is not None:
            fmt = RunFormat.csv if out.suffix.lower() == ".csv" else RunFormat.json
        else:
            fmt = RunFormat.table if sys.stdout.isatty() else RunFormat.json
    if fmt is RunFormat.table:
        from circuitrun.report.formats import print_table, render_table

        if out is None:
            print_table(result)
            return
        text = render_table(result)
        _emit(text, out)
    else:  # large results go out a piece at a time
        from circuitrun.report.formats import csv_pieces, json_pieces

        _emit((csv_pieces if fmt is RunFormat.csv else json_pieces)(result), out)


def _run_rows(spec: Path, inputs: Path | None, fmt: RunFormat | None, out: Path | None,
              values: dict[str, float], output: str | None, allow_nonfinite: bool,
              all_nodes: bool) -> None:
    """``run --inputs FILE`` (circuitrun.batchio): one result per row."""
    if inputs is None:
        raise _usage("run", "--format jsonl and --all-nodes go with --inputs FILE")
    from circuitrun.rows.run import run_rows

    _calling("run", lambda: run_rows(spec, inputs, fmt and fmt.value, out, values, output,
                                     allow_nonfinite, all_nodes))


# ---- validate ------------------------------------------------------------------------


class ValidateFormat(StrEnum):
    text = "text"
    json = "json"


def spec_files(paths: list[Path]) -> Iterator[Path]:
    """The files named, and the specs (*.yaml, *.yml, *.json) in the folders named."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob("*")
                              if p.suffix.lower() in SPEC_SUFFIXES and p.is_file())
        else:
            yield path


@app.command()
def validate(
    specs: Annotated[list[Path], typer.Argument(help="Circuit files, or folders to search.",
                                                show_default=False)],
    fmt: Annotated[ValidateFormat, typer.Option(
        "--format", "-f", help="text: problems on stderr; json: a list of problems on stdout."
    )] = ValidateFormat.text,
) -> None:
    """Check circuit files without running them: every problem at file:line:col."""
    problems: list[Problem] = []
    count = 0
    for path in spec_files(specs):
        count += 1
        try:
            load(path)
        except SpecError as e:
            problems += e.problems
    if fmt is ValidateFormat.json:
        _emit(json.dumps([p.to_dict() for p in problems], indent=2) + "\n", None)
    else:
        _fail(problems)
        if not problems:
            typer.echo(f"{count} spec{'s' if count != 1 else ''} valid", err=True)
    if problems:
        raise typer.Exit(2)


# ---- schema --------------------------------------------------------------------------


@app.command()
def schema(
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Write to FILE.",
                                             metavar="FILE")] = None,
) -> None:
    """Print the JSON Schema of a circuit spec (for editors)."""
    from circuitrun.spec.models import json_schema

    _emit(json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n", out)


# ---- gradcheck and graph -------------------------------------------------------------

SetOption = Annotated[list[str] | None, typer.Option(
    "--set", help="Give input NAME the value VALUE (repeatable).", metavar="NAME=VALUE")]
SpecArgument = Annotated[Path, typer.Argument(help="The circuit file (.yaml, .yml or .json).",
                                              show_default=False)]


@app.command("gradcheck")
def gradcheck_command(
    spec: SpecArgument,
    eps: Annotated[float, typer.Option(help="Step of the central differences.")] = 1e-6,
    rtol: Annotated[float, typer.Option(help="Relative tolerance.")] = 1e-5,
    atol: Annotated[float, typer.Option(help="Absolute tolerance.")] = 1e-8,
    sets: SetOption = None,
    all_nodes: Annotated[bool, typer.Option(
        "--all-nodes", help="Check every gate too, not only the inputs.")] = False,
) -> None:
    """Compare backpropagated gradients with central differences; exit 1 on a mismatch."""
    values = _parse_sets(sets or [], "gradcheck")
    result = _calling("gradcheck", lambda: load(spec).gradcheck(
        eps=eps, rtol=rtol, atol=atol, inputs=values, all_nodes=all_nodes))
    if sys.stdout.isatty():
        from rich.console import Console

        Console().print(result.to_table())
    else:
        _emit(result.to_text(), None)
    if not result.ok:
        raise typer.Exit(1)


class GraphFormat(StrEnum):
    mermaid = "mermaid"
    dot = "dot"
    svg = "svg"


@app.command("graph")
def graph_command(
    spec: SpecArgument,
    fmt: Annotated[GraphFormat | None, typer.Option(
        "--format", "-f", help="mermaid, dot or svg [default: by the suffix of -o"
        " (.svg, .dot, .gv, .mmd, .md), else mermaid]", show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("-o", "--out", help="Write to FILE (whole or not"
                                             " at all) instead of stdout.", metavar="FILE")] = None,
    no_values: Annotated[bool, typer.Option(
        "--no-values", help="Draw the circuit only, without values and gradients.")] = False,
    sets: SetOption = None,
    allow_nonfinite: Annotated[bool, typer.Option(
        "--allow-nonfinite", help="Draw NaN and infinities instead of failing.")] = False,
) -> None:
    """Draw the circuit: each wire with its value (green) over its gradient (red)."""
    from circuitrun.diagram.draw import render

    values = _parse_sets(sets or [], "graph")
    circuit = _calling("graph", lambda: load(spec))
    if no_values:  # nothing numeric is drawn: inputs need no values, and any will do
        values = {n: 0.0 for n, v in circuit.inputs.items() if v is None} | values
    result = _calling("graph", lambda: circuit.run(
        values, allow_nonfinite=allow_nonfinite or no_values))
    text = render(result, fmt, values=not no_values, path=out)
    _emit(text, out, "graph")


# ---- check ---------------------------------------------------------------------------


@app.command("check")
def check_command(
    paths: Annotated[list[Path], typer.Argument(help="Spec files, or folders to search.",
                                                show_default=False)],
    golden_dir: Annotated[Path | None, typer.Option(
        "--golden-dir", metavar="DIR", help="Also compare each spec X with DIR/X.json"
        " (the JSON of `circuitrun run`).")] = None,
    update: Annotated[bool, typer.Option(
        "--update", help="Write the golden files instead of comparing them.")] = False,
    rtol: Annotated[float | None, typer.Option(
        "--rtol", help="Relative tolerance for every spec [default: its expect's, or 1e-9].",
        show_default=False)] = None,
    atol: Annotated[float | None, typer.Option(
        "--atol", help="Absolute tolerance for every spec [default: its expect's, or 1e-12].",
        show_default=False)] = None,
) -> None:
    """Compare specs with their expect blocks and golden files; exit 1 on a mismatch."""
    from circuitrun.golden.run import check

    try:
        report = check(paths, golden_dir, update=update, rtol=rtol, atol=atol)
    except UsageError as e:
        raise _usage("check", str(e)) from None
    for text, to_stderr in report.lines():
        typer.echo(text, err=to_stderr)
    raise typer.Exit(report.exit_code)


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


