"""The forward and backward pass of an evaluated circuit, one line per gate and per edge.

Forward: each node in output order, its formula with names, then with numbers, then its
value.  Backward: the chain rule as the engine applies it, from the output back: each
gate adds grad(gate) x local gradient to each input; a node fed to several gates gets a
line adding up its contributions.  The formulas come from the op records; the local
gradients' numbers from the result (the engine's own), so every number here is the one
the run reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from circuitrun.explain.formula import fill, num, same
from circuitrun.ops.table import OPS
from circuitrun.problems import UnknownNodeError
from circuitrun.spec.refs import unknown_node


class Node(Protocol):
    """One evaluated node."""

    @property
    def name(self) -> str: ...
    @property
    def op(self) -> str: ...
    @property
    def inputs(self) -> tuple[str, ...]: ...
    @property
    def value(self) -> float: ...
    @property
    def grad(self) -> float | None: ...


class Evaluated(Protocol):
    """What an explanation needs from a result (``circuitrun.Result`` has it)."""

    circuit: str
    output: str

    @property
    def nodes(self) -> Sequence[Node]: ...

    def local_grads(self, name: str) -> tuple[float, ...]: ...


@dataclass(frozen=True, slots=True)
class Step:
    """One line of an explanation.

    ``phase`` is "forward" or "backward"; ``kind`` one of "input", "const", "gate"
    (forward), "seed", "edge", "constant", "sum", "unused" (backward).  ``node`` is the
    node whose value (forward) or gradient (backward) the step sets, ``number`` that value
    or the gradient so far; ``gate`` the gate a backward edge comes through.
    """

    phase: str
    kind: str
    node: str
    text: str
    number: float | None = None
    gate: str | None = None


@dataclass(slots=True)
class Steps:
    """Every step, and for each node the lines that make up its gradient."""

    forward: list[Step] = field(default_factory=list)
    backward: list[Step] = field(default_factory=list)
    chains: dict[str, list[str]] = field(default_factory=dict)


def _live(nodes: Sequence[Node], at: dict[str, int], output: str) -> list[bool]:
    """Which nodes the output depends on (walking back from it, no recursion)."""
    live = [False] * len(nodes)
    live[at[output]] = True
    for p in range(at[output], -1, -1):
        if live[p]:
            for s in nodes[p].inputs:
                live[at[s]] = True
    return live


def _downstream(nodes: Sequence[Node], at: dict[str, int], start: str) -> list[bool]:
    """``start`` and every node that depends on it."""
    down = [False] * len(nodes)
    down[at[start]] = True
    for p in range(at[start] + 1, len(nodes)):
        down[p] = any(down[at[s]] for s in nodes[p].inputs)
    return down


def _shown(node: Node) -> str:
    # An inline constant ("p.1") reads better as its value than as its name.
    return num(node.value) if node.op == "const" and "." in node.name else node.name


def _forward(node: Node, ins: list[Node]) -> Step:
    if node.op == "input":
        return Step("forward", "input", node.name, f"{node.name} = {num(node.value)}",
                    node.value)
    if node.op == "const":
        return Step("forward", "const", node.name,
                    f"{node.name} = {num(node.value)} (a constant)", node.value)
    template = OPS[node.op].explain_value
    names = fill(template, [_shown(i) for i in ins], numbers=True)  # a constant may be < 0
    numbers = fill(template, [num(i.value) for i in ins], numbers=True)
    parts = [node.name, names] + ([numbers] if numbers != names else []) + [num(node.value)]
    return Step("forward", "gate", node.name, " = ".join(parts), node.value)


def _routing(gate: Node, ins: list[Node], local: tuple[float, ...], k: int) -> str:
    """Why a max/min gate sends its gradient where it does."""
    names = [i.name for i in ins]
    winners = [names[j] for j, d in enumerate(local) if d > 0]
    tied = [names[j] for j, i in enumerate(ins) if i.value == gate.value]
    if len(ins) == 1:
        return f"the only input: the gradient routes to {names[0]}"
    if not winners:
        return "no input equals the result: no gradient"
    if len(winners) > 1:
        share = f"1/{len(winners)}"
        if local[k] > 0:
            return f"{' = '.join(tied)} = {num(gate.value)}, ties: split: {names[k]} gets {share}"
        return f"the gradient goes to {', '.join(winners)}, not {names[k]}"
    if local[k] > 0 and len(tied) > 1:
        return (f"{' = '.join(tied)} = {num(gate.value)}, ties: first: the gradient routes"
                f" to {names[k]}, the first of them")
    if local[k] > 0:
        why = fill(OPS[gate.op].explain_grads[0], names, this=k)
        return f"{why}: the gradient routes to {names[k]}"
    if len(tied) > 1 and names[k] in tied:
        return (f"{' = '.join(tied)} = {num(gate.value)}, ties: first: the gradient routes"
                f" to {winners[0]}, not {names[k]}")
    return f"the gradient routes to {winners[0]}, not {names[k]}"


def _note(gate: Node, ins: list[Node], local: tuple[float, ...], k: int, partial: str) -> str:
    """What the local gradient is: the op's formula, or for max/min the routing."""
    op = OPS[gate.op]
    if "ties" in op.attrs:
        return _routing(gate, ins, local, k)
    nary = op.max_in is None
    template = op.explain_grads[0 if nary else k]
    formula = fill(template, [_shown(i) for i in ins], numbers=True, this=k if nary else None)
    return "" if same(formula, num(local[k])) else f"{partial} = {formula} = {num(local[k])}"


