"""``run --inputs`` streams, bounded, and loses nothing: endless lines and huge cells are
refused with the bad cell cut short, every row before a failing one is written, a key
given twice in a JSON row is an error as a column given twice in CSV is.

Each run is a process of its own, with a bound on its memory and its time.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

MEMORY = 1 << 30  # address space of a run: an endless line once took 12 GB

# f = x / y
SPEC = "inputs: {x: 1, y: 2}\ngates:\n  f: {op: div, in: [x, y]}\n"


class Answer(NamedTuple):
    code: int
    stdout: str
    stderr: str


def circuitrun(folder: Path, *args: str, stdin: bytes | None = None,
               shell: str | None = None, pipe_to: str | None = None) -> Answer:
    """``circuitrun ARGS`` in ``folder`` (after ``shell |``, before ``| pipe_to``), bounded."""

    def bound() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))

    (folder / "f.yaml").write_text(SPEC)
    command = [sys.executable, "-m", "circuitrun", *args]
    if shell is not None or pipe_to is not None:
        line = " ".join(command)
        line = line if shell is None else f"{shell} | {line}"
        line = line if pipe_to is None else f"{line} | {pipe_to}"
        command = ["bash", "-c", line]
    proc = subprocess.run(command, cwd=folder, input=stdin, capture_output=True, timeout=60,
                          preexec_fn=bound)
    out = Answer(proc.returncode, proc.stdout.decode(), proc.stderr.decode())
    assert "Traceback" not in out.stderr, out.stderr
    return out


def test_an_endless_line_is_refused(tmp_path: Path) -> None:
    out = circuitrun(tmp_path, "run", "f.yaml", "--inputs", "/dev/zero")
    assert (out.code, out.stderr) == (2, "/dev/zero:1: error: a line of more than 16,777,216"
                                         " characters: rows end at a newline [bad-input]\n")


def test_an_endless_line_on_stdin_is_refused(tmp_path: Path) -> None:
    out = circuitrun(tmp_path, "run", "f.yaml", "--inputs", "/dev/stdin",
                     shell="yes 1 | tr -d '\\n'")
    assert (out.code, out.stderr) == (2, "/dev/stdin:1: error: a line of more than 16,777,216"
                                         " characters: rows end at a newline [bad-input]\n")


def test_a_long_line_after_good_ones(tmp_path: Path) -> None:
    # 3 good rows, then a line of 17 Mi characters: the rows are written, then the error
    (tmp_path / "rows.csv").write_text("x\n1\n2\n4\n" + "1" * (17 << 20) + "\n")
    out = circuitrun(tmp_path, "run", "f.yaml", "--inputs", "rows.csv")
    assert out.stderr == ("rows.csv:5: error: a line of more than 16,777,216 characters:"
                          " rows end at a newline [bad-input]\n")
    assert out.stdout.splitlines()[1:] == ["1.0,2.0,0.5,0.5,-0.25", "2.0,2.0,1.0,0.5,-0.5",
                                           "4.0,2.0,2.0,0.5,-1.0"]


@pytest.mark.parametrize(("cell", "error"), [
    ("1" * 5000, "rows.csv:3:1: error: input 'x' needs a number of at most 1,000 characters,"
                 ' not "1111111111111111111111111111111111111111..." (5,000 characters)'
                 " [bad-input]"),
    ("ab" * 400, "rows.csv:3:1: error: input 'x' needs a finite number,"
                 ' not "abababababababababababababababababababab..." (800 characters)'
                 " [bad-input]"),
    ("1" * 20 + "x", 'rows.csv:3:1: error: input \'x\' needs a finite number, not'
                     ' "11111111111111111111x" [bad-input]'),
])
def test_a_bad_cell_is_quoted_cut_short(tmp_path: Path, cell: str, error: str) -> None:
    (tmp_path / "rows.csv").write_text(f"x\n1\n{cell}\n")
    out = circuitrun(tmp_path, "run", "f.yaml", "--inputs", "rows.csv")
    assert (out.code, out.stderr) == (2, error + "\n")


def test_a_long_bad_json_value_is_quoted_cut_short(tmp_path: Path) -> None:
    (tmp_path / "rows.jsonl").write_text('{"x": "' + "z" * 50_000 + '"}\n')
    out = circuitrun(tmp_path, "run", "f.yaml", "--inputs", "rows.jsonl")
    assert out.stderr == ("rows.jsonl:1:1: error: input 'x' needs a finite number, not"
                          ' "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz..." (50,000 characters)'
                          " [bad-input]\n")


@pytest.mark.parametrize(("name", "text", "error"), [
    ("rows.jsonl", '{"x": 1}\n{"y": 1, "x": 2, "x": 3}\n',
     "rows.jsonl:2:3: error: input 'x' is given twice [bad-input]"),
    ("rows.csv", "x,y,x\n1,2,3\n", "rows.csv:1:3: error: column 'x' is given twice [bad-input]"),
])
def test_an_input_given_twice(tmp_path: Path, name: str, text: str, error: str) -> None:
    (tmp_path / name).write_text(text)
    out = circuitrun(tmp_path, "run", "f.yaml", "--inputs", name)
    assert (out.code, out.stderr) == (2, error + "\n")


def test_a_colon_in_a_key_is_no_key_given_twice(tmp_path: Path) -> None:
    (tmp_path / "rows.jsonl").write_text('{"x": 1, "y:z": 2}\n')
    out = circuitrun(tmp_path, "run", "f.yaml", "--inputs", "rows.jsonl")
    assert out.stderr == ("rows.jsonl:1:2: error: 'y:z' is not an input of the circuit"
                          " [bad-input]\n")


@pytest.mark.parametrize(("name", "header", "row", "last", "error"), [
    ("rows.csv", "x,y\n", "{i},1\n", "1,abc\n",
     "rows.csv:20002:2: error: input 'y' needs a finite number, not \"abc\" [bad-input]"),
    ("rows.csv", "x,y\n", "{i},1\n", "1,2,3\n",
     "rows.csv:20002: error: 3 fields, but the header has 2 [bad-input]"),
    ("rows.jsonl", "", '{{"x": {i}, "y": 1}}\n', '{"x": 1, "y": null}\n',
     "rows.jsonl:20001:2: error: input 'y' needs a finite number, not null [bad-input]"),
    ("rows.jsonl", "", '{{"x": {i}, "y": 1}}\n', '{"x": 1\n',
     "rows.jsonl:20001:8: error: Expecting ',' delimiter [bad-input]"),
])
def test_every_row_before_a_bad_one_is_written(tmp_path: Path, name: str, header: str,
                                               row: str, last: str, error: str) -> None:
    (tmp_path / name).write_text(header + "".join(row.format(i=i) for i in range(20_000))
                                 + last)
    out = circuitrun(tmp_path, "run", "f.yaml", "--inputs", name)
    assert (out.code, out.stderr) == (2, error + "\n")
    lines = out.stdout.splitlines()
    assert len(lines) == 1 + 20_000
    assert lines[-1] == "19999.0,1.0,19999.0,1.0,-19999.0"  # f = x/y; df/dy = -x/y^2


def test_the_first_bad_cell_in_file_order(tmp_path: Path) -> None:
    # row 3 has a bad y, row 4 a bad x: the problem is row 3's, the rows before it written
    (tmp_path / "rows.csv").write_text("x,y\n1,1\n2,no\nno,1\n")
    out = circuitrun(tmp_path, "run", "f.yaml", "--inputs", "rows.csv")
    assert out.stderr == ("rows.csv:3:2: error: input 'y' needs a finite number, not \"no\""
                          " [bad-input]\n")
    assert out.stdout.splitlines()[1:] == ["1.0,1.0,1.0,1.0,-1.0"]


def test_every_row_before_a_non_finite_one_is_written(tmp_path: Path) -> None:
    # 20,001 rows, the last dividing by zero: the 20,000 before it are on stdout
    (tmp_path / "rows.csv").write_text("x,y\n" + "".join(f"{i},1\n" for i in range(20_000))
                                       + "1,0\n")
    out = circuitrun(tmp_path, "run", "f.yaml", "--inputs", "rows.csv")
    assert (out.code, out.stderr) == (3, "rows.csv:20002: error: gate 'f' (div) gave inf from"
                                         " inputs x=1.0, y=0.0 [non-finite]\n")
    lines = out.stdout.splitlines()
    assert len(lines) == 1 + 20_000
    assert lines[-1] == "19999.0,1.0,19999.0,1.0,-19999.0"


@pytest.mark.parametrize(("name", "text", "error"), [
    ("rows.csv", "x,z\n1,2\n", "rows.csv:1:2: error: 'z' is not an input of the circuit"
                               " [bad-input]"),
    ("gone.csv", None, "circuitrun run: error: --inputs 'gone.csv': no such file [usage]"),
])
def test_no_header_before_an_error(tmp_path: Path, name: str, text: str | None,
                                   error: str) -> None:
    if text is not None:
        (tmp_path / name).write_text(text)
    out = circuitrun(tmp_path, "run", "f.yaml", "--inputs", name)
    assert (out.code, out.stdout, out.stderr) == (2, "", error + "\n")


def test_a_closed_pipe_stops_the_run(tmp_path: Path) -> None:
    # Endless rows: the run ends only if it stops when `head` has its line and goes away.
    out = circuitrun(tmp_path, "run", "f.yaml", "--inputs", "/dev/stdin",
                     shell="(echo x,y; yes 1,2)", pipe_to="head -2")
    assert (out.code, out.stderr) == (0, "")
    assert out.stdout == "input.x,input.y,value,grad.x,grad.y\n1.0,2.0,0.5,0.5,-0.25\n"
