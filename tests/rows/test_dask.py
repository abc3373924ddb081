"""``circuitrun.dask.evaluate`` on Dask's single-process scheduler: the numbers of the batch
engine bit for bit, the output's columns known without computing, bad cells named.

The same on a cluster of worker processes: ``test_dask_cluster.py`` (``-m cluster``).
"""

from __future__ import annotations

from pathlib import Path

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from typer.testing import CliRunner

import circuitrun
from circuitrun.cli import app
from circuitrun.dask import evaluate
from circuitrun.problems import NonFiniteError
from circuitrun.rows.errors import InputError

from support.rows import EXAMPLES, bits, example_rows

# q = a / b, f = q * c: every row's numbers by hand below.
DIV = """\
inputs: {a: 1, b: 2, c: 3}
gates:
  q: {op: div, in: [a, b]}
  f: {op: mul, in: [q, c]}
"""


def compute(frame: object) -> pd.DataFrame:
    return frame.compute(scheduler="sync")  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize("spec", EXAMPLES, ids=lambda p: p.name)
def test_every_example_equals_run_batch(spec: Path) -> None:
    circuit = circuitrun.load(spec)
    cols = example_rows(circuit, 500, seed=len(spec.name))
    frame = dd.from_pandas(pd.DataFrame(cols, index=np.arange(1000, 1500)), npartitions=3)
    out = evaluate(circuit, frame, all_nodes=True, allow_nonfinite=True)
    got = compute(out)
    want = circuit.run_batch(cols, allow_nonfinite=True, all_nodes=True)
    assert list(got.index) == list(range(1000, 1500))  # each partition keeps its index
    assert (got.dtypes == pd.ArrowDtype(pa.float64())).all()
    inputs = list(circuit.inputs)
    assert list(got.columns)[:2 * len(inputs) + 1] == (
        [f"input.{n}" for n in inputs] + ["value"] + [f"grad.{n}" for n in inputs])
    assert np.array_equal(bits(got["value"].to_numpy(dtype=float)), bits(want.value))
    for name in inputs:
        assert np.array_equal(bits(got[f"input.{name}"].to_numpy(dtype=float)),
                              bits(want.inputs[name]))
        assert np.array_equal(bits(got[f"grad.{name}"].to_numpy(dtype=float)),
                              bits(want.grads[name]))
    assert want.nodes is not None
    for name, (value, grad) in want.nodes.items():
        if name in circuit.inputs:
            continue
        assert np.array_equal(bits(got[f"value.{name}"].to_numpy(dtype=float)), bits(value))
        if grad is None:  # a constant: not differentiated, a null (not a NaN)
            assert got[f"grad.{name}"].isna().all()
            assert pa.array(got[f"grad.{name}"]).null_count == 500
        else:
            assert np.array_equal(bits(got[f"grad.{name}"].to_numpy(dtype=float)), bits(grad))


def test_rows_equal_single_runs() -> None:
    circuit = circuitrun.loads(DIV)
    frame = dd.from_pandas(pd.DataFrame({"a": [1.0, -3.5, 6.0], "b": [2, 4, -3]}),
                           npartitions=2)
    got = compute(evaluate(circuit, frame))
    # f = a/b*c, df/da = c/b, df/db = -a*c/b^2, df/dc = a/b, with c = 3 from the spec
    assert got.values.tolist() == [
        [1.0, 2.0, 3.0, 1.5, 1.5, -0.75, 0.5],
        [-3.5, 4.0, 3.0, -2.625, 0.75, 0.65625, -0.875],
        [6.0, -3.0, 3.0, -6.0, -1.0, -2.0, -2.0],
    ]
    for i, (a, b) in enumerate([(1.0, 2.0), (-3.5, 4.0), (6.0, -3.0)]):
        r = circuit.run({"a": a, "b": b})
        assert got["value"].iloc[i] == r.value()
        assert got["grad.b"].iloc[i] == r.grad("b")


def test_columns_and_types_known_without_computing() -> None:
    circuit = circuitrun.loads(DIV)
    frame = dd.from_pandas(pd.DataFrame({"b": [2.0]}), npartitions=1)
    out = evaluate(circuit, frame, all_nodes=True)
    assert list(out.columns) == ["input.a", "input.b", "input.c", "value", "grad.a",
                                 "grad.b", "grad.c", "value.q", "grad.q", "value.f", "grad.f"]
    assert set(out.dtypes) == {pd.ArrowDtype(pa.float64())}


