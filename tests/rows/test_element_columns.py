"""Vector and matrix inputs in batch runs (SPEC section 9.1, docs/batch.md): element
columns (``w[0]``), ``--set w=[...]`` beside a file, ``--output`` of an element, and the
errors of a column or an output named after a vector, or past its end."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import circuitrun
from circuitrun.cli import app

ROOT = Path(__file__).resolve().parents[2]
NEURON = ROOT / "circuits" / "neuron_notes.yaml"  # w = [2, -3, -3], x = [-1, -2]
MLP = ROOT / "circuits" / "mlp.yaml"  # W1 is 3x2, b2 a number
runner = CliRunner()


def run(*args: object) -> Result:
    return runner.invoke(app, ["run", *map(str, args)])


def rows_of(result: Result) -> list[dict[str, float]]:
    assert result.exit_code == 0, result.stderr
    return [{k: float(v) for k, v in row.items()}
            for row in csv.DictReader(io.StringIO(result.stdout))]


def only_error(result: Result) -> str:
    assert (result.exit_code, result.stdout) == (2, ""), result.stdout + result.stderr
    return result.stderr


def single_runs(given: list[dict[str, float]], output: str | None = None
                ) -> list[circuitrun.Result]:
    # The independent check: the scalar engine, one run per row.
    circuit = circuitrun.load(NEURON)
    return [circuit.run(inputs=row, output=output) for row in given]


def assert_rows_are_single_runs(rows: list[dict[str, float]], given: list[dict[str, float]],
                                output: str | None = None) -> None:
    assert len(rows) == len(given)
    names = ["w[0]", "w[1]", "w[2]", "x[0]", "x[1]"]
    for row, single in zip(rows, single_runs(given, output), strict=True):
        assert row["value"] == single.value()
        for name in names:
            assert row[f"input.{name}"] == single.value(name), name
            assert row[f"grad.{name}"] == single.grad(name), name


ROWS = [{"w[0]": 1.0, "x[1]": 2.0}, {"w[0]": 3.0, "x[1]": 4.0}]


def test_element_columns_in_csv(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("w[0],x[1]\n1,2\n3,4\n", encoding="utf-8")
    rows = rows_of(run(NEURON, "--inputs", path))
    assert_rows_are_single_runs(rows, ROWS)
    assert rows[0]["input.w[1]"] == -3.0  # the spec's value, no column for it


def test_element_keys_in_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    assert_rows_are_single_runs(rows_of(run(NEURON, "--inputs", path)), ROWS)


def test_element_columns_in_parquet(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")  # the test extra has it
    import pyarrow.parquet as pq

    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"w[0]": [1.0, 3.0], "x[1]": [2.0, 4.0]}), path)
    assert_rows_are_single_runs(rows_of(run(NEURON, "--inputs", path)), ROWS)


def test_a_whole_vector_set_beside_the_file(tmp_path: Path) -> None:
    # --set w=[...] gives the elements the file leaves out; the file's w[0] column wins.
    path = tmp_path / "rows.csv"
    path.write_text("w[0],x[1]\n1,2\n3,4\n", encoding="utf-8")
    rows = rows_of(run(NEURON, "--inputs", path, "--set", "w=[7, 8, 9]"))
    given = [{**r, "w[1]": 8.0, "w[2]": 9.0} for r in ROWS]
    assert_rows_are_single_runs(rows, given)
    assert only_error(run(NEURON, "--inputs", path, "--set", "w=[7, 8]")) == (
        "circuitrun run: error: input 'w' is a vector of 3: give a list of 3 numbers,"
        " not a list of 2 [usage]\n")


def test_an_element_as_the_output(tmp_path: Path) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("w[0],x[1]\n1,2\n3,4\n", encoding="utf-8")
    rows = rows_of(run(NEURON, "--inputs", path, "--output", "w[1]"))
    assert_rows_are_single_runs(rows, ROWS, output="w[1]")
    assert [r["value"] for r in rows] == [-3.0, -3.0]  # w[1] itself: the spec's -3
    assert [r["grad.w[1]"] for r in rows] == [1.0, 1.0]  # d w[1] / d w[1]


@pytest.mark.parametrize(("header", "message"), [
    ("w", "'w' is a vector of 3, not one number: name an element (w[0] .. w[2])"),
    ("w[3]", "index 3 in 'w[3]' is out of range: 'w' is a vector of 3 (the last is w[2])"),
    ("x[0][0]", "'x' is a vector of 2: 'x[0][0]' has too many indices"),
    ("w0", "'w0' is not an input of the circuit (did you mean 'w[0]'?)"),
])
def test_a_column_that_is_no_element(tmp_path: Path, header: str, message: str) -> None:
    path = tmp_path / "rows.csv"
    path.write_text(f"x[0],{header}\n1,2\n", encoding="utf-8")
    assert only_error(run(NEURON, "--inputs", path)) == f"{path}:1:2: error: {message}" \
        " [bad-input]\n"


def test_a_json_key_named_after_a_vector(tmp_path: Path) -> None:
    path = tmp_path / "rows.jsonl"
    path.write_text('{"w": [1, 2, 3]}\n', encoding="utf-8")
    assert only_error(run(NEURON, "--inputs", path)) == (
        f"{path}:1:1: error: 'w' is a vector of 3, not one number: name an element"
        " (w[0] .. w[2]) [bad-input]\n")


def test_a_parquet_column_named_after_a_matrix_row(tmp_path: Path) -> None:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"W1[1]": [1.0]}), path)
    assert only_error(run(MLP, "--inputs", path)) == (
        f"{path}: error: column 'W1[1]': 'W1[1]' is a vector of 2, not one number: name an"
        " element (W1[1][0] .. W1[1][1]) [bad-input]\n")


@pytest.mark.parametrize("batch", [False, True], ids=["single", "batch"])
def test_an_output_named_after_a_vector(tmp_path: Path, batch: bool) -> None:
    path = tmp_path / "rows.csv"
    path.write_text("w[0]\n1\n", encoding="utf-8")
    extra = ["--inputs", path] if batch else []
    assert only_error(run(NEURON, *extra, "--output", "w")) == (
        "circuitrun run: error: --output 'w': 'w' is a vector of 3, not one number: name an"
        " element (w[0] .. w[2]) [usage]\n")
    assert only_error(run(NEURON, *extra, "--output", "w[7]")) == (
        "circuitrun run: error: --output 'w[7]': index 7 in 'w[7]' is out of range: 'w' is"
        " a vector of 3 (the last is w[2]) [usage]\n")
    assert only_error(run(NEURON, *extra, "--output", "zz")) == (
        "circuitrun run: error: --output 'zz' is not a node of the circuit [usage]\n")


def test_the_api_says_the_same() -> None:
    circuit = circuitrun.load(NEURON)
    with pytest.raises(circuitrun.UsageError) as caught:
        circuit.run(output="w")
    assert (str(caught.value), caught.value.argument) == (
        "output 'w': 'w' is a vector of 3, not one number: name an element (w[0] .. w[2])",
        "output")
    with pytest.raises(circuitrun.UsageError) as caught:
        circuit.run_batch({"x": [1.0, 2.0]})
    assert str(caught.value) == ("'x' is a vector of 2, not one number: name an element"
                                 " (x[0] .. x[1])")
    assert dict(circuit.shapes) == {"w": (3,), "x": (2,)}
    assert circuit.settings({"w": [1, 2, 3], "w[0]": 5}) == {
        "w[0]": 5.0, "w[1]": 2.0, "w[2]": 3.0}
