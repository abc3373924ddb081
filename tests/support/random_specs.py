"""Random valid specs that use every op and every feature, for the fast-path tests.

Each spec has inputs (some null), every op of the table, inline constants, const gates,
``ties`` rules, fan-out, a node used twice by one gate, gates declared before their
inputs (through ``in`` and through wires) and values that make some results
non-finite.  The same seed always gives the same text.
"""

from __future__ import annotations

import json
import random

from circuitrun.ops import OPS

SPECIALS = [0.0, -0.0, 1.0, -1.0, 0.5, 2.0, -3.0, 700.0, -700.0, 1e-300, 1e300]


def _number(rng: random.Random) -> float:
    if rng.random() < 0.3:
        return rng.choice(SPECIALS)
    return round(rng.uniform(-4.0, 4.0), rng.choice([0, 1, 3, 17]))


def random_spec(seed: int, gates: int = 30, *, as_json: bool = False,
                nulls: bool = False) -> str:
    """A valid spec of about ``gates`` gates (YAML, or JSON with ``as_json``)."""
    rng = random.Random(seed)
    k = rng.randint(1, 5)
    inputs: dict[str, float | None] = {f"x{i}": _number(rng) for i in range(k)}
    if nulls:
        inputs[f"x{k}"] = None
    names = list(inputs)
    spec_gates: dict[str, dict[str, object]] = {}
    wires: list[str] = []
    ops = [op for op in OPS if op != "const"]
    for j in range(gates):
        name = f"g{j}"
        op = ops[j % len(ops)] if j < len(ops) else rng.choice([*ops, "const"])
        o = OPS[op]
        if op == "const":
            spec_gates[name] = {"op": "const", "value": _number(rng)}
            names.append(name)
            continue
        lo = o.min_in
        hi = o.max_in if o.max_in is not None else 4
        refs: list[object] = []
        for _ in range(rng.randint(lo, hi)):
            if rng.random() < 0.15:
                refs.append(_number(rng))  # an inline constant
            else:
                refs.append(rng.choice(names))
        if len(refs) >= 2 and rng.random() < 0.2:
            refs[1] = refs[0]  # a node used twice by one gate
        gate: dict[str, object] = {"op": op}
        for attr, rules in o.attrs.items():  # ties: first or split on max and min
            if rules and rng.random() < 0.6:
                gate[attr] = rng.choice(sorted(rules))
        if rng.random() < 0.2 and not any(isinstance(r, float) for r in refs):
            wires += [f"{r} -> {name}" for r in refs]  # inputs from the wires list
        else:
            gate["in"] = refs if len(refs) != 1 or rng.random() < 0.5 else refs[0]
        spec_gates[name] = gate
        names.append(name)
    last = f"g{gates - 1}"
    doc: dict[str, object] = {"name": f"random-{seed}", "inputs": inputs, "gates": spec_gates}
    if wires:
        doc["wires"] = wires
    doc["output"] = rng.choice([last, last, rng.choice(names)])
    _reorder(doc, rng)
    return json.dumps(doc, indent=1) if as_json else _yaml(doc)


def _reorder(doc: dict[str, object], rng: random.Random) -> None:
    """Swap a few gates, so that some are declared before their inputs (no cycle arises:
    the edges are those of the acyclic construction)."""
    gates = doc["gates"]
    assert isinstance(gates, dict)
    items = list(gates.items())
    for _ in range(len(items) // 5):
        i = rng.randrange(len(items))
        j = rng.randrange(len(items))
        items[i], items[j] = items[j], items[i]
    doc["gates"] = dict(items)


def _scalar(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _yaml(doc: dict[str, object]) -> str:
    lines = [f"name: {doc['name']}", "inputs:"]
    inputs = doc["inputs"]
    assert isinstance(inputs, dict)
    lines += [f"  {n}: {_scalar(v)}".rstrip() for n, v in inputs.items()]
    lines.append("gates:")
    gates = doc["gates"]
    assert isinstance(gates, dict)
    for name, gate in gates.items():
        parts = []
        for key, value in gate.items():
            if isinstance(value, list):
                parts.append(f"{key}: [{', '.join(_scalar(v) for v in value)}]")
            else:
                parts.append(f"{key}: {_scalar(value)}")
        lines.append(f"  {name}: {{{', '.join(parts)}}}")
    if "wires" in doc:
        lines.append("wires:")
        wires = doc["wires"]
        assert isinstance(wires, list)
        lines += [f"  - {w}" for w in wires]
    lines.append(f"output: {doc['output']}")
    return "\n".join(lines) + "\n"
