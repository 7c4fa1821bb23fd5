"""Graph algorithms over a loaded (already access-filtered) subgraph, with networkx."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import networkx as nx

from casegraph.errors import InvalidInput

EXACT_BETWEENNESS = 5000  # above this many nodes, betweenness is sampled (seeded)


def simple(graph: nx.MultiDiGraph) -> nx.Graph:
    """Undirected, one edge per pair, weighted by how many edges joined the pair."""
    out = nx.Graph()
    out.add_nodes_from(graph.nodes(data=True))
    for a, b in graph.edges():
        if a == b:
            continue
        if out.has_edge(a, b):
            out[a][b]["weight"] += 1
        else:
            out.add_edge(a, b, weight=1)
    return out


def centrality(
    graph: nx.MultiDiGraph, measures: Sequence[str], top: int
) -> dict[str, list[tuple[str, float]]]:
    g = simple(graph)
    out: dict[str, list[tuple[str, float]]] = {}
    for measure in measures:
        if measure == "degree":
            values: dict[str, float] = {n: float(d) for n, d in g.degree()}
        elif measure == "weighted_degree":
            values = {n: float(d) for n, d in g.degree(weight="weight")}
        elif measure == "betweenness":
            k = None if g.number_of_nodes() <= EXACT_BETWEENNESS else 500
            values = nx.betweenness_centrality(g, k=k, seed=7, normalized=True)
        elif measure == "eigenvector":
            # power iteration: defined on disconnected graphs too (numpy's is not)
            values = nx.eigenvector_centrality(g, max_iter=1000, tol=1e-8, weight="weight")
        elif measure == "pagerank":
            values = nx.pagerank(graph_for_pagerank(graph)) if g.number_of_nodes() else {}
        else:
            raise InvalidInput(f"unknown measure {measure!r}; measures are: {', '.join(MEASURES)}")
        ranked = sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))
        out[measure] = [(n, round(v, 6)) for n, v in ranked[:top]]
    return out


MEASURES = ("degree", "weighted_degree", "betweenness", "eigenvector", "pagerank")


def graph_for_pagerank(graph: nx.MultiDiGraph) -> nx.DiGraph:
    out = nx.DiGraph()
    out.add_nodes_from(graph.nodes())
    for a, b, data in graph.edges(data=True):
        pairs = [(a, b)] if data.get("directed") else [(a, b), (b, a)]
        for x, y in pairs:
            weight = out[x][y]["weight"] + 1 if out.has_edge(x, y) else 1
            out.add_edge(x, y, weight=weight)
    return out


def communities(graph: nx.MultiDiGraph, resolution: float = 1.0, seed: int = 7) -> list[list[str]]:
    """Louvain communities (modularity, weighted by edge counts), largest first."""
    g = simple(graph)
    found = nx.community.louvain_communities(g, weight="weight", resolution=resolution, seed=seed)
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def components(graph: nx.MultiDiGraph) -> list[list[str]]:
    found = nx.connected_components(simple(graph))
    return sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))


def modularity(graph: nx.MultiDiGraph, parts: Iterable[Iterable[str]]) -> float:
    g = simple(graph)
    if g.size(weight="weight") == 0:  # subjects without edges: nothing to measure
        return 0.0  # (networkx would divide by zero)
    return float(nx.community.modularity(g, [set(p) for p in parts], weight="weight"))


def nmi(left: dict[str, Any], right: dict[str, Any]) -> float:
    """Normalised mutual information of two labelings of the same nodes (arithmetic mean
    normalisation, as scikit-learn's default)."""
    nodes = sorted(set(left) & set(right))
    n = len(nodes)
    if n == 0:
        return 0.0
    a = Counter(left[x] for x in nodes)
    b = Counter(right[x] for x in nodes)
    joint = Counter((left[x], right[x]) for x in nodes)
    mi = sum(c / n * math.log(c * n / (a[i] * b[j])) for (i, j), c in joint.items())
    ha = -sum(c / n * math.log(c / n) for c in a.values())
    hb = -sum(c / n * math.log(c / n) for c in b.values())
    return 1.0 if ha + hb == 0 else 2 * mi / (ha + hb)


def k_shortest(graph: nx.Graph, a: str, b: str, k: int, max_hops: int) -> list[list[str]]:
    if a not in graph or b not in graph:
        return []
    try:
        paths = nx.shortest_simple_paths(graph, a, b)
        return [p for p in itertools.islice(paths, k) if len(p) - 1 <= max_hops]
    except nx.NetworkXNoPath:
        return []


def time_ordered_paths(
    edges: dict[tuple[str, str], list[str]], a: str, b: str, k: int, max_hops: int
) -> list[list[str]]:
    """Paths from ``a`` to ``b`` along which every step happens no earlier than the
    one before (each step takes the earliest of its pair's dated edges that keeps the
    order); shortest first."""
    adjacency: dict[str, list[str]] = {}
    for x, y in edges:
        adjacency.setdefault(x, []).append(y)
    found: list[list[str]] = []
    queue: list[tuple[list[str], str]] = [([a], "")]
    while queue and len(found) < k:
        nxt: list[tuple[list[str], str]] = []
        for path, after in queue:
            here = path[-1]
            for there in sorted(adjacency.get(here, [])):
                if there in path:
                    continue
                when = [d for d in edges[(here, there)] if d >= after]
                if not when:
                    continue
                step = ([*path, there], min(when))
                if there == b:
                    found.append(step[0])
                elif len(path) < max_hops:
                    nxt.append(step)
        queue = nxt[:50_000]
    return found[:k]
