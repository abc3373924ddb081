"""The pytest plugin: a project in a temporary folder, run by pytest with the plugin.

``pytester`` runs pytest in this process on a fresh project; the subprocess tests run
``python -m pytest -p circuitrun.golden.pytest_plugin`` from a folder outside this repository,
as a project that only ``pip install``ed circuitrun would.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import circuitrun

pytest_plugins = ["pytester"]

# f = x*y at x = 4, y = -3: f = -12; df/dx = y = -3, df/dy = x = 4.
MUL = """\
    inputs: {x: 4, y: -3}
    gates:
      f: {op: mul, in: [x, y]}
    """
# m = max(a, b) at a = b = 2: m = 2; ties: first gives dm/da = 1, dm/db = 0.
MAX = """\
    inputs: {a: 2, b: 2}
    gates:
      m: {op: max, in: [a, b]}
    """
# f = -x at x = 0.5: f = -0.5, df/dx = -1; checked by its expect block only.
NEG = """\
    inputs: {x: 0.5}
    gates:
      f: {op: neg, in: x}
    expect: {values: {f: -0.5}, grads: {x: -1.0}}
    """
# A flow list closed by '}' on line 3: the parser stops at that '}', column 22.
BROKEN = """\
    inputs: {x: 1}
    gates:
      f: {op: neg, in: [x}
    """
INI = """\
    [pytest]
    circuitrun_paths = circuits
    circuitrun_golden_dir = golden
    """


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    """pytest in this process, without hypothesis's plugin (it slows each run down)."""
    return pytester.runpytest("-p", "no:hypothesispytest", *args)


@pytest.fixture
def project(pytester: pytest.Pytester) -> Path:
    """Three specs, goldens for two of them (NEG has its expect block), a pytest.ini."""
    root = pytester.path
    write(root, "pytest.ini", INI)
    write(root, "circuits/mul.yaml", MUL)
    write(root, "circuits/sub/max.yaml", MAX)
    write(root, "circuits/neg.yaml", NEG)
    (root / "golden").mkdir()
    run(pytester, "--circuitrun-update").assert_outcomes(passed=3)
    assert sorted(p.name for p in (root / "golden").iterdir()) == [
        "max.json", "mul.json", "neg.json"]
    return root


def test_passing_specs_pass(pytester: pytest.Pytester, project: Path) -> None:
    result = run(pytester, "-v")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["circuits/mul.yaml::check PASSED*",
                                 "circuits/neg.yaml::check PASSED*",
                                 "circuits/sub/max.yaml::check PASSED*"])


def test_changed_gradient_fails_then_update_accepts_it(pytester: pytest.Pytester,
                                                       project: Path) -> None:
    # ties: split gives a and b 0.5 each where ties: first gave 1 and 0; values stay.
    write(project, "circuits/sub/max.yaml",
          MAX.replace("in: [a, b]}", "in: [a, b], ties: split}"))
    result = run(pytester)
    result.assert_outcomes(passed=2, failed=1)
    lines = result.stdout.lines
    assert "golden/max.json: grad(a): expected 1.0, got 0.5 (|diff| 5.0e-01, tol 1.0e-09)" in lines
    assert "golden/max.json: grad(b): expected 0.0, got 0.5 (|diff| 5.0e-01, tol 1.0e-12)" in lines
    assert ("to accept the new numbers: circuitrun check circuits/sub/max.yaml --golden-dir golden"
            " --update (or run pytest with --circuitrun-update)") in lines
    update = run(pytester, "--circuitrun-update")
    update.assert_outcomes(passed=3)
    update.stdout.fnmatch_lines(["*circuitrun golden files*", "golden/max.json: updated"])
    run(pytester).assert_outcomes(passed=3)


def test_syntax_error_is_reported_and_the_others_still_checked(pytester: pytest.Pytester,
                                                               project: Path) -> None:
    write(project, "circuits/broken.yaml", BROKEN)
    result = run(pytester)
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["circuits/broken.yaml:3:22: error: * [[]yaml-syntax[]]"])


def test_stale_golden_fails_and_prune_removes_it(pytester: pytest.Pytester,
                                                 project: Path) -> None:
    (project / "circuits" / "mul.yaml").unlink()
    result = run(pytester)
    result.assert_outcomes(passed=2, failed=1)
    assert "golden/mul.json: stale golden: no spec 'mul' was checked" in result.stdout.lines
    update = run(pytester, "--circuitrun-update")  # writes, never removes
    update.assert_outcomes(passed=2, failed=1)
    assert (project / "golden" / "mul.json").exists()
    prune = run(pytester, "--circuitrun-prune")
    prune.assert_outcomes(passed=3)  # the stale item passes by removing the file
    assert "golden/mul.json: removed (stale golden)" in prune.stdout.lines
    assert not (project / "golden" / "mul.json").exists()
    run(pytester).assert_outcomes(passed=2)


