"""``Circuit.inputs``: the inputs and their spec values, read-only.  A circuit is shared by
every run; a run takes its own values (``circuit.run(inputs={...})``), so an assignment
here would change nothing, and says so instead of being ignored."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, NoReturn

from circuitrun.problems import UsageError, did_you_mean
from circuitrun.spec.refs import Shape
from circuitrun.spec.shapes import assign


class Inputs(Mapping[str, "float | None"]):
    """Input names (in file order) and their spec values (None: given at run time)."""

    __slots__ = ("_values",)

    def __init__(self, values: dict[str, float | None]) -> None:
        self._values = values

    def __getitem__(self, name: str) -> float | None:
        try:
            return self._values[name]
        except KeyError:
            raise KeyError(f"no input '{name}'{did_you_mean(name, self._values)}") from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __setitem__(self, name: str, value: Any) -> NoReturn:
        raise TypeError(f"circuit.inputs is read-only: give '{name}' its value when running,"
                        f" circuit.run(inputs={{{name!r}: {value!r}}})")

    def __delitem__(self, name: str) -> NoReturn:
        raise TypeError("circuit.inputs is read-only: a run takes its own values,"
                        " circuit.run(inputs={...})")

    def __or__(self, other: Mapping[str, Any]) -> dict[str, Any]:
        return dict(self._values) | dict(other)  # as a dict's `|` does

    def __ror__(self, other: Mapping[str, Any]) -> dict[str, Any]:
        return dict(other) | self._values

    def __repr__(self) -> str:
        return repr(self._values)


def given_values(given: Mapping[str, Any], inputs: Sequence[str],
                 shapes: Mapping[str, Shape]) -> dict[str, float]:
    """Values given to ``inputs`` by name, element or whole vector or matrix (``shapes``
    are the inputs' shapes), as the values of input nodes, in order: a later one wins."""
    names = set(inputs)
    out: dict[str, float] = {}
    every: dict[str, Shape] | None = None
    for name, value in given.items():
        if name in names and not isinstance(value, list):  # the common case, at once
            out[name] = _finite(name, value)
            continue
        if every is None:  # every input's shape, one number's () included
            every = {n: () for n in inputs if "[" not in n} | dict(shapes)
        out.update(assign(name, value, every))  # an element, a whole input, or a mistake
    return out


def _finite(name: str, value: Any) -> float:
    """An input's value as a float; a ``UsageError`` naming the input if it is not finite."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise UsageError(f"input '{name}' needs a finite number, not {value!r}")
    try:
        x = float(value)
    except OverflowError:  # an int beyond the largest float; its repr may be 10,000 digits
        bits = int(value).bit_length()
        raise UsageError(f"input '{name}' needs a finite number, not an integer of {bits}"
                         " bits (too large for a float)") from None
    if not math.isfinite(x):
        raise UsageError(f"input '{name}' needs a finite number, not {value!r}")
    return x
