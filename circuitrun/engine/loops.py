"""The engines' hot loops, generated once from the inline forms of the op table.

A gate whose op has an inline form (``ops.Inline``: its value and local gradients as
Python expressions) runs with no call and no argument list: the loop evaluates the op's
own expressions, pasted into its source, with ``a`` and ``b`` its inputs' values (floats
in the scalar loops, arrays of rows in the batch loops).  Every other gate calls its
op's functions.  So the fast path costs no second copy of any op's formula.

``code[p]`` tells the loops what node p is: LEAF (an input or a constant: nothing to
do), CALL, or FIRST_INLINE + the index of its op's inline form.  The loops:

    forward:   vals[p] = VALUE
    backward:  grad[input k] += grad[p] * GRAD_k   (grad[p] itself where GRAD_k is 1.0)
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from circuitrun.ops.ieee import np
from circuitrun.ops.inline import Inline

LEAF = 0
"""An input or a constant: its value is given, it passes no gradient on."""
CALL = 1
"""A gate that calls its op's functions."""
FIRST_INLINE = 2
"""The code of the first inline form; the others follow in order."""

_INDENT = " " * 12

_TEMPLATE = """
def forward(vals, code, arg0, arg1, records, ins):
    for p, k, i0, i1 in zip(range(len(vals)), code, arg0, arg1):
{forward}        {el}if k == CALL:
            vals[p] = records[p].forward(*[vals[i] for i in ins[p]])


def backward(steps, grad, vals, records, ins, constant):
    for p, k, i0, i1 in steps:
{backward}        {el}if k == CALL:
            g = grad[p]
            srcs = ins[p]
            local = records[p].local_grads(vals[p], *[vals[i] for i in srcs])
            for i, d in zip(srcs, local):
                if not constant[i]:
                    grad[i] += g * d


def array_forward(vals, out, code, arg0, arg1, records, ins):
{hoist_array_forward}    for p, k, i0, i1 in zip(range(len(vals)), code, arg0, arg1):
{array_forward}        {el}if k == CALL:
            vals[p] = records[p].array_forward([vals[i] for i in ins[p]], out[p])


def array_backward(steps, grads, vals, out, tmp, records, ins, constant, all_nodes):
{hoist_array_backward}    multiply, copyto = np.multiply, np.copyto
    handed = all_nodes  # whether g's array has been handed on (or is kept)

    def take(i, g, alone=True):
        # Add g to i's gradient; i may take g's array itself, once per gate, if alone
        # (no other contribution of this gate to i would then read g: always so for an
        # inline form, whose at most two contributions read g before adding to it).
        nonlocal handed
        if grads[i] is not None:
            grads[i] += g
        elif handed or not alone:
            copyto(out[i], g)
            grads[i] = out[i]
        else:
            grads[i] = g
            handed = True

    for p, k, i0, i1 in steps:
        g = grads[p]
        handed = all_nodes
{array_backward}        {el}if k == CALL:
            srcs = ins[p]
            local = records[p].array_local_grads(vals[p], [vals[i] for i in srcs])
            for i, d in zip(srcs, local):
                if constant[i]:
                    continue
                if d.__class__ is float and d == 1.0:
                    take(i, g, srcs.count(i) == 1)
                elif grads[i] is None:
                    grads[i] = multiply(g, d, out=out[i])
                else:
                    grads[i] += multiply(g, d, out=tmp)
"""

_ACCUMULATE = """\
            d = {d}
            if grads[{i}] is None:
                grads[{i}] = multiply(g, d, out=out[{i}])
            else:
                grads[{i}] += multiply(g, d, out=tmp)
"""


@dataclass(frozen=True, slots=True)
class Loops:
    """The generated loops (see the module's docstring) and their source, for reading."""

    forward: Callable[..., None]
    backward: Callable[..., None]
    array_forward: Callable[..., None]
    array_backward: Callable[..., None]
    source: str


