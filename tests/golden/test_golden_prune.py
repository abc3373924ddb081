"""``check --prune``: golden files whose spec is gone are removed, and only then: a run
over part of the specs (a subfolder, files named one by one) refuses, exit 2, and
removes nothing.  (syrupy and pytest-regressions have both shipped updates that deleted
the snapshots of the tests a partial run did not see.)"""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import circuitrun
from circuitrun.cli import app
from circuitrun.problems import UsageError

runner = CliRunner(env={"GITHUB_ACTIONS": "false"})  # the exact text, also on GitHub

# f = x*k at x = 2: f = 2k, df/dx = k.
SPEC = "inputs: {x: 2}\ngates:\n  f: {op: mul, in: [x, %d]}\n"


def check(*args: object) -> Result:
    return runner.invoke(app, ["check", *map(str, args)])


def goldens(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "golden").iterdir())}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """circuits/a.yaml, circuits/sub/b.yaml, circuits/sub/c.yaml and their golden files."""
    monkeypatch.chdir(tmp_path)
    for k, name in enumerate(["a.yaml", "sub/b.yaml", "sub/c.yaml"], 1):
        path = tmp_path / "circuits" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(SPEC % k, encoding="utf-8")
    assert check("circuits", "--golden-dir", "golden", "--update").exit_code == 0
    return tmp_path


def test_prune_removes_the_golden_file_of_a_spec_that_is_gone(project: Path) -> None:
    (project / "circuits" / "sub" / "c.yaml").unlink()
    before = goldens(project)
    result = check("circuits", "--golden-dir", "golden", "--prune")
    assert (result.exit_code, result.stdout) == (
        0, "golden/c.json: removed (stale golden)\n2 passed, 0 failed\n")
    assert goldens(project) == {n: b for n, b in before.items() if n != "c.json"}


def test_prune_refuses_a_subfolder_and_removes_nothing(project: Path) -> None:
    # Seen from circuits/sub alone, a.json looks stale; its spec is circuits/a.yaml.
    before = goldens(project)
    result = check("circuits/sub", "--golden-dir", "golden", "--prune")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "circuitrun check: error: --prune refused: 'golden/a.json' is the golden file of"
        " 'circuits/a.yaml', which the paths given do not cover: give every folder of specs"
        " that the golden folder serves [usage]\n")
    assert goldens(project) == before


def test_prune_refuses_files_named_one_by_one(project: Path) -> None:
    before = goldens(project)
    result = check("circuits/a.yaml", "circuits/sub/b.yaml", "--golden-dir", "golden",
                   "--prune")
    assert result.exit_code == 2
    assert result.stderr == (
        "circuitrun check: error: --prune refused: the paths given are files: a spec named"
        " alone says nothing of the others, so no golden file can be told stale [usage]\n")
    assert goldens(project) == before


def test_prune_needs_a_golden_dir(project: Path) -> None:
    result = check("circuits", "--prune")
    assert result.exit_code == 2
    assert result.stderr == ("circuitrun check: error: --prune removes golden files: give a"
                             " --golden-dir [usage]\n")


def test_update_writes_and_prune_removes_in_one_run(project: Path) -> None:
    (project / "circuits" / "sub" / "c.yaml").write_text(SPEC % 30, encoding="utf-8")
    (project / "circuits" / "a.yaml").unlink()
    result = check("circuits", "--golden-dir", "golden", "--update", "--prune")
    assert result.exit_code == 0
    assert result.stdout == ("golden/b.json: unchanged\ngolden/c.json: updated\n"
                             "golden/a.json: removed (stale golden)\n2 passed, 0 failed\n")
    assert sorted(goldens(project)) == ["b.json", "c.json"]


def test_update_alone_never_removes(project: Path) -> None:
    before = goldens(project)
    result = check("circuits/sub", "--golden-dir", "golden", "--update")
    assert result.exit_code == 1  # a.json is stale as seen from here: a failure, kept
    assert "golden/a.json: stale golden: no spec 'a' was checked\n" in result.stdout
    assert goldens(project) == before


def test_the_python_api_refuses_as_the_command_does(project: Path) -> None:
    with pytest.raises(UsageError, match=r"^prune refused: 'golden/a\.json' is the golden file"):
        circuitrun.check(["circuits/sub"], "golden", prune=True)
    assert (project / "golden" / "a.json").exists()
