"""The chain rule written out plainly, from public facts only: the circuit as the
independent oracle reads it (``oracle.parse``, ``oracle.topo_order``) and each op's
record (``circuitrun.ops``).  One call per gate, forward in output order, backward in
reverse adding grad(gate) * local gradient to each input: the engines' fast loops must
give exactly its floats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from circuitrun.ops import OPS, Op

from support import oracle


def record(node: oracle.Node) -> Op:
    """The node's op, with the local-gradient rule its ``ties`` selects."""
    op = OPS[node.op]
    return op.choose("ties", node.ties) if "ties" in op.attrs else op


def run(spec: Mapping[str, Any], inputs: Mapping[str, float] | None = None,
        output: str | None = None) -> tuple[dict[str, float], dict[str, float | None]]:
    """Every node's value and d(output)/d(node) (None for constants), by name."""
    nodes = oracle.parse(spec, inputs)
    order = oracle.topo_order(spec)
    out = output if output is not None else oracle.output_of(spec)
    values: dict[str, float] = {}
    for name in order:
        node = nodes[name]
        ins = [values[r] for r in node.ins]
        values[name] = node.value if node.value is not None else record(node).forward(*ins)
    grads = dict.fromkeys(order, 0.0)
    grads[out] = 1.0
    live = {out}
    for name in reversed(order[: order.index(out) + 1]):
        node = nodes[name]
        if name not in live or node.value is not None:
            continue  # off every path to the output, or a leaf
        local = record(node).local_grads(values[name], *[values[r] for r in node.ins])
        for r, d in zip(node.ins, local, strict=True):
            if nodes[r].op != "const":
                grads[r] += grads[name] * d
                live.add(r)
    return values, {n: None if nodes[n].op == "const" else grads[n] for n in order}
