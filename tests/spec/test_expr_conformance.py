"""The section 9 conformance cases, checked at the level of the section 9 modules.

Until the loader calls them, the cases are read here with PyYAML's composer (its nodes
carry each scalar's marks and style); each piece of a case goes to the function the
loader will call for it: an input's value to ``input_elements``, a gate's string to
``compile_expression``, a reference in ``in``, ``output`` or ``expect`` to ``resolve``,
and every problem's offset to ``ScalarText``.  Valid cases: the nodes made equal the
expected output's nodes (names, ops, inputs; the post-order of each gate's nodes).
Invalid cases: the problems' ``LINE:COL CODE`` equal the expected lines, but for the
few rules that belong to the graph builder (listed in ``BUILDER_RULES``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from circuitrun.read import parse_number
from circuitrun.spec.expr import ExprNode, compile_expression
from circuitrun.spec.refs import Issue, Shape, resolve
from circuitrun.spec.scalarpos import ScalarText
from circuitrun.spec.shapes import Elements, assign, input_elements, parse_value

from support.paths import ROOT

CASES = ROOT.parent / "shared" / "conformance" / "section9"
VALID = sorted((CASES / "valid").glob("*.yaml"))
INVALID = sorted((CASES / "invalid").glob("*.yaml"))
# Expected problems of rules outside these modules: the graph builder's (a wire into an
# expression gate is `mixed-inputs`, SPEC section 9.3).
BUILDER_RULES = {"expr_wire_mixed": ["10:5 mixed-inputs"]}


def test_the_cases_are_there() -> None:
    # Without the shared folder the parametrized tests below would silently be none.
    assert len(VALID) >= 8 and len(INVALID) >= 11


def _pos(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _plain(node: yaml.Node) -> Any:
    """A composed node → plain data as circuitrun reads it (numbers by YAML 1.2)."""
    if isinstance(node, yaml.SequenceNode):
        return [_plain(n) for n in node.value]
    if isinstance(node, yaml.MappingNode):
        return {k.value: _plain(v) for k, v in node.value}
    if isinstance(node, yaml.ScalarNode) and node.style:
        return node.value
    if node.value in ("", "~", "null", "Null", "NULL"):
        return None
    n = parse_number(node.value)
    return node.value if n is None else n


class Case:
    """One case file, composed, with everything the section 9 modules say about it."""

    def __init__(self, path: Path) -> None:
        self.text = path.read_text()
        top = yaml.compose(self.text)
        assert isinstance(top, yaml.MappingNode)
        self.top = {k.value: (k, v) for k, v in top.value}
        self.problems: list[tuple[int, int, str]] = []
        self.inputs: dict[str, Elements] = {}
        self.shapes: dict[str, Shape] = {}
        for key, value in self.top["inputs"][1].value:
            got = input_elements(key.value, _plain(value))
            if isinstance(got, Elements):
                self.inputs[key.value] = got
                self.shapes[key.value] = got.shape
            for issue in got if isinstance(got, list) else []:
                at = value
                for i in issue.path:
                    at = at.value[i]
                self.problems.append((*_pos(at), issue.code))
        self.gates = self.top["gates"][1].value
        self.names = {**self.shapes, **{k.value: () for k, _ in self.gates}}
        self.made: dict[str, list[ExprNode]] = {}
        self.generated: set[str] = set()
        for key, value in self.gates:
            if isinstance(value, yaml.ScalarNode):
                self._expression(key.value, value)
            else:
                self._mapping_gate(value)
        if "output" in self.top:
            self._ref(self.top["output"][1], self.top["output"][1].value)
        for _, table in self.top.get("expect", (None, yaml.MappingNode("", [])))[1].value:
            if isinstance(table, yaml.MappingNode):
                for key, _ in table.value:
                    self._ref(key, key.value)

    def _expression(self, gate: str, node: yaml.ScalarNode) -> None:
        compiled = compile_expression(gate, node.value, self.names)
        where = ScalarText(self.text[node.start_mark.index:node.end_mark.index],
                           *_pos(node), node.style, node.value)
        for issue in compiled.problems:
            self.problems.append((*where.position(issue.offset), issue.code))
        self.made[gate] = compiled.nodes
        self.generated.update(n.name for n in compiled.nodes)

    def _mapping_gate(self, node: yaml.MappingNode) -> None:
        for key, value in node.value:
            if key.value == "in":
                items = value.value if isinstance(value, yaml.SequenceNode) else [value]
                for item in items:
                    if item.style or parse_number(item.value) is None:
                        self._ref(item, item.value)

    def _ref(self, node: yaml.Node, text: str) -> str | None:
        got = resolve(text, self.names, extra=self.generated)
        if isinstance(got, Issue):
            self.problems.append((*_pos(node), got.code))
            return None
        return got


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_case_nodes(path: Path) -> None:
    case = Case(path)
    assert case.problems == []
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text())
    by_name = {n["name"]: n for n in expected["nodes"]}
    order = [n["name"] for n in expected["nodes"]]
    made = {n.name for nodes in case.made.values() for n in nodes}
    for gate, nodes in case.made.items():
        assert nodes[-1].name == gate  # the root is the gate
        for node in nodes:
            want = by_name[node.name]
            assert (node.op, list(node.inputs)) == (want["op"], want["in"]), node.name
            if node.op == "const":
                assert node.value == want["value"]
        # a gate's own nodes appear in the output in their post-order
        names = [n.name for n in nodes]
        assert sorted(names, key=order.index) == names
    elements = {name for e in case.inputs.values() for name, _ in e.nodes}
    for name in elements:
        assert by_name[name]["op"] == "input"
    mapping_gates = {k.value for k, v in case.gates if isinstance(v, yaml.MappingNode)}
    # what is left are the mapping gates and their inline constants (GATE.K)
    rest = set(by_name) - made - elements
    assert {n.partition(".")[0] for n in rest} <= mapping_gates
    assert mapping_gates <= rest


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_case_input_values(path: Path) -> None:
    case = Case(path)
    expected = {n["name"]: n["value"] for n in json.loads(
        path.with_name(path.stem + ".expected.json").read_text())["nodes"]}
    args = path.with_suffix(".args")
    given: dict[str, float] = {}
    if args.exists():
        lines = args.read_text().splitlines()
        for flag, pair in zip(lines[::2], lines[1::2], strict=True):
            assert flag == "--set"
            target, _, text = pair.partition("=")
            given.update(assign(target, parse_value(text), case.shapes))
    for e in case.inputs.values():
        for name, value in e.nodes:
            assert given.get(name, value) == expected[name]


def _expected_lines(path: Path) -> list[str]:
    lines = path.with_name(path.stem + ".expected.txt").read_text().splitlines()
    return [line for line in lines if line.strip()]


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_case_problems(path: Path) -> None:
    case = Case(path)
    expected = [line for line in _expected_lines(path)
                if line not in BUILDER_RULES.get(path.stem, [])]
    got = sorted(case.problems)
    assert len(got) == len(expected), (got, expected)
    for (line, col, code), want in zip(got, expected, strict=True):
        where, codes = want.split()
        assert f"{line}:{col}" == where and code in codes.split("|"), (got, expected)
