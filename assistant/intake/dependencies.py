"""Walks over dependency graphs: a cycle in them, and an order that puts dependencies first.

Components depend on components (`depends_on`) and roadmap tasks on their prerequisites; both
are the same kind of graph, so both are walked here, once, on the standard library's `graphlib`.
A graph maps each node to the nodes it depends on; names that are not nodes of the graph are
ignored, because the intake reports unknown ids on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from graphlib import CycleError, TopologicalSorter

Graph = Mapping[str, Sequence[str]]


def find_cycle(graph: Graph) -> list[str]:
    """Return one cycle as a path from a node back to itself, or [] when there is none.

    Nodes are tried in sorted order and each node's dependencies in their listed order, so one
    intake always names the same cycle, read as "a -> b": a depends on b.
    """
    sorter: TopologicalSorter[str] = TopologicalSorter()
    for node in sorted(graph):
        sorter.add(node)
    for node in sorted(graph):
        for needed in graph[node]:
            if needed in graph:
                sorter.add(needed, node)  # graphlib walks from a node to its successors
    try:
        sorter.prepare()
    except CycleError as error:
        return list(error.args[1])
    return []


def dependencies_first(nodes: Sequence[str], graph: Graph) -> list[str]:
    """Order nodes so each follows the nodes it depends on, otherwise keeping their order.

    Only dependencies among `nodes` count. Depth first: a node's missing dependencies are
    placed just before it, so the given order changes as little as possible.

    Raises:
        CycleError: if the dependencies among `nodes` form a cycle (there is no such order).
    """
    chosen = set(nodes)
    within = {node: [d for d in graph.get(node, []) if d in chosen] for node in nodes}
    cycle = find_cycle(within)
    if cycle:
        raise CycleError("dependencies form a cycle", cycle)
    ordered: list[str] = []
    placed: set[str] = set()

    def place(node: str) -> None:
        if node in placed:
            return
        for needed in within[node]:
            place(needed)
        placed.add(node)
        ordered.append(node)

    for node in nodes:
        place(node)
    return ordered
