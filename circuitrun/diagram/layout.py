"""A layered left-to-right layout of a circuit, as in a Sugiyama drawing, with no recursion.

1. Layer: a gate sits one layer right of its deepest input (longest-path depth); inputs sit
   in layer 0, constants just left of their first user, the output in the last layer.
2. A wire that spans several layers gets one dummy point per layer it crosses, so it runs
   through a free slot of each column and never through a box.
3. Order: barycenter sweeps (left to right, then right to left) reorder each layer to
   reduce crossings; the ordering with the fewest crossings wins.
4. Rows: each node moves towards the mean height of its neighbours, as far as the order
   and the minimum gaps allow (isotonic regression, pool-adjacent-violators).
5. Columns: each layer is a column of boxes, then a label zone where every wire runs
   straight (the wire labels live there), then a routing zone where wires bend.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

Box = tuple[float, float, float, float]  # x, y (top left), w, h
Point = tuple[float, float]

MARGIN = 16.0
ROW_GAP = 14.0
DUMMY_HALF = 4.0  # half the height of the slot a passing wire takes in a column
PORT_STEP = 12.0  # vertical distance between the input ports of a gate
SWEEPS = 8


def text_width(text: str, size: float) -> float:
    """The estimated width of a line of text: 0.6 em per character."""
    return 0.6 * size * len(text)


@dataclass(frozen=True, slots=True)
class Item:
    """What the layout needs to know about one node."""

    name: str
    inputs: tuple[str, ...]
    kind: str  # "input", "const" or "gate"
    w: float
    h: float
    col_w: float  # the width the node needs in its column (box or caption)
    top: float  # room above the box, for the caption
    label_w: float  # the length of the straight wire right of the box, for its labels
    tail: float = 0.0  # extra length of that wire (the output's arrow); such a node goes last
    ordered: bool = False  # inputs enter top to bottom in order (a - b), not as they arrive


@dataclass(slots=True)
class Layout:
    """Where everything goes; the renderer only draws it."""

    boxes: dict[str, Box]
    stubs: dict[str, tuple[float, float, float]]  # name -> (x0, x1, y) of its output wire
    # (source, target, points); segment i (points[i] to points[i+1]) is a curve when i is
    # even and straight when i is odd; the last point is on the target's left side.
    wires: list[tuple[str, str, list[Point]]]
    width: float
    height: float


def _layers(items: list[Item], index: dict[str, int]) -> list[int]:
    layer = [0] * len(items)
    users: list[list[int]] = [[] for _ in items]
    for i, it in enumerate(items):  # items are in topological order
        for s in it.inputs:
            users[index[s]].append(i)
        if it.kind == "gate":
            deps = [layer[index[s]] for s in it.inputs if items[index[s]].kind != "const"]
            layer[i] = 1 + max(deps, default=0)
    last = max(layer, default=0)
    for i, it in enumerate(items):
        if it.kind == "const" and users[i]:
            layer[i] = min(layer[u] for u in users[i]) - 1
        elif it.tail and not users[i]:  # the output, drawn on the right as in CS231n
            layer[i] = last
    return layer


def _crossings(order: list[list[int]], down: list[list[int]], pos: list[int]) -> int:
    """Count crossings between neighbouring layers (inversions, with a Fenwick tree)."""
    total = 0
    for a_layer, b_layer in pairwise(order):
        tree = [0] * (len(b_layer) + 1)
        for seen, (_, b) in enumerate(sorted((pos[a], pos[b]) for a in a_layer for b in down[a])):
            k, at_most_b = b + 1, 0
            while k > 0:
                at_most_b += tree[k]
                k -= k & -k
            total += seen - at_most_b
            k = b + 1
            while k < len(tree):
                tree[k] += 1
                k += k & -k
    return total


def _order(order: list[list[int]], up: list[list[int]], down: list[list[int]]) -> None:
    pos = [0] * len(up)
    for layer in order:
        for k, i in enumerate(layer):
            pos[i] = k
    best, fewest = [list(layer) for layer in order], _crossings(order, down, pos)
    for sweep in range(SWEEPS):
        forward = sweep % 2 == 0
        nbrs = up if forward else down
        span = range(1, len(order)) if forward else range(len(order) - 2, -1, -1)
        for lay in span:
            key = {i: sum(pos[j] for j in nbrs[i]) / len(nbrs[i]) if nbrs[i] else pos[i]
                   for i in order[lay]}
            order[lay].sort(key=key.__getitem__)
            for k, i in enumerate(order[lay]):
                pos[i] = k
        crossings = _crossings(order, down, pos)
        if crossings < fewest:
            best, fewest = [list(layer) for layer in order], crossings
    order[:] = best


def _isotonic(targets: list[float]) -> list[float]:
    """The nondecreasing sequence closest (least squares) to targets."""
    blocks: list[tuple[float, int]] = []  # (mean, count)
    for t in targets:
        mean, count = t, 1
        while blocks and blocks[-1][0] > mean:
            m, c = blocks.pop()
            mean, count = (m * c + mean * count) / (c + count), c + count
        blocks.append((mean, count))
    return [mean for mean, count in blocks for _ in range(count)]


def _fit(layer: list[int], want: list[float], above: list[float], below: list[float],
         y: list[float]) -> None:
    """Put each row as near its wanted height as order and gaps allow."""
    offsets, c = [], 0.0
    for k, i in enumerate(layer):
        if k:
            c += below[layer[k - 1]] + ROW_GAP + above[i]
        offsets.append(c)
    z = _isotonic([w - o for w, o in zip(want, offsets, strict=True)])
    for i, zi, o in zip(layer, z, offsets, strict=True):
        y[i] = zi + o


def place(items: list[Item]) -> Layout:
    """Lay the items (in topological order) out left to right."""
    index = {it.name: i for i, it in enumerate(items)}
    lay = _layers(items, index)
    up: list[list[int]] = [[] for _ in items]
    down: list[list[int]] = [[] for _ in items]
    chains: dict[tuple[int, int], list[int]] = {}
    for v, it in enumerate(items):
        for u in dict.fromkeys(index[s] for s in it.inputs):
            chain = [u]
            for layer in range(lay[u] + 1, lay[v]):
                lay.append(layer)
                up.append([])
                down.append([])
                chain.append(len(lay) - 1)
            chain.append(v)
            chains[u, v] = chain
            for a, b in pairwise(chain):
                up[b].append(a)
                down[a].append(b)
    order: list[list[int]] = [[] for _ in range(max(lay, default=0) + 1)]
    for i, layer in enumerate(lay):
        order[layer].append(i)
    _order(order, up, down)

    n = len(items)
    above = [it.h / 2 + it.top for it in items] + [DUMMY_HALF] * (len(lay) - n)
    below = [it.h / 2 for it in items] + [DUMMY_HALF] * (len(lay) - n)
    y = [0.0] * len(lay)
    for rows in order:
        _fit(rows, [0.0] * len(rows), above, below, y)
        mid = (y[rows[0]] + y[rows[-1]]) / 2 if rows else 0.0
        for i in rows:
            y[i] -= mid
    for sweep in range(SWEEPS + 1):
        last = sweep == SWEEPS
        nbrs = [u + d for u, d in zip(up, down, strict=True)] if last else (
            up if sweep % 2 == 0 else down)
        span = range(len(order)) if sweep % 2 == 0 else range(len(order) - 1, -1, -1)
        for lay_i in span:
            rows = order[lay_i]
            want = [sum(y[j] for j in nbrs[i]) / len(nbrs[i]) if nbrs[i] else y[i]
                    for i in rows]
            _fit(rows, want, above, below, y)
    shift = MARGIN - min((y[i] - above[i] for i in range(len(lay))), default=0.0)
    y = [v + shift for v in y]

    # Columns: box, label zone, routing zone (wider when wires climb further).
    col_w = [0.0] * len(order)
    label_w = [0.0] * len(order)
    for i, it in enumerate(items):
        col_w[lay[i]] = max(col_w[lay[i]], it.col_w)
        label_w[lay[i]] = max(label_w[lay[i]], it.label_w)
    left = [MARGIN] * len(order)
    for k in range(1, len(order)):
        climb = max((abs(y[a] - y[b]) for a in order[k - 1] for b in down[a]), default=0.0)
        route = min(max(48.0, 0.3 * climb), 160.0)
        left[k] = left[k - 1] + col_w[k - 1] + label_w[k - 1] + route

    boxes: dict[str, Box] = {}
    stubs: dict[str, tuple[float, float, float]] = {}
    right = 0.0
    for i, it in enumerate(items):
        k = lay[i]
        x = left[k] + (col_w[k] - it.w) / 2
        boxes[it.name] = (x, y[i] - it.h / 2, it.w, it.h)
        end = left[k] + col_w[k] + label_w[k] + it.tail
        stubs[it.name] = (x + it.w, end, y[i])
        right = max(right, end)

    wires: list[tuple[str, str, list[Point]]] = []
    for v, it in enumerate(items):
        m = len(it.inputs)
        step = min(PORT_STEP, (it.h - 12) / (m - 1)) if m > 1 else 0.0
        # Ports top to bottom: in input order, or by arrival height so wires do not cross.
        arrival = [y[chains[index[s], v][-2]] for s in it.inputs]
        slots = range(m) if it.ordered else sorted(range(m), key=arrival.__getitem__)
        rank = {j: k for k, j in enumerate(slots)}
        for j, s in enumerate(it.inputs):
            u = index[s]
            chain = chains[u, v]
            points: list[Point] = [(stubs[s][1], y[u])]
            for d in chain[1:-1]:
                k = lay[d]
                points += [(left[k], y[d]), (left[k] + col_w[k] + label_w[k], y[d])]
            port = y[v] + (rank[j] - (m - 1) / 2) * step
            points += [(left[lay[v]], port), (boxes[it.name][0], port)]
            wires.append((s, it.name, points))
    bottom = max((y[i] + below[i] for i in range(len(lay))), default=0.0)
    return Layout(boxes, stubs, wires, right + MARGIN, bottom + MARGIN)
