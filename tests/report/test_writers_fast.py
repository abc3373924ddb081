"""The directly formatted JSON and CSV against the json and csv modules' output."""

from __future__ import annotations

import csv
import io
import json
import math

import pytest

import circuitrun
from circuitrun.api.result import Result

from support.random_specs import random_spec


def _num(x: float) -> float | str:
    if math.isfinite(x):
        return x
    return "nan" if x != x else ("inf" if x > 0 else "-inf")


def _text(x: float | None) -> str:
    if x is None:
        return ""
    return repr(x) if math.isfinite(x) else str(_num(x))


def reference_json(result: Result) -> str:
    """The writer as first written: json.dumps of a dict per node."""
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
    head = {"circuit": result.circuit, "output": result.output,
            "value": _num(result.value(result.output))}
    lines = ["{"]
    lines += [f"  {dumps(k)}: {dumps(v)}," for k, v in head.items()]
    rows = [
        dumps({"name": n.name, "op": n.op, "in": list(n.inputs), "value": _num(n.value),
               "grad": None if n.grad is None else _num(n.grad)})
        for n in result
    ]
    lines.append('  "nodes": [')
    lines.append(",\n".join("    " + r for r in rows))
    lines += ["  ]", "}"]
    return "\n".join(lines) + "\n"


def reference_csv(result: Result) -> str:
    """The writer as first written: the csv module."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["name", "op", "in", "value", "grad"])
    for n in result:
        w.writerow([n.name, n.op, " ".join(n.inputs), _text(n.value), _text(n.grad)])
    return buf.getvalue()


@pytest.mark.parametrize("seed", range(40))
def test_writers_match_the_json_and_csv_modules(seed: int) -> None:
    circuit = circuitrun.loads(random_spec(seed, 40))
    result = circuit.run(allow_nonfinite=True)
    assert result.to_json() == reference_json(result)
    assert result.to_csv() == reference_csv(result)


def test_circuit_name_is_escaped() -> None:
    result = circuitrun.loads('name: "a \\"quoted\\" name é"\ninputs: {x: 1}\n'
                              "gates: {f: {op: neg, in: x}}\n").run()
    assert result.to_json() == reference_json(result)
    assert json.loads(result.to_json())["circuit"] == 'a "quoted" name é'
