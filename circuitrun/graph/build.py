"""A validated spec → a DAG, with the checks that span nodes.

Nodes are integers, numbered in declaration order (inputs in file order, then gates
in file order, each gate's inline constants just before it); an edge runs from each
input of a gate to the gate.  The output order of SPEC section 3.4 is what
``networkx.lexicographical_topological_sort`` gives for that graph: declaration order
itself whenever every gate comes after its inputs (the usual case, found in one pass),
else Kahn's algorithm with a heap.  The ``networkx.DiGraph`` is built when first asked
for (``Built.graph``) and to name the nodes of a cycle: the happy path needs only the
lists, which take a fraction of the DiGraph's time and memory on large circuits.
"""

from __future__ import annotations

import heapq
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress
from operator import lt
from typing import TYPE_CHECKING, Any, NamedTuple

from circuitrun.ops.table import OPS
from circuitrun.problems import did_you_mean
from circuitrun.spec.models import Spec

if TYPE_CHECKING:
    import networkx as nx

_WIRE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*->\s*([A-Za-z_][A-Za-z0-9_]*)\s*")
_MAX_HINT_NAMES = 10_000  # past this many names, "did you mean" costs more than it helps
_HINT_WORK = 20_000_000
"""What "did you mean" may compare in one file (characters x characters, about 0.4 s):
a file with thousands of unknown names would otherwise take minutes.  Past it, unknown
names are reported without a hint."""


class Finding(NamedTuple):
    """A problem found at a path of keys; ``load`` turns the path into a line and column."""

    path: tuple[Any, ...]
    at_key: bool  # point at the key of the entry at ``path`` rather than its value
    code: str
    message: str


@dataclass(slots=True)
class Built:
    """The circuit as a DAG; lists are indexed by declaration index."""

    names: list[str]
    ops: list[str]  # "input", "const" or an op of the table
    ins: list[tuple[int, ...]]
    values: list[float | None]  # inputs' and constants' values (None: given at run time)
    ties: list[str | None]
    order: Sequence[int]  # declaration indices in output order (a range: the same order)
    output: int
    index: dict[str, int]
    _graph: nx.DiGraph | None = None

    @property
    def graph(self) -> nx.DiGraph:
        """The ``networkx.DiGraph``: an edge from each input of a gate to the gate."""
        if self._graph is None:
            self._graph = to_digraph(self.ins)
        return self._graph


def to_digraph(ins: list[tuple[int, ...]]) -> nx.DiGraph:
    """The DiGraph of nodes ``0..len(ins)-1`` with an edge from each input to its gate."""
    import networkx as nx

    graph = nx.DiGraph()
    graph.add_nodes_from(range(len(ins)))
    graph.add_edges_from((src, dst) for dst, srcs in enumerate(ins) for src in srcs)
    return graph


def output_order(ins: list[tuple[int, ...]]) -> Sequence[int] | None:
    """SPEC section 3.4's order (a range when it is declaration order); None for a cycle."""
    if all(map(lt, map(max, filter(None, ins)), compress(range(len(ins)), ins))):
        # Every node is declared after its inputs: the smallest unplaced node is then
        # always ready, so the lexicographic topological order is declaration order.
        return range(len(ins))
    # Kahn's algorithm, always taking the earliest-declared ready node (a heap).  A
    # node used twice by one gate counts twice in its in-degree and is subtracted twice.
    n = len(ins)
    succ: list[list[int]] = [[] for _ in range(n)]
    waiting = [0] * n
    for dst, srcs in enumerate(ins):
        waiting[dst] = len(srcs)
        for src in srcs:
            succ[src].append(dst)
    heap = [v for v in range(n) if not waiting[v]]  # sorted: already a heap
    order = []
    while heap:
        v = heapq.heappop(heap)
        order.append(v)
        for w in succ[v]:
            waiting[w] -= 1
            if not waiting[w]:
                heapq.heappush(heap, w)
    return order if len(order) == n else None


def sinks(ins: list[tuple[int, ...]]) -> list[int]:
    """The nodes that feed nothing, in declaration order."""
    feeds = [False] * len(ins)
    for srcs in ins:
        for src in srcs:
            feeds[src] = True
    return [n for n, f in enumerate(feeds) if not f]


