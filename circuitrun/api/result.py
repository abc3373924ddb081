"""A run's answer: every node's value and gradient, in output order (``Result``)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from circuitrun.api.display import Bundle, result_bundle, result_text
from circuitrun.engine.scalar import Program
from circuitrun.problems import UnknownNodeError
from circuitrun.report.result import ResultView, to_csv, to_json
from circuitrun.spec.refs import Shape, unknown_node

if TYPE_CHECKING:
    from circuitrun.explain import Explanation


@dataclass(frozen=True, slots=True)
class NodeResult:
    """One node of a result: what it is, what it feeds on, its value and gradient."""

    name: str
    op: str
    inputs: tuple[str, ...]
    value: float
    grad: float | None  # None for constants


class Result:
    """Every node's value and d(output)/d(node), in output order (SPEC section 3.4)."""

    def __init__(self, circuit: str, output: str, prog: Program, values: list[float],
                 grads: list[float | None], shapes: Mapping[str, Shape] | None = None) -> None:
        self.circuit = circuit
        self.output = output
        self._prog = prog
        self._values = values
        self._grads = grads
        self._shapes = shapes or {}  # the vector and matrix inputs' (SPEC section 9.1)

    def __repr__(self) -> str:
        return result_text(self)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Bundle:
        return result_bundle(self)

    def value(self, name: str | None = None) -> float:
        """The value of node ``name`` (default: the output)."""
        return self._values[self._at(name or self.output)]

    def grad(self, name: str) -> float | None:
        """d(output)/d(name); None for a constant."""
        return self._grads[self._at(name)]

    def local_grads(self, name: str) -> tuple[float, ...]:
        """d(name)/d(input) for each input of gate ``name`` at this run's values (() for a leaf)."""
        p, prog, values = self._at(name), self._prog, self._values
        record = prog.records[p]
        return () if record is None else tuple(
            record.local_grads(values[p], *[values[i] for i in prog.ins[p]]))

    def explain(self, node: str | None = None) -> Explanation:
        """The run step by step (``str()`` of it, ``.to_markdown()``); see circuitrun.explain."""
        from circuitrun.explain import explain

        if node is not None:
            self._at(node)  # an unknown node, in this result's words
        return explain(self, node)

    def _at(self, name: str) -> int:
        try:
            return self._prog.position[name]
        except KeyError:
            raise UnknownNodeError(unknown_node(name, self._prog.names, self._shapes)
                                   ) from None

    @property
    def nodes(self) -> list[NodeResult]:
        """Every node, in output order."""
        return list(self)

    def __iter__(self) -> Iterator[NodeResult]:
        names = self._prog.names
        for p, name in enumerate(names):
            yield NodeResult(name, self._prog.ops[p], tuple(names[i] for i in self._prog.ins[p]),
                             self._values[p], self._grads[p])

    @property
    def view(self) -> ResultView:
        """The result as columns in output order, read-only (what the reports read)."""
        prog = self._prog
        return ResultView(self.circuit, self.output, self.value(), prog.names, prog.ops,
                          prog.ins, self._values, self._grads)

    def to_json(self) -> str:
        """The JSON document of SPEC section 4."""
        return to_json(self.view)

    def to_csv(self) -> str:
        """The CSV table of SPEC section 4."""
        return to_csv(self.view)