def test_an_input_named_value_has_its_own_column() -> None:
    circuit = circuitrun.loads("inputs: {value: 2, x: 3}\ngates:\n  f: {op: mul, in: [value, x]}\n")
    frame = dd.from_pandas(pd.DataFrame({"value": [5.0]}), npartitions=1)
    got = compute(evaluate(circuit, frame))
    # f = value * x = 5 * 3; df/dvalue = x = 3, df/dx = value = 5
    assert got.iloc[0].to_dict() == {"input.value": 5.0, "input.x": 3.0, "value": 15.0,
                                     "grad.value": 3.0, "grad.x": 5.0}


@pytest.mark.parametrize(("column", "error"), [
    (pd.Series([1.0, 2.0, None, 4.0], dtype="Float64"),
     "partition 1:1:2: error: input 'b' needs a finite number, not null [bad-input]"),
    (pd.Series([1.0, 2.0, np.nan, 4.0]),
     "partition 1:1:2: error: input 'b' needs a finite number, not nan [bad-input]"),
    (pd.Series([1.0, 2.0, 3.0, -np.inf]),
     "partition 1:2:2: error: input 'b' needs a finite number, not -inf [bad-input]"),
])
def test_a_bad_cell_names_partition_row_and_column(column: pd.Series, error: str) -> None:
    circuit = circuitrun.loads(DIV)
    frame = dd.from_pandas(pd.DataFrame({"a": [1.0] * 4, "b": column}), npartitions=2)
    out = evaluate(circuit, frame)
    with pytest.raises(InputError) as e:
        compute(out)
    assert str(e.value) == error


@pytest.mark.parametrize(("column", "error"), [
    (pd.Series(["1", "2"]), "dataframe: error: column 'b' holds large_string, not numbers:"
                            " input 'b' needs integers or floats [bad-input]"),
    (pd.Series([True, False]), "dataframe: error: column 'b' holds bool, not numbers:"
                               " input 'b' needs integers or floats [bad-input]"),
])
def test_a_column_of_other_things_is_refused_at_once(column: pd.Series, error: str) -> None:
    frame = dd.from_pandas(pd.DataFrame({"a": [1.0, 2.0], "b": column}), npartitions=1)
    with pytest.raises(InputError) as e:
        evaluate(circuitrun.loads(DIV), frame)
    assert str(e.value) == error


def test_unknown_and_missing_columns_are_refused_at_once() -> None:
    frame = dd.from_pandas(pd.DataFrame({"a": [1.0], "bb": [2.0]}), npartitions=1)
    with pytest.raises(InputError) as e:
        evaluate(circuitrun.loads(DIV), frame)
    assert str(e.value) == ("dataframe: error: column 'bb' is not an input of the circuit"
                            " (did you mean 'b'?) [bad-input]")
    circuit = circuitrun.loads("inputs: {a: 1, b: }\ngates:\n  f: {op: mul, in: [a, b]}\n")
    with pytest.raises(InputError) as e:
        evaluate(circuit, dd.from_pandas(pd.DataFrame({"a": [1.0]}), npartitions=1))
    assert str(e.value) == ("dataframe: error: no value for input 'b': the spec has none; give"
                            " it a column [bad-input]")


def test_a_non_finite_result_names_partition_and_row() -> None:
    frame = dd.from_pandas(pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": [1.0, 2.0, 3.0, 0.0]}),
                           npartitions=2)
    with pytest.raises(NonFiniteError) as e:
        compute(evaluate(circuitrun.loads(DIV), frame))
    # row 2 of partition 1 (a=4, b=0): q = 4/0 = inf
    assert str(e.value) == ("partition 1:2: error: gate 'q' (div) gave inf from inputs"
                            " a=4.0, b=0.0 [non-finite]")
    got = compute(evaluate(circuitrun.loads(DIV), frame, allow_nonfinite=True))
    assert got["value"].tolist()[3] == np.inf  # inf * 3


