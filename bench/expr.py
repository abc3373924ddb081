"""Load cost of expression gates against the mapping gates they expand to (issue 10:
an expression gate costs at most 2x those mapping gates).

    python bench/expr.py [--gates N] [--repeat R] [--kind SUBSTRING]

For each kind of expression below, a spec of expression gates that expand to about N
mapping gates, and the spec of exactly those mapping gates (their constants inline,
vectors and matrices as scalar inputs ``x_0``, ``W_1_2``: the same nodes and edges).
The fast line reader (``read/fast.py``) takes a line such as ``g7: a + b`` or ``g7: a * b``
(``*`` but not first, where it would be YAML's alias), not one with brackets or commas
(nor a file with a list input): those files are read by PyYAML's events, as the ``read``
column shows.
The mapping spec is loaded by the loader (``load_text``: read, validate, build).  Until
the loader takes expressions, the expression spec's load is measured in its parts:
reading the file (``read.parse``), what section 9 adds (``input_elements`` for every
input, ``Expressions.compile`` for every gate) and, for the stages after it, validating
and building the same nodes from the mapping spec's data (``check``, ``build``, the
"build" column): their sum is the projected load.
Once ``load_text`` accepts the expression spec, its own time is printed too.  Median
CPU seconds of R runs, the cyclic collector off as the loader has it.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from circuitrun.api.loader import load_text
from circuitrun.graph.build import build
from circuitrun.problems import SpecError
from circuitrun.read import parse
from circuitrun.spec.expr import ExprNode, compile_expression
from circuitrun.spec.exprmemo import Expressions
from circuitrun.spec.refs import Shape
from circuitrun.spec.shapes import Elements, input_elements
from circuitrun.spec.validate import check

WIDTH = 8  # the length of the vectors `x` and of the rows of `W`
ROWS = 16


def _pick(rng: random.Random, earlier: list[str]) -> str:
    return earlier[rng.randrange(len(earlier))]


# Each kind: (the expression of gate i, given a random source of earlier nodes).
KINDS: dict[str, Callable[[random.Random, list[str], int], str]] = {
    "a * b": lambda r, e, i: f"{_pick(r, e)} * {_pick(r, e)}",
    "a + b": lambda r, e, i: f"{_pick(r, e)} + {_pick(r, e)}",
    "a*b + c*d + e": lambda r, e, i: (
        f"{_pick(r, e)}*{_pick(r, e)} + {_pick(r, e)}*{_pick(r, e)} + {_pick(r, e)}"),
    "1 / (1 + exp(-a))": lambda r, e, i: f"1 / (1 + exp(-{_pick(r, e)}))",
    f"tanh(dot(W[k], x) + b[k]) * a, x of {WIDTH}": lambda r, e, i: (
        f"tanh(dot(W[{i % ROWS}], x) + b[{i % ROWS}]) * {_pick(r, e)}"),
    "sum of 100 (N/10 gates)": lambda r, e, i: " + ".join(_pick(r, e) for _ in range(100)),
}
SCALE = {"sum of 100 (N/10 gates)": 10}  # kinds of larger gates, fewer of them


def specs(kind: str, gates: int, seed: int = 1) -> tuple[str, str]:
    """The expression spec and its mapping equivalent, of about ``gates`` mapping gates."""
    rng = random.Random(seed)
    values = {"x": [rng.uniform(-1, 1) for _ in range(WIDTH)],
              "W": [[rng.uniform(-1, 1) for _ in range(WIDTH)] for _ in range(ROWS)],
              "b": [rng.uniform(-1, 1) for _ in range(ROWS)]}
    scalars = {f"s{k}": rng.uniform(-1, 1) for k in range(32)}
    shapes: dict[str, Shape] = {"x": (WIDTH,), "W": (ROWS, WIDTH), "b": (ROWS,),
                                **{name: () for name in scalars}}
    if not kind.startswith("tanh"):
        values.clear()  # vectors only where used: the fast reader declines a list input
    expr = ["inputs:", *(f"  {k}: {v!r}" for k, v in values.items()),
            *(f"  {k}: {v!r}" for k, v in scalars.items()), "gates:"]
    mapping = ["inputs:"]
    for name, value in values.items():
        got = input_elements(name, value)
        assert isinstance(got, Elements)
        mapping += [f"  {_scalar(n)}: {v!r}" for n, v in got.nodes]
    mapping += [f"  {k}: {v!r}" for k, v in scalars.items()]
    mapping.append("gates:")
    earlier = list(scalars)
    made = i = 0
    while made < gates:
        name = f"g{i}"
        text = KINDS[kind](rng, earlier, i)
        shapes[name] = ()
        nodes = compile_expression(name, text, shapes).nodes
        assert nodes, (text, compile_expression(name, text, shapes).problems)
        expr.append(f"  {name}: {text}")
        mapping += _mapping_gates(nodes)
        made += sum(1 for n in nodes if n.op != "const")
        earlier.append(name)
        i += 1
    output = f"output: g{i - 1}"  # many nodes feed nothing: the output is named
    return "\n".join([*expr, output]) + "\n", "\n".join([*mapping, output]) + "\n"


def _scalar(name: str) -> str:
    """``W[1][2]`` → ``W_1_2``, ``g3.2`` → ``g3_2``: a name mapping gates may use."""
    return name.replace("][", "_").replace("[", "_").replace("]", "").replace(".", "_")


def _mapping_gates(nodes: list[ExprNode]) -> list[str]:
    consts = {n.name: n.value for n in nodes if n.op == "const"}
    lines = []
    for n in nodes:
        if n.op == "const":
            continue
        refs = ", ".join(repr(consts[r]) if r in consts else _scalar(r) for r in n.inputs)
        lines.append(f"  {_scalar(n.name)}: {{op: {n.op}, in: [{refs}]}}")
    return lines


def _expression_parts(text: str, memo: bool = True) -> tuple[Any, ...]:
    """What section 9 adds to loading ``text``: the inputs' elements, every gate compiled
    (by ``Expressions``, or without its memo by ``compile_expression``)."""
    data = _read(text)
    shapes: dict[str, Shape] = {}
    for name, value in data["inputs"].items():
        got = input_elements(name, value)
        assert isinstance(got, Elements)
        shapes[name] = got.shape
    for name in data["gates"]:
        shapes[name] = ()
    if not memo:
        return tuple(compile_expression(name, expr, shapes)
                     for name, expr in data["gates"].items())
    gates = Expressions(shapes)
    return tuple(gates.compile(name, expr) for name, expr in data["gates"].items())


def _read(text: str) -> Any:
    """Stage 1 (read), the happy path: plain data without positions."""
    return parse(text, "spec.yaml", is_json=False).data


def _check_build(data: Any) -> Any:
    """Stages 2 and 3 (validate, build) of a valid spec's data."""
    checked = check(data)
    assert checked.spec is not None and not checked.findings
    return build(checked.spec, checked.broken)