def test_prune_refuses_when_the_paths_do_not_cover_the_golden_folder(
        pytester: pytest.Pytester, project: Path) -> None:
    # Only circuits/sub is configured: mul.json and neg.json look stale, but their specs
    # are in circuits/, beside it.
    write(project, "pytest.ini", INI.replace("= circuits", "= circuits/sub"))
    result = run(pytester, "--circuitrun-prune")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "--circuitrun-prune refused: 'golden/mul.json' is the golden file of"
        " 'circuits/mul.yaml', which the paths given do not cover: *"])
    assert sorted(p.name for p in (project / "golden").iterdir()) == [
        "max.json", "mul.json", "neg.json"]


def test_update_of_a_broken_spec_keeps_its_golden(pytester: pytest.Pytester,
                                                  project: Path) -> None:
    before = (project / "golden" / "mul.json").read_bytes()
    write(project, "circuits/mul.yaml", BROKEN)
    run(pytester, "--circuitrun-update").assert_outcomes(passed=2, failed=1)
    assert (project / "golden" / "mul.json").read_bytes() == before


def test_pyproject_toml_setup_from_the_readme(pytester: pytest.Pytester) -> None:
    pytester.makepyprojecttoml("""\
        [tool.pytest.ini_options]
        circuitrun_paths = ["circuits"]
        circuitrun_golden_dir = "golden"
        """)
    write(pytester.path, "circuits/mul.yaml", MUL)
    (pytester.path / "golden").mkdir()
    run(pytester, "--circuitrun-update").assert_outcomes(passed=1)
    assert (pytester.path / "golden" / "mul.json").is_file()
    run(pytester).assert_outcomes(passed=1)


def test_keyword_selects_specs(pytester: pytest.Pytester, project: Path) -> None:
    run(pytester, "-k", "max").assert_outcomes(passed=1)


def test_spec_without_expectations_fails_with_the_command_that_creates_its_golden(
        pytester: pytest.Pytester) -> None:
    write(pytester.path, "pytest.ini", "[pytest]\ncircuitrun_paths = circuits\n")
    write(pytester.path, "circuits/mul.yaml", MUL)
    write(pytester.path, "circuits/neg.yaml", NEG)
    result = run(pytester)
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "circuits/mul.yaml: nothing to compare: no expect entries, no golden file;"
        " to create its golden file: circuitrun check circuits/mul.yaml --golden-dir golden"
        " --update"])


def test_command_line_paths_without_ini(pytester: pytest.Pytester) -> None:
    write(pytester.path, "specs/neg.yaml", NEG)
    write(pytester.path, "test_x.py", "def test_x():\n    pass\n")
    run(pytester).assert_outcomes(passed=1)  # the plugin is idle: nothing configured
    run(pytester, "--circuitrun", "specs").assert_outcomes(passed=2)
    run(pytester, "test_x.py", "--circuitrun", "specs").assert_outcomes(passed=2)


def test_named_tests_run_without_the_configured_specs(pytester: pytest.Pytester,
                                                      project: Path) -> None:
    write(project, "tests/test_x.py", "def test_x():\n    pass\n")
    run(pytester, "tests").assert_outcomes(passed=1)
    run(pytester).assert_outcomes(passed=4)
    run(pytester, "circuits/neg.yaml").assert_outcomes(passed=1)


