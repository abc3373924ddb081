"""What an op is: one record holding everything circuitrun knows about it.

The scalar value ``forward(*xs)`` and the local gradients ``local_grads(ans, *xs)`` sit
side by side; as in autograd, the local gradient receives the op's own output ``ans``
(so exp's is ``ans``, sigmoid's ``ans * (1 - ans)``).  Beside them the same op over
numpy arrays (many rows at once), and the facts the rest of the package reads: arity,
attributes, where it has kinks, whether it propagates nan/inf, its inputs' labels, its
symbol in pictures and its formulas for explanations.  The engine, never an op, applies the
chain rule.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from circuitrun.ops.inline import Inline

Forward = Callable[..., float]
"""``forward(*xs)``: the op's value at its inputs' values."""
Grads = Callable[..., tuple[float, ...]]
"""``local_grads(ans, *xs)``: d(value)/d(input) for each input; ``ans`` is the value."""
ArrayForward = Callable[[Sequence[Any], Any], Any]
"""``array_forward(xs, out)``: the value over float64 arrays of rows; it may write into
``out`` (an array of the rows' length that aliases no input) and return it."""
ArrayGrads = Callable[[Any, Sequence[Any]], Sequence[Any]]
"""``array_local_grads(ans, xs)``: each input's local gradient over the rows, an array or a
float (the float 1.0 is exactly one: the batch engine passes the upstream gradient on).
Array forms run under ``numpy.errstate(all="ignore")``: IEEE results, no warnings."""


@dataclass(frozen=True, slots=True)
class Rule:
    """A local-gradient rule an attribute's value selects (``ties: split`` on max)."""

    local_grads: Grads
    array_local_grads: ArrayGrads


@dataclass(frozen=True, slots=True)
class Kink:
    """Where the op is not differentiable, in gradcheck's words.

    The op's *state* at a point is the sign of input ``sign_of`` or, when that is None,
    which inputs equal its value (max, min).  Where the state changes the op has a kink.
    """

    at: str  # the point is on it: "relu at 0"
    near: str  # it lies within the step: "relu kink within eps"
    sign_of: int | None = 0


Attribute = Mapping[str, Rule] | None
"""An attribute's allowed values, each with the rule it selects; None: a number."""


@dataclass(frozen=True, slots=True, kw_only=True, eq=False)
class Op:
    """One primitive, everything about it (see the module's docstring); records compare
    by identity."""

    name: str
    min_in: int
    max_in: int | None  # None: any number
    forward: Forward
    local_grads: Grads
    array_forward: ArrayForward
    array_local_grads: ArrayGrads
    symbol: str  # how a diagram labels the gate
    # For explanations (circuitrun.explain.formula fills the templates): the value as a
    # formula of its inputs, and d(value)/d(input) for each input (one template for every
    # input of an n-ary op).  `{a}`, `{b}`: the first, second input (in an n-ary gradient:
    # this input); `{(a)}`: the same, a negative number in parentheses; `{ + }` (any other
    # text in braces): every input (in an n-ary gradient: every other input) joined by it.
    # For max and min the gradient template is the condition under which an input wins.
    explain_value: str
    explain_grads: tuple[str, ...]
    inline: Inline | None = None  # the scalar forms as expressions (see Inline)
    attrs: Mapping[str, Attribute] = field(default_factory=dict)
    kink: Kink | None = None
    propagates: bool = False  # its value is non-finite whenever an input's is
    labels: tuple[str, ...] = ()  # names of the inputs where their order matters (a, b)

    def __post_init__(self) -> None:
        # Mistakes a new record could make, caught when the table is imported.
        fixed = self.max_in if self.max_in is not None else -1
        if self.inline is not None and not (
                len(self.inline.grads) == fixed or (fixed == -1 and len(self.inline.grads) == 2)):
            raise ValueError(f"op '{self.name}': an inline form is for its number of inputs,"
                             " or two for an op of any number (a chain of them)")
        if len(self.explain_grads) not in (1, fixed) and fixed != 0:
            raise ValueError(f"op '{self.name}': one gradient formula, or one per input")
        if self.labels and len(self.labels) != fixed:
            raise ValueError(f"op '{self.name}': one label per input")

    def takes(self, n: int) -> bool:
        """Whether the op takes ``n`` inputs."""
        return self.min_in <= n and (self.max_in is None or n <= self.max_in)

    def arity_text(self) -> str:
        """The number of inputs, in words ("2", "1 or more", "none")."""
        if self.max_in is None:
            return f"{self.min_in} or more"
        return "none" if self.max_in == 0 else str(self.min_in)

    def choose(self, attr: str, value: str | None) -> Op:
        """The op with the local-gradient rule that ``attr: value`` selects (None: this
        op's own rule)."""
        if value is None:
            return self
        rule = self.attrs[attr]
        assert rule is not None, f"attribute '{attr}' of '{self.name}' selects no rule"
        r = rule[value]
        return dataclasses.replace(self, local_grads=r.local_grads,
                                   array_local_grads=r.array_local_grads, inline=None)
