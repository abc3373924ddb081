"""Golden checks (SPEC section 5): ``circuitrun check`` on a project in a temporary folder.

The project has specs in ``circuits/`` (one in a subfolder, one with an ``expect``
block) and their golden files in ``golden/``, written by ``check --update``.  Every
test runs the real CLI (Typer's runner on ``circuitrun.cli.app``) from the project's
folder, so the paths in the report are the relative ones a person would type.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner, Result

import circuitrun
from circuitrun.cli import app
from circuitrun.golden.compare import Tolerance, compare

from support.cli import write
from support.paths import ROOT
from support.specs import MAX, MUL

runner = CliRunner(env={"GITHUB_ACTIONS": "false"})  # the exact text, also on GitHub

# g = x*0.5 at x = 3: g = 1.5; dg/dx = 0.5; the literal is the const g.1 (grad null).
HALF = """\
    inputs: {x: 3}
    gates:
      g: {op: mul, in: [x, 0.5]}
    """
# f = (x + y)*z at x = -2, y = 5, z = -4: q = 3, f = -12; df/dz = q = 3,
# df/dx = df/dy = z = -4.
ADD_MUL = """\
    inputs: {x: -2, y: 5, z: -4}
    gates:
      q: {op: add, in: [x, y]}
      f: {op: mul, in: [q, z]}
    expect:
      values: {f: -12.0}
      grads: {x: -4.0, z: 3.0}
    """
# A flow list closed by '}' on line 3: the parser stops at that '}', column 22.
BROKEN = """\
    inputs: {x: 1}
    gates:
      f: {op: neg, in: [x}
    """


def check(*args: object) -> Result:
    return runner.invoke(app, ["check", *map(str, args)])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Four specs and their golden files, created by --update; the current folder."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "circuits/mul.yaml", MUL)
    write(tmp_path, "circuits/max.yaml", MAX)
    write(tmp_path, "circuits/sub/half.yaml", HALF)
    write(tmp_path, "circuits/add_mul.yaml", ADD_MUL)
    result = check("circuits", "--golden-dir", "golden", "--update")
    assert result.exit_code == 0, result.output
    return tmp_path


# ---- the tolerance ---------------------------------------------------------------------


def test_spec_example_line() -> None:
    # |-0.19661193324148185 - -0.2| = 0.0033880667585...; tol = 1e-12 + 1e-9*0.2 = 2.00...e-10.
    m = compare("PATH", "grad(w0)", -0.2, -0.19661193324148185, Tolerance(1e-9, 1e-12))
    assert str(m) == ("PATH: grad(w0): expected -0.2, got -0.19661193324148185"
                      " (|diff| 3.4e-03, tol 2.0e-10)")


# rtol = 2^-2, atol = 2^-3, expected 1.0: tol = 0.125 + 0.25*1.0 = 0.375, exact in binary.
# 1.375 and 0.625 are exactly 0.375 away (pass); their neighbours one ulp further out
# are 0.375 + 2^-52 and 0.375 + 2^-53 away (1 - a and a - 1 are exact here: Sterbenz).
@pytest.mark.parametrize(("actual", "passes"), [
    (1.375, True),
    (math.nextafter(1.375, math.inf), False),
    (0.625, True),
    (math.nextafter(0.625, -math.inf), False),
    (math.nextafter(1.375, -math.inf), True),
])
def test_tolerance_boundary(actual: float, passes: bool) -> None:
    assert (compare("p", "value(x)", 1.0, actual, Tolerance(0.25, 0.125)) is None) is passes


def test_tolerance_boundary_through_the_cli(tmp_path: Path) -> None:
    # f = -x, expected -1.0 with rtol 0.25, atol 0.125: tol 0.375 (as above).
    spec = """\
        inputs: {x: %s}
        gates:
          f: {op: neg, in: x}
        expect: {rtol: 0.25, atol: 0.125, values: {f: -1.0}}
        """
    at = write(tmp_path, "at.yaml", spec % "1.375")
    past = write(tmp_path, "past.yaml", spec % "1.3750000000000002")  # 1.375 + 2^-52
    assert check(at).exit_code == 0
    result = check(past)
    assert result.exit_code == 1
    # the summary first: relative error 0.3750000000000002/1.0; f's entry is on line 4
    assert result.stdout.splitlines()[:2] == [
        f"{past}: 1 entry moved; largest relative error 3.8e-01 in value(f) ({past}:4)",
        f"{past}: value(f): expected -1.0, got -1.3750000000000002 (|diff| 3.8e-01, tol 3.8e-01)"]


def test_rtol_atol_options_override_the_spec(tmp_path: Path) -> None:
    # neg of 1.375 against -1.0 with the defaults (tol about 1e-9) fails; --rtol 0.25
    # --atol 0.125 make tol 0.375 = |diff|: passes; --atol 0.1249 makes it fail again.
    path = write(tmp_path, "f.yaml", "inputs: {x: 1.375}\ngates:\n  f: {op: neg, in: x}\n"
                                     "expect: {values: {f: -1.0}}\n")
    assert check(path).exit_code == 1
    assert check(path, "--rtol", "0.25", "--atol", "0.125").exit_code == 0
    assert check(path, "--rtol", "0.25", "--atol", "0.1249").exit_code == 1


@pytest.mark.parametrize(("expected", "actual", "line"), [
    (None, None, None),
    (math.nan, math.nan, None),
    (math.inf, math.inf, None),
    (None, 1.0, "p: grad(c): expected null, got 1.0"),
    (0.0, None, "p: grad(c): expected 0.0, got null"),
    (math.inf, -math.inf, "p: grad(c): expected inf, got -inf"),
    (1.0, math.nan, "p: grad(c): expected 1.0, got nan"),
])
def test_null_and_nonfinite_only_match_themselves(expected: float | None,
                                                  actual: float | None,
                                                  line: str | None) -> None:
    m = compare("p", "grad(c)", expected, actual, Tolerance())
    assert (None if m is None else str(m)) == line


# ---- check: passing, failing, --update ----------------------------------------------


def test_update_creates_goldens_that_are_the_run_output(project: Path) -> None:
    assert sorted(p.name for p in (project / "golden").iterdir()) == [
        "add_mul.json", "half.json", "max.json", "mul.json"]
    run = runner.invoke(app, ["run", "circuits/mul.yaml", "--format", "json"])
    assert (project / "golden" / "mul.json").read_text(encoding="utf-8") == run.stdout


def test_update_reports_created_then_unchanged(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "circuits/mul.yaml", MUL)
    first = check("circuits", "--golden-dir", "golden", "--update")
    assert first.stdout == "golden/mul.json: created\n1 passed, 0 failed\n"
    again = check("circuits", "--golden-dir", "golden", "--update")
    assert again.stdout == "golden/mul.json: unchanged\n1 passed, 0 failed\n"


def test_passing_project_passes(project: Path) -> None:
    result = check("circuits", "--golden-dir", "golden")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "4 passed, 0 failed\n", "")


def test_changed_gradient_fails_with_exact_lines_then_update_accepts_it(project: Path) -> None:
    # ties: split shares dm = 1 between the tied a and b: 0.5 each, where ties: first
    # gave a 1 and b 0. Values stay; tol = 1e-12 + 1e-9*|expected|.
    write(project, "circuits/max.yaml", MAX.replace("in: [a, b]}", "in: [a, b], ties: split}"))
    # Worst first: grad(b)'s relative error is 0.5/0 = inf, grad(a)'s 0.5/1.0; b is the
    # golden file's second node, on line 7 (after 5 lines of header and a's line).
    result = check("circuits", "--golden-dir", "golden")
    assert result.exit_code == 1
    assert result.stdout == (
        "circuits/max.yaml: 2 entries moved; largest relative error inf in grad(b)"
        " (golden/max.json:7)\n"
        "golden/max.json: grad(b): expected 0.0, got 0.5 (|diff| 5.0e-01, tol 1.0e-12)\n"
        "golden/max.json: grad(a): expected 1.0, got 0.5 (|diff| 5.0e-01, tol 1.0e-09)\n"
        "to accept the new numbers: circuitrun check circuits --golden-dir golden --update\n"
        "3 passed, 1 failed\n"
    )
    update = check("circuits", "--golden-dir", "golden", "--update")
    assert update.exit_code == 0
    assert "golden/max.json: updated\n" in update.stdout
    assert "golden/mul.json: unchanged\n" in update.stdout
    assert check("circuits", "--golden-dir", "golden").stdout == "4 passed, 0 failed\n"


def test_inline_expect_failure_names_the_spec(project: Path) -> None:
    # z = -3: f = 3*-3 = -9 (expected -12, |diff| 3, tol 1e-12 + 1e-9*12); df/dx = z = -3.
    # Relative errors 3/12 and 1/4 tie: file order; f's entry is on the spec's line 6.
    write(project, "circuits/add_mul.yaml", ADD_MUL.replace("z: -4}", "z: -3}"))
    result = check("circuits/add_mul.yaml")
    assert result.exit_code == 1
    assert result.stdout == (
        "circuits/add_mul.yaml: 2 entries moved; largest relative error 2.5e-01 in value(f)"
        " (circuits/add_mul.yaml:6)\n"
        "circuits/add_mul.yaml: value(f): expected -12.0, got -9.0 (|diff| 3.0e+00, tol 1.2e-08)\n"
        "circuits/add_mul.yaml: grad(x): expected -4.0, got -3.0 (|diff| 1.0e+00, tol 4.0e-09)\n"
        "expect blocks are edited by hand; the current numbers:"
        " circuitrun run circuits/add_mul.yaml --format json\n"
        "0 passed, 1 failed\n"
    )


def test_syntax_error_is_reported_and_the_others_still_checked(project: Path) -> None:
    write(project, "circuits/broken.yaml", BROKEN)
    result = check("circuits", "--golden-dir", "golden")
    assert result.exit_code == 2
    [line] = result.stderr.splitlines()
    assert line.startswith("circuits/broken.yaml:3:22: error: ")
    assert line.endswith(" [yaml-syntax]")
    assert result.stdout == "4 passed, 1 failed\n"


def test_stale_golden_fails_and_prune_removes_it(project: Path) -> None:
    (project / "circuits" / "sub" / "half.yaml").unlink()
    result = check("circuits", "--golden-dir", "golden")
    assert result.exit_code == 1
    assert result.stdout == (
        "golden/half.json: stale golden: no spec 'half' was checked\n"
        "to remove the stale golden files: circuitrun check circuits --golden-dir golden"
        " --prune\n"
        "3 passed, 1 failed\n"
    )
    update = check("circuits", "--golden-dir", "golden", "--update")  # writes, never removes
    assert update.exit_code == 1
    assert (project / "golden" / "half.json").exists()
    prune = check("circuits", "--golden-dir", "golden", "--prune")
    assert prune.stdout == "golden/half.json: removed (stale golden)\n3 passed, 0 failed\n"
    assert prune.exit_code == 0
    assert not (project / "golden" / "half.json").exists()


def test_named_files_alone_look_for_no_stale_goldens(project: Path) -> None:
    # pre-commit passes the changed files only: the other goldens are not stale then.
    result = check("circuits/mul.yaml", "--golden-dir", "golden")
    assert (result.exit_code, result.stdout) == (0, "1 passed, 0 failed\n")


def test_missing_nodes_on_either_side_are_named(project: Path) -> None:
    # Rename f to h: the circuit has h, the golden file has f.
    write(project, "circuits/mul.yaml", MUL.replace("f:", "h:"))
    result = check("circuits/mul.yaml", "--golden-dir", "golden")
    assert result.stdout.splitlines()[:4] == [
        "circuits/mul.yaml: 3 entries moved",  # none of them a number
        'golden/mul.json: output: expected "f", got "h"',
        "golden/mul.json: node 'h': not in the golden file",
        "golden/mul.json: node 'f': in the golden file, not in the circuit",
    ]


def test_null_grad_of_a_constant_compares_as_null(project: Path) -> None:
    golden = project / "golden" / "half.json"
    assert '{"name": "g.1", "op": "const", "in": [], "value": 0.5, "grad": null}' in (
        golden.read_text(encoding="utf-8"))
    golden.write_text(golden.read_text(encoding="utf-8").replace('"grad": null', '"grad": 0.0'),
                      encoding="utf-8")
    result = check("circuits/sub/half.yaml", "--golden-dir", "golden")
    assert result.stdout.splitlines()[:2] == [
        "circuits/sub/half.yaml: 1 entry moved",  # a null is no number: no relative error
        "golden/half.json: grad(g.1): expected 0.0, got null"]


def test_nonfinite_results_are_golden_as_words(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # q = a/b at a = 1, b = 0: q = inf; dq/da = 1/b = inf, dq/db = -a/b^2 = -inf.
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "c/div.yaml", "inputs: {a: 1, b: 0}\ngates:\n  q: {op: div, in: [a, b]}\n")
    assert check("c", "--golden-dir", "g", "--update").exit_code == 0
    text = (tmp_path / "g" / "div.json").read_text(encoding="utf-8")
    assert '"value": "inf"' in text and '"grad": "-inf"' in text
    assert check("c", "--golden-dir", "g").exit_code == 0
    # a = -1: q = -inf, dq/db = -a/b^2 = inf.
    write(tmp_path, "c/div.yaml", "inputs: {a: -1, b: 0}\ngates:\n  q: {op: div, in: [a, b]}\n")
    lines = check("c", "--golden-dir", "g").stdout.splitlines()
    assert "g/div.json: value(q): expected inf, got -inf" in lines


def test_update_keeps_a_golden_within_tolerance(project: Path) -> None:
    # 4.000000001 is 1e-9 from 4.0: under tol = 1e-12 + 1e-9*4.000000001. No rewrite.
    golden = project / "golden" / "mul.json"
    golden.write_text(golden.read_text(encoding="utf-8").replace('"value": 4.0',
                                                                 '"value": 4.000000001'))
    before = golden.read_bytes()
    result = check("circuits/mul.yaml", "--golden-dir", "golden", "--update")
    assert result.stdout == "golden/mul.json: unchanged\n1 passed, 0 failed\n"
    assert golden.read_bytes() == before


def test_a_broken_golden_file_fails_and_update_rewrites_it(project: Path) -> None:
    (project / "golden" / "mul.json").write_text("{", encoding="utf-8")
    result = check("circuits/mul.yaml", "--golden-dir", "golden")
    assert result.exit_code == 1
    # where the JSON breaks: the end of the text, line 1 column 2; and GitHub is told it
    assert result.stdout.startswith("golden/mul.json: not a golden file: invalid JSON at"
                                    " line 1, column 2: expecting property name enclosed"
                                    " in double quotes\n")
    annotated = runner.invoke(app, ["check", "circuits/mul.yaml", "--golden-dir", "golden"],
                              env={"GITHUB_ACTIONS": "true"})
    assert "::error file=golden/mul.json,line=1,col=2::not a golden file" in annotated.stdout
    update = check("circuits/mul.yaml", "--golden-dir", "golden", "--update")
    assert update.stdout == "golden/mul.json: updated\n1 passed, 0 failed\n"


def test_spec_with_nothing_to_compare_fails_with_the_command_creating_its_golden(
        project: Path) -> None:
    write(project, "circuits/plain.yaml", MUL.replace("x: 4", "x: 5"))
    result = check("circuits", "--golden-dir", "golden")
    assert result.exit_code == 1
    create = "circuitrun check circuits/plain.yaml --golden-dir golden --update"
    assert result.stdout == (
        "circuits/plain.yaml: nothing to compare: no expect entries, no golden file;"
        f" to create its golden file: {create}\n4 passed, 1 failed\n")
    # the command works as printed, and then the spec passes against its golden file
    assert check(*create.split()[2:]).stdout == "golden/plain.json: created\n1 passed, 0 failed\n"
    assert check("circuits/plain.yaml", "--golden-dir", "golden").stdout == "1 passed, 0 failed\n"


def test_allow_missing_skips_a_spec_with_nothing_to_compare(tmp_path: Path) -> None:
    path = write(tmp_path, "plain.yaml", MUL)
    result = check(path, "--allow-missing")
    assert result.exit_code == 0
    assert result.stdout == (f"{path}: skipped: no expect entries, no golden file\n"
                             "0 passed, 0 failed, 1 skipped\n")


# x*y with y given by --set y=2 at x = 4: f = 8, df/dx = y = 2, df/dy = x = 4.
def test_set_gives_an_input_its_value_and_goes_into_the_update_command(
        project: Path) -> None:
    write(project, "circuits/late.yaml", MUL.replace("y: -3", "y: null"))
    # without a value for y the spec cannot run: nothing is written
    assert check("circuits/late.yaml", "--golden-dir", "golden", "--update").exit_code == 2
    assert not (project / "golden" / "late.json").exists()
    created = check("circuits/late.yaml", "--golden-dir", "golden", "--update",
                    "--set", "y=2")
    assert created.stdout == "golden/late.json: created\n1 passed, 0 failed\n"
    assert '"value": 8.0' in (project / "golden" / "late.json").read_text(encoding="utf-8")
    moved = check("circuits/late.yaml", "--golden-dir", "golden", "--set", "y=3")
    assert moved.exit_code == 1
    assert "golden/late.json: value(f): expected 8.0, got 12.0" in moved.stdout
    unknown = check("circuits/late.yaml", "--set", "w=3")
    assert unknown.exit_code == 2
    assert unknown.stderr == ("circuitrun check: error: --set input 'w' is not an input"
                              " of any spec checked [usage]\n")


# d = dot(w, x) at w = [1, 2], x = [3, 4]: d = 11; dd/dw[0] = x[0] = 3, dd/dx[1] = w[1] = 2.
DOT = """\
    inputs: {w: [1, 2], x: [3, 4]}
    gates:
      d: dot(w, x)
    expect:
      values: {d: 11.0}
      grads:
        w[0]: 3.0
        x[1]: 2.0
    """


@pytest.mark.parametrize(("sets", "line"), [
    # w = [1, 3]: d = 3 + 12 = 15; dd/dx[1] = w[1] = 3
    (["--set", "w=[1, 3]"], "value(d): expected 11.0, got 15.0 (|diff| 4.0e+00, tol 1.1e-08)"),
    # x[0] = 5: d = 5 + 8 = 13; dd/dw[0] = x[0] = 5
    (["--set", "x[0]=5"], "value(d): expected 11.0, got 13.0 (|diff| 2.0e+00, tol 1.1e-08)"),
])
def test_set_gives_vectors_and_their_elements(tmp_path: Path, sets: list[str],
                                              line: str) -> None:
    path = write(tmp_path, "dot.yaml", DOT)
    assert check(path).exit_code == 0
    result = check(path, *sets)
    assert result.exit_code == 1
    assert f"{path}: {line}" in result.stdout.splitlines()


# ---- --update never leaves a broken golden ---------------------------------------------


def test_update_of_a_spec_that_fails_to_load_keeps_its_golden(project: Path) -> None:
    golden = project / "golden" / "mul.json"
    before = golden.read_bytes()
    write(project, "circuits/mul.yaml", BROKEN)
    write(project, "circuits/new.yaml", BROKEN)
    result = check("circuits", "--golden-dir", "golden", "--update")
    assert result.exit_code == 2
    assert golden.read_bytes() == before
    assert not (project / "golden" / "new.json").exists()


def test_update_of_a_spec_that_fails_to_run_writes_nothing(project: Path) -> None:
    # y has no value: the run stops with missing-value at y ("inputs: {x: 4, y" is 16 long).
    write(project, "circuits/open.yaml", MUL.replace("y: -3", "y: null"))
    result = check("circuits/open.yaml", "--golden-dir", "golden", "--update")
    assert result.exit_code == 2
    assert result.stderr.startswith("circuits/open.yaml:1:16: error: input 'y' has no value")
    assert not (project / "golden" / "open.json").exists()


@pytest.mark.parametrize("fails", ["replace", "fsync"])
def test_update_is_atomic(project: Path, monkeypatch: pytest.MonkeyPatch, fails: str) -> None:
    golden = project / "golden" / "max.json"
    before = golden.read_bytes()
    write(project, "circuits/max.yaml", MAX.replace("in: [a, b]}", "in: [a, b], ties: split}"))

    def broken(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, fails, broken)
    result = check("circuits", "--golden-dir", "golden", "--update")
    assert result.exit_code == 2
    assert result.stderr == "golden/max.json: error: cannot write: no space left on device\n"
    assert golden.read_bytes() == before
    assert sorted(p.name for p in (project / "golden").iterdir()) == [
        "add_mul.json", "half.json", "max.json", "mul.json"]  # no temporary file left


# ---- paths and usage --------------------------------------------------------------------


def test_golden_folder_inside_the_searched_folder_is_not_specs(project: Path) -> None:
    result = check(".", "--golden-dir", "golden")
    assert (result.exit_code, result.stdout) == (0, "4 passed, 0 failed\n")


def test_update_needs_a_golden_dir(project: Path) -> None:
    result = check("circuits", "--update")
    assert result.exit_code == 2
    assert result.stderr == ("circuitrun check: error: --update writes golden files: give"
                             " --golden-dir DIR (expect blocks are edited by hand) [usage]\n")


def test_missing_golden_dir_is_a_usage_error(project: Path) -> None:
    result = check("circuits", "--golden-dir", "goldne")
    assert result.exit_code == 2
    assert result.stderr == ("circuitrun check: error: --golden-dir 'goldne': no such folder"
                             " (--update creates it) [usage]\n")


def test_two_specs_sharing_a_golden_file_are_a_usage_error(project: Path) -> None:
    write(project, "circuits/sub/mul.json", '{"inputs": {}, "gates": {"c": {"op": "const",'
                                            ' "value": 1}}}')
    result = check("circuits", "--golden-dir", "golden")
    assert result.exit_code == 2
    assert "would share the golden file 'golden/mul.json'" in result.stderr


def test_negative_tolerance_is_a_usage_error(project: Path) -> None:
    assert check("circuits", "--rtol", "-1").exit_code == 2


def test_python_api_gives_the_cli_report(project: Path) -> None:
    write(project, "circuits/max.yaml", MAX.replace("in: [a, b]}", "in: [a, b], ties: split}"))
    report = circuitrun.check(["circuits"], "golden")
    cli = check("circuits", "--golden-dir", "golden")
    assert "".join(f"{text}\n" for text, err in report.lines() if not err) == cli.stdout
    assert (report.passed, report.failed, report.skipped, report.exit_code) == (3, 1, 0, 1)


def test_python_api_takes_one_path_as_one(project: Path) -> None:
    # a str is an iterable of str: its characters were taken as paths ('c', 'i', ...)
    many = circuitrun.check(["circuits"], "golden")
    for one in ("circuits", Path("circuits")):
        assert circuitrun.check(one, "golden") == many
    assert len(many.specs) == 4  # the project's four specs


def test_the_examples_pass() -> None:
    result = check(ROOT / "circuits")
    assert result.exit_code == 0, result.stdout
    assert result.stdout.endswith(" passed, 0 failed\n")


def test_pre_commit_hooks_run_real_commands() -> None:
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["circuitrun-validate", "circuitrun-check"]
    for hook in hooks:
        args = hook["entry"].split()[1:] + hook.get("args", []) + ["--help"]
        assert runner.invoke(app, args).exit_code == 0, hook["id"]


# ---- the whole golden file counts -------------------------------------------------------


@pytest.mark.parametrize(("old", "new", "line"), [
    ('"circuit": "mul"', '"circuit": "mull"',
     'golden/mul.json: circuit: expected "mull", got "mul"'),
    ('"output": "f"', '"output": "x"', 'golden/mul.json: output: expected "x", got "f"'),
    # the top-level value is f's: -12 (f = x*y = 4*-3)
    ('"value": -12.0,\n', '"value": -13.0,\n',
     "golden/mul.json: value: expected -13.0, got -12.0 (|diff| 1.0e+00, tol 1.3e-08)"),
    ('"op": "mul"', '"op": "add"', 'golden/mul.json: op(f): expected "add", got "mul"'),
    ('"in": ["x", "y"]', '"in": ["y", "x"]',
     'golden/mul.json: in(f): expected ["y", "x"], got ["x", "y"]'),
], ids=["circuit", "output", "value", "op", "in"])
def test_a_hand_edited_golden_structure_fails(project: Path, old: str, new: str,
                                              line: str) -> None:
    golden = project / "golden" / "mul.json"
    text = golden.read_text(encoding="utf-8")
    assert text.count(old) == 1
    golden.write_text(text.replace(old, new), encoding="utf-8")
    result = check("circuits/mul.yaml", "--golden-dir", "golden")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith("circuits/mul.yaml: 1 entry moved")
    assert result.stdout.splitlines()[1] == line


def test_golden_nodes_in_another_order_fail(project: Path) -> None:
    golden = project / "golden" / "mul.json"
    lines = golden.read_text(encoding="utf-8").splitlines(keepends=True)
    x = next(i for i, t in enumerate(lines) if '"name": "x"' in t)
    lines[x], lines[x + 1] = lines[x + 1], lines[x]  # y before x; both keep their comma
    golden.write_text("".join(lines), encoding="utf-8")
    result = check("circuits/mul.yaml", "--golden-dir", "golden")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1] == ("golden/mul.json: node order: the golden file"
                                             " lists the nodes in another order than the"
                                             " circuit's output")


def test_duplicate_keys_are_not_a_golden_file(project: Path) -> None:
    golden = project / "golden" / "mul.json"
    text = golden.read_text(encoding="utf-8")
    golden.write_text(text.replace('"output": "f"', '"output": "f", "output": "f"'),
                      encoding="utf-8")
    result = check("circuits/mul.yaml", "--golden-dir", "golden")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "golden/mul.json: not a golden file: duplicate key 'output'")


def test_folder_discovery_reports_files_it_cannot_read(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "c/add_mul.yaml", ADD_MUL)
    os.symlink("loop.yaml", tmp_path / "c" / "loop.yaml")
    os.mkfifo(tmp_path / "c" / "fifo.yaml")
    os.symlink("/dev/zero", tmp_path / "c" / "zero.yml")
    result = check("c")
    assert result.exit_code == 2
    assert result.stderr == (
        "c/fifo.yaml: error: cannot read: not a regular file [unreadable]\n"
        "c/loop.yaml: error: cannot read: too many levels of symbolic links [unreadable]\n"
        "c/zero.yml: error: cannot read: not a regular file [unreadable]\n")
    assert result.stdout == "1 passed, 3 failed\n"
