"""Where the library ends and the command line begins.

The library speaks of its parameters (``output``, ``golden_dir``, ``eps``) and the
command line of its options (``--output``, ``--golden-dir``, ``--eps``); every error a
command prints names that command; the output formats the command line offers are the
registry's; the core imports neither typer nor rich.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner, Result

import circuitrun
from circuitrun.cli import app
from circuitrun.report.formats import FORMATS, choose

from support.cli import invoke, write

runner = CliRunner()

# f = x*y at x = 4, y = -3 (f = -12), and an input z without a value.
MUL = "inputs: {x: 4, y: -3}\ngates:\n  f: {op: mul, in: [x, y]}\n"
OPEN = "inputs: {x: 4, z: }\ngates:\n  f: {op: mul, in: [x, z]}\n"


def only_line(result: Result, code: int = 2) -> str:
    """The one line a failed command printed, on stderr (stdout empty)."""
    assert (result.exit_code, result.stdout) == (code, ""), result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


# ---- every command names itself --------------------------------------------------------

NODIR = "no/such/folder"
# One failure inside each command's body (after its options were parsed), and the error
# it must print: `circuitrun COMMAND: error: ...`.  A new command needs a case here.
FAILURES: dict[str, tuple[list[str], str]] = {
    "run": (["run", "{mul}", "-o", f"{NODIR}/r.json"],
            f"cannot write '{NODIR}/r.json': No such file or directory"),
    "schema": (["schema", "-o", f"{NODIR}/s.json"],
               f"cannot write '{NODIR}/s.json': No such file or directory"),
    "ops": (["ops", "-o", f"{NODIR}/o.md"],
            f"cannot write '{NODIR}/o.md': No such file or directory"),
    "graph": (["graph", "{mul}", "-o", f"{NODIR}/g.svg"],
              f"cannot write '{NODIR}/g.svg': No such file or directory"),
    "gradcheck": (["gradcheck", "{mul}", "--set", "q=1"], "'q' is not an input of the circuit"),
    "explain": (["explain", "{mul}", "--node", "zz"], "no node 'zz' in the circuit"),
    "check": (["check", "{mul}", "--atol", "-1"],
              "--atol must be a finite number, 0 or more, not -1.0"),
    "validate": (["validate", "{mul}", "--format", "xml"],
                 "Invalid value for '--format' / '-f': Value error, 'xml' is not one of"
                 " 'text', 'json'."),
}


def test_every_command_has_a_case() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    assert sorted(group.commands) == sorted(FAILURES)


@pytest.mark.parametrize("command", sorted(FAILURES))
def test_errors_name_the_command_that_ran(tmp_path: Path, command: str,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    mul = write(tmp_path, "mul.yaml", MUL)
    args, message = FAILURES[command]
    line = only_line(invoke(*[a.format(mul=mul) for a in args]))
    assert line == f"circuitrun {command}: error: {message} [usage]"


# ---- library words, command-line words --------------------------------------------------


def test_unknown_output_node(tmp_path: Path) -> None:
    path = write(tmp_path, "mul.yaml", MUL)
    with pytest.raises(circuitrun.UsageError) as info:
        circuitrun.load(path).run(output="g")
    assert (str(info.value), info.value.argument) == (
        "output 'g' is not a node of the circuit", "output")
    line = only_line(invoke("run", path, "--output", "g"))
    assert line == "circuitrun run: error: --output 'g' is not a node of the circuit [usage]"


def test_a_node_named_like_an_option_stays_quoted(tmp_path: Path) -> None:
    # Only the unquoted word is the parameter: the node's name 'output' is left alone.
    path = write(tmp_path, "mul.yaml", MUL)
    line = only_line(invoke("run", path, "--output", "output"))
    assert line == ("circuitrun run: error: --output 'output' is not a node of the circuit"
                    " [usage]")


def test_missing_value(tmp_path: Path) -> None:
    path = write(tmp_path, "open.yaml", OPEN)
    with pytest.raises(circuitrun.MissingInputsError) as info:
        circuitrun.load(path).run()
    # "inputs: {x: 4, " is 15 characters: z is at column 16 of line 1.
    assert [str(p) for p in info.value.problems] == [
        f"{path}:1:16: error: input 'z' has no value [missing-value]"]
    assert info.value.inputs == ("z",)
    for command in ("run", "graph", "gradcheck"):
        assert only_line(invoke(command, path)) == (
            f"{path}:1:16: error: input 'z' has no value: give one with --set z=VALUE"
            " [missing-value]")


def test_gradcheck_step(tmp_path: Path) -> None:
    path = write(tmp_path, "mul.yaml", MUL)
    with pytest.raises(circuitrun.UsageError, match=r"^eps needs a finite number > 0, not 0\.0"):
        circuitrun.load(path).gradcheck(eps=0.0)
    assert only_line(invoke("gradcheck", path, "--eps", "0")) == (
        "circuitrun gradcheck: error: --eps needs a finite number > 0, not 0.0 [usage]")


def test_golden_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "mul.yaml", MUL)
    with pytest.raises(circuitrun.UsageError) as info:
        circuitrun.check(["mul.yaml"], "gold")
    assert str(info.value) == "golden_dir 'gold': no such folder (update creates it)"
    assert only_line(invoke("check", "mul.yaml", "--golden-dir", "gold")) == (
        "circuitrun check: error: --golden-dir 'gold': no such folder (--update creates it)"
        " [usage]")
    with pytest.raises(circuitrun.UsageError, match=r"^update writes golden files: give a"
                                                    r" golden_dir"):
        circuitrun.check(["mul.yaml"], update=True)


def test_library_errors_name_no_option(tmp_path: Path) -> None:
    # Every usage error the library raises here, said in the library's words.
    path = write(tmp_path, "mul.yaml", MUL)
    circuit = circuitrun.load(path)
    calls: list[Callable[[], object]] = [
        lambda: circuit.run(output="g"), lambda: circuit.run({"q": 1.0}),
        lambda: circuit.run({"x": float("nan")}), lambda: circuit.gradcheck(rtol=-1),
        lambda: circuit.run_batch({"x": [1.0]}, output="g"),
        lambda: circuitrun.check([path], rtol=-1), lambda: choose("table", inputs=True)]
    for call in calls:
        with pytest.raises(circuitrun.UsageError) as info:
            call()
        assert "--" not in str(info.value), str(info.value)


def test_an_integer_beyond_any_float(tmp_path: Path) -> None:
    # 10**400 has 1329 bits (400 * log2(10) = 1328.8); the largest float is below 2**1024.
    circuit = circuitrun.loads(MUL)
    with pytest.raises(circuitrun.UsageError) as info:
        circuit.run({"x": 10**400})
    assert str(info.value) == ("input 'x' needs a finite number, not an integer of 1329 bits"
                               " (too large for a float)")
    path = write(tmp_path, "mul.yaml", MUL)
    line = only_line(invoke("run", path, "--set", "x=1" + "0" * 400))
    assert line.startswith("circuitrun run: error: --set x=1000") and line.endswith(
        "is not a finite number [usage]")


# ---- formats come from the registry ---------------------------------------------------


def test_run_offers_the_registry_formats(tmp_path: Path) -> None:
    path = write(tmp_path, "mul.yaml", MUL)
    line = only_line(invoke("run", path, "--format", "xml"))
    assert "'xml' is not one of " + ", ".join(f"'{name}'" for name in FORMATS) in line


@pytest.mark.parametrize(("name", "inputs", "picked"), [
    ("r.csv", False, "csv"), ("r.JSON", False, "json"), ("r.txt", False, "json"),
    ("r.jsonl", False, "json"), ("r.jsonl", True, "jsonl"), ("r.ndjson", True, "jsonl"),
    ("r.csv", True, "csv"), ("r.json", True, "csv")])
def test_a_file_suffix_picks_a_format(name: str, inputs: bool, picked: str) -> None:
    assert choose(None, name, inputs=inputs).name == picked


def test_defaults_without_a_file() -> None:
    assert choose(terminal=True).name == "table"
    assert choose().name == "json"
    assert choose(inputs=True, terminal=True).name == "csv"


# ---- the core imports neither typer nor rich -------------------------------------------


def test_the_library_imports_no_command_line() -> None:
    code = ("import sys, circuitrun, circuitrun.golden.run, circuitrun.report.formats,"
            " circuitrun.rows.run; print(sorted(m for m in ('typer', 'rich', 'click',"
            " 'circuitrun.cli') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout == "[]\n"
