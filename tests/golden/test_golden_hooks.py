"""The hooks and the CI setup of docs/golden.md, run for real: ``pre-commit try-repo`` on
this repository (pre-commit installs circuitrun from its path with pip), the documented
``.pre-commit-config.yaml`` files under a real ``git commit``, and the documented GitHub
Actions workflow's steps as written.  Each runs in a scratch git repository holding
specs in ``circuits/`` and golden files in ``golden/``: the documented default layout.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
import yaml

from support.paths import ROOT

DOC = ROOT / "docs" / "golden.md"
BIN = Path(sys.executable).parent
PRE_COMMIT = [sys.executable, "-m", "pre_commit"]

# f = x*y at x = 4, y = -3: f = -12; df/dx = y = -3, df/dy = x = 4.
MUL = "inputs: {x: 4, y: -3}\ngates:\n  f: {op: mul, in: [x, y]}\n"
# q = x + y at x = 1, y = 2: q = 3.
ADD = "inputs: {x: 1, y: 2}\ngates:\n  q: {op: add, in: [x, y]}\n"


def yaml_block(title: str) -> str:
    """The ```yaml block of docs/golden.md whose first line is ``# TITLE``."""
    blocks = re.findall(r"^```yaml\n(.*?)^```$", DOC.read_text(encoding="utf-8"),
                        flags=re.M | re.S)
    [block] = [b for b in blocks if b.startswith(f"# {title}\n")]
    return block


def environ(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GIT_", "PRE_COMMIT", "PYTEST_", "VIRTUAL_ENV"))}
    env.update(PATH=f"{BIN}{os.pathsep}{env['PATH']}", PRE_COMMIT_HOME=str(tmp / "cache"),
               GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org",
               GITHUB_ACTIONS="false", NO_COLOR="1",
               PIP_NO_COMPILE="1")  # installs skip writing .pyc files: faster, no other change
    return env


def sh(args: list[str] | str, cwd: Path, env: dict[str, str],
       timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, text=True, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, timeout=timeout, shell=isinstance(args, str),
                          stdin=subprocess.DEVNULL)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository: two specs and their golden files, committed."""
    root = tmp_path / "repo"
    (root / "circuits").mkdir(parents=True)
    (root / "circuits" / "mul.yaml").write_text(MUL, encoding="utf-8")
    (root / "circuits" / "add.yaml").write_text(ADD, encoding="utf-8")
    env = environ(tmp_path)
    for command in (["git", "init", "-q"],
                    ["circuitrun", "check", "circuits", "--golden-dir", "golden", "--update"],
                    ["git", "add", "-A"], ["git", "commit", "-qm", "specs"]):
        done = sh(command, root, env)
        assert done.returncode == 0, done.stdout
    return root


def corrupt(repo: Path) -> None:
    """Change f's value in golden/mul.json by hand, and stage it (the spec is untouched)."""
    golden = repo / "golden" / "mul.json"
    text = golden.read_text(encoding="utf-8")
    assert text.count('"value": -12.0, "grad": 1.0') == 1
    golden.write_text(text.replace('"value": -12.0, "grad": 1.0', '"value": -13.0, "grad": 1.0'),
                      encoding="utf-8")
    subprocess.run(["git", "add", "golden/mul.json"], cwd=repo, check=True)


MOVED = "golden/mul.json: value(f): expected -13.0, got -12.0 (|diff| 1.0e+00, tol 1.3e-08)"


@pytest.mark.slow  # pip installs circuitrun in a new environment: a minute
def test_try_repo_fails_a_corrupted_golden_file_and_passes_a_good_one(repo: Path) -> None:
    env = environ(repo.parent)
    # A good change: a spec and its golden file, both staged (the hook runs on either).
    (repo / "circuits" / "add.yaml").write_text(ADD.replace("y: 2", "y: 5"), encoding="utf-8")
    assert sh(["circuitrun", "check", "circuits", "--golden-dir", "golden", "--update"],
              repo, env).returncode == 0
    subprocess.run(["git", "add", "-A"], cwd=repo, check=True)
    good = sh([*PRE_COMMIT, "try-repo", str(ROOT), "circuitrun-check"], repo, env)
    assert good.returncode == 0, good.stdout
    assert re.search(r"^circuitrun check\.+Passed$", good.stdout, flags=re.M), good.stdout
    subprocess.run(["git", "commit", "-qm", "good"], cwd=repo, check=True, env=env)
    # Only a golden file staged: the published hook's files pattern covers it.
    corrupt(repo)
    bad = sh([*PRE_COMMIT, "try-repo", str(ROOT), "circuitrun-check"], repo, env)
    assert bad.returncode == 1, bad.stdout
    assert re.search(r"^circuitrun check\.+Failed$", bad.stdout, flags=re.M), bad.stdout
    assert MOVED in bad.stdout.splitlines()


def test_the_published_hooks_are_the_documented_ones() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load(
        (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
    config = yaml.safe_load(yaml_block(".pre-commit-config.yaml (published hooks)"))
    [entry] = config["repos"]
    assert re.fullmatch(r"[0-9a-f]{40}", entry["rev"])  # a commit hash: no tag is promised
    assert [h["id"] for h in entry["hooks"]] == list(hooks)
    check = hooks["circuitrun-check"]
    # the default layout: the hook runs for a spec and for a golden file alike
    pattern = re.compile(check["files"])
    assert all(pattern.search(p) for p in ("circuits/x.yaml", "circuits/a/y.json",
                                           "golden/x.json"))
    assert not pattern.search("docs/x.yaml")
    assert check["args"] == ["circuits/", "--golden-dir", "golden/"]
    assert check["pass_filenames"] is False
    # the documented other layout sets both keys of the same hook
    [other] = yaml.safe_load(yaml_block(".pre-commit-config.yaml (another layout)"))["repos"]
    [hook] = other["hooks"]
    assert (hook["id"], sorted(hook)) == ("circuitrun-check", ["args", "files", "id"])


@pytest.mark.parametrize("title", [".pre-commit-config.yaml (published hooks)",
                                   ".pre-commit-config.yaml (another layout)",
                                   ".pre-commit-config.yaml (local)"])
def test_the_documented_configs_are_valid(title: str, tmp_path: Path) -> None:
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(yaml_block(title), encoding="utf-8")
    done = sh([*PRE_COMMIT, "validate-config", str(config)], tmp_path, environ(tmp_path))
    assert done.returncode == 0, done.stdout


def test_the_documented_local_hooks_fail_a_commit_of_a_corrupted_golden_file(repo: Path) -> None:
    env = environ(repo.parent)
    (repo / ".pre-commit-config.yaml").write_text(
        yaml_block(".pre-commit-config.yaml (local)"), encoding="utf-8")
    assert sh([*PRE_COMMIT, "install"], repo, env).returncode == 0
    subprocess.run(["git", "add", ".pre-commit-config.yaml"], cwd=repo, check=True)
    assert sh(["git", "commit", "-qm", "hooks"], repo, env).returncode == 0
    head = sh(["git", "rev-parse", "HEAD"], repo, env).stdout
    corrupt(repo)
    bad = sh(["git", "commit", "-qm", "corrupted"], repo, env)
    assert bad.returncode == 1, bad.stdout
    assert MOVED in bad.stdout.splitlines()
    assert sh(["git", "rev-parse", "HEAD"], repo, env).stdout == head  # nothing committed
    # A spec deleted with its golden file left behind fails too (the golden file is
    # stale) once the hook runs: pre-commit passes no deleted file, so a commit that only
    # deletes runs no hook (docs/golden.md says so); here another spec changes with it.
    subprocess.run(["git", "checkout", "HEAD", "--", "golden/mul.json"], cwd=repo, check=True)
    subprocess.run(["git", "rm", "-q", "circuits/add.yaml"], cwd=repo, check=True)
    (repo / "circuits" / "mul.yaml").write_text(MUL + "# f = x*y\n", encoding="utf-8")
    subprocess.run(["git", "add", "circuits/mul.yaml"], cwd=repo, check=True)
    stale = sh(["git", "commit", "-qm", "stale"], repo, env)
    assert stale.returncode == 1, stale.stdout
    assert "golden/add.json: stale golden: no spec 'add' was checked" in stale.stdout
    # and a good commit passes
    subprocess.run(["git", "rm", "-q", "golden/add.json"], cwd=repo, check=True)
    good = sh(["git", "commit", "-qm", "add is gone"], repo, env)
    assert good.returncode == 0, good.stdout


@pytest.mark.slow  # pip installs circuitrun in a new environment: a minute
def test_the_documented_workflow_runs_as_written(repo: Path) -> None:
    # The steps of the workflow in docs/golden.md, in order: the install from a git URL
    # (a file:// URL of a clone of this repository here) into a fresh virtual environment,
    # then the check, with GITHUB_ACTIONS=true as on GitHub.
    workflow = yaml.safe_load(yaml_block(".github/workflows/circuits.yml"))
    steps = [s["run"] for s in workflow["jobs"]["golden"]["steps"] if "run" in s]
    assert len(steps) == 2
    clone = repo.parent / "circuitrun"
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
    env = environ(repo.parent)
    env_dir = repo.parent / "venv"
    venv.create(env_dir, with_pip=True)
    env.update(PATH=f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}", GITHUB_ACTIONS="true",
               CIRCUITRUN_GIT_URL=f"file://{clone}")
    install = steps[0].replace("${{ vars.CIRCUITRUN_GIT_URL }}", "${CIRCUITRUN_GIT_URL}")
    done = sh(["bash", "-c", install], repo, env)
    assert done.returncode == 0, done.stdout
    assert shutil.which("circuitrun", path=str(env_dir / "bin"))
    passed = sh(["bash", "-c", steps[1]], repo, env)
    assert passed.returncode == 0, passed.stdout
    assert passed.stdout == "2 passed, 0 failed\n"
    corrupt(repo)
    failed = sh(["bash", "-c", steps[1]], repo, env)
    assert failed.returncode == 1
    assert "::error file=golden/mul.json,line=8,col=5::value(f): expected -13.0, got -12.0" \
        " (|diff| 1.0e+00, tol 1.3e-08)" in failed.stdout.splitlines()
    xml = (repo / "circuits.xml").read_text(encoding="utf-8")
    assert 'failures="1"' in xml
