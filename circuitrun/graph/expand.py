"""The graph builder's part of SPEC section 9: vector and matrix inputs → element nodes,
expression gates → their nodes, and references ``NAME[i]`` checked against shapes.

The rules themselves live in ``circuitrun.spec`` (``shapes``, ``expr``, ``refs``); this
module only applies them while the DAG is built and says where each problem is.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from circuitrun.spec.refs import Issue, Shape, Suggest, resolve
from circuitrun.spec.shapes import input_elements

if TYPE_CHECKING:
    from circuitrun.spec.exprmemo import Expressions
    from circuitrun.spec.exprwalk import ExprNode

Found = Callable[..., None]
"""``found(path, at_key, code, message, offset=None)``: records a finding."""


def _rough_shape(value: list[Any]) -> Shape:
    """The shape a broken list input was meant to have, so that references to it are
    not reported again (its own problem is)."""
    if value and isinstance(value[0], list):
        return (len(value), max(len(r) if isinstance(r, list) else 1 for r in value))
    return (max(len(value), 1),)


def _expressions(shapes: Mapping[str, Shape]) -> Expressions:
    """The compiler of a spec's expressions."""
    # The expression compiler (Python's ast, a parser) is loaded by the first spec that
    # has an expression, not by every start of the command.
    from circuitrun.spec.exprmemo import Expressions

    return Expressions(shapes)


class Section9:
    """What the builder knows of shapes and expressions while it builds one spec."""

    def __init__(self, broken: set[str]) -> None:
        self.broken = broken  # the builder's: names with a problem of their own
        self.shapes: dict[str, Shape] = {}  # inputs, then gates
        self.inputs: list[str] = []
        self.owner: dict[str, str] = {}  # a GATE.K node → its gate
        self.made: set[str] = set()  # GATE.K names of expressions
        self.made_nodes: list[ExprNode] = []
        self.expressions: set[str] = set()  # gates written as a string or a number
        self._compiler: Expressions | None = None

    def input_shapes(self) -> dict[str, Shape]:
        """Each input's shape (``()`` a number), in file order."""
        return {name: self.shapes[name] for name in self.inputs}

    def input_nodes(self, name: str, value: Any, found: Found) -> list[tuple[str, Any]]:
        """The nodes of input ``name``: itself, or its elements in row-major order."""
        self.inputs.append(name)
        if not isinstance(value, list):
            self.shapes[name] = ()
            return [(name, value)]
        got = input_elements(name, value)
        if isinstance(got, list):
            for issue in got:
                found(("inputs", name, *issue.path), False, issue.code, issue.message)
            self.broken.add(name)
            self.shapes[name] = _rough_shape(value)
            return []
        self.shapes[name] = got.shape
        return list(got.nodes)

    def name_gates(self, bodies: Mapping[str, Any], broken: set[str]) -> None:
        """Note every gate's name (expressions may refer to gates in any order)."""
        for name in bodies:
            self.shapes.setdefault(name, ())
        del broken  # the same set as self.broken: named for the reader of build.py

    def expression(self, gate: str, body: Any, found: Found) -> list[ExprNode]:
        """The nodes of a gate written as a string or a number, in declaration order."""
        self.expressions.add(gate)
        compiler = self._compiler
        if compiler is None:
            compiler = self._compiler = _expressions(self.shapes)
        if not isinstance(body, str):
            nodes = [compiler.constant(gate, body)]
        else:
            compiled = compiler.compile(gate, body)
            if compiled.problems:
                for issue in compiled.problems:
                    found(("gates", gate), False, issue.code, issue.message, issue.offset)
                self.broken.add(gate)
                return []
            nodes = compiled.nodes
        if len(nodes) > 1:  # the root alone is named after the gate
            for node in nodes:
                if node.name != gate:
                    self.owner[node.name] = gate
                    self.made.add(node.name)
        self.made_nodes += nodes
        return nodes

    def check(self, ref: str, suggest: Suggest, *, made: bool) -> Issue | None:
        """What is wrong with reference ``ref`` outside expressions (None: nothing to
        report); ``made``: whether ``GATE.K`` names are allowed there."""
        if ref.partition("[")[0].strip() in self.broken:
            return None  # its own problem is reported
        got = resolve(ref, self.shapes, extra=self.made if made else (), suggest=suggest)
        return got if isinstance(got, Issue) else None