def cpu(f: Callable[[], Any], repeat: int) -> float:
    """Median CPU seconds of ``repeat`` calls, the cyclic collector off during each."""
    times = []
    for _ in range(repeat):
        gc.collect()
        gc.disable()
        try:
            t = time.process_time()
            f()
            times.append(time.process_time() - t)
        finally:
            gc.enable()
    return statistics.median(times)


def measure(kind: str, gates: int, repeat: int) -> dict[str, Any]:
    """One kind's figures (seconds, and per mapping gate)."""
    expr_text, map_text = specs(kind, gates)
    n = map_text.count("{op:")
    mapping = cpu(lambda: load_text(map_text, "m.yaml"), repeat)
    read = cpu(lambda: _read(expr_text), repeat)
    section9 = cpu(lambda: _expression_parts(expr_text), repeat) - read
    no_memo = cpu(lambda: _expression_parts(expr_text, memo=False), repeat) - read
    map_data = _read(map_text)
    build = cpu(lambda: _check_build(map_data), repeat)
    try:
        load_text(expr_text, "e.yaml")
        loaded: float | None = cpu(lambda: load_text(expr_text, "e.yaml"), repeat)
    except SpecError:  # the loader does not take expressions yet
        loaded = None
    projected = read + section9 + build
    return {"kind": kind, "gates": n, "expressions": expr_text.count("\n  g"),
            "mapping": mapping, "read": read, "section9": section9, "no_memo": no_memo,
            "build": build,
            "projected": projected, "loaded": loaded}


def main() -> None:
    """Print one line per kind."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gates", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--kind", default="", help="only the kinds whose name holds this")
    args = parser.parse_args()
    print("us per mapping gate; ratio: projected / mapping; sec. 9 without the memo: no memo;"
          " x loaded: loaded / mapping")
    print(f"{'kind':<40} {'gates':>7} {'mapping':>8} {'read':>7} {'sec. 9':>7}"
          f" {'build':>7} {'proj.':>7} {'ratio':>6} {'no memo':>8} {'loaded':>7}"
          f" {'x loaded':>8}")
    for kind in (k for k in KINDS if args.kind in k):
        m = measure(kind, args.gates // SCALE.get(kind, 1), args.repeat)
        us = {k: m[k] / m["gates"] * 1e6 for k in
              ("mapping", "read", "section9", "no_memo", "build", "projected")}
        loaded = "-" if m["loaded"] is None else f"{m['loaded'] / m['gates'] * 1e6:.2f}"
        times = "-" if m["loaded"] is None else f"{m['loaded'] / m['mapping']:.2f}"
        print(f"{kind:<40} {m['gates']:>7,} {us['mapping']:>8.2f} {us['read']:>7.2f}"
              f" {us['section9']:>7.2f} {us['build']:>7.2f} {us['projected']:>7.2f}"
              f" {m['projected'] / m['mapping']:>6.2f} {us['no_memo']:>8.2f} {loaded:>7}"
              f" {times:>8}")


if __name__ == "__main__":
    main()
