"""Expression gates (SPEC section 9.2, 9.3): one gate's expression → the nodes it makes.

    compile_expression(gate, text, names, suggest=None) -> Compiled

- ``gate``: the gate's name, which names the expression's root node; the other nodes it
  makes are ``GATE.1``, ``GATE.2`` ... in post-order (operands left to right, each
  operand's nodes before the operation using them).
- ``text``: the string value of the gate (the expression).
- ``names``: every node name an expression may refer to (inputs and gates) → its
  ``Shape``: ``()`` a number, ``(n,)`` a vector input, ``(r, c)`` a matrix input.  A
  called name is always a function (the op table's ops but ``const``, ``sum``, ``dot``);
  any other name is looked up here.
- ``suggest``: the "did you mean" of an unknown name (default: the closest of ``names``).

``Compiled.nodes`` lists the nodes in declaration order (post-order, the root last,
named ``gate``), each an ``ExprNode(name, op, inputs, value, ties)``: ``inputs`` are node
names (``x``, ``w[0]``, ``GATE.K``), ``value`` is a ``const``'s, ``ties`` a ``max``/``min``'s
as written.  An expression with problems makes no nodes: ``Compiled.problems`` lists every
one (an ``Issue``: offset into ``text``, code, message), sorted by offset.

The tree is walked with an explicit stack (no recursion), each node once.  For the
many gates of one spec, ``exprmemo.Expressions(names, suggest).compile(gate, text)``
gives the same, each form of expression compiled once.

Section 9 in the pipeline (the loader calls these; each returns problems, never raises):

- an input's value → ``shapes.input_elements(name, value)``: its shape and element
  nodes (``w[0]`` ...) with values, or problems at paths into the value;
- a gate's string → ``Expressions.compile`` (or ``compile_expression``); a gate's
  finite number → ``ExprNode(gate, "const", (), value)``;
- a reference in ``in``, a wire, ``output``, ``expect``, a run's output name or a batch
  column → ``refs.resolve(text, shapes, extra=GATE.K names where allowed)``;
- a value given at run time → ``shapes.assign(target, value, input_shapes)`` (its text
  by ``shapes.parse_value``), raising ``UsageError``;
- an ``Issue``'s offset → a line and column by ``scalarpos.ScalarText`` from the
  scalar's source, start and style.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from circuitrun.ops.table import OPS, TIES
from circuitrun.problems import did_you_mean
from circuitrun.spec.exprparse import parse
from circuitrun.spec.exprwalk import ANY, SCALAR, SPREAD, VECTOR, ExprNode, Val, Walk
from circuitrun.spec.refs import Issue, Shape, Suggest

__all__ = ["DOT", "FUNCTIONS", "Compiled", "ExprNode", "Function", "compile_expression"]


class Compiled(NamedTuple):
    """The nodes of one expression gate, or (and then no nodes) its problems."""

    nodes: list[ExprNode]
    problems: list[Issue]


class Function(NamedTuple):
    """A function an expression may call: the op it makes (its record says its arity)."""

    op: str
    spread: bool  # any number of inputs: a vector argument stands for its elements
    ties: bool


FUNCTIONS: dict[str, Function] = {name: Function(name, op.max_in is None, "ties" in op.attrs)
                                  for name, op in OPS.items() if op.max_in != 0}
"""The functions an expression may call but ``dot``: every op that takes inputs, and
``sum`` (exactly ``add``)."""
FUNCTIONS["sum"] = FUNCTIONS["add"]
DOT = "dot"
_NAMES = sorted([*FUNCTIONS, DOT])
_TAKE_TIES = " and ".join(n for n, f in FUNCTIONS.items() if f.ties)
_BINOPS = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div", ast.Pow: "pow"}


class _Compiler(Walk):
    """One expression's compilation: the operations over ``Walk``'s leaves."""

    functions = frozenset(_NAMES)

    def run(self, tree: ast.expr) -> None:
        todo, vals, visitors = self.todo, self.vals, _VISITORS
        todo.append((tree, SCALAR, True))
        while todo:
            item = todo.pop()
            node = item[0]
            if node is None:  # every operand is done: finish the operation
                n = item[2]
                args = vals[len(vals) - n:]
                del vals[len(vals) - n:]
                vals.append(item[1](args, item[3]))
                continue
            while type(node) is ast.UnaryOp and type(node.op) is ast.UAdd:
                node = node.operand  # `+a` is `a` itself, everywhere
            visit = visitors.get(type(node))
            if visit is None:
                self.fail(node)
            else:
                visit(self, node, item[1], item[2])

    # ---- making nodes -------------------------------------------------------

    def finish_op(self, args: list[Val], data: tuple[str, bool, str | None]) -> Val:
        if None in args:
            return None
        inputs: list[str] = []
        for a in args:
            if type(a) is str:
                inputs.append(a)
            elif a is not None:
                inputs.extend(a)  # a vector's elements
        op, root, ties = data
        return self.emit(root, op, tuple(inputs), None, ties)

    def finish_dot(self, args: list[Val], data: tuple[ast.Call, bool]) -> Val:
        call, root = data
        for a, arg in zip(args, call.args, strict=True):
            if type(a) is str:
                self.issue(arg, "bad-index", f"dot takes two vectors: '{self.spell(arg)}' is"
                           " one number")
        u, v = args
        if type(u) is not tuple or type(v) is not tuple:
            return None
        if len(u) != len(v):
            a, b = (self.spell(arg) for arg in call.args)
            self.issue(call, "bad-index", f"dot of vectors of different lengths: '{a}' has"
                       f" {len(u)}, '{b}' has {len(v)}")
            return None
        muls = tuple(self.emit(False, "mul", xy) for xy in zip(u, v, strict=True))
        return self.emit(root, "add", muls)

    def discard(self, args: list[Val], data: None) -> Val:
        return None

    # ---- operations ---------------------------------------------------------

    def binop(self, node: ast.BinOp, want: int, root: bool) -> None:
        kind = type(node.op)
        op = _BINOPS.get(kind)
        if op is None:
            self.fail(node)
            return
        operands = [node.right]
        left = node.left
        if op == "add" or op == "mul":  # a left-associated chain is one n-ary gate
            while True:
                while type(left) is ast.UnaryOp and type(left.op) is ast.UAdd:
                    left = left.operand
                if type(left) is not ast.BinOp or type(left.op) is not kind:
                    break
                operands.append(left.right)
                left = left.left
        operands.append(left)
        self.todo.append((None, self.finish_op, len(operands), (op, root, None)))
        self.todo.extend((child, SCALAR, False) for child in operands)  # popped left first

    def unary(self, node: ast.UnaryOp, want: int, root: bool) -> None:
        if type(node.op) is not ast.USub:
            self.fail(node)
            return
        operand = node.operand
        while type(operand) is ast.UnaryOp and type(operand.op) is ast.UAdd:
            operand = operand.operand
        if type(operand) is ast.Constant:  # `-3`, `- 3`, `-(3)`: the constant -3
            value = self.number(node, operand, operand.value, -1)
            self.vals.append(None if value is None else self.emit(root, "const", (), value))
            return
        self.todo.append((None, self.finish_op, 1, ("neg", root, None)))
        self.todo.append((operand, SCALAR, False))

    def call(self, node: ast.Call, want: int, root: bool) -> None:
        func = node.func
        if type(func) is not ast.Name:
            self.fail(node)
            return
        name = self.checked_name(func)
        fn = FUNCTIONS.get(name)
        known = fn is not None or name == DOT
        ties = self.keywords(node, name, fn) if known else None
        starred = False
        for arg in node.args:
            if type(arg) is ast.Starred:
                starred = True
                self.issue(arg, "bad-expression", "'*' unpacking is not allowed in an"
                           " expression")
        args = [a for a in node.args if type(a) is not ast.Starred]
        n = len(node.args)
        finish: Any = self.discard
        data: Any = None
        if fn is None and name != DOT:
            hint = did_you_mean(name, _NAMES) or f" (functions: {', '.join(_NAMES)})"
            if name in OPS:  # const
                hint = f": a {name} is written as the number itself"
            self.issue(func, "unknown-op", f"unknown function '{name}'{hint}")
            arg_want = ANY
        elif fn is None:  # dot
            arg_want = VECTOR
            if n != 2:
                self.issue(node, "arity", f"dot takes 2 vectors, got {n} arguments")
                arg_want = ANY
            elif not starred:
                finish, data = self.finish_dot, (node, root)
        else:
            arg_want = SPREAD if fn.spread else SCALAR
            record = OPS[fn.op]
            if not record.takes(n):
                self.issue(node, "arity", f"{name} takes {record.arity_text()}"
                           f" argument{'s' if record.max_in != 1 else ''}, got {n}")
            elif not starred:
                finish, data = self.finish_op, (fn.op, root, ties)
        self.todo.append((None, finish, len(args), data))
        self.todo.extend((arg, arg_want, False) for arg in reversed(args))

    def keywords(self, node: ast.Call, name: str, fn: Function | None) -> str | None:
        """The ``ties`` of a call, after reporting every keyword it may not have."""
        ties: str | None = None
        seen = False
        for kw in node.keywords:
            arg = kw.arg
            if arg is not None and not self.src.ascii and not self.spell(kw).startswith(arg):
                arg = self.spell(kw).partition("=")[0].strip()  # normalized by Python
            if arg == "ties" and fn is not None and fn.ties and not seen:
                seen = True
                value = kw.value
                if type(value) is ast.Constant and value.value in TIES:
                    ties = value.value
                else:
                    self.issue(value, "bad-type", "ties must be 'first' or 'split', not"
                               f" {self.spell(value)}")
                continue
            if arg is None:
                why = "'**' arguments are not allowed in an expression"
            elif arg == "ties":
                why = ("ties is given twice" if seen else
                       f"{name} takes no ties= (only {_TAKE_TIES} do)")
            else:
                why = f"keyword argument '{arg}' is not allowed (only {_TAKE_TIES} take ties=)"
            self.issue(kw, "bad-expression", why)
        return ties


_VISITORS: dict[type, Callable[[_Compiler, Any, int, bool], None]] = {
    ast.Constant: _Compiler.constant, ast.Name: _Compiler.name,
    ast.Subscript: _Compiler.subscript, ast.BinOp: _Compiler.binop,
    ast.UnaryOp: _Compiler.unary, ast.Call: _Compiler.call}


def compile_expression(gate: str, text: str, names: Mapping[str, Shape],
                       suggest: Suggest | None = None) -> Compiled:
    """The nodes the expression ``text`` of gate ``gate`` makes, or its problems."""
    parsed = parse(text)
    if isinstance(parsed, Issue):
        return Compiled([], [parsed])
    compiler = _Compiler(gate, names, suggest, parsed.source)
    compiler.run(parsed.tree)
    if compiler.issues:
        return Compiled([], sorted(compiler.issues, key=lambda i: i.offset or 0))
    return Compiled(compiler.nodes, [])
