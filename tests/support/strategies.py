"""Hypothesis strategies for random *valid* circuit specs, as the plain dicts of SPEC 1.

Values are computed with the test oracle's op table; of ``circuitrun`` only the names
of its op table are read, so that every op it has is drawn (and an op the oracle or the
domains below do not know fails loudly).  Circuits are built gate by gate, each gate
choosing an op and inputs compatible with the values computed so far, so that every op
stays in its domain and away from kinks:

- log/sqrt args > 0.1, div/inv denominators and pow bases |.| > 0.1 (bases positive,
  exponents |b| <= 3), exp args in [-10, 5], sigmoid/tanh args not saturated, sin/cos
  args |a| <= 50, every value |v| <= 1000;
- relu/abs args |a| > 1e-3; the extreme of a max/min is more than 1e-3 from every other
  distinct input (``max: [x, x]`` is fine).

With ``allow_ties=True`` relu/abs may also get an exact 0 and max/min exact ties, but only
between values every IEEE implementation computes bit for bit (inputs, constants, and
neg/abs/relu/max/min/sub and add/mul of at most two such values), so a tie in the oracle
is a tie in the code under test too.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from circuitrun.ops import OPS as TABLE

from support.oracle import OPS, known

ALL_OPS = tuple(TABLE)  # circuitrun's op names
BOUND = 1e3  # largest |value| of any node
KINK = 1e-3  # closest a relu/abs arg or a max/min runner-up comes to a kink
DOMAIN_EDGE = 0.1  # closest a log/sqrt arg, a denominator or a pow base comes to 0

# ops whose result is bit-identical in every IEEE implementation (at most one rounding)
_EXACT_OPS = ("neg", "abs", "relu", "max", "min", "sub")
# YAML 1.2 core schema words that are not strings; SPEC says yes/no/on/off *are* names.
_YAML_WORDS = re.compile(r"(null|true|false)", re.IGNORECASE)
_TRICKY_NAMES = ("yes", "no", "on", "off", "Yes", "NO", "y", "n", "inf", "nan", "e1", "_")
_NICE = (0, 1, 2, 3, -1, -2, 0.5, -0.5, 1.5, 2.5, -2.5, 0.25, 0.1, -0.75, 1e-05, 1.25e-1)


@dataclass(frozen=True)
class _Ref:
    """A gate input: a node name, or an inline number (``name`` None)."""

    name: str | None
    value: float
    exact: bool  # computed without rounding differences between implementations
    literal: int | float | None = None
    depth: int = 0  # longest path from a leaf

    @property
    def key(self) -> object:
        return self.name if self.name is not None else ("literal", self.value)

    def text(self) -> str | int | float:
        if self.name is not None:
            return self.name
        return self.literal if self.literal is not None else self.value


# op -> which values it may take at input position pos (see the module's docstring)
DOMAIN: dict[str, Callable[[int, float, bool], bool] | None] = {
    "add": None, "mul": None, "max": None, "min": None, "sub": None, "neg": None,
    "log": lambda pos, v, kink: v > DOMAIN_EDGE,
    "sqrt": lambda pos, v, kink: v > DOMAIN_EDGE,
    "inv": lambda pos, v, kink: abs(v) > DOMAIN_EDGE,
    "div": lambda pos, v, kink: pos == 0 or abs(v) > DOMAIN_EDGE,
    "pow": lambda pos, v, kink: DOMAIN_EDGE < v <= 20 if pos == 0 else abs(v) <= 3,
    "exp": lambda pos, v, kink: -10 <= v <= 5,
    "sigmoid": lambda pos, v, kink: abs(v) <= 8,
    "tanh": lambda pos, v, kink: abs(v) <= 4,
    "sin": lambda pos, v, kink: abs(v) <= 50,
    "cos": lambda pos, v, kink: abs(v) <= 50,
    "square": lambda pos, v, kink: abs(v) <= math.sqrt(BOUND),
    "relu": lambda pos, v, kink: abs(v) > KINK or (kink and v == 0),
    "abs": lambda pos, v, kink: abs(v) > KINK or (kink and v == 0),
    "const": None,
}


def allowed(op: str, pos: int, v: float, ties: bool, exact: bool) -> bool:
    """Whether value ``v`` may feed position ``pos`` of ``op`` (an exact 0 may hit a
    relu/abs kink when ties are allowed and ``v`` is computed exactly)."""
    check = known(DOMAIN, op, "strategies.DOMAIN")
    return check is None or bool(check(pos, v, ties and exact))


def _extreme_ok(op: str, refs: list[_Ref], ties: bool) -> bool:
    """No two distinct inputs within KINK of the max/min, except exact ties if allowed."""
    best = (max if op == "max" else min)(r.value for r in refs)
    near = [r for r in refs if abs(r.value - best) <= KINK]
    if len({r.key for r in near}) == 1:
        return True
    return ties and all(r.value == best and r.exact for r in near)


def _untie(op: str, refs: list[_Ref]) -> list[_Ref]:
    """Drop the inputs that come within KINK of the extreme, keeping the first one there."""
    best = (max if op == "max" else min)(r.value for r in refs)
    keep = next(r for r in refs if abs(r.value - best) <= KINK).key
    return [r for r in refs if r.key == keep or abs(r.value - best) > KINK]


def _exact(op: str, refs: list[_Ref], value: float) -> bool:
    if op == "relu" and refs[0].value <= 0:
        return True
    if op in ("max", "min"):
        return all(r.exact for r in refs if r.value == value)
    if op in _EXACT_OPS or (op in ("add", "mul") and len(refs) <= 2):
        return all(r.exact for r in refs)
    return False


class _Builder:
    """The nodes made so far and the spec being written."""

    def __init__(self, draw: st.DrawFn, ties: bool) -> None:
        self.draw = draw
        self.ties = ties
        # per circuit: how strongly gates take the newest node (bushy ... deep chain)
        self.chain = draw(st.sampled_from([9, 3, 1]))
        self.nodes: list[_Ref] = []  # referable nodes, oldest first
        self.gates: dict[str, dict[str, Any]] = {}
        self.wires: list[str] = []

    def pick(self, pool: list[_Ref]) -> _Ref:
        """A node from ``pool``, often the newest one (that makes deep chains)."""
        if self.draw(st.integers(0, self.chain)) > 0:
            return pool[-1]
        return pool[self.draw(st.integers(0, len(pool) - 1))]

    def literal(self, ok: Callable[[float], bool]) -> _Ref | None:
        """An inline number accepted by ``ok``, if one of a few tries is."""
        for _ in range(3):
            x = self.draw(st.one_of(st.sampled_from(_NICE), st.floats(-4, 4)))
            if ok(float(x)):
                return _Ref(None, float(x), True, x)
        return None

    def refs(self, op: str, n: int, anchor: _Ref | None) -> list[_Ref] | None:
        """``n`` inputs for ``op`` (the first ``anchor`` if given) in its domain, or None."""
        refs: list[_Ref] = [anchor] if anchor is not None else []
        for pos in range(len(refs), n):
            pool = [r for r in self.nodes if allowed(op, pos, r.value, self.ties, r.exact)]
            zeros = [r for r in pool if r.value == 0]
            if self.ties and op in ("relu", "abs") and zeros and self.draw(st.booleans()):
                pool = zeros  # a kink hit exactly: relu(0), abs(0)
            if refs and self.draw(st.integers(0, 5)) == 0:
                pool = [r for r in pool if r.key == refs[-1].key]  # repeat: mul [x, x]
            ref = None
            if not pool or self.draw(st.integers(0, 6)) == 0:
                ref = self.literal(lambda v, p=pos: allowed(op, p, v, False, True))
            if ref is None:
                if not pool:
                    return None
                ref = self.pick(pool)
            refs.append(ref)
        return refs

    def tie(self, op: str, refs: list[_Ref]) -> list[_Ref]:
        """Make ``refs`` (of a max/min) end in an exact tie at the extreme."""
        exact = [r for r in self.nodes if r.exact]
        if not exact:
            return refs
        e = self.pick(exact)
        partners = [r for r in exact if r.value == e.value]
        partners += [e, _Ref(None, e.value, True, e.value)]
        partner = partners[self.draw(st.integers(0, len(partners) - 1))]
        further = [r for r in refs if (r.value < e.value if op == "max" else r.value > e.value)]
        others = [r for r in further if abs(r.value - e.value) > KINK]
        return self.draw(st.permutations([*others, e, partner]))

    def gate(self, name: str) -> None:
        """Add one gate named ``name``."""
        draw = self.draw
        anchor = None
        ops = ALL_OPS
        if self.nodes and draw(st.integers(0, self.chain)) > 0:
            # extend the longest chain: an op that takes its end as its first input
            anchor = max(reversed(self.nodes), key=lambda r: r.depth)
            ops = tuple(o for o in ALL_OPS if allowed(o, 0, anchor.value, self.ties, anchor.exact))
        op = draw(st.sampled_from(ops)) if self.nodes else "const"
        refs: list[_Ref] | None = []
        if op != "const":
            lo, hi = known(OPS, op, "oracle.OPS")[:2]
            n = draw(st.integers(lo, 5)) if hi is None else lo
            refs = self.refs(op, n, anchor)
        if refs and op in ("max", "min"):
            if self.ties and draw(st.booleans()):
                refs = self.tie(op, refs)
            if not _extreme_ok(op, refs, self.ties):
                refs = _untie(op, refs)
        value = OPS[op][2]([r.value for r in refs]) if refs else math.nan
        if refs is None or (refs and not (math.isfinite(value) and abs(value) <= BOUND)):
            op, refs = "neg", [self.nodes[-1]]  # always valid: |-a| = |a|
            value = -refs[0].value
        if op == "const":
            lit = self.literal(lambda v: True) or _Ref(None, 1.0, True, 1)
            self.gates[name] = {"op": "const", "value": lit.literal}
            self.nodes.append(_Ref(name, lit.value, True))
            return
        spec: dict[str, Any] = {"op": op}
        texts = [r.text() for r in refs]
        if all(r.name is not None for r in refs) and draw(st.integers(0, 4)) == 0:
            self.wire(name, texts)
        elif len(refs) == 1 and refs[0].name is not None and draw(st.booleans()):
            spec["in"] = texts[0]  # the single-reference form, in: x
        else:
            spec["in"] = texts
        if op in ("max", "min"):
            ties = draw(st.sampled_from([None, "first", "split"]))
            if ties is not None:
                spec["ties"] = ties
        self.gates[name] = spec
        depth = 1 + max(r.depth for r in refs)
        self.nodes.append(_Ref(name, value, _exact(op, refs, value), depth=depth))

    def wire(self, dst: str, srcs: list[Any]) -> None:
        """Feed ``dst`` from ``srcs`` through wires, interleaved with earlier ones, in order."""
        lo = 0
        for src in srcs:
            at = self.draw(st.integers(lo, len(self.wires)))
            self.wires.insert(at, f"{src} -> {dst}")
            lo = at + 1


_name_text = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,7}", fullmatch=True).filter(
    lambda s: not _YAML_WORDS.fullmatch(s)
)


@st.composite
def _names(draw: st.DrawFn, n: int) -> list[str]:
    """``n`` distinct node names: mostly short and plain, some odd but valid."""
    names: list[str] = []
    seen: set[str] = set()
    for i in range(n):
        kind = draw(st.integers(0, 9))
        if kind < 6:
            name = f"n{i}"
        elif kind < 9:
            name = draw(_name_text)
        else:
            name = draw(st.sampled_from(_TRICKY_NAMES))
        if name in seen:
            name = f"{name}_{i}"
        seen.add(name)
        names.append(name)
    return names


@st.composite
def circuits(draw: st.DrawFn, max_gates: int = 30, allow_ties: bool = False) -> dict[str, Any]:
    """A random valid circuit spec dict (SPEC 1) with up to ``max_gates`` gates."""
    n_inputs = draw(st.integers(0, 6))
    n_gates = draw(st.integers(1, max_gates))
    *names, spare = draw(_names(n_inputs + n_gates + 1))
    b = _Builder(draw, allow_ties)
    inputs: dict[str, int | float] = {}
    for name in names[:n_inputs]:
        x = draw(st.one_of(st.sampled_from(_NICE), st.integers(-4, 4), st.floats(-4, 4)))
        inputs[name] = x
        b.nodes.append(_Ref(name, float(x), True))
    for name in names[n_inputs:]:
        b.gate(name)
    used = {r for g in b.gates.values() for r in _in_list(g) if isinstance(r, str)}
    used |= {w.split(" -> ")[0] for w in b.wires}
    sinks = [r for r in b.nodes if r.name not in used]
    total = OPS["add"][2]([r.value for r in sinks])
    if len(sinks) > 1 and abs(total) <= BOUND and draw(st.integers(0, 2)) == 0:
        # one gate collecting every loose end leaves a single sink: the default output
        b.gates[spare] = {"op": "add", "in": [r.name for r in sinks]}
        b.nodes.append(_Ref(spare, total, False))
        sinks = b.nodes[-1:]
    gates = b.gates
    if draw(st.integers(0, 3)) == 0:  # declaration order need not be topological
        gates = {k: gates[k] for k in draw(st.permutations(list(gates)))}
    spec: dict[str, Any] = {
        "name": draw(st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True)),
        "inputs": inputs,
        "gates": gates,
    }
    if b.wires:
        spec["wires"] = b.wires
    newest = b.nodes[-1].name
    output = newest if draw(st.integers(0, 4)) else b.pick(b.nodes).name
    if [r.name for r in sinks] != [output] or draw(st.booleans()):
        spec["output"] = output
    return spec


def _in_list(gate: dict[str, Any]) -> list[Any]:
    refs = gate.get("in", [])
    return refs if isinstance(refs, list) else [refs]


# ---- writers ----


def _yaml_scalar(x: object) -> str:
    if isinstance(x, bool) or not isinstance(x, int | float | str):
        raise TypeError(f"cannot write {x!r}")
    if isinstance(x, str):
        plain = re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", x) and not _YAML_WORDS.fullmatch(x)
        return x if plain else json.dumps(x)
    return repr(x)


def _yaml_gate(gate: dict[str, Any]) -> str:
    parts = []
    for key, val in gate.items():
        if isinstance(val, list):
            text = "[" + ", ".join(_yaml_scalar(v) for v in val) + "]"
        else:
            text = _yaml_scalar(val)
        parts.append(f"{key}: {text}")
    return "{" + ", ".join(parts) + "}"


def spec_to_yaml(spec: dict[str, Any]) -> str:
    """The spec as YAML 1.2 text: plain names, repr numbers, one flow mapping per gate."""
    lines: list[str] = []
    for key, val in spec.items():
        if key == "inputs":
            lines.append("inputs:" if val else "inputs: {}")
            lines += [f"  {k}: {'null' if v is None else _yaml_scalar(v)}" for k, v in val.items()]
        elif key == "gates":
            lines.append("gates:")
            lines += [f"  {k}: {_yaml_gate(g)}" for k, g in val.items()]
        elif key == "wires":
            lines.append("wires:")
            lines += [f"  - {json.dumps(w)}" for w in val]
        elif isinstance(val, dict | list):
            lines.append(f"{key}: {json.dumps(val)}")  # JSON is flow-style YAML
        else:
            lines.append(f"{key}: {_yaml_scalar(val)}")
    return "\n".join(lines) + "\n"


def spec_to_json(spec: dict[str, Any]) -> str:
    """The spec as JSON text (numbers as Python's repr, key order kept)."""
    return json.dumps(spec, indent=2) + "\n"
