"""The order of a DAG's nodes (SPEC section 3.4), the nodes that feed nothing, its cycles.

A DAG here is ``ins``: for each node, in declaration order, the nodes it takes as
inputs.  The ``networkx.DiGraph`` is made from it only when asked for, or to name the
nodes of a cycle.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Sequence
from itertools import compress
from operator import lt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import networkx as nx


def to_digraph(ins: list[tuple[int, ...]]) -> nx.DiGraph[int]:
    """The DiGraph of nodes ``0..len(ins)-1`` with an edge from each input to its gate."""
    import networkx as nx

    graph: nx.DiGraph[int] = nx.DiGraph()
    graph.add_nodes_from(range(len(ins)))
    graph.add_edges_from((src, dst) for dst, srcs in enumerate(ins) for src in srcs)
    return graph


def output_order(ins: list[tuple[int, ...]]) -> Sequence[int] | None:
    """SPEC section 3.4's order (a range when it is declaration order); None for a cycle.

    It is what ``networkx.lexicographical_topological_sort`` gives: Kahn's algorithm,
    always taking the earliest-declared node whose inputs are all placed.
    """
    if all(map(lt, map(max, filter(None, ins)), compress(range(len(ins)), ins))):
        # Every node is declared after its inputs: the smallest unplaced node is then
        # always ready, so the lexicographic topological order is declaration order.
        return range(len(ins))
    # Kahn's algorithm with a heap.  A node used twice by one gate counts twice in its
    # in-degree and is subtracted twice.
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


def cycles(ins: list[tuple[int, ...]]) -> list[list[int]]:
    """One cycle per group of nodes on cycles, through the group's first-declared node,
    in the order of those nodes."""
    import networkx as nx

    graph = to_digraph(ins)
    found = []
    for group in nx.strongly_connected_components(graph):
        first = min(group)
        if len(group) == 1 and not graph.has_edge(first, first):
            continue
        found.append(_cycle_through(graph, first, group))
    return sorted(found)


def _cycle_through(graph: nx.DiGraph[int], start: int, group: set[int]) -> list[int]:
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
