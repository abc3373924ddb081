"""What an expression may not contain, in words (SPEC section 9.3, "Constructs")."""

from __future__ import annotations

import ast
from collections.abc import Container

ALLOWED = "numbers, node names, + - * / ** and calls such as exp(x)"

_OPERATORS: dict[type, str] = {
    ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<",
    ast.RShift: ">>", ast.BitOr: "|", ast.BitXor: "^", ast.BitAnd: "&",
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.Is: "is", ast.IsNot: "is not", ast.In: "in", ast.NotIn: "not in",
    ast.And: "and", ast.Or: "or",
}
_HINTS = {"^": ": a power is written a ** b"}

_CONSTRUCTS: dict[type, str] = {
    ast.Attribute: "attribute access (a.b)",
    ast.IfExp: "a conditional expression (a if c else b)",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension", ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension", ast.GeneratorExp: "a comprehension",
    ast.List: "a list", ast.Tuple: "a tuple", ast.Set: "a set", ast.Dict: "a dict",
    ast.JoinedStr: "an f-string", ast.NamedExpr: "an assignment (:=)",
    ast.Await: "'await'", ast.Yield: "'yield'", ast.YieldFrom: "'yield'",
    ast.Starred: "'*' unpacking", ast.Slice: "a slice",
    ast.Call: "a call of something other than a function's name",
    ast.Subscript: "indexing something other than an input's name",
}
_UNARY = {ast.Not: "'not'", ast.Invert: "the operator '~'"}


def operator_words(node: ast.expr) -> str | None:
    """The problem of an operator that is not allowed (``%``, ``<``, ``and``), or None
    when ``node`` is no such operation."""
    if isinstance(node, ast.BinOp | ast.BoolOp):
        symbol = _OPERATORS.get(type(node.op))
    elif isinstance(node, ast.Compare):
        symbol = _OPERATORS.get(type(node.ops[0]))
    else:
        return None
    if symbol is None:
        return None
    return (f"the operator '{symbol}' is not allowed in an expression"
            f"{_HINTS.get(symbol, ' (allowed: + - * / **)')}")


def construct_words(node: ast.expr, functions: Container[str]) -> str:
    """The problem of a construct that is not allowed, for a message; ``functions`` are
    the names an expression may call."""
    func = node.func if isinstance(node, ast.Call) else None
    if isinstance(func, ast.Attribute) and func.attr in functions:
        return (f"attribute access is not allowed in an expression: call {func.attr}(...)"
                " by its name alone")
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, str | bytes):
            what = "a string (a string is allowed only as the value of ties=)"
        elif isinstance(v, complex):
            what = "a complex number"
        else:
            what = repr(v)
    elif isinstance(node, ast.UnaryOp):
        what = _UNARY.get(type(node.op), "this operator")
    else:
        what = _CONSTRUCTS.get(type(node), type(node).__name__)
    return f"{what} is not allowed in an expression (it may have {ALLOWED})"
