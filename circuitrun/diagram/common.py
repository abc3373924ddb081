"""What every picture shares: the colours, the number format, the text of each node."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Protocol

from circuitrun.explain.steps import Node as Node  # the one shape of an evaluated node
from circuitrun.ops.table import OPS

GREEN = "#2a9d3c"
RED = "#d62828"
INK = "#333333"
LEAF_FILL = "#eef2f7"
LEAF_INK = "#8a94a6"
NAME_INK = "#666666"
GATE_FILL = "#ffffff"
LEAF_KINDS = ("input", "const")
DIGITS = 2


class Result(Protocol):
    """What a diagram needs from an evaluated circuit."""

    circuit: str
    output: str

    @property
    def nodes(self) -> Sequence[Node]: ...


def fmt(x: float | None, digits: int = DIGITS) -> str:
    """A wire label: ``digits`` decimals ("2.00", "-0.20"); a non-zero too small for them
    in exponent form ("2.1e-05"), so that it never reads as 0; nan/inf as words."""
    if x is None:
        return ""
    if not math.isfinite(x):
        return "nan" if x != x else ("inf" if x > 0 else "-inf")
    if abs(x) >= 1e5:
        return f"{x:.{max(digits, 1)}e}"
    if x != 0 and abs(x) < 0.5 * 10.0**-digits:  # it would round to 0 (or to -0)
        return f"{x:.{max(digits - 1, 1)}e}"
    text = f"{x:.{digits}f}"
    return text.removeprefix("-") if x == 0 else text  # -0.0 is 0 on a picture


def box_text(node: Node) -> str:
    """What a box shows: an input's name, a constant's value, a gate's op symbol."""
    if node.op == "input":
        return node.name
    if node.op == "const":  # a constant's value is part of the circuit, not a result
        return f"{node.value:g}"
    return OPS[node.op].symbol


def labels(node: Node, values: bool, digits: int = DIGITS) -> list[str]:
    """The texts on a node's wire: its value, then its gradient (none for a constant)."""
    if not values:
        return []
    return [fmt(node.value, digits)] + ([fmt(node.grad, digits)] if node.grad is not None
                                        else [])


def input_labels(node: Node) -> tuple[str, ...]:
    """The names of a gate's inputs where their order matters (a, b of sub, div, pow)."""
    return () if node.op in LEAF_KINDS else OPS[node.op].labels


def kind(node: Node) -> str:
    """"input", "const" or "gate"."""
    return node.op if node.op in LEAF_KINDS else "gate"


def has_tail(result: Result) -> bool:
    """Whether the output's wire ends in an arrow (unless it also feeds other gates)."""
    return all(result.output not in node.inputs for node in result.nodes)