def _factor(x: float) -> str:
    text = num(x)
    return f"({text})" if text.startswith("-") else text


def _backward(result: Evaluated, at: dict[str, int], keep: list[bool], steps: Steps) -> None:
    """The chain rule from the output back, over the nodes in ``keep``, in the engine's
    order: each gate adds grad(gate) x local gradient to each input."""
    nodes, out, chains = result.nodes, result.output, steps.chains
    d = f"d{out}/d"
    grad = [0.0] * len(nodes)
    terms: list[list[str]] = [[] for _ in nodes]
    grad[at[out]] = 1.0
    seed = Step("backward", "seed", out, f"{d}{out} = 1 (start at the output)", 1.0)
    steps.backward.append(seed)
    chains[out].append(seed.text)
    for p in range(at[out], -1, -1):
        gate = nodes[p]
        if not keep[p]:
            continue
        if len(terms[p]) > 1:  # a fork: every contribution is in
            text = f"{d}{gate.name} = {' + '.join(terms[p])} = {num(grad[p])}"
            steps.backward.append(Step("backward", "sum", gate.name, text, grad[p]))
            chains[gate.name].append(text)
        if gate.op in ("input", "const"):
            continue
        ins = [nodes[at[s]] for s in gate.inputs]
        local = result.local_grads(gate.name)
        for k, (src, dk) in enumerate(zip(ins, local, strict=True)):
            q = at[src.name]
            if not keep[q]:
                continue
            if src.op == "const":
                text = f"{src.name} = {num(src.value)} is a constant: not differentiated"
                steps.backward.append(Step("backward", "constant", src.name, text, None,
                                           gate.name))
                chains[src.name].append(text)
                continue
            g = grad[p]
            contribution = g * dk  # as the engine computes it, so the sums agree to the bit
            grad[q] += contribution
            terms[q].append(_factor(contribution) if terms[q] else num(contribution))
            partial = f"∂{gate.name}/∂{src.name}"
            text = (f"{d}{src.name} += {d}{gate.name} · {partial} = {num(g)} · {_factor(dk)}"
                    f" = {num(contribution)}")
            note = _note(gate, ins, local, k, partial)
            text += f"   ({note})" if note else ""
            steps.backward.append(Step("backward", "edge", src.name, text, grad[q], gate.name))
            chains[src.name].append(text)


def explain_steps(result: Evaluated, node: str | None = None) -> Steps:
    """The forward and backward steps of ``result``; with ``node``, only the chain from
    that node to the output."""
    nodes = result.nodes
    at = {n.name: p for p, n in enumerate(nodes)}
    out = result.output
    if node is not None and node not in at:
        raise UnknownNodeError(unknown_node(node, list(at), {}))
    live = _live(nodes, at, out)
    steps = Steps()
    if node is not None and (not live[at[node]] or nodes[at[node]].op == "const"):
        n = nodes[at[node]]
        why = ("is a constant: not differentiated" if n.op == "const"
               else f"does not feed {out}: d{out}/d{node} = 0")
        steps.backward.append(Step("backward", "unused", node, f"{node} {why}",
                                   None if n.op == "const" else 0.0))
        steps.chains[node] = [steps.backward[0].text]
        return steps
    keep = live if node is None else [
        a and b for a, b in zip(live, _downstream(nodes, at, node), strict=True)]
    chains = steps.chains
    for p, n in enumerate(nodes):
        if node is None or keep[p]:
            step = _forward(n, [nodes[at[s]] for s in n.inputs])
            steps.forward.append(step)
            chains[n.name] = [step.text]

    _backward(result, at, keep, steps)
    if node is None:
        for p, n in enumerate(nodes):
            if not live[p] and n.op != "const":
                text = f"d{out}/d{n.name} = 0 ({out} does not depend on {n.name})"
                steps.backward.append(Step("backward", "unused", n.name, text, 0.0))
                chains[n.name].append(text)
    return steps
