"""``circuitrun run SPEC --inputs FILE``: rows in (CSV, JSON Lines), rows out, errors."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import circuitrun
from circuitrun.cli.progress import Progress
from circuitrun.cli.rows import run_rows
from circuitrun.engine import batch
from circuitrun.rows import read as batchread
from circuitrun.rows.run import RowsRun

from support.cli import invoke, write

runner = CliRunner()

# q = a / b, f = q * c: df/da = c/b, df/db = -a*c/b^2, df/dc = a/b.
SPEC = """\
    inputs: {a: 1, b: 2, c: 3}
    gates:
      q: {op: div, in: [a, b]}
      f: {op: mul, in: [q, c]}
    """


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    return write(tmp_path, "div.yaml", SPEC)


def expected_row(spec: Path, **inputs: float) -> list[str]:
    r = circuitrun.load(spec).run(inputs)
    names = ["a", "b", "c"]
    return ([repr(r.value(n)) for n in names] + [repr(r.value())]
            + [repr(r.grad(n)) for n in names])


def test_csv_rows_equal_single_runs(spec: Path, tmp_path: Path) -> None:
    data = write(tmp_path, "in.csv", "a,b\n1,2\n-3.5,0.25\n1e-3,4\n")
    result = invoke("run", spec, "--inputs", data)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == "input.a,input.b,input.c,value,grad.a,grad.b,grad.c"
    assert [line.split(",") for line in lines[1:]] == [
        expected_row(spec, a=1, b=2), expected_row(spec, a=-3.5, b=0.25),
        expected_row(spec, a=1e-3, b=4)]


def test_jsonl_in_and_out(spec: Path, tmp_path: Path) -> None:
    data = write(tmp_path, "in.jsonl", '{"a": 4}\n\n{"b": 8, "c": -1}\n')
    result = invoke("run", spec, "--inputs", data, "--format", "jsonl")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows[0] == {"inputs": {"a": 4.0, "b": 2.0, "c": 3.0}, "value": 6.0,
                       "grads": {"a": 1.5, "b": -3.0, "c": 2.0}}
    assert rows[1]["value"] == -0.125 and rows[1]["grads"]["c"] == 0.125
    assert result.stdout.splitlines()[0] == (
        '{"inputs": {"a": 4.0, "b": 2.0, "c": 3.0}, "value": 6.0,'
        ' "grads": {"a": 1.5, "b": -3.0, "c": 2.0}}')


@pytest.mark.parametrize("text", ["a,b\n1,2\n-3.5,0.25\n",
                                  '{"a": 1, "b": 2}\n{"a": -3.5, "b": 0.25}\n'],
                         ids=["csv", "jsonl"])
def test_inputs_dash_reads_stdin(spec: Path, tmp_path: Path, text: str) -> None:
    # a pipe, as `... | circuitrun run SPEC --inputs -` gives it: the real stdin of a process
    done = subprocess.run([sys.executable, "-m", "circuitrun", "run", str(spec), "--inputs",
                           "-"], input=text, capture_output=True, text=True, cwd=tmp_path,
                          timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert [line.split(",") for line in done.stdout.splitlines()[1:]] == [
        expected_row(spec, a=1, b=2), expected_row(spec, a=-3.5, b=0.25)]


def test_all_nodes(spec: Path, tmp_path: Path) -> None:
    data = write(tmp_path, "in.csv", "b\n4\n")
    out = invoke("run", spec, "--inputs", data, "--all-nodes").stdout.splitlines()
    assert out[0] == ("input.a,input.b,input.c,value,grad.a,grad.b,grad.c,value.q,grad.q,"
                      "value.f,grad.f")
    assert out[1] == "1.0,4.0,3.0,0.75,0.75,-0.1875,0.25,0.25,3.0,0.75,1.0"
    line = invoke("run", spec, "--inputs", data, "--all-nodes", "-f", "jsonl").stdout
    nodes = json.loads(line)["nodes"]
    assert list(nodes) == ["a", "b", "c", "q", "f"]
    assert nodes["q"] == {"value": 0.25, "grad": 3.0}


def test_constants_and_set(tmp_path: Path) -> None:
    spec = write(tmp_path, "k.yaml", "inputs: {x: , y: 1}\ngates:\n  f: {op: mul, in: [x, y, 2]}\n")
    data = write(tmp_path, "in.csv", "y\n5\n")
    result = invoke("run", spec, "--inputs", data, "--set", "x=3", "--all-nodes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines() == [
        "input.x,input.y,value,grad.x,grad.y,value.f.2,grad.f.2,value.f,grad.f",
        "3.0,5.0,30.0,10.0,6.0,2.0,,30.0,1.0"]
    line = invoke("run", spec, "--inputs", data, "--set", "x=3", "--all-nodes", "-f", "jsonl")
    assert json.loads(line.stdout)["nodes"]["f.2"] == {"value": 2.0, "grad": None}
    missing = invoke("run", spec, "--inputs", data)
    assert missing.exit_code == 2
    assert missing.stderr == (f"{data}:1: error: no value for input 'x': the spec has none;"
                              " give one in the file or with --set [bad-input]\n")


def one_error(result: Result, code: int = 2) -> str:
    assert result.exit_code == code, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize(("name", "text", "error"), [
    ("in.csv", "a,z\n1,2\n", "in.csv:1:2: error: 'z' is not an input of the circuit [bad-input]"),
    ("in.csv", "a,bb\n1,2\n", "in.csv:1:2: error: 'bb' is not an input of the circuit"
                              " (did you mean 'b'?) [bad-input]"),
    ("in.csv", "a,a\n1,2\n", "in.csv:1:2: error: column 'a' is given twice [bad-input]"),
    ("in.csv", "a,b\n1,2\n3,abc\n", "in.csv:3:2: error: input 'b' needs a finite number,"
                                    " not \"abc\" [bad-input]"),
    ("in.csv", "a,b\n1,2\n,4\n", "in.csv:3:1: error: input 'a' needs a finite number,"
                                 " not \"\" [bad-input]"),
    ("in.csv", "a,b\nnan,2\n", "in.csv:2:1: error: input 'a' needs a finite number,"
                               " not \"nan\" [bad-input]"),
    ("in.csv", "a,b\n1e999,2\n", "in.csv:2:1: error: input 'a' needs a finite number,"
                                 " not \"1e999\" [bad-input]"),
    ("in.csv", "a,b\n1,2,3\n", "in.csv:2: error: 3 fields, but the header has 2 [bad-input]"),
    ("in.jsonl", '{"a": 1}\n{"a": tru}\n', "in.jsonl:2:7: error: Expecting value [bad-input]"),
    ("in.jsonl", '{"a": 1}\n[1]\n', "in.jsonl:2:1: error: a line must be an object of input"
                                    " values [bad-input]"),
    ("in.jsonl", '{"a": 1, "zz": 2}\n', "in.jsonl:1:2: error: 'zz' is not an input of the"
                                        " circuit [bad-input]"),
    ("in.jsonl", '{"b": 1, "a": true}\n', "in.jsonl:1:2: error: input 'a' needs a finite"
                                          " number, not true [bad-input]"),
    ("in.jsonl", '{"a": "1"}\n', "in.jsonl:1:1: error: input 'a' needs a finite number,"
                                 " not \"1\" [bad-input]"),
])
def test_bad_input_files(spec: Path, tmp_path: Path, name: str, text: str, error: str) -> None:
    data = write(tmp_path, name, text)
    assert one_error(invoke("run", spec, "--inputs", data)) == f"{tmp_path}/{error}"


def test_non_finite_rows(spec: Path, tmp_path: Path) -> None:
    data = write(tmp_path, "in.csv", "a,b\n1,2\n\n1,0\n0,0\n")
    line = one_error(invoke("run", spec, "--inputs", data), code=3)
    assert line == f"{data}:4: error: gate 'q' (div) gave inf from inputs a=1.0, b=0.0 [non-finite]"
    result = invoke("run", spec, "--inputs", data, "--allow-nonfinite")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[2:] == ["1.0,0.0,3.0,inf,inf,-inf,inf",
                                              "0.0,0.0,3.0,nan,inf,nan,nan"]
    rows = invoke("run", spec, "--inputs", data, "--allow-nonfinite", "-f", "jsonl").stdout
    assert json.loads(rows.splitlines()[1])["grads"] == {"a": "inf", "b": "-inf", "c": "inf"}
    nan_in = write(tmp_path, "nan.csv", "a\nnan\n")
    result = invoke("run", spec, "--inputs", nan_in, "--allow-nonfinite")
    assert result.stdout.splitlines()[1].startswith("nan,2.0,3.0,nan")


def test_out_file_whole_or_nothing(spec: Path, tmp_path: Path) -> None:
    good = write(tmp_path, "in.csv", "a\n1\n2\n")
    out = tmp_path / "rows.jsonl"
    assert invoke("run", spec, "--inputs", good, "-o", out).exit_code == 0
    assert [json.loads(x)["value"] for x in out.read_text().splitlines()] == [1.5, 3.0]
    bad = write(tmp_path, "bad.csv", "a\n1\nx\n")
    assert invoke("run", spec, "--inputs", bad, "-o", out).exit_code == 2
    assert [json.loads(x)["value"] for x in out.read_text().splitlines()] == [1.5, 3.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv", "div.yaml", "in.csv",
                                                          "rows.jsonl"]


@pytest.mark.parametrize(("args", "error"), [
    (["--format", "table"],
     "--format table does not apply to --inputs: use csv or jsonl or parquet"),
    (["--set", "z=1"], "'z' is not an input of the circuit"),
    (["--output", "g"], "--output 'g' is not a node of the circuit"),
])
def test_usage_errors(spec: Path, tmp_path: Path, args: list[str], error: str) -> None:
    data = write(tmp_path, "in.csv", "a\n1\n")
    line = one_error(invoke("run", spec, "--inputs", data, *args))
    assert line == f"circuitrun run: error: {error} [usage]"


def test_batch_options_need_inputs(spec: Path, tmp_path: Path) -> None:
    for args, used in ((["--all-nodes"], "--all-nodes"), (["-f", "jsonl"], "--format jsonl"),
                       (["-f", "parquet"], "--format parquet"), (["--dask"], "--dask"),
                       (["--scheduler", "tcp://h:1"], "--dask"), (["--workers", "2"], "--workers")):
        line = one_error(invoke("run", spec, *args))
        assert line == f"circuitrun run: error: {used} goes with --inputs FILE [usage]"
    line = one_error(invoke("run", spec, "--inputs", tmp_path / "none.csv"))
    assert line.endswith("no such file [usage]")


def test_output_option_and_quoted_csv(spec: Path, tmp_path: Path) -> None:
    data = write(tmp_path, "in.csv", '"a","b"\n"1","4"\n')
    result = invoke("run", spec, "--inputs", data, "--output", "q")
    assert result.stdout.splitlines()[1] == "1.0,4.0,3.0,0.25,0.25,-0.0625,0.0"


def test_chunking_keeps_rows_in_order(spec: Path, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    values = [(i % 7 - 3.0, 1.0 + i % 5) for i in range(500)]
    data = write(tmp_path, "in.csv", "a,b\n" + "".join(f"{a},{b}\n" for a, b in values))
    whole = invoke("run", spec, "--inputs", data).stdout
    monkeypatch.setattr(batchread, "IO_CHARS", 64)
    monkeypatch.setattr(batch, "CHUNK_ROWS", 3)
    assert invoke("run", spec, "--inputs", data).stdout == whole
    rows = whole.splitlines()[1:]
    assert len(rows) == 500
    for (a, b), row in zip(values[:20], rows, strict=False):
        assert row.split(",") == expected_row(spec, a=a, b=b)
    assert math.isclose(float(rows[-1].split(",")[3]), values[-1][0] / values[-1][1] * 3)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_goes_to_stderr_only(spec: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    # On a terminal, after a second, a bar appears on stderr; stdout has the rows only.
    data = write(tmp_path, "in.csv", "a\n" + "".join(f"{i}\n" for i in range(300)))
    monkeypatch.setattr(batchread, "IO_CHARS", 64)
    monkeypatch.setattr(Progress, "after", 0.0)  # no second to wait
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    run_rows(spec, data, None, None, {}, None, False, False)
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "input.a,input.b,input.c,value,grad.a,grad.b,grad.c"
    assert len(out.splitlines()) == 301
    assert "in.csv" in terminal.getvalue()  # the bar's label


def test_rows_run_from_python(spec: Path, tmp_path: Path) -> None:
    # The library under `run --inputs`: every node's arrays a chunk at a time, each row
    # what Circuit.run gives for it; names in the library's words.
    data = write(tmp_path, "in.csv", "a,b\n1,2\n-3.5,0.25\n")
    circuit = circuitrun.load(spec)
    run = RowsRun(circuit, data, {"c": 2.0})
    position = dict(zip(run.names, range(len(run.names)), strict=True))
    chunks = [(list(vals[position["f"]]), list(grads[position["a"]]))
              for vals, grads in run.chunks()]
    singles = [circuitrun.load(spec).run({"a": a, "b": b, "c": 2.0}) for a, b in
               ((1.0, 2.0), (-3.5, 0.25))]
    assert chunks == [([r.value() for r in singles], [r.grad("a") for r in singles])]
    assert run.chars_read == len("a,b\n1,2\n-3.5,0.25\n")
    with pytest.raises(circuitrun.UsageError, match=r"^output 'g' is not a node"):
        RowsRun(circuit, data, output="g")
