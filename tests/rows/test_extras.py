"""The core install needs neither pyarrow nor dask: they are imported only by the modules
that use them, and a feature that needs a missing one says which extra to install."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import circuitrun
from circuitrun.extras import need

from support.paths import ROOT


def test_the_core_never_imports_the_extras(tmp_path: Path) -> None:
    rows = tmp_path / "rows.csv"
    rows.write_text("x0,w2\n-1,-3\n")
    script = f"""
import sys
from typer.testing import CliRunner
import circuitrun
from circuitrun.cli import app
c = circuitrun.load("circuits/sigmoid.yaml")
c.run(); c.run_batch({{"x0": [1.0, 2.0]}}); c.gradcheck()
r = CliRunner().invoke(app, ["run", "circuits/sigmoid.yaml", "--inputs", {str(rows)!r}])
assert r.exit_code == 0, r.output
for args in (["check", "circuits"], ["graph", "circuits/sigmoid.yaml"], ["validate", "circuits"]):
    CliRunner().invoke(app, args)
extras = ("pyarrow", "dask", "distributed", "pandas")
print(sorted(m for m in sys.modules if m.split(".")[0] in extras))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout == "[]\n", out.stderr


@pytest.mark.parametrize(("module", "what", "message"), [
    ("pyarrow.parquet", "Parquet data",
     "Parquet data needs pyarrow: pip install '.[parquet]' in a clone of circuitrun"),
    ("distributed", "running on a Dask cluster",
     "running on a Dask cluster needs distributed: pip install '.[dask]' in a"
     " clone of circuitrun"),
    ("dask.dataframe", "circuitrun.dask",
     "circuitrun.dask needs dask: pip install '.[dask]' in a clone of circuitrun"),
])
def test_a_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch, module: str, what: str,
                                  message: str) -> None:
    parts = module.split(".")
    for i in range(len(parts)):  # as if the package were not installed
        monkeypatch.setitem(sys.modules, ".".join(parts[:i + 1]), None)
    with pytest.raises(circuitrun.UsageError) as e:
        need(module, what)
    assert str(e.value) == message


def test_commands_on_one_circuit_never_import_numpy() -> None:
    # numpy is for many rows at once; importing it costs a plain `run` about a third of
    # its start-up (bench/run.py: the start-up row), so the scalar commands leave it out.
    script = """
import sys
from typer.testing import CliRunner
from circuitrun.cli import app
for args in (["run", "circuits/sigmoid.yaml"], ["check", "circuits"],
             ["graph", "circuits/sigmoid.yaml"], ["validate", "circuits"],
             ["explain", "circuits/sigmoid.yaml"], ["gradcheck", "circuits/sigmoid.yaml"],
             ["run", "circuits/neuron_notes.yaml", "--format", "csv"]):
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, (args, r.output)
print("numpy" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                         text=True, check=True)
    assert out.stdout == "False\n", out.stderr
