"""The walk under ``compile_expression`` (``expr.py``): the nodes an expression makes,
its leaves (numbers, names, elements) and its problems.

``Walk`` holds one expression's state: ``todo`` the work left (an explicit stack, so that
no depth of tree uses Python's), ``vals`` the finished operands, ``nodes`` the nodes made
in post-order, ``issues`` the problems.  An operand's value (``Val``) is the name of the
node it is, a vector's element names (where a vector may stand), or None once a
problem is reported.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Container, Mapping
from typing import Any, NamedTuple

from circuitrun.spec.exprparse import Source
from circuitrun.spec.exprwords import construct_words, operator_words
from circuitrun.spec.refs import (
    Issue,
    Shape,
    Suggest,
    bare_issue,
    element_name,
    elements,
    index_issue,
    shape_words,
    unknown_hint,
)


class ExprNode(NamedTuple):
    """One node an expression makes."""

    name: str
    op: str
    inputs: tuple[str, ...]
    value: float | None = None  # a const's value
    ties: str | None = None  # a max's or min's ties, when written


Val = str | tuple[str, ...] | None  # a node's name, a vector's elements, or failed
Frame = tuple[Any, ...]  # (ast node, want, root) to visit; (None, finish, n, data)

# What a reference may stand for where it appears: one number; a vector too (its
# elements: an argument of add, mul, max, min, sum); a vector only (dot); anything
# (the arguments of an unknown function, only checked).
SCALAR, SPREAD, VECTOR, ANY = range(4)


class Walk:
    """One expression's walk: the state, the leaves, the problems."""

    functions: Container[str] = ()  # what may be called, for hints

    def __init__(self, gate: str, names: Mapping[str, Shape], suggest: Suggest | None,
                 src: Source) -> None:
        self.gate, self.names, self.suggest, self.src = gate, names, suggest, src
        self.nodes: list[ExprNode] = []
        self.issues: list[Issue] = []
        self.k = 0
        self.todo: list[Frame] = []
        self.vals: list[Val] = []

    def emit(self, root: bool, op: str, inputs: tuple[str, ...], value: float | None = None,
             ties: str | None = None) -> str:
        """Make a node: the root is named after the gate, the others GATE.K in turn."""
        if root:
            name = self.gate
        else:
            self.k += 1
            name = f"{self.gate}.{self.k}"
        self.nodes.append(ExprNode(name, op, inputs, value, ties))
        return name

    # ---- leaves -------------------------------------------------------------

    def constant(self, node: ast.Constant, want: int, root: bool) -> None:
        """A number literal: a ``const`` node."""
        value = self.number(node, node, node.value, 1)
        self.vals.append(None if value is None else self.emit(root, "const", (), value))

    def number(self, at: ast.expr, node: ast.expr, v: Any, sign: int) -> float | None:
        """A literal's value (``sign`` -1: negated), or None after reporting it."""
        if type(v) is not int and type(v) is not float:
            self.unsupported(node)  # True, None, 1j, a string (outside ties=)
            return None
        try:
            f = float(-v if sign < 0 else v)
        except OverflowError:  # an integer literal beyond a double
            f = math.inf
        if not math.isfinite(f):
            self.issue(at, "bad-type", f"the number {self.spell(at)} is not a finite double")
            return None
        return f

    def name(self, node: ast.Name, want: int, root: bool) -> None:
        """A name: a node, a vector or a matrix."""
        ident = self.checked_name(node)
        shape = self.names.get(ident)
        if shape is None:
            self.unknown(node, ident)
        else:
            self.ref(node, ident, shape, want, root)

    def subscript(self, node: ast.Subscript, want: int, root: bool) -> None:
        """``w[0]``, ``W[1][0]`` or a matrix row ``W[1]``."""
        indices: list[ast.expr] = []
        base: ast.expr = node
        while type(base) is ast.Subscript:
            indices.append(base.slice)
            base = base.value
        indices.reverse()  # as written, left to right
        index: list[int] = []
        for written in indices:
            if type(written) is not ast.Constant or type(written.value) is not int:
                self.issue(written, "bad-expression", "an index is a number literal 0, 1,"
                           f" 2 ..., not '{self.spell(written)}'")
                self.vals.append(None)
                return
            index.append(written.value)
        if type(base) is not ast.Name:
            self.issue(node, "bad-expression", "only an input's name can be indexed, as in"
                       " w[0] or W[1][0]")
            self.vals.append(None)
            return
        ident = self.checked_name(base)
        shape = self.names.get(ident)
        if shape is None:
            self.unknown(base, ident)
            return
        problem = index_issue(ident, shape, tuple(index))
        if problem is not None:
            self.issue(node, "bad-index", problem)
            self.vals.append(None)
            return
        self.ref(node, element_name(ident, index), shape[len(index):], want, root)

    def ref(self, node: ast.expr, ref: str, shape: Shape, want: int, root: bool) -> None:
        """A reference to ``ref`` (a node, a vector, a matrix row or a matrix)."""
        if not shape:
            self.vals.append(self.emit(root, "add", (ref,)) if root else ref)
            return
        if want == ANY or (len(shape) == 1 and want != SCALAR):
            self.vals.append(tuple(elements(ref, shape)))
            return
        if want == SCALAR:
            message = bare_issue(ref, shape)
        elif want == SPREAD:
            message = (f"'{ref}' is {shape_words(shape)}: a matrix is never flattened;"
                       f" name a row ({ref}[0]) or an element")
        else:
            message = (f"'{ref}' is {shape_words(shape)}: dot takes vectors; name a row"
                       f" ({ref}[0])")
        self.issue(node, "bad-index", message)
        self.vals.append(None)

    # ---- problems -----------------------------------------------------------

    def issue(self, at: ast.expr | ast.keyword, code: str, message: str) -> None:
        """Report a problem at ``at``'s first character."""
        self.issues.append(Issue(self.src.at(at), code, message))

    def spell(self, node: ast.expr | ast.keyword) -> str:
        """``node`` as written."""
        return self.src.spelling(node)

    def checked_name(self, node: ast.Name) -> str:
        """The name as written: Python reads a fullwidth x as ``x`` (NFKC); a spec may not."""
        if self.src.ascii:
            return node.id
        return self.spell(node)

    def unknown(self, node: ast.Name, ident: str) -> None:
        """Report an unknown name (``undefined-ref``), with "did you mean"."""
        hint = unknown_hint(ident, self.names, self.suggest)
        if not hint and ident != node.id and node.id in self.names:
            hint = f" (did you mean '{node.id}'?)"
        self.issue(node, "undefined-ref", f"unknown reference '{ident}'{hint}")
        self.vals.append(None)

    def unsupported(self, node: ast.expr) -> None:
        """A construct not in the table: at its operator, or its first character."""
        words = operator_words(node)
        if isinstance(node, ast.BoolOp) and words is not None:
            offset = self.src.operator_at(node.values[0], node.values[1])
        elif isinstance(node, ast.Compare) and words is not None:
            offset = self.src.operator_at(node.left, node.comparators[0])
        elif isinstance(node, ast.BinOp) and words is not None:
            offset = self.src.operator_at(node.left, node.right)
        else:
            words, offset = construct_words(node, self.functions), self.src.at(node)
        self.issues.append(Issue(offset, "bad-expression", words))

    def fail(self, node: ast.expr) -> None:
        """An unsupported construct in place of an operand: reported, nothing inside it
        examined."""
        self.unsupported(node)
        self.vals.append(None)
