"""``circuitrun ops``: the op table made from the op records, in each format, and the
README's table is exactly its Markdown."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from circuitrun.cli import app
from circuitrun.ops import OPS
from circuitrun.spec.expr import compile_expression

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def ops(*args: str) -> str:
    result = runner.invoke(app, ["ops", *args])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def test_the_readme_table_is_the_markdown_of_ops() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = re.search(r"<!-- ops:begin[^\n]*-->\n(.*?)<!-- ops:end -->", readme, re.DOTALL)
    assert table is not None, "README.md has no <!-- ops:begin --> ... <!-- ops:end --> table"
    assert ops("--format", "markdown") == table.group(1)


def test_markdown_rows_exactly() -> None:
    # Hand-checked against the records: sub's value a − b, local gradients 1 and −1 (its
    # templates); pow's by the power rule and d(a^b)/db = a^b ln a.
    lines = ops("-f", "markdown").splitlines()
    assert lines[:2] == ["| op | inputs | value | local gradient | expression |",
                         "|---|---|---|---|---|"]
    rows = {line.split(" | ")[0][3:-1]: line for line in lines[2:]}
    assert list(rows) == list(OPS)  # every op, in the table's order
    assert rows["sub"] == "| `sub` | 2 | a − b | a: 1; b: −1 | `a - b`, `sub(a, b)` |"
    assert rows["pow"] == ("| `pow` | 2 | a^b | a: b·a^(b−1); b: a^b·ln(a) | `a ** b`,"
                           " `pow(a, b)` |")
    assert rows["add"] == ("| `add` | 1 or more | a + b + … | each input a: 1 | `a + b`,"
                           " `add(a, b, …)`, `sum(v)` |")
    assert rows["abs"] == "| `abs` | 1 | \\|a\\| | sign(a) | `abs(a)` |"
    assert rows["const"] == "| `const` | none | the attribute value | — | `2` |"


def test_json_is_the_default_when_piped() -> None:
    rows = json.loads(ops())
    assert ops() == ops("--format", "json")
    assert [r["op"] for r in rows] == list(OPS)
    assert rows[-1] == {"op": "const", "inputs": "none",
                                       "value": "the attribute value",
                                       "local_gradient": "—", "expression": ["2"]}
    div = next(r for r in rows if r["op"] == "div")
    assert div == {"op": "div", "inputs": "2", "value": "a / b",
                   "local_gradient": "a: 1/b; b: −a/b²", "expression": ["a / b", "div(a, b)"]}


def test_csv() -> None:
    text = ops("-f", "csv")
    assert text.splitlines()[:3] == [
        "op,inputs,value,local gradient,expression",
        'add,1 or more,a + b + …,each input a: 1,"a + b  add(a, b, …)  sum(v)"',
        "mul,1 or more,a · b · …,each input a: b · …,\"a * b  mul(a, b, …)\"",
    ]
    assert len(list(csv.reader(io.StringIO(text)))) == len(OPS) + 1


def test_a_file_takes_its_format_from_its_suffix(tmp_path: Path) -> None:
    out = tmp_path / "ops.md"
    assert ops("-o", str(out)) == ""
    assert out.read_text(encoding="utf-8") == ops("-f", "markdown")


def test_the_table_for_people(tmp_path: Path) -> None:
    out = tmp_path / "ops.txt"
    ops("-f", "table", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert text.splitlines()[0].rstrip() == "ops"
    # cells padded to their column's width, whatever ops the table has
    assert re.search(r"│ sigmoid +│ 1 +│ σ\(a\) +│ σ\(1−σ\) +│", text), text
    assert re.search(r"│ sub +│ 2 +│ a − b +│", text), text


def test_an_unknown_format_is_a_usage_error() -> None:
    result = runner.invoke(app, ["ops", "-f", "yaml"])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "circuitrun ops: error: Invalid value for '--format' / '-f': Value error, 'yaml' is not"
        " one of 'table', 'json', 'csv', 'markdown'. [usage]\n")


@pytest.mark.parametrize("op", list(OPS), ids=str)
def test_every_spelling_makes_its_op(op: str) -> None:
    # The expression column is what the compiler accepts: each spelling, with its
    # placeholders as inputs (v a vector of 2), compiles to a root of this op.
    rows = {r["op"]: r for r in json.loads(ops())}
    spellings = rows[op]["expression"]
    assert spellings
    names = {"a": (), "b": (), "v": (2,)}
    for text in spellings:
        compiled = compile_expression("g", text.replace(", …", ""), names)
        assert compiled.problems == [], text
        assert compiled.nodes[-1].op == op, text
