"""`circuitrun explain`: text and Markdown (rendered by a Markdown library), options, errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from test_explain import ADD_MUL
from typer.testing import CliRunner

import circuitrun

from support.cli import invoke
from support.paths import ROOT

ADD_MUL_SPEC = ROOT / "circuits" / "add_mul.yaml"
runner = CliRunner()


def test_text_is_the_default() -> None:
    out = invoke("explain", ADD_MUL_SPEC)
    assert out.exit_code == 0, out.stderr
    assert out.stdout == ADD_MUL
    assert out.stderr == ""


def test_set_and_node() -> None:
    # z = 2: f = 3·2 = 6; df/dq = z = 2 and df/dx = 2·1 = 2
    out = invoke("explain", ADD_MUL_SPEC, "--set", "z=2", "--node", "x")
    assert out.exit_code == 0, out.stderr
    assert "f = q · z = 3 · 2 = 6" in out.stdout
    assert out.stdout.endswith("gradients:\n  df/dx = 2\n")
    assert "df/dy" not in out.stdout and "  y = 5" not in out.stdout


def _blocks(tokens: list[Token]) -> list[str]:
    """The block structure: headings with their level, lists, table rows."""
    return [t.type if t.type != "heading_open" else t.tag for t in tokens
            if t.type in {"heading_open", "ordered_list_open", "table_open", "tr_open"}]


def test_markdown_renders_as_headings_lists_and_a_table() -> None:
    out = invoke("explain", ROOT / "circuits" / "sigmoid.yaml", "--format", "markdown")
    assert out.exit_code == 0, out.stderr
    md = MarkdownIt("commonmark").enable("table")  # as GitHub renders it: tables on
    tokens = md.parse(out.stdout)
    # 5 inputs: a table of a header and 5 rows
    assert _blocks(tokens) == ["h2", "h3", "ordered_list_open", "h3", "ordered_list_open",
                               "h3", "table_open"] + ["tr_open"] * 6
    ex = circuitrun.load(ROOT / "circuits" / "sigmoid.yaml").run().explain()
    items = [t.children[0].content for t in tokens if t.type == "inline" and t.children
             and t.children[0].type == "code_inline"]
    # every step is one list item, its text verbatim in a code span
    assert items == [s.text for s in ex.forward + ex.backward] + ["w0", "x0", "w1", "x1", "w2"]
    html = md.render(out.stdout)
    row = '<td><code>x0</code></td>\n<td style="text-align:right">0.3932238664829637</td>'
    assert row in html
    assert html.count("<li>") == len(ex.forward) + len(ex.backward)


def test_unknown_node_is_a_usage_error() -> None:
    out = invoke("explain", ADD_MUL_SPEC, "--node", "qq")
    assert out.exit_code == 2
    assert out.stderr == ("circuitrun explain: error: no node 'qq' in the circuit"
                          " (did you mean 'q'?) [usage]\n")
    assert out.stdout == ""


@pytest.mark.parametrize(("args", "message"), [
    (["--set", "w=1"], "'w' is not an input of the circuit"),
    (["--set", "x"], "--set 'x': write NAME=VALUE"),
])
def test_bad_options_are_usage_errors(args: list[str], message: str) -> None:
    out = invoke("explain", ADD_MUL_SPEC, *args)
    assert out.exit_code == 2
    assert out.stderr == f"circuitrun explain: error: {message} [usage]\n"


def test_bad_format_is_a_usage_error() -> None:
    out = invoke("explain", ADD_MUL_SPEC, "--format", "html")
    assert out.exit_code == 2
    assert out.stderr.startswith("circuitrun explain: error: Invalid value for '--format'")
    assert out.stderr.endswith("[usage]\n")


def test_invalid_spec_and_nonfinite(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("inputs: {x: 1}\ngates:\n  f: {op: sigmiod, in: x}\n", encoding="utf-8")
    out = invoke("explain", bad)
    assert out.exit_code == 2 and out.stdout == ""
    assert out.stderr == (f"{bad}:3:11: error: unknown op 'sigmiod' (did you mean 'sigmoid'?)"
                          " [unknown-op]\n")
    log = tmp_path / "log.yaml"
    log.write_text("inputs: {x: 0}\ngates:\n  f: {op: log, in: x}\n", encoding="utf-8")
    out = invoke("explain", log)
    assert out.exit_code == 3
    assert out.stderr == f"{log}: error: gate 'f' (log) gave -inf from inputs x=0.0 [non-finite]\n"


def test_readme_shows_the_page() -> None:
    # (its console blocks, explain's among them, are run by test_docs.py)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "$ circuitrun explain circuits/add_mul.yaml\n" in readme
    assert "](docs/step-through.png)" in readme
