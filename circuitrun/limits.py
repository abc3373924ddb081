"""What circuitrun accepts, checked before the work that would exceed it (README: Limits).

Memory grows with the nodes of a circuit (about 2 KB each, loading included), and a node
can cost a spec as little as two bytes (``in: [1,1,1,...]`` makes a constant of each
``1``): without these bounds a 2 MB file could take gigabytes.  Past a bound the spec is
refused with one clear problem, ``PATH: error: ... [too-large]``, exit 2.  A chain of
1,000,000 gates (SPEC section 3.6), even with an inline constant in each, is well inside.
"""

from __future__ import annotations

from collections import Counter
from itertools import repeat
from typing import Any

from circuitrun.problems import Problem, SpecError

MAX_BYTES = 64 * 2**20
"""Size of a spec file (64 MiB); larger files are not read at all."""
MAX_NODES = 3_000_000
"""Inputs, gates and inline constants of one circuit."""
MAX_DEPTH = 64
"""Nesting a spec never needs; deeper files are rejected before they are read further."""
MAX_ALIASED = 100_000
"""Nodes that YAML aliases may repeat in one file (stops "billion laughs")."""


def too_large(path: str, message: str) -> SpecError:
    """The one problem of a spec past a bound: no position, the file as a whole."""
    return SpecError([Problem(path, None, None, "too-large", message)])


def check_size(size: int, path: str) -> None:
    """Refuse a spec of ``size`` bytes (or characters) beyond ``MAX_BYTES``."""
    if size > MAX_BYTES:
        raise too_large(path, f"the spec is larger than {MAX_BYTES // 2**20} MiB,"
                              " the most circuitrun reads")


def check_nodes(data: Any, path: str, size: int) -> None:
    """Refuse a document whose circuit would have more than ``MAX_NODES`` nodes.

    Counted on the plain data, before validation and the graph (where the memory goes);
    anything malformed counts as nothing here and is left to validation.  ``size`` is the
    length of the text: each node takes two characters of it at least (``1,``), but for
    those YAML aliases repeat, so a shorter text needs no counting.
    """
    if size // 2 + MAX_ALIASED <= MAX_NODES or not isinstance(data, dict):
        return
    inputs, gates = data.get("inputs"), data.get("gates")
    count = len(inputs) if isinstance(inputs, dict) else 0
    if isinstance(gates, dict):
        count += len(gates)
        try:  # at most every item of every `in` is a constant: counted in C
            bound = sum(map(len, filter(None, map(dict.get, gates.values(), repeat("in")))))
        except TypeError:  # a gate that is no mapping, an `in` that is a number, ...
            bound = MAX_NODES + 1
        if count + bound > MAX_NODES:
            count += _constants(gates)
    if count > MAX_NODES:
        raise too_large(path, f"the circuit has {count:,} nodes (inputs, gates and inline"
                              f" constants): circuitrun takes at most {MAX_NODES:,}")


def _constants(gates: dict[Any, Any]) -> int:
    """The inline constants of ``gates``: the numbers in their ``in`` lists."""
    count = 0
    for gate in gates.values():
        refs = gate.get("in") if isinstance(gate, dict) else None
        if isinstance(refs, list):  # numbers, not booleans: counted by type, in C
            types = Counter(map(type, refs))
            count += types[int] + types[float]
    return count
