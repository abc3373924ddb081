"""The scalar engine's two hot loops, written once per set of inline ops.

A gate whose op has an inline form (``ops.Inline``: its value and local gradients as
Python expressions) runs with no call and no argument list: the loop binds the inputs'
values to ``a`` and ``b`` and evaluates the op's own expressions, pasted into the loop's
source.  Every other gate calls its op's ``forward`` and ``local_grads``.  So the fast
path is fast without holding a second copy of any op's formula.

The loops, for ``code[p]`` = LEAF (nothing to do), CALL, or 2 + the index of the op's
inline form:

    forward:   vals[p] = VALUE                       (a, b = the inputs' values)
    backward:  grad[input k] += grad[p] * GRAD_k     (g itself where GRAD_k is 1.0)
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from circuitrun.ops.record import Inline

LEAF = 0
"""An input or a constant: its value is given, it passes no gradient on."""
CALL = 1
"""A gate that calls its op's functions."""
FIRST_INLINE = 2
"""The code of the first inline form; the others follow in order."""

_FORWARD = """
def forward(vals, code, arg0, arg1, records, ins):
    for p, k, i0, i1 in zip(range(len(vals)), code, arg0, arg1):
{branches}        {else_}if k == CALL:
            vals[p] = records[p].forward(*[vals[i] for i in ins[p]])
"""

_BACKWARD = """
def backward(steps, grad, vals, records, ins, constant):
    for p, k, i0, i1 in steps:
{branches}        {else_}if k == CALL:
            g = grad[p]
            srcs = ins[p]
            local = records[p].local_grads(vals[p], *[vals[i] for i in srcs])
            for i, d in zip(srcs, local):
                if not constant[i]:
                    grad[i] += g * d
"""
_INDENT = " " * 12


@dataclass(frozen=True, slots=True)
class Loops:
    """The generated loops (see the module's docstring) and their source, for reading."""

    forward: Callable[..., None]
    backward: Callable[..., None]
    source: str


def _uses(tree: ast.AST) -> Counter[str]:
    return Counter(n.id for n in ast.walk(tree) if isinstance(n, ast.Name))


class _Paste(ast.NodeTransformer):
    """An expression over ``a``, ``b``, ``ans`` as loop code: a name used once reads its
    list entry in place; the others are bound first (``bound``)."""

    def __init__(self, inline: Inline, trees: list[ast.expr]) -> None:
        source = dict(zip(inline.inputs, ("vals[i0]", "vals[i1]"), strict=False))
        source["ans"] = "vals[p]"
        uses: Counter[str] = Counter()
        for tree in trees:
            uses += _uses(tree)
        unknown = set(uses) - set(source)
        if unknown:
            raise ValueError(f"{inline} uses names other than its inputs: {sorted(unknown)}")
        self.bound = [f"{_INDENT}{n} = {source[n]}\n" for n in source if uses[n] > 1]
        self.inline = {n: ast.parse(source[n], mode="eval").body for n in source if uses[n] == 1}

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return self.inline.get(node.id, node)


def _times_g(tree: ast.expr) -> ast.expr:
    """g * tree, with g * 1.0 written g (the same bits) and the product taken into both
    branches of a conditional: g * (1.0 if c else 0.0) is g if c else g * 0.0."""
    if isinstance(tree, ast.Constant) and tree.value == 1.0:
        return ast.Name("g")
    if isinstance(tree, ast.IfExp):
        return ast.IfExp(tree.test, _times_g(tree.body), _times_g(tree.orelse))
    return ast.BinOp(ast.Name("g"), ast.Mult(), tree)


def _branches(inlines: Sequence[Inline]) -> tuple[str, str]:
    forward: list[str] = []
    backward: list[str] = []
    for code, inline in enumerate(inlines, FIRST_INLINE):
        test = f"        {'el' if forward else ''}if k == {code}:"
        value = ast.parse(inline.value, mode="eval").body
        paste = _Paste(inline, [value])
        forward += [f"{test}  # {inline.value}\n", *paste.bound,
                    f"{_INDENT}vals[p] = {ast.unparse(paste.visit(value))}\n"]
        grads = [ast.parse(g, mode="eval").body for g in inline.grads]
        paste = _Paste(inline, grads)
        backward += [f"{test}  # d/d(inputs) of {inline.value}\n", f"{_INDENT}g = grad[p]\n",
                     *paste.bound]
        for i, grad in zip(("i0", "i1"), grads, strict=False):
            term = ast.unparse(_times_g(paste.visit(grad)))
            backward.append(f"{_INDENT}grad[{i}] += {term}\n")
    return "".join(forward), "".join(backward)


@cache
def loops(inlines: tuple[Inline, ...]) -> Loops:
    """The two loops for gates of the ``inlines`` forms, code FIRST_INLINE + index."""
    forward, backward = _branches(inlines)
    else_ = "el" if inlines else ""
    source = (_FORWARD.format(branches=forward, else_=else_)
              + _BACKWARD.format(branches=backward, else_=else_))
    namespace: dict[str, Any] = {"CALL": CALL}
    exec(compile(source, "<circuitrun.engine.loops>", "exec"), namespace)
    return Loops(namespace["forward"], namespace["backward"], source)
