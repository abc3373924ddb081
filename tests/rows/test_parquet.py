"""``run --inputs rows.parquet`` and ``-o out.parquet``: the numbers of CSV bit for bit, every
example circuit; a batch and a row group at a time; bad cells named by row and column."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import circuitrun
from circuitrun.report import parquet as parquet_out
from circuitrun.rows import parquet as parquet_in

from support.cli import invoke
from support.rows import EXAMPLES, arrow_cells, csv_cells, example_rows, write_csv, write_parquet

runner = CliRunner()

# q = a / b, f = q * c
DIV = "inputs: {a: 1, b: 2, c: 3}\ngates:\n  q: {op: div, in: [a, b]}\n  f: {op: mul, in: [q, c]}\n"


@pytest.fixture
def div(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # files named as given: rows.parquet
    path = tmp_path / "div.yaml"
    path.write_text(DIV)
    return path


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.name)
def test_every_example_equals_csv_bit_for_bit(spec: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Small batches and row groups, so that rows cross every boundary: 2,500 rows read 700
    # at a time from row groups of 1,000, written in row groups of 900.
    monkeypatch.setattr(parquet_in, "BATCH_ROWS", 700)
    monkeypatch.setattr(parquet_out, "GROUP_ROWS", 900)
    cols = example_rows(circuitrun.load(spec), 2500, seed=len(spec.name))
    rows_csv = write_csv(tmp_path / "rows.csv", cols)
    rows_pq = write_parquet(tmp_path / "rows.parquet", cols, row_group=1000)
    opts = ["--all-nodes", "--allow-nonfinite"]
    ref = invoke("run", spec, "--inputs", rows_csv, *opts)
    assert ref.exit_code == 0, ref.stderr
    header, want = csv_cells(ref.stdout)
    # Parquet in, CSV out: the reader gives the floats of CSV
    got = invoke("run", spec, "--inputs", rows_pq, *opts)
    assert (got.exit_code, got.stdout) == (0, ref.stdout)
    # Parquet in, Parquet out; CSV in, Parquet out: the same names, the same floats
    for source in (rows_pq, rows_csv):
        out = tmp_path / "out.parquet"
        done = invoke("run", spec, "--inputs", source, *opts, "-o", out)
        assert done.exit_code == 0, done.stderr
        table = pq.read_table(out)
        assert set(table.schema.types) == {pa.float64()}
        assert pq.ParquetFile(out).metadata.num_row_groups == 3
        assert arrow_cells(table) == (header, want)


def test_rows_equal_single_runs(div: Path, tmp_path: Path) -> None:
    rows = write_parquet(tmp_path / "rows.parquet",
                         {"a": np.array([1, -7], dtype=np.int32), "b": [2.0, 0.5]}, 10)
    out = tmp_path / "out.parquet"
    assert invoke("run", div, "--inputs", rows, "-o", out).exit_code == 0
    table = pq.read_table(out).to_pydict()
    # f = a/b*c, df/da = c/b, df/db = -a*c/b^2, df/dc = a/b, with c = 3 from the spec
    assert table == {"input.a": [1.0, -7.0], "input.b": [2.0, 0.5], "input.c": [3.0, 3.0],
                     "value": [1.5, -42.0], "grad.a": [1.5, 6.0], "grad.b": [-0.75, 84.0],
                     "grad.c": [0.5, -14.0]}
    r = circuitrun.loads(DIV).run({"a": -7, "b": 0.5})
    assert table["value"][1] == r.value() and table["grad.b"][1] == r.grad("b")


def test_a_pandas_index_is_no_column(div: Path, tmp_path: Path) -> None:
    import pandas as pd

    pd.DataFrame({"a": [1.0, 2.0]}, index=[10, 20]).to_parquet(tmp_path / "rows.parquet")
    got = invoke("run", div, "--inputs", tmp_path / "rows.parquet")
    assert got.stdout.splitlines()[1:] == ["1.0,2.0,3.0,1.5,1.5,-0.75,0.5",
                                           "2.0,2.0,3.0,3.0,1.5,-1.5,1.0"]


@pytest.mark.parametrize(("columns", "error", "before"), [
    ({"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, None]},
     "rows.parquet:3:2: error: input 'b' needs a finite number, not null [bad-input]", 2),
    ({"a": [1.0, float("nan"), 3.0]},
     "rows.parquet:2:1: error: input 'a' needs a finite number, not nan [bad-input]", 1),
    ({"a": [1.0, 2.0], "b": ["1", "2"]},
     "rows.parquet: error: column 'b' holds string, not numbers: input 'b' needs integers"
     " or floats [bad-input]", 0),
    ({"a": [True]}, "rows.parquet: error: column 'a' holds bool, not numbers: input 'a'"
                    " needs integers or floats [bad-input]", 0),
    ({"aa": [1.0]}, "rows.parquet: error: column 'aa' is not an input of the circuit"
                    " (did you mean 'a'?) [bad-input]", 0),
])
def test_a_bad_cell_or_column_is_named(div: Path, tmp_path: Path, columns: dict[str, list],
                                       error: str, before: int) -> None:
    pq.write_table(pa.table(columns), tmp_path / "rows.parquet")
    got = invoke("run", div, "--inputs", "rows.parquet")
    assert (got.exit_code, got.stderr) == (2, error + "\n")
    assert len(got.stdout.splitlines()) == (1 + before if before else 0)  # no header alone
    out = tmp_path / "out.parquet"
    got = invoke("run", div, "--inputs", "rows.parquet", "-o", out)
    assert (got.exit_code, got.stderr) == (2, error + "\n")
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["div.yaml", "rows.parquet"]


def test_a_missing_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    spec = tmp_path / "m.yaml"
    spec.write_text("inputs: {a: 1, b: }\ngates:\n  f: {op: mul, in: [a, b]}\n")
    pq.write_table(pa.table({"a": [1.0]}), tmp_path / "rows.parquet")
    got = invoke("run", spec, "--inputs", "rows.parquet")
    assert got.stderr == ("rows.parquet: error: no value for input 'b': the spec has none;"
                          " give it a column or with --set [bad-input]\n")
    got = invoke("run", spec, "--inputs", tmp_path / "rows.parquet", "--set", "b=4")
    assert got.stdout.splitlines()[1] == "1.0,4.0,4.0,4.0,1.0"


def test_a_non_finite_result(div: Path, tmp_path: Path) -> None:
    write_parquet(tmp_path / "rows.parquet", {"a": [1.0, 2.0, 3.0], "b": [1.0, 2.0, 0.0]}, 10)
    got = invoke("run", div, "--inputs", "rows.parquet")
    assert (got.exit_code, got.stderr) == (3, "rows.parquet:3: error: gate 'q' (div) gave inf"
                                              " from inputs a=3.0, b=0.0 [non-finite]\n")
    assert len(got.stdout.splitlines()) == 3  # the header and the two rows before
    out = tmp_path / "out.parquet"
    got = invoke("run", div, "--inputs", tmp_path / "rows.parquet", "--allow-nonfinite",
                 "-o", out)
    assert got.exit_code == 0
    # q = 3/0 = inf, f = inf*3; df/da = c/b = inf, df/db = -a*c/b^2 = -inf, df/dc = a/b
    assert pq.read_table(out).slice(2).to_pylist() == [
        {"input.a": 3.0, "input.b": 0.0, "input.c": 3.0, "value": float("inf"),
         "grad.a": float("inf"), "grad.b": float("-inf"), "grad.c": float("inf")}]


def test_constants_grads_are_null(tmp_path: Path) -> None:
    spec = tmp_path / "k.yaml"
    spec.write_text("inputs: {x: 1}\ngates:\n  f: {op: mul, in: [x, 2]}\n")
    write_parquet(tmp_path / "rows.parquet", {"x": [3.0]}, 10)
    out = tmp_path / "out.parquet"
    assert invoke("run", spec, "--inputs", tmp_path / "rows.parquet", "--all-nodes", "-o",
                  out).exit_code == 0
    # f = 2x: df/dx = 2; the constant f.1 is not differentiated
    assert pq.read_table(out).to_pylist() == [
        {"input.x": 3.0, "value": 6.0, "grad.x": 2.0, "value.f.1": 2.0, "grad.f.1": None,
         "value.f": 6.0, "grad.f": 1.0}]


def test_parquet_goes_to_a_file(div: Path, tmp_path: Path) -> None:
    write_parquet(tmp_path / "rows.parquet", {"a": [1.0]}, 10)
    got = invoke("run", div, "--inputs", tmp_path / "rows.parquet", "-f", "parquet")
    assert (got.exit_code, got.stderr) == (2, "circuitrun run: error: --format parquet writes"
                                              " a file: give -o FILE [usage]\n")


def test_without_pyarrow(div: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_parquet(tmp_path / "rows.parquet", {"a": [1.0]}, 10)
    for name in ("pyarrow", "pyarrow.parquet"):  # as if it were not installed
        monkeypatch.setitem(sys.modules, name, None)
    got = invoke("run", div, "--inputs", tmp_path / "rows.parquet")
    assert (got.exit_code, got.stderr) == (2, "circuitrun run: error: Parquet data needs"
                                              " pyarrow: pip install '.[parquet]' in a clone"
                                              " of circuitrun [usage]\n")
    got = invoke("run", div, "--inputs", tmp_path / "rows.parquet", "-o", tmp_path / "o.pq")
    assert got.stderr.endswith("needs pyarrow: pip install '.[parquet]' in a clone of circuitrun"
                               " [usage]\n")


@pytest.mark.parametrize("kind", ["int8", "uint16", "int32", "uint64", "int64", "float16",
                                  "float32"])
def test_integers_and_narrow_floats_become_their_nearest_double(div: Path, tmp_path: Path,
                                                                kind: str) -> None:
    # The column is read from its buffer: each width and sign, and a batch that starts
    # inside a row group (BATCH_ROWS 3 of a 7-row group), must give numpy's own conversion.
    values = np.array([0, 1, 7, 100, 3, 126, 5], dtype=kind)
    if kind == "uint64":
        values[3] = 2**64 - 1  # no double holds it: the nearest one, 2**64
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"a": values}), path, row_group_size=7)
    out = tmp_path / "out.parquet"
    got = invoke("run", div, "--inputs", path, "-o", out)
    assert got.exit_code == 0, got.stderr
    assert pq.read_table(out).column("input.a").to_pylist() == values.astype(float).tolist()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(parquet_in, "BATCH_ROWS", 3)
        again = invoke("run", div, "--inputs", path, "-o", out)
        assert again.exit_code == 0, again.stderr
        assert pq.read_table(out).column("input.a").to_pylist() == values.astype(
            float).tolist()


def fresh_run(folder: Path, data: str) -> subprocess.CompletedProcess[str]:
    """``run div.yaml --inputs DATA -o out.parquet`` in a fresh interpreter (this one has
    imported pandas and all of pyarrow), then whether pandas was imported."""
    script = ("import sys\nfrom circuitrun.cli import app\n"
              f"try:\n    app(['run', 'div.yaml', '--inputs', {data!r}, '-o',"
              " 'out.parquet'])\nexcept SystemExit as e:\n    print(e.code)\n"
              "print('pandas' in sys.modules)\n")
    return subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True,
                          text=True, check=True)


def test_the_parquet_path_does_not_import_pandas(div: Path, tmp_path: Path) -> None:
    # pyarrow imports pandas on pa.array(numpy) and to_numpy(): 0.7 s of CPU a process,
    # each Dask worker's too (docs/performance.md).
    write_parquet(tmp_path / "rows.parquet", {"a": [1.0, 2.0], "b": [4.0, 8.0]}, 10)
    done = fresh_run(tmp_path, "rows.parquet")
    assert (done.stdout, done.stderr) == ("0\nFalse\n", "")
    # f = a / b * c, c = 3 from the spec: 1/4*3 and 2/8*3
    assert pq.read_table(tmp_path / "out.parquet").column("value").to_pylist() == [0.75, 0.75]


def test_a_null_cell_in_a_fresh_process(div: Path, tmp_path: Path) -> None:
    # Its row is found by pyarrow.compute, which nothing else imports there.
    pq.write_table(pa.table({"a": [1.0, None], "b": [4.0, 8.0]}), tmp_path / "nulls.parquet")
    done = fresh_run(tmp_path, "nulls.parquet")
    assert (done.stdout.split()[0], done.stderr) == (
        "2", "nulls.parquet:2:1: error: input 'a' needs a finite number, not null"
             " [bad-input]\n")