class _Paste(ast.NodeTransformer):
    """Expressions over ``a``, ``b``, ``ans`` (and ``out``) as loop code: a name used once
    reads its list entry in place, the others are bound first (``bound``); ``np.f`` is
    the local ``np_f``, looked up once per loop (``hoisted``)."""

    def __init__(self, trees: Sequence[ast.expr], source: Mapping[str, str]) -> None:
        uses = Counter(n.id for tree in trees for n in ast.walk(tree) if isinstance(n, ast.Name))
        unknown = set(uses) - {*source, "np"}
        if unknown:
            raise ValueError(f"an inline form uses names it has not: {sorted(unknown)}")
        # A bound name gets a trailing _ (a_, out_): the loops' own names stay theirs.
        self.bound = [f"{_INDENT}{n}_ = {source[n]}\n" for n in source if uses[n] > 1]
        self.inline: dict[str, ast.expr] = {
            n: ast.parse(source[n], mode="eval").body if uses[n] == 1 else ast.Name(f"{n}_")
            for n in source}
        self.hoisted: set[str] = set()

    def visit_Name(self, node: ast.Name) -> ast.expr:
        return self.inline.get(node.id, node)

    def visit_Attribute(self, node: ast.Attribute) -> ast.expr:
        if isinstance(node.value, ast.Name) and node.value.id == "np":
            self.hoisted.add(node.attr)
            return ast.Name(f"np_{node.attr}")
        return self.generic_visit(node)  # type: ignore[return-value]  # an expression stays one


def _times_g(tree: ast.expr) -> ast.expr:
    """g * tree, with g * 1.0 written g (the same bits) and the product taken into both
    branches of a conditional: g * (1.0 if c else 0.0) is g if c else g * 0.0."""
    if isinstance(tree, ast.Constant) and tree.value == 1.0:
        return ast.Name("g")
    if isinstance(tree, ast.IfExp):
        return ast.IfExp(tree.test, _times_g(tree.body), _times_g(tree.orelse))
    return ast.BinOp(ast.Name("g"), ast.Mult(), tree)


def _parse(expressions: Sequence[str]) -> list[ast.expr]:
    return [ast.parse(e, mode="eval").body for e in expressions]


def _branches(inlines: Sequence[Inline]) -> dict[str, str]:
    """The loops' branches for the inline forms, and the numpy functions each array loop
    looks up first (``hoist_forward``, ``hoist_backward``)."""
    parts: dict[str, list[str]] = {"forward": [], "backward": [], "array_forward": [],
                                   "array_backward": []}
    hoisted: dict[str, set[str]] = {"forward": set(), "array_forward": set(),
                                    "array_backward": set()}
    for code, inline in enumerate(inlines, FIRST_INLINE):
        test = f"        {'el' if code > FIRST_INLINE else ''}if k == {code}:  # {inline.value}\n"
        inputs = dict(zip(inline.inputs, ("vals[i0]", "vals[i1]"), strict=False))
        given = {**inputs, "ans": "vals[p]"}
        targets = ("i0", "i1")
        # forward: vals[p] = VALUE, over floats and over arrays (written into out[p])
        for key, value, source in (("forward", inline.value, inputs),
                                   ("array_forward", inline.array, {**inputs, "out": "out[p]"})):
            (tree,) = _parse([value])
            paste = _Paste([tree], source)
            parts[key] += [test, *paste.bound,
                           f"{_INDENT}vals[p] = {ast.unparse(paste.visit(tree))}\n"]
            hoisted[key] |= paste.hoisted
        # backward over floats: grad[i] += g * GRAD
        trees = _parse(inline.grads)
        paste = _Paste(trees, given)
        parts["backward"] += [test, f"{_INDENT}g = grad[p]\n", *paste.bound]
        parts["backward"] += [f"{_INDENT}grad[{i}] += {ast.unparse(_times_g(paste.visit(t)))}\n"
                              for i, t in zip(targets, trees, strict=False)]
        # backward over arrays: g handed on where GRAD is 1.0, else g * GRAD accumulated
        trees = _parse(inline.grads_over_arrays)
        paste = _Paste(trees, given)
        parts["array_backward"] += [test, *paste.bound]
        for i, tree in zip(targets, trees, strict=False):
            if isinstance(tree, ast.Constant) and tree.value == 1.0:
                parts["array_backward"].append(f"{_INDENT}take({i}, g)\n")
            else:
                d = ast.unparse(paste.visit(tree))
                parts["array_backward"].append(_ACCUMULATE.format(d=d, i=i))
        hoisted["array_backward"] |= paste.hoisted
    texts = {key: "".join(lines) for key, lines in parts.items()}
    for key in ("array_forward", "array_backward"):
        texts[f"hoist_{key}"] = "".join(f"    np_{f} = np.{f}\n" for f in sorted(hoisted[key]))
    return texts


@cache
def loops(inlines: tuple[Inline, ...]) -> Loops:
    """The loops for gates of the ``inlines`` forms, code FIRST_INLINE + index."""
    source = _TEMPLATE.format(el="el" if inlines else "", **_branches(inlines))
    namespace: dict[str, Any] = {"CALL": CALL, "np": np}
    exec(compile(source, "<circuitrun.engine.loops>", "exec"), namespace)
    return Loops(namespace["forward"], namespace["backward"], namespace["array_forward"],
                 namespace["array_backward"], source)
