"""Stage 3, the graph: a validated spec → the DAG, with the checks that span nodes.

Nodes are integers, numbered in declaration order (inputs in file order, then gates
in file order, each gate's inline constants just before it); an edge runs from each
input of a gate to the gate.  Checked here: names used twice, references, wires,
arity, cycles and the output.  The ``networkx.DiGraph`` is built when first asked for
(``Built.graph``): running a circuit needs only the lists, which take a fraction of
its time and memory on large circuits.

A spec whose gates are all ``{op, in: [names]}`` and that has no wires (generated
specs, mostly) is built by ``plain.plain_gates`` in a few passes run in C; any other
spec, or one where that finds anything wrong, is built gate by gate, which says what is
wrong.  Both build the same DAG.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from typing import TYPE_CHECKING, Any

from circuitrun.graph.expand import Section9
from circuitrun.graph.order import cycles, output_order, sinks, to_digraph
from circuitrun.graph.plain import plain_gates
from circuitrun.ops.table import OPS, Op
from circuitrun.problems import did_you_mean
from circuitrun.spec.findings import Finding
from circuitrun.spec.models import Spec
from circuitrun.spec.refs import Shape
from circuitrun.spec.validate import BROKEN

if TYPE_CHECKING:
    import networkx as nx

_REF = r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])*"
_WIRE = re.compile(rf"\s*({_REF})\s*->\s*({_REF})\s*")
_MAX_HINT_NAMES = 10_000  # past this many names, "did you mean" costs more than it helps
_HINT_WORK = 20_000_000
"""What "did you mean" may compare in one file (characters x characters, about 0.4 s):
a file with thousands of unknown names would otherwise take minutes.  Past it, unknown
names are reported without a hint."""


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
    shapes: dict[str, Shape] = field(default_factory=dict)  # the inputs' shapes (SPEC 9.1)
    _graph: nx.DiGraph[int] | None = None

    @property
    def graph(self) -> nx.DiGraph[int]:
        """The ``networkx.DiGraph``: an edge from each input of a gate to the gate."""
        if self._graph is None:
            self._graph = to_digraph(self.ins)
        return self._graph


def build(spec: Spec, broken: frozenset[str] = frozenset()) -> tuple[Built, list[Finding]]:
    """The DAG of ``spec`` and what is wrong across its nodes.

    ``broken`` names inputs and gates that failed validation (parts of them are
    ``BROKEN``, or, for a name that is no name, the whole entry is left out): references
    to them are not reported, and what is not known of them is not checked.
    """
    inputs = spec.inputs or {}
    plain = None if spec.wires or broken or list in set(map(type, inputs.values())) else (
        plain_gates(spec.gates, list(inputs)))
    if plain is not None:
        names, ops, ins, index = plain
        values: list[float | None] = [*inputs.values(), *repeat(None, len(spec.gates))]  # type: ignore[list-item]  # no list: checked above
        ties: list[str | None] = [None] * len(names)
        graph = _Graph(names, ops, values, ties, index, broken)
        graph.ins = ins
        graph.sec9.shapes = dict.fromkeys(inputs, ())
    else:
        graph = _Graph([], [], [], [], {}, broken)
        graph.add(spec)
    order = output_order(graph.ins)
    if order is None:
        for loop in cycles(graph.ins):
            text = " -> ".join(graph.names[n] for n in loop)
            first = graph.names[loop[0]]
            graph.found(("gates", graph.sec9.owner.get(first, first)), True, "cycle",
                        f"cycle: {text}")
    output = graph.output(spec.output) if order else -1
    if spec.expect is not None:
        for part in ("values", "grads"):
            for name in getattr(spec.expect, part):
                if name in graph.known:
                    continue
                issue = graph.sec9.check(name, graph.hints, made=True)
                if issue is not None and issue.code == "undefined-ref":
                    graph.found(("expect", part, name), True, "unknown-node",
                                f"'{name}' is not a node of the circuit{graph.hints(name)}")
                elif issue is not None:
                    graph.found(("expect", part, name), True, issue.code, issue.message)
    built = Built(graph.names, graph.ops, graph.ins, graph.values, graph.ties, order or [],
                  output, graph.index, graph.sec9.input_shapes())
    return built, graph.findings


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


class _Gate:
    """A gate as the gate-by-gate build sees it."""

    __slots__ = ("at", "name", "op", "refs")

    def __init__(self, name: str, op: Op | None, refs: list[Any] | None, at: int) -> None:
        self.name = name
        self.op = op  # None: not a known op (it failed validation)
        self.refs = refs  # None: no `in` (inputs from wires)
        self.at = at  # declaration index; -1 for a gate named like an input


class _Graph:
    """The DAG being built, and what is found wrong on the way."""

    def __init__(self, names: list[str], ops: list[str], values: list[float | None],
                 ties: list[str | None], index: dict[str, int], broken: frozenset[str]) -> None:
        self.names, self.ops, self.values, self.ties, self.index = names, ops, values, ties, index
        self.ins: list[tuple[int, ...]] = []
        self.broken = set(broken)
        self.findings: list[Finding] = []
        self.sec9 = Section9(self.broken)
        self.known = set(index) | broken
        self.hints = _Hints(self.known)

    def found(self, path: tuple[Any, ...], at_key: bool, code: str, message: str,
              offset: int | None = None) -> None:
        self.findings.append(Finding(path, at_key, code, message, offset))

    def declare(self, name: str, op: str, value: Any = None, tie: Any = None) -> int:
        at = self.index[name] = len(self.names)
        self.names.append(name)
        self.ops.append(op)
        self.values.append(None if value is BROKEN else value)
        self.ties.append(None if tie is BROKEN else tie)
        return at

    def add(self, spec: Spec) -> None:
        """Declare every node, then resolve wires and references, gate by gate."""
        sec9 = self.sec9
        for name, value in (spec.inputs or {}).items():
            for node, v in sec9.input_nodes(name, value, self.found):
                self.declare(node, "input", v)
        bodies: Mapping[str, Any] = spec.gates  # parts may be BROKEN: not Gate
        sec9.name_gates(bodies, self.broken)
        gates = []
        for name, body in bodies.items():
            if not isinstance(body, dict):  # an expression (SPEC section 9.2)
                if name in self.index:
                    self.found(("gates", name), True, "duplicate-name",
                               f"'{name}' is already an input: names are unique")
                    continue
                for made in sec9.expression(name, body, self.found):
                    self.declare(made.name, made.op, made.value, made.ties)
                continue
            op_name = body.get("op")
            op = OPS.get(op_name) if isinstance(op_name, str) else None
            refs = body.get("in")  # a list, or None
            if name in self.index:
                self.found(("gates", name), True, "duplicate-name",
                           f"'{name}' is already an input: names are unique")
                gates.append(_Gate(name, op, refs, -1))
                continue
            for k, ref in enumerate(refs or ()):
                if ref is not BROKEN and not isinstance(ref, str):
                    self.declare(f"{name}.{k}", "const", ref)
            at = self.declare(name, op.name if op else "", body.get("value"), body.get("ties"))
            gates.append(_Gate(name, op, refs, at))
        self.known = set(self.index) | self.broken
        self.hints = _Hints(self.known)
        self.ins = [()] * len(self.names)
        for made in sec9.made_nodes:
            self.ins[self.index[made.name]] = tuple(
                self.index[i] for i in made.inputs if i in self.index)
        wired = self._wires(spec.wires or [], {g.name: g for g in gates if g.at >= 0})
        for gate in gates:
            self._inputs(gate, wired.get(gate.name, []))

    def _wires(self, wires: list[Any], gates: dict[str, _Gate]) -> dict[str, list[int | None]]:
        """Each gate's inputs from ``wires``: "SRC -> DST" appends SRC to DST's inputs."""
        wired: dict[str, list[int | None]] = {}
        for i, wire in enumerate(wires):
            if wire is BROKEN:
                continue
            path = ("wires", i)
            m = _WIRE.fullmatch(wire)
            if not m:
                self.found(path, False, "bad-wire", f"'{wire}' is not a wire: write \"SRC -> DST\"")
                continue
            src, dst = m.groups()
            if dst in self.sec9.expressions:
                self.found(path, False, "mixed-inputs", f"gate '{dst}' is an expression: it"
                           " takes its inputs from the expression, not from wires")
                continue
            gate = gates.get(dst)
            is_const = gate is not None and gate.op is not None and gate.op.name == "const"
            if gate is None or is_const or gate.refs is not None:
                if dst in self.broken:
                    pass  # the target's own problem is reported; its source still checked
                elif gate is None or is_const:
                    what = ("a const gate" if gate is not None else "an input"
                            if dst in self.index or dst in self.sec9.shapes else "not a node")
                    self.found(path, False, "bad-wire",
                               f"wire target '{dst}' is {what}: a wire feeds a gate")
                    continue
                else:
                    self.found(path, False, "mixed-inputs",
                               f"gate '{dst}' has 'in': it takes no wires")
                    continue
            at = self._ref(src, path)
            if gate is not None and not is_const and gate.refs is None:
                wired.setdefault(dst, []).append(at)
        return wired

    def _inputs(self, gate: _Gate, wired: list[int | None]) -> None:
        """Resolve the references of ``gate`` and check its arity."""
        name, op, refs = gate.name, gate.op, gate.refs
        found: list[int | None] = []
        if refs is None:
            found = wired
        for k, ref in enumerate(refs or ()):
            if isinstance(ref, str):
                found.append(self._ref(ref, ("gates", name, "in", k)))
            elif ref is not BROKEN and gate.at >= 0:
                found.append(self.index[f"{name}.{k}"])
            else:
                found.append(None)
        if op is not None and BROKEN not in (refs or ()):
            n = len(found)
            if refs is not None and op.max_in == 0:
                self.found(("gates", name, "in"), False, "arity",
                           f"op '{op.name}' takes no inputs")
            elif not op.takes(n):
                path, at_key = (("gates", name, "in"), False) if refs is not None else (
                    ("gates", name), True)
                self.found(path, at_key, "arity", f"op '{op.name}' takes {op.arity_text()}"
                           f" input{'' if op.arity_text() == '1' else 's'}, got {n}")
        if gate.at >= 0:
            self.ins[gate.at] = tuple(r for r in found if r is not None)

    def _ref(self, ref: str, path: tuple[Any, ...]) -> int | None:
        """The node ``ref`` (outside expressions) names, or None (reported at ``path``)."""
        at = self.index.get(ref)
        if at is not None and ref not in self.sec9.made:
            return at
        issue = self.sec9.check(ref, self.hints, made=False)
        if issue is not None:
            self.found(path, False, issue.code, issue.message)
        return None

    def output(self, name: str | None) -> int:
        """The output node: ``name``, or else the only node that feeds nothing (-1: none)."""
        if name is not None:
            if name in self.index:
                return self.index[name]
            issue = self.sec9.check(name, self.hints, made=True)
            if issue is not None:
                self.found(("output",), False, issue.code, issue.message)
            return -1
        ends = sinks(self.ins)
        if len(ends) == 1:
            return ends[0]
        # Unknown references and broken nodes leave nodes feeding nothing that would feed
        # something: an ambiguity then is only a knock-on of those problems.
        if not self.broken and not any(f.code in ("undefined-ref", "bad-index")
                                       for f in self.findings):
            shown = ", ".join(f"'{self.names[n]}'" for n in ends[:5]) + (
                ", ..." if len(ends) > 5 else "")
            self.found((), True, "ambiguous-output", f"no 'output' and {len(ends)} nodes feed"
                       f" nothing ({shown}): say which with 'output'")
        return -1
