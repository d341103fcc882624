# SPDX-License-Identifier: MIT
"""Paths in a forest of nodes, in time linear in the path's length.

Switched Ethernet without spanning tree must be loop-free, so every
scenario's topology is a forest and the path between two nodes is unique.
Rooting each tree once (parent pointers and depths, one breadth-first walk)
makes a path a climb from both ends to their lowest common ancestor: set-up
is linear in the number of nodes and a path costs its own length, so a plant
of thousands of nodes is routed in milliseconds.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable


class Forest:
    """Parent pointers, depths and tree ids of an undirected acyclic graph."""

    def __init__(self, nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> None:
        order = list(nodes)
        adjacency: dict[str, list[str]] = {n: [] for n in order}
        for a, b in edges:
            adjacency[a].append(b)
            adjacency[b].append(a)
        self.parent: dict[str, str | None] = {}
        self.depth: dict[str, int] = {}
        self.tree: dict[str, int] = {}
        for root in order:
            if root in self.parent:
                continue
            tree_id = len(set(self.tree.values()))
            self.parent[root], self.depth[root], self.tree[root] = None, 0, tree_id
            queue = deque([root])
            while queue:
                here = queue.popleft()
                for there in adjacency[here]:
                    if there not in self.parent:
                        self.parent[there] = here
                        self.depth[there] = self.depth[here] + 1
                        self.tree[there] = tree_id
                        queue.append(there)
        self.degree = {n: len(adjacency[n]) for n in order}

    def connected(self, a: str, b: str) -> bool:
        """Whether `a` and `b` lie in the same tree."""
        return self.tree[a] == self.tree[b]

    def path(self, src: str, dst: str) -> list[str] | None:
        """The unique node path from `src` to `dst`, both included (None if not connected)."""
        if not self.connected(src, dst):
            return None
        up, down = [src], [dst]
        a, b = src, dst
        while self.depth[a] > self.depth[b]:
            a = self.parent[a]  # type: ignore[assignment]
            up.append(a)
        while self.depth[b] > self.depth[a]:
            b = self.parent[b]  # type: ignore[assignment]
            down.append(b)
        while a != b:
            a = self.parent[a]  # type: ignore[assignment]
            b = self.parent[b]  # type: ignore[assignment]
            up.append(a)
            down.append(b)
        return up + down[-2::-1]