def test_import_circuitrun_imports_neither_plugin_nor_pytest() -> None:
    code = ("import sys, circuitrun; print(sorted(m for m in ('pytest', '_pytest',"
            " 'circuitrun.golden.pytest_plugin') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout == "[]\n"


def _pytest(cwd: Path, *args: str, autoload: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    if not autoload:
        env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("autoload", [False, True])
def test_pytest_p_in_a_project_that_only_installed_circuitrun(tmp_path: Path,
                                                              autoload: bool) -> None:
    # With autoloading on, -p names the plugin its entry point already loaded: once only.
    write(tmp_path, "pytest.ini", INI)
    write(tmp_path, "circuits/mul.yaml", MUL)
    write(tmp_path, "circuits/neg.yaml", NEG)
    (tmp_path / "golden").mkdir()
    run = _pytest(tmp_path, "-p", "circuitrun.golden.pytest_plugin", "--circuitrun-update",
                  autoload=autoload)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "golden/mul.json: created" in run.stdout.splitlines()
    write(tmp_path, "circuits/mul.yaml", MUL.replace("y: -3", "y: -2.5"))
    # y = -2.5: df/dx = y = -2.5 where the golden file has -3.0.
    run = _pytest(tmp_path, "-p", "circuitrun.golden.pytest_plugin", autoload=autoload)
    assert run.returncode == 1
    assert ("golden/mul.json: grad(x): expected -3.0, got -2.5 (|diff| 5.0e-01, tol 3.0e-09)"
            in run.stdout.splitlines())
    assert "1 failed, 1 passed" in run.stdout


@pytest.mark.slow  # three runs of pytest -n 2: half a minute
def test_update_and_prune_under_xdist_lose_nothing(tmp_path: Path) -> None:
    # Twelve specs f_k = x*k at x = 2 (so f_k = 2k, df/dx = k), split between two workers;
    # half have a golden file already (one of them out of date), and one golden file is stale.
    write(tmp_path, "pytest.ini", INI)
    specs = {k: write(tmp_path, f"circuits/s{k:02}.yaml",
                      f"inputs: {{x: 2}}\ngates:\n  f: {{op: mul, in: [x, {k}]}}\n")
             for k in range(1, 13)}
    golden = tmp_path / "golden"
    golden.mkdir()
    first = _pytest(tmp_path, "-n", "2", "--circuitrun-update", autoload=True)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "2 workers [12 items]" in first.stdout
    written = {p.name: p.read_bytes() for p in golden.iterdir()}
    assert sorted(written) == [f"s{k:02}.json" for k in range(1, 13)]
    # every file is whole, and is its spec's JSON output (what `circuitrun run` prints)
    for k, spec in specs.items():
        assert written[f"s{k:02}.json"].decode() == circuitrun.load(spec).run().to_json()
    # the summary lists the files both workers wrote
    assert sorted(line for line in first.stdout.splitlines() if line.endswith(": created")) == [
        f"golden/s{k:02}.json: created" for k in range(1, 13)]

    write(tmp_path, "circuits/s03.yaml", "inputs: {x: 2}\ngates:\n  f: {op: mul, in: [x, 30]}\n")
    (golden / "gone.json").write_bytes(written["s01.json"])
    # An update of some specs only (-k) under xdist writes s03 and removes nothing.
    some = _pytest(tmp_path, "-n", "2", "--circuitrun-update", "-k", "s03 or s04", autoload=True)
    assert some.returncode == 0, some.stdout + some.stderr
    after = {p.name: p.read_bytes() for p in golden.iterdir()}
    assert sorted(after) == sorted([*written, "gone.json"])
    assert after["s03.json"] != written["s03.json"]
    assert {n: b for n, b in after.items() if n not in ("s03.json", "gone.json")} == {
        n: b for n, b in written.items() if n != "s03.json"}
    # The whole update and prune under xdist: only the stale file goes.
    whole = _pytest(tmp_path, "-n", "2", "--circuitrun-update", "--circuitrun-prune",
                    autoload=True)
    assert whole.returncode == 0, whole.stdout + whole.stderr
    assert "golden/gone.json: removed (stale golden)" in whole.stdout.splitlines()
    assert {p.name: p.read_bytes() for p in golden.iterdir()} == {
        n: b for n, b in after.items() if n != "gone.json"}


def test_a_failing_spec_shows_its_summary_and_ten_entries_or_all_with_v(
        pytester: pytest.Pytester) -> None:
    # f = a1 + ... + a12 at a_k = k, then a_k = 2k: every value(a_k) moves by k, a relative
    # error of 1.0 (all equal: file order), f by 78 (1.0 too); 13 entries, 3 past the ten.
    values = ", ".join(f"a{k}: {k}" for k in range(1, 13))
    names = ", ".join(f"a{k}" for k in range(1, 13))
    spec = f"inputs: {{{values}}}\ngates:\n  f: {{op: add, in: [{names}]}}\n"
    write(pytester.path, "pytest.ini", INI)
    write(pytester.path, "circuits/sum.yaml", spec)
    (pytester.path / "golden").mkdir()
    run(pytester, "--circuitrun-update").assert_outcomes(passed=1)
    write(pytester.path, "circuits/sum.yaml",
          spec.replace(values, ", ".join(f"a{k}: {2 * k}" for k in range(1, 13))))
    result = run(pytester)
    result.assert_outcomes(failed=1)
    lines = result.stdout.lines
    assert ("circuits/sum.yaml: 13 entries moved; largest relative error 1.0e+00 in value(a1)"
            " (golden/sum.json:6)") in lines
    assert "… and 3 more (-v shows all)" in lines
    assert "golden/sum.json: value(a11): expected 11.0, got 22.0 (|diff| 1.1e+01, tol 1.1e-08)" \
        not in lines
    verbose = run(pytester, "-v")
    assert "golden/sum.json: value(a11): expected 11.0, got 22.0 (|diff| 1.1e+01, tol 1.1e-08)" \
        in verbose.stdout.lines
    assert "… and 3 more (-v shows all)" not in verbose.stdout.lines
