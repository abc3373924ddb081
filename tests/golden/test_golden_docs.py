"""What README.md and docs/ say about installing and golden checks is true: nothing is
installed from a package index (circuitrun is not published), no release tag is named
(there is none), and docs/golden.md's JSON report is what ``check --format json`` prints.
(The console examples run in tests/test_docs.py; the hooks and the workflow in
test_golden_hooks.py.)"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from circuitrun.cli import app

from support.paths import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
IDS = [str(p.relative_to(ROOT)) for p in PAGES]

# `pip install circuitrun`, `pip install 'circuitrun[dask]'`, `pipx install circuitrun`,
# `uv pip install "circuitrun>=0.1"`: the name as a requirement, which an index serves.
FROM_INDEX = re.compile(r"\b(?:pip|pipx|uv pip|uv tool)\s+install\b[^\n`]*?(?<![\w/.+@-])"
                        r"[\"']?circuitrun(?:\[[\w,]+\])?(?:[<>=!~]=?[\w.]+)?[\"']?(?=[\s`]|$)")


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_nothing_is_installed_from_a_package_index(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    assert FROM_INDEX.findall(text) == [], page.name


def test_the_pattern_finds_installs_from_an_index() -> None:
    # the test above could not fail if the pattern matched nothing
    found = [line for line in ["pip install circuitrun", "pip install 'circuitrun[dask]'",
                               'uv pip install "circuitrun>=0.1"', "pipx install circuitrun",
                               "pip install .", "pip install '.[test]'",
                               'pip install "git+https://x.org/circuitrun"',
                               "pip install 'git+URL'", "pip install -e '.[test]'"]
             if FROM_INDEX.search(line)]
    assert found == ["pip install circuitrun", "pip install 'circuitrun[dask]'",
                     'uv pip install "circuitrun>=0.1"', "pipx install circuitrun"]


@pytest.mark.parametrize("page", PAGES, ids=IDS)
def test_no_release_tag_is_named(page: Path) -> None:
    # circuitrun has no release tags: a pre-commit rev is a commit hash, and no URL pins a tag
    text = page.read_text(encoding="utf-8")
    for rev in re.findall(r"^\s*rev:\s*(\S+)", text, flags=re.M):
        assert re.fullmatch(r"\"[0-9a-f]{40}\"", rev), f"{page.name}: rev {rev}"
    # circuitrun pinned to a version (a URL or a name ending @v1.2); other tools' pins
    # (yaml-language-server@1.25.0) are theirs
    assert re.findall(r"circuitrun[^\s@'\"]*@v?\d+\.\d+", text) == [], page.name


def test_the_json_report_in_the_docs_is_what_check_prints(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As the docs say: max.yaml (a = b = 2) from ties: first to ties: split after its
    # golden file was written, mul.yaml passing, golden/old.json stale.
    text = (ROOT / "docs" / "golden.md").read_text(encoding="utf-8")
    [shown] = re.findall(r"^```json\n(.*?)^```$", text, flags=re.M | re.S)
    monkeypatch.chdir(tmp_path)
    spec = "inputs: {a: 2, b: 2}\ngates:\n  m: {op: max, in: [a, b]%s}\n"
    (tmp_path / "circuits").mkdir()
    (tmp_path / "circuits" / "max.yaml").write_text(spec % "", encoding="utf-8")
    (tmp_path / "circuits" / "mul.yaml").write_text(
        "inputs: {x: 4, y: -3}\ngates:\n  f: {op: mul, in: [x, y]}\n", encoding="utf-8")
    runner = CliRunner(env={"GITHUB_ACTIONS": "false"})  # the exact JSON, also on GitHub
    update = runner.invoke(app, ["check", "circuits", "--golden-dir", "golden", "--update"])
    assert update.exit_code == 0
    (tmp_path / "circuits" / "max.yaml").write_text(spec % ", ties: split", encoding="utf-8")
    (tmp_path / "golden" / "old.json").write_bytes((tmp_path / "golden" / "mul.json").read_bytes())
    result = runner.invoke(app, ["check", "circuits", "--golden-dir", "golden", "-f", "json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == json.loads(shown)
