"""``Circuit.inputs``: the inputs and their spec values, read-only.  A circuit is shared by
every run; a run takes its own values (``circuit.run(inputs={...})``), so an assignment
here would change nothing, and says so instead of being ignored."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NoReturn

from circuitrun.problems import did_you_mean


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
