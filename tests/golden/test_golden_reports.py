"""The reports of ``circuitrun check``: the summarized text, GitHub annotations, JUnit XML
(validated against the JUnit XSD Jenkins reads) and ``--format json``.

Each test runs the real CLI (Typer's runner) in a project in a temporary folder, with
golden files written by ``check --update``.
"""

from __future__ import annotations

import json
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema
from typer.testing import CliRunner, Result

from circuitrun.cli import app
from circuitrun.golden.reporters import escape_data, escape_property

HERE = Path(__file__).resolve().parent
runner = CliRunner()

# f = a1 + ... + a12 at a_k = k: f = 78, every gradient 1.  MOVED gives a_k = k + k^2/100,
# so value(a_k) moves by k^2/100, a relative error of k/100 (a12 the most, 0.12), and f
# moves to 78 + 650/100 = 84.5, a relative error of 6.5/78 = 0.083 (between a8 and a9).
# The gradients stay 1: 13 entries move.
def _sum(values: list[float]) -> str:
    inputs = ", ".join(f"a{k}: {v!r}" for k, v in enumerate(values, 1))
    names = ", ".join(f"a{k}" for k in range(1, len(values) + 1))
    return f"inputs: {{{inputs}}}\ngates:\n  f: {{op: add, in: [{names}]}}\n"


SUM = _sum([k for k in range(1, 13)])
MOVED = _sum([k + k * k / 100 for k in range(1, 13)])
# f = (x + y)*z at x = -2, y = 5, z = -4: q = 3, f = -12; the expect entry f is on line 7.
ADD_MUL = """\
    inputs: {x: -2, y: 5, z: -4}
    gates:
      q: {op: add, in: [x, y]}
      f: {op: mul, in: [q, z]}
    expect:
      values:
        f: -12.0
    """
# A flow list closed by '}' on line 3: the parser stops at that '}', column 22.
BROKEN = "inputs: {x: 1}\ngates:\n  f: {op: neg, in: [x}\n"
# f = x*y at x = 4, y = -3: f = -12.
MUL = "inputs: {x: 4, y: -3}\ngates:\n  f: {op: mul, in: [x, y]}\n"


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def check(*args: object, github: bool = False) -> Result:
    env = {"GITHUB_ACTIONS": "true" if github else "false"}
    return runner.invoke(app, ["check", *map(str, args)], env=env)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """circuits/sum.yaml and circuits/mul.yaml with their golden files; then sum.yaml moved."""
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "circuits/sum.yaml", SUM)
    write(tmp_path, "circuits/mul.yaml", MUL)
    assert check("circuits", "--golden-dir", "golden", "--update").exit_code == 0
    write(tmp_path, "circuits/sum.yaml", MOVED)
    return tmp_path


# The ten worst entries of MOVED, largest relative error first; tol = 1e-12 + 1e-9*|expected|.
# a12 is the golden file's 12th node, on line 17 (after 5 lines of header).
SUMMARY = ("circuits/sum.yaml: 13 entries moved; largest relative error 1.2e-01 in value(a12)"
           " (golden/sum.json:17)\n")
TEN = SUMMARY + """\
golden/sum.json: value(a12): expected 12.0, got 13.44 (|diff| 1.4e+00, tol 1.2e-08)
golden/sum.json: value(a11): expected 11.0, got 12.21 (|diff| 1.2e+00, tol 1.1e-08)
golden/sum.json: value(a10): expected 10.0, got 11.0 (|diff| 1.0e+00, tol 1.0e-08)
golden/sum.json: value(a9): expected 9.0, got 9.81 (|diff| 8.1e-01, tol 9.0e-09)
golden/sum.json: value(f): expected 78.0, got 84.5 (|diff| 6.5e+00, tol 7.8e-08)
golden/sum.json: value(a8): expected 8.0, got 8.64 (|diff| 6.4e-01, tol 8.0e-09)
golden/sum.json: value(a7): expected 7.0, got 7.49 (|diff| 4.9e-01, tol 7.0e-09)
golden/sum.json: value(a6): expected 6.0, got 6.36 (|diff| 3.6e-01, tol 6.0e-09)
golden/sum.json: value(a5): expected 5.0, got 5.25 (|diff| 2.5e-01, tol 5.0e-09)
golden/sum.json: value(a4): expected 4.0, got 4.16 (|diff| 1.6e-01, tol 4.0e-09)
"""
THREE = """\
golden/sum.json: value(a3): expected 3.0, got 3.09 (|diff| 9.0e-02, tol 3.0e-09)
golden/sum.json: value(a2): expected 2.0, got 2.04 (|diff| 4.0e-02, tol 2.0e-09)
golden/sum.json: value(a1): expected 1.0, got 1.01 (|diff| 1.0e-02, tol 1.0e-09)
"""
TAIL = """\
to accept the new numbers: circuitrun check circuits --golden-dir golden --update
1 passed, 1 failed
"""


# ---- the text report ------------------------------------------------------------------


def test_a_summary_then_the_ten_worst_entries_then_how_many_more(project: Path) -> None:
    result = check("circuits", "--golden-dir", "golden")
    assert result.exit_code == 1
    assert result.stdout == TEN + "… and 3 more (-v shows all)\n" + TAIL