def test_output_option() -> None:
    frame = dd.from_pandas(pd.DataFrame({"a": [1.0]}), npartitions=1)
    got = compute(evaluate(circuitrun.loads(DIV), frame, output="q"))
    # q = a / b = 1/2; dq/da = 1/b, dq/db = -a/b^2, dq/dc = 0 (c is off q's path)
    assert got[["value", "grad.a", "grad.b", "grad.c"]].iloc[0].tolist() == [0.5, 0.5, -0.25,
                                                                             0.0]
    with pytest.raises(circuitrun.UsageError):
        evaluate(circuitrun.loads(DIV), frame, output="nope")


def test_cli_usage_errors_come_before_any_cluster(tmp_path: Path) -> None:
    spec = tmp_path / "div.yaml"
    spec.write_text(DIV)
    for args, error in (
            (["-o", tmp_path / "o"], "no Parquet files in 'nothing/*.parquet'"),
            ([], "--dask writes a folder of Parquet files: give -o FOLDER"),
            (["-o", tmp_path / "o", "-f", "csv"], "--dask writes Parquet files, not csv"),
            (["-o", tmp_path / "o", "--scheduler", "tcp://h:1", "--workers", "2"],
             "--workers is the size of a local cluster, not of --scheduler's")):
        got = CliRunner().invoke(app, ["run", str(spec), "--inputs", "nothing/*.parquet",
                                       "--dask", *map(str, args)])
        assert (got.exit_code, got.stderr) == (2, f"circuitrun run: error: {error} [usage]\n")


NEURON = Path(__file__).resolve().parents[2] / "circuits" / "neuron_notes.yaml"  # w of 3


@pytest.mark.parametrize(("column", "message"), [
    ("w", "column 'w': 'w' is a vector of 3, not one number: name an element"
          " (w[0] .. w[2])"),
    ("w[3]", "column 'w[3]': index 3 in 'w[3]' is out of range: 'w' is a vector of 3 (the"
             " last is w[2])"),
    ("w0", "column 'w0' is not an input of the circuit (did you mean 'w[0]'?)"),
])
def test_a_column_named_after_a_vector_says_so(column: str, message: str) -> None:
    # The words of a Parquet file's column (tests/rows/test_element_columns.py): one rule.
    frame = dd.from_pandas(pd.DataFrame({column: [1.0]}), npartitions=1)
    with pytest.raises(InputError) as e:
        evaluate(circuitrun.load(NEURON), frame)
    assert str(e.value) == f"dataframe: error: {message} [bad-input]"


@pytest.mark.parametrize(("sets", "message"), [
    (["--set", "w=[7, 8]"], "input 'w' is a vector of 3: give a list of 3 numbers, not a"
                            " list of 2"),
    (["--set", "w0=1"], "'w0' is not an input of the circuit (did you mean 'w[0]'?)"),
    (["--set", "w[3]=1"], "index 3 in 'w[3]' is out of range: 'w' is a vector of 3 (the last"
                          " is w[2])"),
])
def test_dask_settings_of_vectors_are_those_of_run(tmp_path: Path, sets: list[str],
                                                   message: str) -> None:
    # Checked before any cluster starts, in the words of `run --inputs FILE --set ...`.
    pq = pytest.importorskip("pyarrow.parquet")
    data = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"x[0]": [1.0]}), data)
    args = ["run", str(NEURON), "--inputs", str(data), *sets]
    alone = CliRunner().invoke(app, args)
    on_dask = CliRunner().invoke(app, [*args, "--dask", "-o", str(tmp_path / "out")])
    assert (on_dask.exit_code, on_dask.stderr) == (
        2, f"circuitrun run: error: {message} [usage]\n")
    assert (alone.exit_code, alone.stderr) == (on_dask.exit_code, on_dask.stderr)
    assert not (tmp_path / "out").exists()


def test_a_parquet_column_named_after_a_vector_is_refused_before_the_cluster(
        tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    data = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"w": [1.0]}), data)
    got = CliRunner().invoke(app, ["run", str(NEURON), "--inputs", str(data), "--dask",
                                   "-o", str(tmp_path / "out")])
    assert (got.exit_code, got.stderr) == (
        2, f"{data}: error: column 'w': 'w' is a vector of 3, not one number: name an"
           " element (w[0] .. w[2]) [bad-input]\n")
