"""The command line (SPEC sections 4, 6 and 7), through Typer's test runner.

typer's ``CliRunner`` keeps stdout and stderr apart (``result.stdout``,
``result.stderr``), so each test says which stream gets what: data on stdout,
every message on stderr, one line each, never a traceback.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import circuitrun
from circuitrun.spec.schema import json_schema

from support.cli import invoke, write

runner = CliRunner()

# f = x*y at x = 4, y = -3: f = -12; df/dx = y = -3, df/dy = x = 4, df/df = 1.
MUL = """\
    inputs:
      x: 4
      y: -3
    gates:
      f: {op: mul, in: [x, y]}
    """

MUL_JSON = """\
{
  "circuit": "mul",
  "output": "f",
  "value": -12.0,
  "nodes": [
    {"name": "x", "op": "input", "in": [], "value": 4.0, "grad": -3.0},
    {"name": "y", "op": "input", "in": [], "value": -3.0, "grad": 4.0},
    {"name": "f", "op": "mul", "in": ["x", "y"], "value": -12.0, "grad": 1.0}
  ]
}
"""

MUL_CSV = """\
name,op,in,value,grad
x,input,,4.0,-3.0
y,input,,-3.0,4.0
f,mul,x y,-12.0,1.0
"""

# q = a/b at a = 1, b = 0: q = inf; dq/da = 1/b = inf, dq/db = -a/b^2 = -inf.
DIV = """\
    inputs:
      a: 1
      b: 0
    gates:
      q: {op: div, in: [a, b]}
    """


def one_error_line(result: Result, code: int = 2) -> str:
    """The single stderr line of a failed command (and nothing on stdout)."""
    assert result.exit_code == code, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert result.stderr.endswith("\n")
    return lines[0]


@pytest.fixture
def mul(tmp_path: Path) -> Path:
    return write(tmp_path, "mul.yaml", MUL)


# ---- run: formats --------------------------------------------------------------------


def test_run_json_exactly(mul: Path) -> None:
    result = invoke("run", mul, "--format", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == MUL_JSON
    assert result.stderr == ""


def test_run_default_is_json_when_not_a_terminal(mul: Path) -> None:
    result = invoke("run", mul)
    assert result.exit_code == 0
    assert result.stdout == MUL_JSON


def test_run_csv_exactly(mul: Path) -> None:
    result = invoke("run", mul, "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == MUL_CSV


def test_run_csv_constant_has_empty_grad(tmp_path: Path) -> None:
    # f = x*2 at x = 4: f = 8, df/dx = 2; the literal is the const node f.1 (grad null).
    path = write(tmp_path, "c.yaml", "inputs: {x: 4}\ngates:\n  f: {op: mul, in: [x, 2]}\n")
    result = invoke("run", path, "--format", "csv")
    assert result.stdout == (
        "name,op,in,value,grad\n"
        "x,input,,4.0,2.0\n"
        "f.1,const,,2.0,\n"
        "f,mul,x f.1,8.0,1.0\n"
    )
    nodes = json.loads(invoke("run", path, "--format", "json").stdout)["nodes"]
    assert nodes[1] == {"name": "f.1", "op": "const", "in": [], "value": 2.0, "grad": None}


def test_run_json_matches_the_api(mul: Path) -> None:
    assert invoke("run", mul, "-f", "json").stdout == circuitrun.load(mul).run().to_json()


# ---- run: --set, --output --------------------------------------------------------------


def test_set_overrides_a_value(mul: Path) -> None:
    # x = 2: f = 2*-3 = -6; df/dx = y = -3, df/dy = x = 2.
    result = invoke("run", mul, "--set", "x=2", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "name,op,in,value,grad\n"
        "x,input,,2.0,-3.0\n"
        "y,input,,-3.0,2.0\n"
        "f,mul,x y,-6.0,1.0\n"
    )


def test_set_takes_yaml_12_numbers_and_repeats(mul: Path) -> None:
    # x = 1e-3, y = -2.5E+4: f = -25.0; df/dx = y, df/dy = x.
    result = invoke("run", mul, "--set", "x=1e-3", "--set", "y=-2.5E+4")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["value"] == 0.001 * -25000.0
    assert [n["grad"] for n in out["nodes"]] == [-25000.0, 0.001, 1.0]


def test_set_supplies_a_value_the_spec_leaves_out(tmp_path: Path) -> None:
    path = write(tmp_path, "open.yaml", """\
        inputs:
          x: 4
          y:
        gates:
          f: {op: mul, in: [x, y]}
        """)
    missing = one_error_line(invoke("run", path))
    assert missing == (f"{path}:3:3: error: input 'y' has no value: give one with"
                       " --set y=VALUE [missing-value]")
    result = invoke("run", path, "--set", "y=-3", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == MUL_CSV


def test_validate_accepts_an_input_without_value(tmp_path: Path) -> None:
    path = write(tmp_path, "open.yaml", "inputs: {x: null}\ngates:\n  f: {op: neg, in: x}\n")
    result = invoke("validate", path)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""


def test_set_unknown_input_is_a_usage_error(mul: Path) -> None:
    line = one_error_line(invoke("run", mul, "--set", "z=1"))
    assert "'z'" in line


@pytest.mark.parametrize("pair", ["x=abc", "x", "x=", "=3", "x=inf", "x=nan", "x=.inf",
                                  "x=1e309", "x=yes", "x=true", 'x="2"'])
def test_bad_set_value_is_a_usage_error(mul: Path, pair: str) -> None:
    line = one_error_line(invoke("run", mul, "--set", pair))
    assert "--set" in line


def test_output_option_differentiates_another_node(mul: Path) -> None:
    # Output x: dx/dx = 1, and x depends on nothing else: grad(y) = grad(f) = 0.
    result = invoke("run", mul, "--output", "x", "-f", "json")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert (out["output"], out["value"]) == ("x", 4.0)
    assert [(n["name"], n["value"], n["grad"]) for n in out["nodes"]] == [
        ("x", 4.0, 1.0), ("y", -3.0, 0.0), ("f", -12.0, 0.0)]


def test_output_option_unknown_node(mul: Path) -> None:
    assert "'nope'" in one_error_line(invoke("run", mul, "--output", "nope"))


# ---- run: non-finite -------------------------------------------------------------------


def test_nonfinite_fails_with_exit_3(tmp_path: Path) -> None:
    path = write(tmp_path, "div.yaml", DIV)
    line = one_error_line(invoke("run", path), code=3)
    assert line == f"{path}: error: gate 'q' (div) gave inf from inputs a=1.0, b=0.0 [non-finite]"


def test_nonfinite_gradient_fails_with_exit_3(tmp_path: Path) -> None:
    # r = sqrt(a) at a = 0: r = 0, dr/da = 1/(2*sqrt(0)) = inf.
    path = write(tmp_path, "sqrt.yaml", "inputs: {a: 0}\ngates:\n  r: {op: sqrt, in: a}\n")
    line = one_error_line(invoke("run", path), code=3)
    assert line.endswith("[non-finite]")
    assert "'a'" in line


def test_allow_nonfinite_json(tmp_path: Path) -> None:
    path = write(tmp_path, "div.yaml", DIV)
    result = invoke("run", path, "--allow-nonfinite", "-f", "json")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == """\
{
  "circuit": "div",
  "output": "q",
  "value": "inf",
  "nodes": [
    {"name": "a", "op": "input", "in": [], "value": 1.0, "grad": "inf"},
    {"name": "b", "op": "input", "in": [], "value": 0.0, "grad": "-inf"},
    {"name": "q", "op": "div", "in": ["a", "b"], "value": "inf", "grad": 1.0}
  ]
}
"""


def test_allow_nonfinite_csv_nan(tmp_path: Path) -> None:
    # a = 0: q = 0/0 = nan; dq/da = 1/b = 1/0 = inf; dq/db = -a/b^2 = -0/0 = nan.
    path = write(tmp_path, "div.yaml", DIV)
    result = invoke("run", path, "--allow-nonfinite", "--set", "a=0", "-f", "csv")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == (
        "name,op,in,value,grad\n"
        "a,input,,0.0,inf\n"
        "b,input,,0.0,nan\n"
        "q,div,a b,nan,1.0\n"
    )


# ---- run: -o FILE ----------------------------------------------------------------------


def test_out_file_json(mul: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = invoke("run", mul, "-o", out)
    assert result.exit_code == 0, result.stderr
    assert (result.stdout, result.stderr) == ("", "")
    assert out.read_text(encoding="utf-8") == MUL_JSON


def test_out_file_format_from_csv_suffix(mul: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.csv"
    result = invoke("run", mul, "--out", out)
    assert result.exit_code == 0, result.stderr
    assert out.read_text(encoding="utf-8") == MUL_CSV


def test_out_file_explicit_format_wins(mul: Path, tmp_path: Path) -> None:
    out = tmp_path / "result.csv"
    assert invoke("run", mul, "-o", out, "-f", "json").exit_code == 0
    assert out.read_text(encoding="utf-8") == MUL_JSON


@pytest.mark.parametrize("command", [["run"], ["run", "-f", "csv"], ["graph"], ["schema"],
                                     ["ops"]], ids=" ".join)
def test_out_dash_is_stdout(command: list[str], mul: Path, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # a file named '-' would be made here
    args = [*command[:1], *([mul] if command[0] in ("run", "graph") else []), *command[1:]]
    plain = invoke(*args)
    dashed = invoke(*args, "-o", "-")
    assert (dashed.exit_code, dashed.stdout, dashed.stderr) == (0, plain.stdout, "")
    assert plain.stdout and not (tmp_path / "-").exists()


def test_out_into_a_missing_directory(mul: Path, tmp_path: Path) -> None:
    out = tmp_path / "no" / "such" / "dir" / "result.json"
    line = one_error_line(invoke("run", mul, "-o", out))
    assert str(out) in line
    assert not (tmp_path / "no").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mul.yaml"]


@pytest.mark.parametrize(("spec", "code"), [(DIV, 3), ("inputs: {x: \"1\"}\n", 2)])
def test_failed_run_leaves_the_previous_file_intact(tmp_path: Path, spec: str,
                                                    code: int) -> None:
    path = write(tmp_path, "spec.yaml", spec)
    out = write(tmp_path, "result.json", "previous\n")
    result = invoke("run", path, "-o", out)
    assert result.exit_code == code
    assert result.stdout == ""
    assert out.read_text(encoding="utf-8") == "previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json", "spec.yaml"]


def test_out_overwrites_the_previous_file(mul: Path, tmp_path: Path) -> None:
    out = write(tmp_path, "result.json", "previous\n")
    assert invoke("run", mul, "-o", out).exit_code == 0
    assert out.read_text(encoding="utf-8") == MUL_JSON


# ---- run: usage errors -----------------------------------------------------------------


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    line = one_error_line(invoke("run", path))
    assert line.startswith(f"{path}: error: ")


def test_directory_instead_of_a_file(tmp_path: Path) -> None:
    line = one_error_line(invoke("run", tmp_path))
    assert line.startswith(f"{tmp_path}: error: ")


def test_bad_format(mul: Path) -> None:
    line = one_error_line(invoke("run", mul, "--format", "xml"))
    assert "xml" in line


def test_missing_argument() -> None:
    line = one_error_line(invoke("run"))
    assert "spec" in line.lower()


def test_invalid_spec_on_run(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", "inputs: {x: 1}\ngates:\n  f: {op: sigmiod, in: x}\n")
    line = one_error_line(invoke("run", path))
    assert line == (f"{path}:3:11: error: unknown op 'sigmiod' (did you mean 'sigmoid'?)"
                    " [unknown-op]")


# ---- validate --------------------------------------------------------------------------

BAD = """\
    inputs:
      x: 1
      y: "2"
    gates:
      f: {op: sigmiod, in: [x, y]}
    """


def test_validate_text(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", BAD)
    result = invoke("validate", path)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{path}:3:6: error: expected a number, got the string '2' [bad-type]",
        f"{path}:5:11: error: unknown op 'sigmiod' (did you mean 'sigmoid'?) [unknown-op]",
    ]


def test_validate_valid(mul: Path) -> None:
    result = invoke("validate", mul)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr


def test_validate_json(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.yaml", BAD)
    result = invoke("validate", path, "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout) == [
        {"path": str(path), "line": 3, "column": 6, "code": "bad-type",
         "message": "expected a number, got the string '2'"},
        {"path": str(path), "line": 5, "column": 11, "code": "unknown-op",
         "message": "unknown op 'sigmiod' (did you mean 'sigmoid'?)"},
    ]


def test_validate_json_valid_is_an_empty_list(mul: Path) -> None:
    result = invoke("validate", mul, "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == []


def test_validate_json_unreadable_has_null_position(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    result = invoke("validate", path, "--format", "json")
    assert result.exit_code == 2
    [problem] = json.loads(result.stdout)
    assert (problem["path"], problem["line"], problem["column"]) == (str(path), None, None)


def test_validate_a_folder(tmp_path: Path) -> None:
    write(tmp_path, "good.yaml", MUL)
    bad = write(tmp_path, "bad.yaml", BAD)
    nested = write(tmp_path, "sub/deeper/bad.json", """\
        {
          "inputs": {"x": 1},
          "gates": {"f": {"op": "add", "in": ["x", "y"]}}
        }
        """)
    write(tmp_path, "notes.txt", "not a spec: { ] @\n")
    result = invoke("validate", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{bad}:3:6: error: expected a number, got the string '2' [bad-type]",
        f"{bad}:5:11: error: unknown op 'sigmiod' (did you mean 'sigmoid'?) [unknown-op]",
        f"{nested}:3:44: error: unknown reference 'y' [undefined-ref]",
    ]


def test_validate_a_folder_of_valid_specs(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", MUL)
    write(tmp_path, "b/c.yml", MUL)
    write(tmp_path, "d.json", '{"inputs": {"x": 1}, "gates": {"f": {"op": "neg", "in": "x"}}}')
    write(tmp_path, "README.md", "# not a spec\n")
    result = invoke("validate", tmp_path, "--format", "json")
    assert result.exit_code == 0, result.stdout
    assert json.loads(result.stdout) == []


def test_validate_several_files_all_problems(tmp_path: Path) -> None:
    one = write(tmp_path, "one.yaml", "inputs: {x: 1}\ngates:\n  f: {op: add, in: [x, z]}\n")
    two = write(tmp_path, "two.yaml", "inputs: {x: 1}\n")
    result = invoke("validate", one, two)
    assert result.exit_code == 2
    assert [line.split(" error: ")[0] for line in result.stderr.splitlines()] == [
        f"{one}:3:24:", f"{two}:1:1:"]


@pytest.mark.parametrize(("name", "text", "where"), [
    ("empty.yaml", "", "1:1"),
    ("comment.yaml", "# nothing\n", "1:1"),
    ("two.yaml", "inputs: {x: 1}\ngates:\n  f: {op: neg, in: x}\n---\ninputs: {}\n", "4:1"),
    ("comma.json", '{\n  "inputs": {"x": 1,},\n  "gates": {"f": {"op": "neg", "in": "x"}}\n}\n',
     "2:21"),
], ids=["empty", "comment-only", "two-documents", "json-trailing-comma"])
def test_validate_never_calls_a_broken_file_valid(tmp_path: Path, name: str, text: str,
                                                  where: str) -> None:
    path = write(tmp_path, name, text)
    result = invoke("validate", path)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith(f"{path}:{where}: error: ")


# ---- schema, --version -----------------------------------------------------------------


def test_schema_prints_the_json_schema() -> None:
    result = invoke("schema")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == json_schema()
    assert result.stdout.endswith("}\n")


def test_schema_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "circuit.schema.json"
    result = invoke("schema", "-o", out)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8")) == json_schema()


def test_version() -> None:
    result = invoke("--version")
    assert result.exit_code == 0
    assert result.stdout == f"circuitrun {circuitrun.__version__}\n"


def test_python_m_circuitrun_version() -> None:
    proc = subprocess.run([sys.executable, "-m", "circuitrun", "--version"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == f"circuitrun {circuitrun.__version__}\n"


def test_python_m_circuitrun_separates_streams(tmp_path: Path) -> None:
    path = write(tmp_path, "div.yaml", DIV)
    proc = subprocess.run([sys.executable, "-m", "circuitrun", "run", str(path)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 3
    assert proc.stdout == ""
    assert proc.stderr == (f"{path}: error: gate 'q' (div) gave inf from inputs"
                           " a=1.0, b=0.0 [non-finite]\n")
