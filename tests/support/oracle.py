"""An independent test oracle for circuit specs, written from SPEC.md sections 1-3 only.

It imports nothing from ``circuitrun`` so that it can judge it.  A spec is the plain
dict of SPEC section 1 (what ``yaml``/``json`` give for a circuit file).

- Values: one forward pass with ``math``, nodes in the order of SPEC 3.4 (Kahn's
  algorithm, ties broken by declaration index), iterative, no recursion.
- Gradients: central differences.  For every node the output depends on, nudge that
  node's value by +-h and +-2h, re-run the forward pass below it, and combine the four
  outputs by Richardson extrapolation, ``(4*D(h) - D(2h)) / 3``, whose error is O(h**4);
  h shrinks (by 8, at most 3 times) until two successive estimates agree.  Piecewise ops
  (relu, abs, max, min) are *frozen* on the branch taken at the unperturbed point, so the
  differences give the gradient SPEC section 2 defines, ties included (``ties: first`` /
  ``split``), instead of a blend of two branches.
- ``symbolic``: the SymPy expression the circuit denotes, differentiated exactly.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import mpmath
import sympy

# Compare a circuitrun gradient ``g`` with an oracle gradient ``o`` as
# ``abs(g - o) <= GRAD_ATOL * max(1, abs(output value)) + GRAD_RTOL * abs(o)``.
GRAD_RTOL = 1e-6
GRAD_ATOL = 1e-8
# Values are plain IEEE arithmetic; implementations may differ by a few ulps per op.
VALUE_RTOL = 1e-9
VALUE_ATOL = 1e-12

# First relative step h = STEP * max(1, |value of the nudged node|).  With Richardson
# extrapolation the truncation error is ~h**4 (1e-16) and the rounding error ~eps/h (1e-12);
# measured errors against SymPy stay below ~1e-9 relative (see test_oracle_selfcheck).
STEP = 1e-4

Spec = Mapping[str, Any]
Result = dict[str, tuple[float, float | None]]


class OracleError(ValueError):
    """The spec is outside what the oracle evaluates (bad reference, cycle, arity, ...)."""


@dataclass(frozen=True)
class Node:
    """One node: an input, a constant (``const`` gate or inline ``GATE.K``) or a gate."""

    name: str
    op: str  # "input", "const" or an op of SPEC section 2
    ins: tuple[str, ...] = ()
    value: float | None = None  # inputs and constants
    ties: str = "first"


# ---- forward values, IEEE-754 style (math raises where IEEE gives inf/nan) ----


def _div(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or math.isnan(a):
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def _pow(a: float, b: float) -> float:
    try:
        r = a**b
    except ZeroDivisionError:  # 0 ** negative
        return math.inf
    except OverflowError:
        return -math.inf if a < 0 and b.is_integer() and b % 2 == 1 else math.inf
    return math.nan if isinstance(r, complex) else float(r)


def _exp(a: float) -> float:
    try:
        return math.exp(a)
    except OverflowError:
        return math.inf


def _log(a: float) -> float:
    if a > 0 or math.isnan(a):
        return math.log(a)
    return -math.inf if a == 0 else math.nan


def _sigmoid(a: float) -> float:
    if a >= 0:
        return 1.0 / (1.0 + math.exp(-a))
    e = _exp(a)  # a < 0 (or nan): e**a cannot overflow
    return e / (1.0 + e)


def _trig(f: Callable[[float], float]) -> Callable[[float], float]:
    def g(a: float) -> float:
        return f(a) if math.isfinite(a) else math.nan

    return g


def _add(xs: Sequence[float]) -> float:
    total = xs[0]
    for x in xs[1:]:
        total += x
    return total


def _mul(xs: Sequence[float]) -> float:
    total = xs[0]
    for x in xs[1:]:
        total *= x
    return total


def _extreme(pick: Callable[..., float]) -> Callable[[Sequence[float]], float]:
    def f(xs: Sequence[float]) -> float:
        return math.nan if any(math.isnan(x) for x in xs) else float(pick(xs))

    return f


def _unary(f: Callable[[float], float]) -> Callable[[Sequence[float]], float]:
    return lambda xs: f(xs[0])


# op -> (min inputs, max inputs or None for any, value of the input values)
OPS: dict[str, tuple[int, int | None, Callable[[Sequence[float]], float]]] = {
    # ---- n-ary ----
    "add": (1, None, _add),
    "mul": (1, None, _mul),
    "max": (1, None, _extreme(max)),
    "min": (1, None, _extreme(min)),
    # ---- binary ----
    "sub": (2, 2, lambda xs: xs[0] - xs[1]),
    "div": (2, 2, lambda xs: _div(xs[0], xs[1])),
    "pow": (2, 2, lambda xs: _pow(xs[0], xs[1])),
    # ---- unary ----
    "neg": (1, 1, lambda xs: -xs[0]),
    "inv": (1, 1, lambda xs: _div(1.0, xs[0])),
    "square": (1, 1, lambda xs: xs[0] * xs[0]),
    "sqrt": (1, 1, _unary(lambda a: math.sqrt(a) if a >= 0 else math.nan)),
    "exp": (1, 1, _unary(_exp)),
    "log": (1, 1, _unary(_log)),
    "sigmoid": (1, 1, _unary(_sigmoid)),
    "tanh": (1, 1, _unary(math.tanh)),
    "relu": (1, 1, _unary(lambda a: a if a > 0 or math.isnan(a) else 0.0)),
    "abs": (1, 1, _unary(abs)),
    "sin": (1, 1, _unary(_trig(math.sin))),
    "cos": (1, 1, _unary(_trig(math.cos))),
    # ---- leaf ----
    "const": (0, 0, lambda xs: math.nan),  # value comes from the node
}


# ---- spec -> nodes, order ----


def _is_number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


def parse(spec: Spec, inputs: Mapping[str, float] | None = None) -> dict[str, Node]:
    """The nodes of ``spec`` in declaration order (SPEC 3.4), inline constants included."""
    given = dict(inputs or {})
    nodes: dict[str, Node] = {}
    for name, value in (spec.get("inputs") or {}).items():
        v = given.pop(name, value)
        if v is None:
            raise OracleError(f"input {name!r} has no value")
        nodes[name] = Node(name, "input", value=float(v))
    if given:
        raise OracleError(f"no such inputs: {sorted(given)}")
    wired: dict[str, list[str]] = {}
    for wire in spec.get("wires") or []:
        src, _, dst = (part.strip() for part in wire.partition("->"))
        wired.setdefault(dst, []).append(src)
    for name, gate in spec["gates"].items():
        op = gate["op"]
        known(OPS, op, "oracle.OPS")
        if op == "const":
            nodes[name] = Node(name, "const", value=float(gate["value"]))
            continue
        if "in" in gate:
            refs = gate["in"] if isinstance(gate["in"], list) else [gate["in"]]
        else:
            refs = wired.pop(name, [])
        ins: list[str] = []
        for k, ref in enumerate(refs):
            if _is_number(ref):
                ins.append(f"{name}.{k}")
                nodes[ins[-1]] = Node(ins[-1], "const", value=float(ref))
            else:
                ins.append(ref)
        lo, hi = OPS[op][:2]
        if len(ins) < lo or (hi is not None and len(ins) > hi):
            raise OracleError(f"gate {name!r} ({op}) has {len(ins)} inputs")
        nodes[name] = Node(name, op, tuple(ins), ties=gate.get("ties", "first"))
    if wired:
        raise OracleError(f"wires into unknown gates: {sorted(wired)}")
    for node in nodes.values():
        for ref in node.ins:
            if ref not in nodes:
                raise OracleError(f"gate {node.name!r}: unknown reference {ref!r}")
    return nodes


def order_of(nodes: Mapping[str, Node]) -> list[str]:
    """Kahn's algorithm, always taking the earliest-declared ready node (SPEC 3.4)."""
    index = {name: i for i, name in enumerate(nodes)}
    names = list(nodes)
    users: dict[str, list[str]] = {name: [] for name in nodes}
    waiting: dict[str, int] = {}
    for node in nodes.values():
        preds = set(node.ins)  # a DiGraph has one edge per (src, dst) pair
        waiting[node.name] = len(preds)
        for p in preds:
            users[p].append(node.name)
    ready = [index[n] for n, w in waiting.items() if w == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        name = names[heapq.heappop(ready)]
        order.append(name)
        for user in users[name]:
            waiting[user] -= 1
            if waiting[user] == 0:
                heapq.heappush(ready, index[user])
    if len(order) < len(nodes):
        raise OracleError("the circuit has a cycle")
    return order


def topo_order(spec: Spec) -> list[str]:
    """Node names in the output order of SPEC 3.4."""
    return order_of(parse(spec, {k: 0.0 for k in spec.get("inputs") or {}}))


def output_of(spec: Spec) -> str:
    """The node differentiated: ``output``, else the only node that feeds nothing."""
    if spec.get("output") is not None:
        return str(spec["output"])
    nodes = parse(spec, {k: 0.0 for k in spec.get("inputs") or {}})
    used = {ref for node in nodes.values() for ref in node.ins}
    sinks = [name for name in nodes if name not in used]
    if len(sinks) != 1:
        raise OracleError(f"ambiguous output: {sinks}")
    return sinks[0]


# ---- forward pass ----


def branch(node: Node, xs: Sequence[float]) -> tuple[int, ...] | float | None:
    """The branch a piecewise op takes at ``xs``: relu/abs slope, max/min positions used."""
    if node.op == "relu":
        return 1.0 if xs[0] > 0 else 0.0
    if node.op == "abs":
        return 0.0 if xs[0] == 0 else math.copysign(1.0, xs[0])
    if node.op in ("max", "min"):
        best = OPS[node.op][2](xs)
        hits = tuple(i for i, x in enumerate(xs) if x == best)
        return hits[:1] if node.ties == "first" else hits
    return None


def _frozen(node: Node, xs: Sequence[float], branch: tuple[int, ...] | float) -> float:
    """The smooth piece of a piecewise op fixed by ``branch`` (its SPEC gradient is exact)."""
    if isinstance(branch, float):  # relu, abs: slope * a
        return branch * xs[0]
    first = xs[branch[0]]  # max/min: mean of the selected inputs, exact at the base point
    return first + sum(xs[i] - first for i in branch[1:]) / len(branch)


def _value(node: Node, xs: Sequence[float]) -> float:
    return node.value if node.value is not None else OPS[node.op][2](xs)


def forward(spec: Spec, inputs: Mapping[str, float] | None = None) -> dict[str, float]:
    """Every node's value, in SPEC 3.4 order."""
    nodes = parse(spec, inputs)
    values: dict[str, float] = {}
    for name in order_of(nodes):
        node = nodes[name]
        values[name] = _value(node, [values[r] for r in node.ins])
    return values


def evaluate(
    spec: Spec, inputs: Mapping[str, float] | None = None, *, freeze_kinks: bool = True
) -> Result:
    """``{node: (value, d output / d node)}`` in SPEC 3.4 order; constants get grad None.

    ``freeze_kinks=False`` differentiates the true piecewise functions instead: use it
    to check that no nudge crosses a kink (the two then agree away from ties).
    """
    nodes = parse(spec, inputs)
    order = order_of(nodes)
    out = output_of(spec)
    if out not in nodes:
        raise OracleError(f"unknown output {out!r}")
    values: dict[str, float] = {}
    branches: dict[str, Any] = {}
    for name in order:
        node = nodes[name]
        xs = [values[r] for r in node.ins]
        values[name] = _value(node, xs)
        branches[name] = branch(node, xs)
    # Only ancestors of the output (and itself) can have a non-zero gradient.
    needed = {out}
    for name in reversed(order):
        if name in needed:
            needed.update(nodes[name].ins)
    stop = order.index(out)

    def nudged(start: int, x: float) -> float:
        """The output with node ``order[start]`` set to ``x``."""
        changed = {order[start]: x}
        for name in order[start + 1 : stop + 1]:
            node = nodes[name]
            if name not in needed or not any(r in changed for r in node.ins):
                continue
            xs = [changed.get(r, values[r]) for r in node.ins]
            branch = branches[name]
            if freeze_kinks and branch is not None:
                changed[name] = _frozen(node, xs, branch)
            else:
                changed[name] = _value(node, xs)
        return changed.get(out, values[out])

    def richardson(i: int, v: float, h: float) -> float:
        """(4*D(h) - D(2h)) / 3 for central differences D: the h**2 error terms cancel."""
        xs = (v - 2 * h, v - h, v + h, v + 2 * h)
        f = [nudged(i, x) for x in xs]
        d1 = (f[2] - f[1]) / (xs[2] - xs[1])  # divide by the steps actually taken
        d2 = (f[3] - f[0]) / (xs[3] - xs[0])
        return (4 * d1 - d2) / 3

    scale = max(1.0, abs(values[out]))
    result: Result = {}
    for i, name in enumerate(order):
        v = values[name]
        grad: float | None
        if nodes[name].op == "const":
            grad = None
        elif name == out:
            grad = 1.0
        elif name not in needed or i > stop:
            grad = 0.0
        else:
            # Shrink h until two estimates agree: a large gradient downstream makes the
            # step effectively larger there, and the truncation error with it.
            h = STEP * max(1.0, abs(v))
            grad = richardson(i, v, h)
            for _ in range(3):
                h /= 8
                finer = richardson(i, v, h)
                if abs(finer - grad) <= 1e-9 * (abs(finer) + scale / max(1.0, abs(v))):
                    break  # keep the coarser step: less rounding error
                grad = finer
        result[name] = (v, grad)
    return result


def kink_margin(spec: Spec, inputs: Mapping[str, float] | None = None) -> float:
    """The smallest distance, over relu/abs args and max/min runner-ups, to a kink.

    Repeated references to one node (``max: [x, x]``) are not a kink; ``inf`` if the
    circuit has no piecewise op.
    """
    nodes = parse(spec, inputs)
    values = forward(spec, inputs)
    margin = math.inf
    for node in nodes.values():
        if node.op in ("relu", "abs"):
            margin = min(margin, abs(values[node.ins[0]]))
        elif node.op in ("max", "min"):
            best = values[node.name]
            first = next(r for r in node.ins if values[r] == best)
            for r in node.ins:
                # a tie between two constants moves nothing that has a gradient
                if r != first and not nodes[r].op == nodes[first].op == "const":
                    margin = min(margin, abs(values[r] - best))
    return margin


# ---- symbolic ----


# op -> the SymPy expression of the input expressions
SYMBOLIC: dict[str, Callable[[Sequence[Any]], Any]] = {
    "add": lambda xs: sympy.Add(*xs),
    "mul": lambda xs: sympy.Mul(*xs),
    "max": lambda xs: sympy.Max(*xs),
    "min": lambda xs: sympy.Min(*xs),
    "sub": lambda xs: xs[0] - xs[1],
    "div": lambda xs: xs[0] / xs[1],
    "pow": lambda xs: xs[0] ** xs[1],
    "neg": lambda xs: -xs[0],
    "inv": lambda xs: 1 / xs[0],
    "square": lambda xs: xs[0] ** 2,
    "sqrt": lambda xs: sympy.sqrt(xs[0]),
    "exp": lambda xs: sympy.exp(xs[0]),
    "log": lambda xs: sympy.log(xs[0]),
    "sigmoid": lambda xs: 1 / (1 + sympy.exp(-xs[0])),
    "tanh": lambda xs: sympy.tanh(xs[0]),
    "relu": lambda xs: sympy.Max(xs[0], 0),
    "abs": lambda xs: sympy.Abs(xs[0]),
    "sin": lambda xs: sympy.sin(xs[0]),
    "cos": lambda xs: sympy.cos(xs[0]),
}


def known(table: Mapping[str, Any], op: str, where: str) -> Any:
    """``table[op]``, or an error saying which judge has to learn the op."""
    if op not in table:
        raise OracleError(f"the test oracle does not know op {op!r}: add it to {where}"
                          " (tests/support: oracle.py OPS and SYMBOLIC, referee.py, strategies.py)")
    return table[op]


def _sym_op(op: str, xs: Sequence[sympy.Expr]) -> sympy.Expr:
    return known(SYMBOLIC, op, "oracle.SYMBOLIC")(xs)  # type: ignore[no-any-return]


def expression(
    spec: Spec, inputs: Mapping[str, float] | None = None
) -> tuple[sympy.Expr, dict[str, sympy.Symbol], dict[sympy.Symbol, float]]:
    """The output as a SymPy expression, its input symbols, and every symbol's value.

    Constants are symbols too (held fixed, never differentiated): as exact rationals with
    2**52-sized denominators SymPy would try, e.g., to simplify ``x**(p/q)`` and stall.
    """
    nodes = parse(spec, inputs)
    exprs: dict[str, sympy.Expr] = {}
    symbols: dict[str, sympy.Symbol] = {}
    point: dict[sympy.Symbol, float] = {}
    for name in order_of(nodes):
        node = nodes[name]
        if node.value is not None:  # an input or a constant
            sym = sympy.Symbol(name, real=True)
            exprs[name] = sym
            point[sym] = node.value
            if node.op == "input":
                symbols[name] = sym
        else:
            exprs[name] = _sym_op(node.op, [exprs[r] for r in node.ins])
    return exprs[output_of(spec)], symbols, point


def tree_size(spec: Spec) -> int:
    """How many nodes the circuit's expression has when written as a tree (fan-out copies)."""
    nodes = parse(spec, {k: 0.0 for k in spec.get("inputs") or {}})
    size: dict[str, int] = {}
    for name in order_of(nodes):
        size[name] = 1 + sum(size[r] for r in nodes[name].ins)
    return size[output_of(spec)]


def symbolic(
    spec: Spec, inputs: Mapping[str, float] | None = None, *, max_size: int = 20_000
) -> dict[str, float]:
    """``{input: d output / d input}`` from SymPy's exact derivative, at the input values.

    Meant for small circuits without ties or kinks at the point.  SymPy works on trees, so
    fan-out makes the expression grow exponentially: past ``max_size`` tree nodes
    (``tree_size``) this raises OracleError instead of running out of memory.
    """
    if tree_size(spec) > max_size:
        raise OracleError(f"expression too large for SymPy: {tree_size(spec)} tree nodes")
    expr, symbols, point = expression(spec, inputs)
    derivatives = [sympy.diff(expr, sym) for sym in symbols.values()]
    # Evaluate with mpmath at 30 digits; SymPy's own evalf falls back to exact substitution
    # for Max/Heaviside, which can take minutes on nested powers.
    f = sympy.lambdify(list(point), derivatives, modules=[_MPMATH_EXTRA, "mpmath"], cse=True)
    with mpmath.workdps(30):
        values = f(*(mpmath.mpf(v) for v in point.values()))
    return {name: float(v) for name, v in zip(symbols, values, strict=True)}


def _heaviside(x: Any, h0: Any = 0.5) -> Any:
    return 1 if x > 0 else 0 if x < 0 else h0


_MPMATH_EXTRA = {"Heaviside": _heaviside}
