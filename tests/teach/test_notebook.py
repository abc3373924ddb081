"""Notebooks: docs/backprop.ipynb executed by a real kernel (nbclient), its numbers checked
and its committed outputs current; how results display in IPython; the %%circuit magic."""

from __future__ import annotations

import base64
import copy
import math
import os
import re
from collections.abc import Iterator
from typing import Any

import nbformat
import pytest
from IPython.core.interactiveshell import InteractiveShell
from nbclient import NotebookClient

import circuitrun
from circuitrun.diagram import to_svg

from support.paths import ROOT

NOTEBOOK = ROOT / "docs" / "backprop.ipynb"
UPDATE = "CIRCUITRUN_UPDATE_NOTEBOOK"
REFRESH = f"{UPDATE}=1 python -m pytest tests/teach/test_notebook.py"
S1 = 1 / (1 + math.exp(-1))  # σ(1): the neuron's dot product is 2·(-1) + (-3)·(-2) - 3 = 1


def _outputs(nb: Any) -> list[dict[str, Any]]:
    """What each code cell showed: its data (every mime type) or its printed text."""
    shown = []
    for cell in nb.cells:
        if cell.cell_type == "code":
            shown.append([{k: o[k] for k in ("output_type", "data", "text", "name") if k in o}
                          for o in cell.outputs])
    return shown


