"""Ops written as Python expressions, which both engines paste into their loops.

The commonest gates (add and mul of two nodes, relu) are most of any large circuit, and
a function call per gate would cost the engines a third of their speed.  So these ops
are written as expressions: their records' functions are compiled from them, and the
engines generate their loops with the same expressions pasted in (``engine/loops.py``).
The fast path is the op's own formula, never a copy of it.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NamedTuple

from circuitrun.ops.ieee import np


@dataclass(frozen=True, slots=True)
class Inline:
    """An op of ``len(grads)`` inputs, ``a`` and ``b``, as Python expressions.

    ``value`` and ``grads`` (one per input; they may use ``ans``, the value) work on
    floats; ``array`` is the value over float64 arrays of rows, written into ``out`` with
    numpy's functions (``np.add(a, b, out=out)``), and ``array_grads`` the local gradients
    over arrays (by default ``grads``, when those work on arrays too).  A local gradient
    written ``1.0`` is exactly one: the engines pass the upstream gradient on unchanged.
    """

    value: str
    grads: tuple[str, ...]
    array: str
    array_grads: tuple[str, ...] | None = None

    @property
    def inputs(self) -> tuple[str, ...]:
        """The names the expressions give the inputs, in order."""
        return ("a", "b")[: len(self.grads)]

    @property
    def grads_over_arrays(self) -> tuple[str, ...]:
        """The local gradients over arrays."""
        return self.grads if self.array_grads is None else self.array_grads


class Forms(NamedTuple):
    """An op's four functions, as ``record.Op`` holds them."""

    forward: Callable[..., float]
    local_grads: Callable[..., tuple[float, ...]]
    array_forward: Callable[..., Any]
    array_local_grads: Callable[..., Any]


def _compile(source: str) -> Callable[..., Any]:
    # The expressions are the op table's own text, never user input.
    namespace: dict[str, Any] = {"np": np}
    exec(compile(source, "<circuitrun.ops>", "exec"), namespace)
    return namespace["function"]  # type: ignore[no-any-return]  # exec defines it


def names(expression: str) -> set[str]:
    """The names an expression reads."""
    return {n.id for n in ast.walk(ast.parse(expression, mode="eval")) if isinstance(n, ast.Name)}


def fixed(inline: Inline) -> Forms:
    """The op's functions for exactly its number of inputs."""
    args = ", ".join(inline.inputs)
    return Forms(
        _compile(f"def function({args}):\n    return {inline.value}\n"),
        _compile(f"def function(ans, {args}):\n    return ({', '.join(inline.grads)},)\n"),
        _compile(f"def function(xs, out):\n    {args}, = xs\n    return {inline.array}\n"),
        _compile(f"def function(ans, xs):\n    {args}, = xs\n"
                 f"    return ({', '.join(inline.grads_over_arrays)},)\n"))


_FOLD_FORWARD = """
def function({xs}):
    a = xs[0]
    for b in xs[1:]:
        a = {value}
    return a
"""

_FOLD_GRADS = """
def function(ans, {xs}):
    if len(xs) == 1:
        return (1.0,)
    if len(xs) == 2:  # what the loop below gives (x * 1.0 is x), without it
        a, b = xs
        return ({d_left}, {d_right})
    steps = [xs[0]]  # the value after each step but the last, which is ans
    a = xs[0]
    for b in xs[1:-1]:
        a = {value}
        steps.append(a)
    steps.append(ans)
    out = [1.0] * len(xs)
    later = 1.0  # the product of the later steps' d/d(left), from the last step back
    for j in range(len(xs) - 1, 0, -1):
        a, b, ans = steps[j - 1], xs[j], steps[j]
        out[j] = ({d_right}) * later
        later = later * ({d_left})
    out[0] = later
    return tuple(out)
"""

_FOLD_ONES = """
def function(ans, {xs}):
    return (1.0,) + ({d_right},) * (len(xs) - 1)
"""


def left_fold(inline: Inline) -> Forms:
    """The n-ary op whose two-input form is ``inline``: a1 + a2 + a3 is (a1 + a2) + a3.

    Its local gradients are the chain rule along that chain, from its end back: the
    gradient of a_j is d(step j)/d(right) times d(step k)/d(left) for every later step k.
    For mul that is the product of the other inputs, formed without a division (exact
    when an input is 0), in time linear in the number of inputs; compiled, so that a
    gate of 4,000,000 inputs makes no call per input.
    """
    forms = []
    for xs, value, grads, step in (("*xs", inline.value, inline.grads, inline.value),
                                   ("xs, out", inline.array, inline.grads_over_arrays,
                                    inline.value)):
        d_left, d_right = grads
        forms.append(_compile(_FOLD_FORWARD.format(xs=xs, value=value)))
        template = _FOLD_GRADS
        if d_left == "1.0" and not names(d_right):
            template = _FOLD_ONES  # every d/d(left) is exactly 1 (add): nothing to multiply
        # Over arrays, the steps are new arrays (the value written into out is the last).
        forms.append(_compile(template.format(xs=xs.replace(", out", ""), value=step,
                                              d_left=d_left, d_right=d_right)))
    return Forms(*forms)
