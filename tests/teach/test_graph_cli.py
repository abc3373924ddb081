"""`circuitrun graph`: formats, the -o suffix rule, --no-values, exit codes, and the
committed picture docs/sigmoid.svg."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from test_diagram import DOT, MERMAID  # the exact texts, asserted there on a hand-built result
from typer.testing import CliRunner

import circuitrun
from circuitrun.diagram.draw import render, to_dot, to_mermaid, to_svg

from support.cli import invoke, write
from support.paths import ROOT

SIGMOID = ROOT / "circuits" / "sigmoid.yaml"
PICTURE = ROOT / "docs" / "sigmoid.svg"
REGENERATE = "circuitrun graph circuits/sigmoid.yaml -o docs/sigmoid.svg"
runner = CliRunner()


def test_default_is_mermaid_on_stdout() -> None:
    out = invoke("graph", SIGMOID)
    assert out.exit_code == 0, out.stderr
    assert out.stdout == MERMAID
    assert out.stderr == ""


def test_dot_exactly() -> None:
    out = invoke("graph", SIGMOID, "--format", "dot")
    assert out.exit_code == 0, out.stderr
    assert out.stdout == DOT


def test_svg_on_stdout_is_the_library_svg() -> None:
    out = invoke("graph", SIGMOID, "-f", "svg")
    assert out.exit_code == 0, out.stderr
    assert out.stdout == to_svg(circuitrun.load(SIGMOID).run())
    ET.fromstring(out.stdout)


@pytest.mark.parametrize(("name", "kind"), [
    ("c.svg", "svg"), ("c.SVG", "svg"), ("c.dot", "dot"), ("c.gv", "dot"),
    ("c.mmd", "mermaid"), ("c", "mermaid"), ("c.html", "html"), ("c.htm", "html"),
])
def test_out_format_follows_the_suffix(tmp_path: Path, name: str, kind: str) -> None:
    out = invoke("graph", SIGMOID, "-o", tmp_path / name)
    assert out.exit_code == 0, out.stderr
    assert out.stdout == ""
    result = circuitrun.load(SIGMOID).run()
    expected = {"svg": to_svg, "dot": to_dot, "mermaid": to_mermaid,
                "html": lambda r: render(r, "html")}[kind](result)
    assert (tmp_path / name).read_text(encoding="utf-8") == expected


@pytest.mark.parametrize("name", ["x.png", "x.txt", "x.PDF"])
def test_unknown_suffix_is_a_usage_error_listing_the_formats(tmp_path: Path, name: str) -> None:
    out = invoke("graph", SIGMOID, "-o", tmp_path / name)
    assert out.exit_code == 2
    suffix = Path(name).suffix.lower()
    assert out.stderr == (f"circuitrun graph: error: no diagram format writes '{suffix}' files;"
                          " the formats are mermaid (.mmd, .md), dot (.dot, .gv), svg (.svg),"
                          " html (.html, .htm) [usage]\n")
    assert list(tmp_path.iterdir()) == []  # nothing written
    assert invoke("graph", SIGMOID, "-f", "svg", "-o", tmp_path / name).exit_code == 0


def test_digits(tmp_path: Path) -> None:
    # dot = 1 and f = σ(1) = 0.7310585786300049: 4 decimals
    out = invoke("graph", SIGMOID, "--digits", "4")
    assert out.exit_code == 0, out.stderr
    assert '|"0.7311"|' in out.stdout and '-.-|"0.1966"|' in out.stdout
    out = invoke("graph", SIGMOID, "--digits", "16")
    assert out.exit_code == 2
    assert out.stderr == ("circuitrun graph: error: Invalid value for '--digits': Input should"
                          " be less than or equal to 15 [usage]\n")


def test_a_tiny_gradient_is_not_drawn_as_zero(tmp_path: Path) -> None:
    # f = sigmoid(x) at x = 12: df/dx = σ(12)(1 − σ(12)) = 6.1e-06, which 2 decimals lose
    path = write(tmp_path, "s.yaml", "inputs: {x: 12}\ngates:\n  f: {op: sigmoid, in: x}\n")
    out = invoke("graph", path)
    assert out.exit_code == 0, out.stderr
    assert '  n0 -.-|"6.1e-06"| n1\n' in out.stdout


def test_markdown_gets_a_fenced_mermaid_block(tmp_path: Path) -> None:
    assert invoke("graph", SIGMOID, "-o", tmp_path / "c.md").exit_code == 0
    assert (tmp_path / "c.md").read_text(encoding="utf-8") == f"```mermaid\n{MERMAID}```\n"


def test_explicit_format_wins_over_the_suffix(tmp_path: Path) -> None:
    assert invoke("graph", SIGMOID, "-f", "dot", "-o", tmp_path / "c.svg").exit_code == 0
    assert (tmp_path / "c.svg").read_text(encoding="utf-8") == DOT


def test_render_api() -> None:
    result = circuitrun.load(SIGMOID).run()
    assert render(result) == MERMAID
    assert render(result, path="x.gv") == DOT
    assert render(result, "svg", path="x.md") == to_svg(result)
    with pytest.raises(ValueError, match="no diagram format 'png'"):
        render(result, "png")
    with pytest.raises(circuitrun.UsageError, match=r"no diagram format writes '\.png' files"):
        render(result, path="x.png")
    assert render(result, path="x") == MERMAID


def test_set_changes_the_labels() -> None:
    # x0 = 1: wx0 = 2, dot = 2 + 6 - 3 = 5, f = sigmoid(5) = 0.9933
    out = invoke("graph", SIGMOID, "--set", "x0=1")
    assert out.exit_code == 0, out.stderr
    # df/ddot = σ(5)(1 − σ(5)) = 0.0066
    assert ' -->|"5.00"| ' in out.stdout and ' -.-|"0.01"| ' in out.stdout
    assert ' -->|"0.99"| out' in out.stdout


NULL_INPUT = "inputs: {x: , y: 2}\ngates:\n  f: {op: log, in: [x]}\n  g: {op: mul, in: [f, y]}\n"


def test_no_values_draws_the_structure_without_input_values(tmp_path: Path) -> None:
    # x has no value (and log(0) would be -inf): neither matters for a picture of the wiring
    path = write(tmp_path, "n.yaml", NULL_INPUT)
    out = invoke("graph", path, "--no-values", "-f", "svg")
    assert out.exit_code == 0, out.stderr
    texts = [t.text for t in ET.fromstring(out.stdout).iter("{http://www.w3.org/2000/svg}text")]
    assert {"x", "y", "log", "*", "f", "g"} <= set(texts)
    assert not [t for t in texts if re.fullmatch(r"-?[\d.]+|-?inf|nan", t or "")]
    assert "|" not in invoke("graph", path, "--no-values").stdout


def test_missing_value_exits_2(tmp_path: Path) -> None:
    path = write(tmp_path, "n.yaml", NULL_INPUT)
    out = invoke("graph", path)
    assert out.exit_code == 2
    assert out.stderr == (f"{path}:1:10: error: input 'x' has no value: give one with"
                          " --set x=VALUE [missing-value]\n")


def test_nonfinite_exits_3_unless_allowed(tmp_path: Path) -> None:
    path = write(tmp_path, "n.yaml", NULL_INPUT)
    out = invoke("graph", path, "--set", "x=0")
    assert out.exit_code == 3
    assert "gate 'f' (log) gave -inf from inputs x=0.0 [non-finite]" in out.stderr
    out = invoke("graph", path, "--set", "x=0", "--allow-nonfinite")
    assert out.exit_code == 0, out.stderr
    assert '  n2 -->|"-inf"| n3\n  n2 -.-|"2.00"| n3\n' in out.stdout


def test_invalid_spec_and_usage_errors_exit_2(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.yaml", "inputs: {x: 1}\ngates:\n  f: {op: sigmiod, in: x}\n")
    out = invoke("graph", bad)
    assert out.exit_code == 2 and "[unknown-op]" in out.stderr and out.stdout == ""
    out = invoke("graph", SIGMOID, "--set", "q=1")
    assert out.exit_code == 2
    assert out.stderr == "circuitrun graph: error: 'q' is not an input of the circuit [usage]\n"
    out = invoke("graph", SIGMOID, "-o", tmp_path / "no" / "such" / "dir.svg")
    assert out.exit_code == 2
    assert out.stderr.startswith("circuitrun graph: error: cannot write")
    assert invoke("graph", SIGMOID, "-f", "png").exit_code == 2


def test_out_replaces_a_file_whole(tmp_path: Path) -> None:
    target = write(tmp_path, "c.svg", "old")
    assert invoke("graph", SIGMOID, "-o", target).exit_code == 0
    assert target.read_text(encoding="utf-8").startswith("<?xml")
    assert [p.name for p in tmp_path.iterdir()] == ["c.svg"]  # no temporary file left


# ---- the committed picture -------------------------------------------------------------


def test_committed_picture_is_current(tmp_path: Path) -> None:
    fresh = tmp_path / "sigmoid.svg"
    assert invoke("graph", SIGMOID, "-o", fresh).exit_code == 0
    assert PICTURE.read_text(encoding="utf-8") == fresh.read_text(encoding="utf-8"), (
        f"docs/sigmoid.svg is stale: run `{REGENERATE}`")


def test_readme_embeds_the_picture() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "](docs/sigmoid.svg)" in readme
    assert REGENERATE in readme


def _readme_blocks(fence: str) -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.findall(rf"^```{fence}\n(.*?)^```$", readme, flags=re.M | re.S)


def test_readme_mermaid_example_is_current() -> None:
    (block,) = _readme_blocks("mermaid")
    assert block == invoke("graph", ROOT / "circuits" / "add_mul.yaml").stdout