def build(spec: Spec, broken: frozenset[str] = frozenset(),
          wire_index: list[int] | None = None) -> tuple[Built, list[Finding]]:
    """The DAG of ``spec`` and what is wrong across its nodes.

    ``broken`` names nodes that failed validation: they exist, so references to them
    are not reported again, but nothing about them is checked.  ``wire_index`` gives
    each wire's position in the file when invalid wires were left out.
    """
    findings: list[Finding] = []
    names: list[str] = []
    ops: list[str] = []
    values: list[float | None] = []
    ties: list[str | None] = []
    index: dict[str, int] = {}
    gate_at: dict[str, int] = {}

    def declare(name: str, op: str, value: float | None, tie: str | None = None) -> int:
        index[name] = len(names)
        names.append(name)
        ops.append(op)
        values.append(value)
        ties.append(tie)
        return index[name]

    for name, value in (spec.inputs or {}).items():
        declare(name, "input", value)
    for name, gate in spec.gates.items():
        if name in index:
            findings.append(Finding(("gates", name), True, "duplicate-name",
                                    f"'{name}' is already an input: names are unique"))
            continue
        for k, ref in enumerate(gate.in_ or ()):
            if not isinstance(ref, str):
                declare(f"{name}.{k}", "const", ref)
        gate_at[name] = declare(name, gate.op, gate.value, gate.ties)
    known = set(index) | broken
    hints = _Hints(known)

    def unknown(ref: str) -> str:
        return f"unknown reference '{ref}'{hints(ref)}"

    # Wires: "SRC -> DST" appends SRC to DST's inputs, in list order.
    wired: dict[str, list[int | None]] = {}
    for i, wire in enumerate(spec.wires or ()):
        path = ("wires", wire_index[i] if wire_index is not None else i)
        m = _WIRE.fullmatch(wire)
        if not m:
            findings.append(Finding(path, False, "bad-wire",
                                    f"'{wire}' is not a wire: write \"SRC -> DST\""))
            continue
        src, dst = m.groups()
        if dst in broken:
            continue
        if dst not in gate_at or spec.gates[dst].op == "const":
            what = ("a const gate" if dst in gate_at else "an input" if dst in index
                    else "not a node")
            findings.append(Finding(path, False, "bad-wire",
                                    f"wire target '{dst}' is {what}: a wire feeds a gate"))
            continue
        if spec.gates[dst].in_ is not None:
            findings.append(Finding(path, False, "mixed-inputs",
                                    f"gate '{dst}' has 'in': it takes no wires"))
            continue
        if src not in known:
            findings.append(Finding(path, False, "undefined-ref", unknown(src)))
        wired.setdefault(dst, []).append(index.get(src))

    ins: list[tuple[int, ...]] = [()] * len(names)
    for name, at in gate_at.items():
        gate = spec.gates[name]
        op = OPS[gate.op]
        refs: list[int | None] = []
        if gate.in_ is not None:
            for k, ref in enumerate(gate.in_):
                if not isinstance(ref, str):
                    refs.append(index[f"{name}.{k}"])
                elif ref in index:
                    refs.append(index[ref])
                else:
                    refs.append(None)
                    if ref not in broken:
                        findings.append(Finding(("gates", name, "in", k), False,
                                                "undefined-ref", unknown(ref)))
        else:
            refs = wired.get(name, [])
        n = len(refs)
        if gate.in_ is not None and op.max_in == 0:
            findings.append(Finding(("gates", name, "in"), False, "arity",
                                    f"op '{op.name}' takes no inputs"))
        elif n < op.min_in or (op.max_in is not None and n > op.max_in):
            path, at_key = (("gates", name, "in"), False) if gate.in_ is not None else (
                ("gates", name), True)
            findings.append(Finding(path, at_key, "arity",
                                    f"op '{op.name}' takes {op.arity_text()} input"
                                    f"{'' if op.arity_text() == '1' else 's'}, got {n}"))
        ins[at] = tuple(r for r in refs if r is not None)

    order = output_order(ins)
    if order is None:
        findings += _cycles(to_digraph(ins), names, gate_at)
    output = _output(spec, ins, index, broken, names, findings, unknown) if order else -1
    if spec.expect is not None:
        for part in ("values", "grads"):
            for name in getattr(spec.expect, part):
                if name not in known:
                    hint = hints(name)
                    findings.append(Finding(("expect", part, name), True, "unknown-node",
                                            f"'{name}' is not a node of the circuit{hint}"))
    built = Built(names, ops, ins, values, ties, order or [], output, index)
    return built, findings


class _Hints:
    """``did_you_mean`` over the names of a circuit, within a budget of work per file."""

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.weight = sum(len(n) + 8 for n in names) if len(names) <= _MAX_HINT_NAMES else 0
        self.left = _HINT_WORK

    def __call__(self, word: str) -> str:
        # difflib compares the word with each name: its cost grows with both lengths
        cost = (len(word) + 8) * self.weight
        if not self.weight or cost > self.left:
            return ""
        self.left -= cost
        return did_you_mean(word, self.names)


def _output(spec: Spec, ins: list[tuple[int, ...]], index: dict[str, int],
            broken: frozenset[str], names: list[str], findings: list[Finding],
            unknown: Any) -> int:
    if spec.output is not None:
        if spec.output in index:
            return index[spec.output]
        if spec.output not in broken:
            findings.append(Finding(("output",), False, "undefined-ref", unknown(spec.output)))
        return -1
    ends = sinks(ins)
    if len(ends) == 1:
        return ends[0]
    # Unknown references and broken nodes leave nodes feeding nothing that would feed
    # something: an ambiguity then is only a knock-on of those problems.
    if not broken and not any(f.code == "undefined-ref" for f in findings):
        shown = ", ".join(f"'{names[n]}'" for n in ends[:5]) + (", ..." if len(ends) > 5 else "")
        findings.append(Finding((), True, "ambiguous-output",
                                f"no 'output' and {len(ends)} nodes feed nothing ({shown}):"
                                " say which with 'output'"))
    return -1


def _cycles(graph: nx.DiGraph, names: list[str], gate_at: dict[str, int]) -> list[Finding]:
    """One finding per cycle group, at its first-declared gate, naming a cycle through it."""
    import networkx as nx

    found = []
    for group in nx.strongly_connected_components(graph):
        first = min(group)
        if len(group) == 1 and not graph.has_edge(first, first):
            continue
        loop = _cycle_through(graph, first, group)
        text = " -> ".join(names[n] for n in loop)
        found.append((first, Finding(("gates", names[first]), True, "cycle", f"cycle: {text}")))
    return [f for _, f in sorted(found)]


def _cycle_through(graph: nx.DiGraph, start: int, group: set[int]) -> list[int]:
    """The shortest cycle from ``start`` back to it within ``group`` (breadth first)."""
    parent: dict[int, int] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for nxt in graph.successors(node):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(parent[path[-1]])
                return [*reversed(path), start]
            if nxt in group and nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    return [start, start]
