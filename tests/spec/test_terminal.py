"""On a terminal, each problem is followed by its line of the spec and a caret under its
column (as rustc and ruff show them); piped, the one-line form alone, byte for byte.

"On a terminal" is stderr being a terminal (``isatty``).  These tests give the command a
real pseudo-terminal (``pty``) as its stderr, nothing mocked.  A terminal writes each
line break as CR LF (its ``onlcr`` setting): the output read back is compared with CR LF
turned into LF.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from circuitrun.ops.table import OPS

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pty is POSIX")


def on_a_terminal(tmp_path: Path, *args: str) -> tuple[int, str]:
    """Exit code and stderr of ``circuitrun ARGS`` run in ``tmp_path`` with its stderr on
    a pseudo-terminal.

    The output is read up to a NUL that this side writes to the terminal once the command
    has ended (after all it wrote, in order), never up to the terminal's hang-up: a read
    after the last writer closes can end before all that was written arrives (under load).
    """
    leader, follower = pty.openpty()
    try:
        proc = subprocess.Popen([sys.executable, "-m", "circuitrun", *args], cwd=tmp_path,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=follower)
        data, ended, give_up = b"", False, time.monotonic() + 60
        while not (ended and data.endswith(b"\0")):
            assert time.monotonic() < give_up, f"no end within 60 s: {data!r}"
            if select.select([leader], [], [], 0.05)[0]:
                data += os.read(leader, 4096)
            elif not ended and proc.poll() is not None:
                os.write(follower, b"\0")
                ended = True
    finally:
        os.close(follower)
        os.close(leader)
    return proc.wait(), data[:-1].decode("utf-8").replace("\r\n", "\n")


def piped(tmp_path: Path, *args: str) -> tuple[int, str]:
    """Exit code and stderr of ``circuitrun ARGS`` with stderr a pipe."""
    done = subprocess.run([sys.executable, "-m", "circuitrun", *args], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    return done.returncode, done.stderr


def spec(tmp_path: Path, text: str, name: str = "spec.yaml") -> str:
    (tmp_path / name).write_bytes(text.encode("utf-8"))
    return name


UNKNOWN_OP = "inputs:\n  x: 1\n  y: 2\ngates:\n  f: {op: multiply, in: [x, y]}\n"


def test_a_problem_shows_its_line_and_a_caret(tmp_path: Path) -> None:
    name = spec(tmp_path, UNKNOWN_OP)
    code, err = on_a_terminal(tmp_path, "run", name)
    # col 11 is the 'm' of 'multiply': 10 blanks after "  | " put the caret under it
    assert (code, err) == (2, (
        f"spec.yaml:5:11: error: unknown op 'multiply' (ops: {', '.join(OPS)}) [unknown-op]\n"
        " 5 |   f: {op: multiply, in: [x, y]}\n"
        "   |           ^\n"))


def test_piped_the_same_problem_is_its_one_line_only(tmp_path: Path) -> None:
    name = spec(tmp_path, UNKNOWN_OP)
    terminal = on_a_terminal(tmp_path, "run", name)
    code, err = piped(tmp_path, "run", name)
    assert (code, err) == (2, terminal[1].splitlines(keepends=True)[0])


def test_check_shows_an_invalid_specs_problems_as_run_does(tmp_path: Path) -> None:
    # check's report: an invalid spec's problem with its line and caret (exit 2: invalid)
    name = spec(tmp_path, UNKNOWN_OP)
    code, err = on_a_terminal(tmp_path, "check", name)
    assert (code, err) == (2, (
        f"spec.yaml:5:11: error: unknown op 'multiply' (ops: {', '.join(OPS)}) [unknown-op]\n"
        " 5 |   f: {op: multiply, in: [x, y]}\n"
        "   |           ^\n"))
    assert piped(tmp_path, "check", name) == (2, err.splitlines(keepends=True)[0])


def test_every_problem_of_validate_has_its_line(tmp_path: Path) -> None:
    # two problems in one file, and one in another: each under its own line
    spec(tmp_path, "inputs:\n  x: 1\n  y: 2\ngates:\n  f: {op: mul, in: x, y}\n"
         "  g: {op: sigmiod, in: f}\n", "a.yaml")
    spec(tmp_path, "inputs:\n  x:-2\n  y: 2\ngates:\n  f: {op: mul, in: [x, y]}\n", "b.yaml")
    code, err = on_a_terminal(tmp_path, "validate", "a.yaml", "b.yaml")
    assert (code, err) == (2, (
        "a.yaml:5:23: error: unknown key 'y': write `in: [x, y]` for a list of inputs"
        " [unknown-key]\n"
        " 5 |   f: {op: mul, in: x, y}\n"
        "   |                       ^\n"
        "a.yaml:6:11: error: unknown op 'sigmiod' (did you mean 'sigmoid'?) [unknown-op]\n"
        " 6 |   g: {op: sigmiod, in: f}\n"
        "   |           ^\n"
        "b.yaml:2:4: error: no space after ':' in 'x:-2', so YAML sees no key: write"
        " 'x: -2' [yaml-syntax]\n"
        " 2 |   x:-2\n"
        "   |    ^\n"))


def test_the_caret_lines_up_after_tabs_and_wide_characters(tmp_path: Path) -> None:
    # a tab shows as 4 columns and '円' as 2: 'zz', character 14 of the line, is under
    # column 6 + 4 + 2 + 2 + 3 = 17 (0-based) of the line shown; '円' under column 12
    name = spec(tmp_path, "inputs: {x: 1}\ngates:\n  f: x\t+ 円 + zz\n")
    code, err = on_a_terminal(tmp_path, "validate", name)
    shown = " 3 |   f: x    + 円 + zz\n"
    assert (code, err) == (2, (
        "spec.yaml:3:10: error: unknown reference '円' [undefined-ref]\n" + shown
        + "   | " + " " * 12 + "^\n"
        "spec.yaml:3:14: error: unknown reference 'zz' [undefined-ref]\n" + shown
        + "   | " + " " * 17 + "^\n"))


def test_a_control_character_is_shown_escaped_never_sent(tmp_path: Path) -> None:
    # ESC would start a terminal command: the line shows it as \x1b, the caret under it
    name = spec(tmp_path, "inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\nname: a\x1bb\n")
    code, err = on_a_terminal(tmp_path, "validate", name)
    assert "\x1b" not in err
    assert (code, err) == (2, (
        "spec.yaml:4:8: error: control character U+001B is not allowed [yaml-syntax]\n"
        " 4 | name: a\\x1bb\n"
        "   |        ^\n"))


def test_a_long_line_is_cut_around_the_column(tmp_path: Path) -> None:
    # an expression of 300 characters with an unknown name at its end (col 303)
    expr = " + ".join(["x"] * 99) + " + zz"
    name = spec(tmp_path, f"inputs: {{x: 1}}\ngates:\n  f: {expr}\n")
    code, err = on_a_terminal(tmp_path, "validate", name)
    assert code == 2
    first, source, caret = err.splitlines()
    col = int(first.split(":")[2])
    assert first.startswith("spec.yaml:3:") and "'zz'" in first
    assert source.startswith(" 3 | ...") and len(source) < 120
    # the caret points at the characters the problem names
    at = caret.index("^")
    assert source[at:at + 2] == "zz"
    assert col == len("  f: ") + len(expr) - 1


def test_problems_without_a_line_and_usage_errors_stay_one_line(tmp_path: Path) -> None:
    code, err = on_a_terminal(tmp_path, "run", "missing.yaml")
    assert (code, err) == (2, "missing.yaml: error: no such file [unreadable]\n")
    name = spec(tmp_path, "inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\n")
    code, err = on_a_terminal(tmp_path, "run", name, "--set", "X=1")
    assert (code, err) == (2, "circuitrun run: error: 'X' is not an input of the circuit"
                              " (did you mean 'x'?) [usage]\n")


def test_a_problem_at_the_end_of_the_file_has_no_line_to_show(tmp_path: Path) -> None:
    # an unclosed flow mapping: PyYAML stops at the end, after the last line break
    name = spec(tmp_path, "inputs: {x: 1}\ngates:\n  f: {op: neg, in: x\n")
    code, err = on_a_terminal(tmp_path, "run", name)
    _, expected = piped(tmp_path, "run", name)
    assert code == 2
    assert err.startswith(expected) and all(
        line.startswith(" ") for line in err[len(expected):].splitlines())