@pytest.mark.parametrize("flag", ["-v", "--verbose"])
def test_verbose_lists_every_entry(project: Path, flag: str) -> None:
    result = check("circuits", "--golden-dir", "golden", flag)
    assert result.stdout == TEN + THREE + TAIL


# ---- GitHub annotations ---------------------------------------------------------------


def test_github_escapes_as_its_toolkit_does() -> None:
    # data: % CR LF; properties also : and , (the toolkit's escapeData and escapeProperty)
    assert escape_data("50%\r\nnext: a, b") == "50%25%0D%0Anext: a, b"
    assert escape_property("50%\r\nnext: a, b") == "50%25%0D%0Anext%3A a%2C b"


def test_github_annotates_expect_entries_golden_nodes_and_invalid_specs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "circuits/am.yaml", ADD_MUL)
    write(tmp_path, "circuits/mul.yaml", MUL)
    assert check("circuits", "--golden-dir", "golden", "--update").exit_code == 0
    write(tmp_path, "circuits/am.yaml", ADD_MUL.replace("z: -4}", "z: -3}"))  # f = 3*-3 = -9
    write(tmp_path, "circuits/mul.yaml", MUL.replace("y: -3", "y: -3.5"))  # f = -14, df/dx = y
    write(tmp_path, "circuits/broken.yaml", BROKEN)
    plain = check("circuits", "--golden-dir", "golden")
    result = check("circuits", "--golden-dir", "golden", github=True)
    assert result.exit_code == plain.exit_code == 2
    assert result.stdout.startswith(plain.stdout)  # the report, then the annotations
    lines = result.stdout[len(plain.stdout):].splitlines()
    # The expect entry f at line 7, column 5 of the spec; in a golden file, each node's
    # line (5 header lines, then x, y, z, q, f), column 5.  With z = -3: f = -9, and
    # df/dx = df/dy = df/dq = z; every relative error is 1/4: file order, expect first.
    # With y = -3.5: df/dx = y, f = -14; relative errors 0.5/3 = 2/12: file order.
    am = [
        "::error file=circuits/am.yaml,line=7,col=5::value(f): expected -12.0, got -9.0"
        " (|diff| 3.0e+00, tol 1.2e-08)",
        "::error file=golden/am.json,line=6,col=5::grad(x): expected -4.0, got -3.0"
        " (|diff| 1.0e+00, tol 4.0e-09)",
        "::error file=golden/am.json,line=7,col=5::grad(y): expected -4.0, got -3.0"
        " (|diff| 1.0e+00, tol 4.0e-09)",
        "::error file=golden/am.json,line=8,col=5::value(z): expected -4.0, got -3.0"
        " (|diff| 1.0e+00, tol 4.0e-09)",
        "::error file=golden/am.json,line=9,col=5::grad(q): expected -4.0, got -3.0"
        " (|diff| 1.0e+00, tol 4.0e-09)",
        "::error file=golden/am.json,line=10,col=5::value(f): expected -12.0, got -9.0"
        " (|diff| 3.0e+00, tol 1.2e-08)",
    ]
    mul = [
        "::error file=golden/mul.json,line=6,col=5::grad(x): expected -3.0, got -3.5"
        " (|diff| 5.0e-01, tol 3.0e-09)",
        "::error file=golden/mul.json,line=7,col=5::value(y): expected -3.0, got -3.5"
        " (|diff| 5.0e-01, tol 3.0e-09)",
        "::error file=golden/mul.json,line=8,col=5::value(f): expected -12.0, got -14.0"
        " (|diff| 2.0e+00, tol 1.2e-08)",
    ]
    broken = lines[len(am)]
    assert broken.startswith("::error file=circuits/broken.yaml,line=3,col=22::")
    assert broken.endswith(" [yaml-syntax]")
    assert lines == [*am, broken, *mul]  # ten: no notice


def test_github_annotations_stop_at_ten_with_a_notice(project: Path) -> None:
    result = check("circuits", "--golden-dir", "golden", github=True)
    lines = result.stdout.splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == 10
    assert errors[0] == ("::error file=golden/sum.json,line=17,col=5::value(a12): expected 12.0,"
                         " got 13.44 (|diff| 1.4e+00, tol 1.2e-08)")
    assert lines[-1] == ("::notice::circuitrun check: 13 failures; the first 10 are annotated,"
                         " the log lists every one")


def test_github_escapes_paths_and_messages(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path, "c/x,y:z%.yaml", MUL)  # nothing to compare: fails at the file
    result = check("c", github=True)
    assert result.exit_code == 1
    [line] = [x for x in result.stdout.splitlines() if x.startswith("::")]
    assert line == ("::error file=c/x%2Cy%3Az%25.yaml::nothing to compare: no expect entries,"
                    " no golden file; to create its golden file: circuitrun check"
                    " c/x,y:z%25.yaml --golden-dir golden --update")


def test_no_annotations_outside_github(project: Path) -> None:
    assert "::" not in check("circuits", "--golden-dir", "golden").stdout