@pytest.fixture(scope="module")
def executed() -> Any:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    fresh = copy.deepcopy(nb)
    for cell in fresh.cells:
        cell.metadata.pop("execution", None)  # timings: noise in a committed file
    # coalesce_streams: a print may reach the client in several pieces (under load, say)
    NotebookClient(fresh, timeout=120, kernel_name="python3", record_timing=False,
                   coalesce_streams=True,
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    if os.environ.get(UPDATE) == "1":  # the outputs committed are this run's
        nbformat.write(fresh, NOTEBOOK)
        nb = fresh
    return nb, fresh


def _texts(outputs: list[dict[str, Any]]) -> str:
    return "\n".join(o.get("text") or o.get("data", {}).get("text/plain", "") for o in outputs)


def test_the_notebook_runs_and_shows_the_cs231n_numbers(executed: Any) -> None:
    _, fresh = executed
    cells = _outputs(fresh)
    assert not [o for outputs in cells for o in outputs if o["output_type"] == "error"]
    text = "\n".join(_texts(outputs) for outputs in cells)
    # 1. f = x·y at x = 4, y = -3: f = -12, df/dx = y = -3, df/dy = x = 4
    assert "<Result 'mul': f = -12.0, 3 nodes>" in text
    assert "  df/dx = -3\n  df/dy = 4\n" in text
    # 2. f = x + y: both gradients 1
    assert "f = x + y = 4 + (-3) = 1" in text and "  df/dx = 1\n  df/dy = 1\n" in text
    # 3. f = max(x, y) at 4, 2: all of it to x
    assert "(x ≥ y: the gradient routes to x)" in text and "  df/dx = 1\n  df/dy = 0\n" in text
    # 4. f = (x + y)·z at -2, 5, -4: q = 3, f = -12; df/dz = q = 3, df/dx = df/dy = z = -4
    assert "q = x + y = -2 + 5 = 3" in text and "f = q · z = 3 · (-4) = -12" in text
    assert "  df/dx = -4\n  df/dy = -4\n  df/dz = 3\n" in text
    assert "(-4.0, -4.0, 3.0)" in text
    # 5. the neuron: f = σ(1), gate by gate (1/(1 + e^-1)) and as one sigmoid gate
    assert f"f = 1/den = 1/{1 + math.exp(-1)!r} = {1 / (1 + math.exp(-1))!r}" in text
    assert f"σ(1−σ) = {S1 * (1 - S1)!r}" in text
    assert "<BatchResult 'neuron': 3 rows, output f>" in text
    batch = next(o["data"]["text/html"] for outputs in cells for o in outputs
                 if "BatchResult" in o.get("data", {}).get("text/plain", ""))
    assert batch.count("<tr>") == 1 + 3  # a header and the 3 rows
    assert f"<td>{S1!r}</td>" in batch  # row 1 is the spec's point: x0 = -1, x1 = -2


def test_the_committed_outputs_are_current(executed: Any) -> None:
    committed, fresh = executed
    assert _outputs(committed) == _outputs(fresh), f"docs/backprop.ipynb is stale: {REFRESH}"


# ---- display in IPython ----------------------------------------------------------------


@pytest.fixture(scope="module")
def shell() -> Iterator[InteractiveShell]:
    # IPython warns when VIRTUAL_ENV names another environment than the running Python
    # (the tests run from a shell where another venv is activated): not what is tested
    with pytest.MonkeyPatch.context() as m:
        m.delenv("VIRTUAL_ENV", raising=False)
        yield InteractiveShell.instance()


def _shown(shell: InteractiveShell, obj: object) -> dict[str, str]:
    data, _ = shell.display_formatter.format(obj)
    return data  # type: ignore[no-any-return]


def _image(html: str) -> str:
    (data,) = re.findall(r'<img src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)
    return base64.b64decode(data).decode("utf-8")


def test_a_result_shows_its_table_and_picture(shell: InteractiveShell) -> None:
    result = circuitrun.load(ROOT / "circuits" / "add_mul.yaml").run()
    data = _shown(shell, result)
    assert data["text/plain"] == repr(result) == "<Result 'add-mul': f = -12.0, 5 nodes>"
    assert data["image/svg+xml"] == to_svg(result) == _image(data["text/html"])
    rows = re.findall(r"<tr><td>(.*?)</td></tr>", data["text/html"])
    assert rows == ["x</td><td>input</td><td></td><td>-2</td><td>-4",
                    "y</td><td>input</td><td></td><td>5</td><td>-4",
                    "z</td><td>input</td><td></td><td>-4</td><td>3",
                    "q</td><td>add</td><td>x y</td><td>3</td><td>-4",
                    "f</td><td>mul</td><td>q z</td><td>-12</td><td>1"]


def test_a_circuit_shows_its_wiring(shell: InteractiveShell) -> None:
    circuit = circuitrun.loads("inputs: {x: , y: 2}\ngates:\n  f: {op: log, in: [x]}\n"
                               "  g: {op: mul, in: [f, y, 3]}\n", "c.yaml")
    data = _shown(shell, circuit)
    assert data["text/plain"] == repr(circuit) == "<Circuit 'c': 5 nodes, inputs x, y, output g>"
    assert "<td>x</td><td>input</td><td></td><td>(to be given)</td>" in data["text/html"]
    assert "<td>g.2</td><td>const</td><td></td><td>3</td>" in data["text/html"]
    svg = _image(data["text/html"])
    assert svg == data["image/svg+xml"] and not re.search(r">-?\d+\.\d\d<", svg)  # no numbers


def test_large_results_show_their_first_rows_and_no_picture(shell: InteractiveShell) -> None:
    gates = "".join(f"  t{i}: {{op: neg, in: {'x' if i == 0 else f't{i - 1}'}}}\n"
                    for i in range(300))
    result = circuitrun.loads(f"inputs: {{x: 1}}\ngates:\n{gates}").run()
    data = _shown(shell, result)
    assert "image/svg+xml" not in data and "<img" not in data["text/html"]
    assert data["text/html"].count("<tr><td>") == 50  # 50 rows, then "… 251 more"
    assert '<tr><td colspan="5">… 251 more</td></tr></tbody>' in data["text/html"]


def test_a_batch_result_shows_its_rows(shell: InteractiveShell) -> None:
    circuit = circuitrun.load(ROOT / "circuits" / "add_mul.yaml")
    batch = circuit.run_batch({"x": [1.0, 2.0]})
    data = _shown(shell, batch)
    assert data["text/plain"] == repr(batch) == "<BatchResult 'add-mul': 2 rows, output f>"
    # f = (x + 5)·(-4): -24 and -28; df/dz = x + 5: 6 and 7
    assert re.findall(r"<tr>(.*?)</tr>", data["text/html"])[1:] == [
        "<td>1</td><td>5</td><td>-4</td><td>-24</td><td>-4</td><td>-4</td><td>6</td>",
        "<td>2</td><td>5</td><td>-4</td><td>-28</td><td>-4</td><td>-4</td><td>7</td>"]
    assert list(batch.grads["z"]) == [6.0, 7.0]  # still the engine's arrays


def test_an_explanation_shows_as_markdown(shell: InteractiveShell) -> None:
    ex = circuitrun.load(ROOT / "circuits" / "add_mul.yaml").run().explain()
    data = _shown(shell, ex)
    assert data["text/markdown"] == ex.to_markdown()
    assert data["text/plain"] == ex.to_text().rstrip("\n")  # IPython drops the last newline


# ---- the %%circuit magic ---------------------------------------------------------------


def test_the_cell_magic(shell: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    shell.run_line_magic("load_ext", "circuitrun")
    spec = "inputs: {x: 1, y: 2}\ngates:\n  f: {op: mul, in: [x, y]}\n"
    result = shell.run_cell_magic("circuit", "r --set x=3", spec)
    assert shell.user_ns["r"] is result and result.value() == 6.0  # 3·2
    assert repr(result) == "<Result 'r': f = 6.0, 3 nodes>"
    assert shell.run_cell_magic("circuit", "--explain", spec) is None  # shown, not returned
    assert "  df/dx = 2\n" in capsys.readouterr().out  # its text form, outside a notebook
    for line, cell, message in [
        ("--bogus", spec, "%%circuit: error: unknown option '--bogus': %%circuit [NAME]"
         " [--set NAME=VALUE]... [--output NODE] [--explain] [usage]"),
        ("--set q=1", spec, "%%circuit: error: 'q' is not an input of the circuit [usage]"),
        ("", "inputs: {x: 1}\ngates:\n  f: {op: nego, in: x}\n",
         "cell:3:11: error: unknown op 'nego' (did you mean 'neg'?) [unknown-op]"),
        ("", "inputs: {x: 0}\ngates:\n  f: {op: log, in: x}\n",
         "cell: error: gate 'f' (log) gave -inf from inputs x=0.0 [non-finite]"),
    ]:
        assert shell.run_cell_magic("circuit", line, cell) is None
        assert capsys.readouterr().err == message + "\n"
