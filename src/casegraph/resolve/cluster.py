"""Canonical ids from judgements, without chaining.

Bare connected components over a threshold let a run of weak links join two different
people who share a common name. Here two clusters merge only when the *average* match
weight over every scored pair between them clears the threshold (average linkage), and
never when a cannot-link lies between them: a negative judgement, or two entities named
in one source record. Human judgements come first and always win: a person's "same"
merges regardless of the model, a person's "different" blocks every merge that would
join the two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

MUST = float("inf")


@dataclass
class Pair:
    left: str
    right: str
    weight: float  # the model's match weight; MUST for a person's "same"


@dataclass
class _Cluster:
    members: list[str]
    # neighbouring cluster root -> (sum of weights, number of scored pairs)
    links: dict[str, list[float]] = field(default_factory=dict)
    cannot: set[str] = field(default_factory=set)


class Clustering:
    """Average-linkage agglomeration under must-link and cannot-link constraints."""

    def __init__(self, threshold: float) -> None:
        self.threshold = threshold
        self.parent: dict[str, str] = {}
        self.clusters: dict[str, _Cluster] = {}

    def _find(self, node: str) -> str:
        parent = self.parent.setdefault(node, node)
        if parent == node:
            self.clusters.setdefault(node, _Cluster([node]))
            return node
        root = self._find(parent)
        self.parent[node] = root
        return root

    def add_nodes(self, nodes: Iterable[str]) -> None:
        for node in nodes:
            self._find(node)

    def _union(self, a: str, b: str) -> str:
        big, small = (a, b) if len(self.clusters[a].members) >= len(self.clusters[b].members) \
            else (b, a)  # fmt: skip
        keep, gone = self.clusters[big], self.clusters.pop(small)
        self.parent[small] = big
        keep.members.extend(gone.members)
        keep.links.pop(small, None)
        for other, (total, count) in gone.links.items():
            if other == big:
                continue
            entry = keep.links.setdefault(other, [0.0, 0.0])
            entry[0] += total
            entry[1] += count
            back = self.clusters[other].links
            moved = back.pop(small)
            slot = back.setdefault(big, [0.0, 0.0])
            slot[0] += moved[0]
            slot[1] += moved[1]
        for other in gone.cannot:
            if other == big:
                continue
            keep.cannot.add(other)
            theirs = self.clusters[other].cannot
            theirs.discard(small)
            theirs.add(big)
        keep.cannot.discard(small)
        return big

    def _forbid(self, links: Iterable[tuple[str, str]]) -> None:
        for a, b in links:
            ra, rb = self._find(a), self._find(b)
            if ra != rb:
                self.clusters[ra].cannot.add(rb)
                self.clusters[rb].cannot.add(ra)

    def run(
        self,
        pairs: Iterable[Pair],
        evidence_against: Iterable[tuple[str, str]] = (),
        judged_different: Iterable[tuple[str, str]] = (),
    ) -> dict[str, list[str]]:
        """``judged_different``: a person's "different", which nothing overrides;
        ``evidence_against``: cannot-links from the data, which a person's "same" overrides."""
        scored = list(pairs)
        for p in scored:
            self._find(p.left), self._find(p.right)
        self._forbid(judged_different)
        for p in scored:  # a person said "same": merge first, whatever the model says
            if p.weight == MUST:
                ra, rb = self._find(p.left), self._find(p.right)
                if ra != rb and rb not in self.clusters[ra].cannot:
                    self._union(ra, rb)
        self._forbid(evidence_against)
        reach = components((p.left, p.right) for p in scored if p.weight >= self.threshold)
        for p in scored:
            if p.weight == MUST or reach(p.left) != reach(p.right):
                continue  # two records no likely link joins never meet: nothing to average
            ra, rb = self._find(p.left), self._find(p.right)
            if ra == rb:
                continue
            for x, y in ((ra, rb), (rb, ra)):
                entry = self.clusters[x].links.setdefault(y, [0.0, 0.0])
                entry[0] += p.weight
                entry[1] += 1
        for p in sorted((p for p in scored if p.weight >= self.threshold and p.weight != MUST),
                        key=lambda p: (-p.weight, p.left, p.right)):  # fmt: skip
            ra, rb = self._find(p.left), self._find(p.right)
            if ra == rb or rb in self.clusters[ra].cannot:
                continue
            total, count = self.clusters[ra].links.get(rb, (0.0, 0.0))
            if count and total / count >= self.threshold:
                self._union(ra, rb)
        return {root: sorted(c.members) for root, c in self.clusters.items()}


def components(links: Iterable[tuple[str, str]]) -> Callable[[str], str]:
    """Connected components of the given links, as a function node -> representative."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    for left, right in links:
        a, b = find(left), find(right)
        if a != b:
            parent[a] = b
    return find

