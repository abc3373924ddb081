"""One rule says which files are specs: ``check``, ``validate`` and the pytest plugin
find the same ones (``circuitrun.golden.discover``'s docstring states the rule)."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from circuitrun.cli import app
from circuitrun.golden.discover import discover

pytest_plugins = ["pytester"]
runner = CliRunner(env={"GITHUB_ACTIONS": "false"})  # the exact text, also on GitHub

# f = -x at x = 0.5: f = -0.5, df/dx = -1.
NEG = "inputs: {x: 0.5}\ngates:\n  f: {op: neg, in: x}\nexpect: {values: {f: -0.5}}\n"
BROKEN = "inputs: {x: 1}\ngates:\n  f: {op: neg, in: [x}\n"  # a YAML syntax error


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.fixture
def tree(pytester: pytest.Pytester) -> Path:
    """Three specs among files that are not specs; the current folder."""
    root = pytester.path
    write(root, "specs/a.yaml", NEG)
    write(root, "specs/B.YML", NEG)  # a suffix in capitals is a spec's too
    write(root, "specs/sub/c.json", '{"inputs": {"x": 1}, "gates": {"f": {"op": "neg",'
                                    ' "in": "x"}}, "expect": {"grads": {"x": -1.0}}}')
    write(root, "specs/.hidden/d.yaml", BROKEN)  # hidden folder: passed over
    write(root, "specs/.e.yaml", BROKEN)  # hidden file: passed over
    write(root, "specs/notes.txt", BROKEN)  # not a spec's suffix
    os.symlink("a.yaml", root / "specs" / "link.yaml")  # a.yaml again: once only
    (root / "golden").mkdir()
    return root


SPECS = ["specs/B.YML", "specs/a.yaml", "specs/sub/c.json"]


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def test_discover(tree: Path) -> None:
    found = discover(["specs"], "golden")
    assert [str(p) for p in found.specs] == SPECS
    assert {str(s): str(g) for s, g in found.goldens.items()} == {
        "specs/B.YML": "golden/B.json", "specs/a.yaml": "golden/a.json",
        "specs/sub/c.json": "golden/c.json"}
    assert found.stale == []


def test_validate_finds_them(tree: Path) -> None:
    result = invoke("validate", "specs")
    assert (result.exit_code, result.stderr) == (0, "3 specs valid\n")


def test_check_finds_them(tree: Path) -> None:
    result = invoke("check", "specs", "--golden-dir", "golden", "--update")
    assert result.stdout.splitlines() == [
        "golden/B.json: created", "golden/a.json: created", "golden/c.json: created",
        "3 passed, 0 failed"]
    # From the top, the golden folder is passed over too: its JSON files are not specs.
    result = invoke("check", ".", "--golden-dir", "golden")
    assert (result.exit_code, result.stdout) == (0, "3 passed, 0 failed\n")


def test_a_file_named_is_a_spec_whatever_its_name(tree: Path) -> None:
    result = invoke("validate", "specs/.e.yaml", "specs/notes.txt")
    assert result.exit_code == 2
    assert [line.split(": error: ")[0] for line in result.stderr.splitlines()] == [
        "specs/.e.yaml:3:22", "specs/notes.txt:3:22"]


def test_the_pytest_plugin_finds_them(tree: Path, pytester: pytest.Pytester) -> None:
    write(tree, "pytest.ini", "[pytest]\ncircuitrun_paths = specs\n"
                              "circuitrun_golden_dir = golden\n")
    result = pytester.runpytest("-p", "no:hypothesispytest", "-v", "--circuitrun-update")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([f"{spec}::check PASSED*" for spec in SPECS])
    assert sorted(p.name for p in (tree / "golden").iterdir()) == ["B.json", "a.json", "c.json"]