# ---- JUnit XML ------------------------------------------------------------------------


SCHEMA = xmlschema.XMLSchema(HERE / "junit-10.xsd")


def test_junit_xml_is_valid_and_counts_as_check_does(project: Path) -> None:
    write(project, "circuits/broken.yaml", BROKEN)  # invalid: a failure
    write(project, "circuits/plain.yaml", MUL.replace("x: 4", "x: 5"))  # nothing to compare
    (project / "golden" / "gone.json").write_text("{}", encoding="utf-8")  # stale
    result = check("circuits", "--golden-dir", "golden", "--junit-xml", "out/../report.xml")
    assert result.exit_code == 2
    assert result.stdout.endswith("1 passed, 4 failed\n")  # mul passes
    SCHEMA.validate(project / "report.xml")  # raises when the file is not valid
    suite = ET.parse(project / "report.xml").getroot().find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("5", "4", "0")
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert sorted(cases) == ["circuits/broken.yaml", "circuits/mul.yaml", "circuits/plain.yaml",
                             "circuits/sum.yaml", "golden/gone.json"]
    kinds = {name: [f.get("type") for f in c.iter("failure")] for name, c in cases.items()}
    assert kinds == {"circuits/broken.yaml": ["invalid-spec"], "circuits/mul.yaml": [],
                     "circuits/plain.yaml": ["nothing-to-compare"],
                     "circuits/sum.yaml": ["mismatch"], "golden/gone.json": ["stale-golden"]}
    failure = cases["circuits/sum.yaml"].find("failure")
    assert failure is not None and failure.text is not None
    assert failure.get("message") == TEN.splitlines()[0]
    assert failure.text == TEN + THREE.rstrip("\n")  # the whole diff, every entry


def test_junit_xml_of_a_passing_run(project: Path) -> None:
    write(project, "circuits/sum.yaml", SUM)
    result = check("circuits", "--golden-dir", "golden", "--junit-xml", "r.xml")
    assert (result.exit_code, result.stdout) == (0, "2 passed, 0 failed\n")
    SCHEMA.validate(project / "r.xml")
    root = ET.parse(project / "r.xml").getroot()
    assert (root.get("tests"), root.get("failures")) == ("2", "0")


def test_junit_xml_that_cannot_be_written_is_a_usage_error(project: Path) -> None:
    result = check("circuits", "--golden-dir", "golden", "--junit-xml", "no/such/r.xml")
    assert result.exit_code == 2
    assert result.stderr.startswith("circuitrun check: error: cannot write 'no/such/r.xml': ")
    assert not (project / "no").exists()


# ---- --format json --------------------------------------------------------------------


def test_json_is_the_whole_report(project: Path) -> None:
    write(project, "circuits/broken.yaml", BROKEN)
    result = check("circuits", "--golden-dir", "golden", "--format", "json")
    assert result.exit_code == 2
    assert result.stderr == ""  # the problems are in the document
    doc = json.loads(result.stdout)
    assert (doc["passed"], doc["failed"], doc["skipped"], doc["exit_code"]) == (1, 2, 0, 2)
    specs = {s["path"]: s for s in doc["specs"]}
    assert [specs[p]["status"] for p in sorted(specs)] == ["failed", "passed", "failed"]
    [problem] = specs["circuits/broken.yaml"]["problems"]
    assert (problem["line"], problem["column"], problem["code"]) == (3, 22, "yaml-syntax")
    moved = specs["circuits/sum.yaml"]
    assert moved["summary"] == TEN.splitlines()[0]
    assert len(moved["mismatches"]) == 13  # all of them, worst first
    assert moved["mismatches"][0] == {
        "path": "golden/sum.json", "line": 17, "column": 5, "entry": "value(a12)",
        "expected": 12.0, "actual": 13.44, "abs_diff": 13.44 - 12.0,
        "rel_error": (13.44 - 12.0) / 12.0, "tolerance": 1e-12 + 1e-9 * 12.0,
        "message": "expected 12.0, got 13.44 (|diff| 1.4e+00, tol 1.2e-08)"}
    assert doc["update_command"] == "circuitrun check circuits --golden-dir golden --update"
    assert doc["stale"] == []


def test_json_writes_a_relative_error_of_inf_as_a_word(project: Path) -> None:
    # m = max(a, b) at a = b = 2 gives dm/da = 1, dm/db = 0; ties: split gives 0.5 each:
    # grad(b) moves from 0 by 0.5, a relative error of inf.
    spec = "inputs: {a: 2, b: 2}\ngates:\n  m: {op: max, in: [a, b]%s}\n"
    write(project, "circuits/max.yaml", spec % "")
    assert check("circuits/max.yaml", "--golden-dir", "golden", "--update").exit_code == 0
    write(project, "circuits/max.yaml", spec % ", ties: split")
    doc = json.loads(check("circuits/max.yaml", "--golden-dir", "golden", "-f", "json").stdout)
    first = doc["specs"][0]["mismatches"][0]
    assert (first["entry"], first["rel_error"], first["expected"]) == ("grad(b)", "inf", 0.0)
