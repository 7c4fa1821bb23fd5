"""Walks over the graph's structure: the neighbourhood of a subject, hop by hop, and
the shortest (or k shortest, or time-ordered) paths between two subjects."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable
from operator import itemgetter
from typing import Any

import networkx as nx

from casegraph.graph import analysis
from casegraph.graph.subgraph import Walks, edge_dict
from casegraph.store.graph_store import EdgeFilter

MAX_HOPS = 8
PATH_SLICE = 250  # subjects whose edges a shortest-path search reads at a time


def neighbourhood(
    walks: Walks,
    subject: str,
    hops: int,
    limit: int,
    where: EdgeFilter,
    require: Callable[[], None],
) -> tuple[dict[str, int], set[str]]:
    """The subjects within ``hops`` of ``subject`` (at most ``limit``, nearest first) with
    the hop each was found at, and the neighbours the cap left out. ``require`` is called
    when the subject has no edge at all (it must be known at least)."""
    found = {subject: 0}
    frontier = [subject]
    left_out: set[str] = set()
    for hop in range(1, hops + 1):
        steps = walks.steps(frontier, where)
        if hop == 1 and not steps:
            require()
        if len(found) >= limit:  # full: this hop is only counted
            left_out.update(there for _, _, there in steps if there not in found)
            break
        frontier = []
        for _, _, there in sorted(steps, key=itemgetter(1, 2)):
            if there in found or there in left_out:
                continue
            if len(found) >= limit:
                left_out.add(there)
                continue
            found[there] = hop
            frontier.append(there)
        if not frontier:
            break
    return found, left_out


def paths(
    walks: Walks, a: str, b: str, k: int, max_hops: int, where: EdgeFilter, time_ordered: bool
) -> tuple[list[list[str]], list[dict[str, Any]]]:
    """Shortest paths between two subjects (k of them, shortest first; with
    ``time_ordered`` only those whose dated steps follow one another in time), and the
    edges among the subjects on them."""
    explored, shortest = explore(walks, a, b, max_hops, where, k > 1 or time_ordered)
    if time_ordered:
        found = analysis.time_ordered_paths(dated(walks, explored, where), a, b, k, max_hops)
    elif k > 1:
        found = analysis.k_shortest(explored, a, b, k, max_hops)
    else:
        found = [shortest] if shortest else []
    on_paths = {n for p in found for n in p}
    return found, [edge_dict(e) for e in walks.among(on_paths, where, cap=100_000)]


def steps_of(path: list[str], edges: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each step of a path with the edges that join its two subjects."""
    return [
        {"from": x, "to": y, "edges": [e for e in edges if {e["src"], e["dst"]} == {x, y}]}
        for x, y in itertools.pairwise(path)
    ]


def explore(
    walks: Walks,
    a: str,
    b: str,
    max_hops: int,
    where: EdgeFilter,
    keep_graph: bool,
) -> tuple[nx.Graph, list[str]]:
    """Bidirectional breadth-first search: a shortest path, and, with ``keep_graph``,
    the explored part as an undirected graph with one level more on each side, for
    the paths after it.

    Without ``keep_graph`` a level is read in slices of ``PATH_SLICE`` subjects (in
    id order, so the answer does not vary) and the search stops at the first slice
    that meets the other side: every meeting in one level makes a path of the same
    length (a shorter one would have met a level earlier), so the rest of the level,
    often most of the edges a search would read, cannot give a shorter path."""
    g = nx.Graph()
    g.add_nodes_from([a, b])
    reached: dict[str, dict[str, tuple[int, str]]] = {a: {a: (0, a)}, b: {b: (0, b)}}
    frontier = {a: [a], b: [b]}
    depth = {a: 0, b: 0}
    meets = [a] if a == b else []
    rounds_after = 1 if keep_graph else 0
    while frontier[a] and frontier[b] and depth[a] + depth[b] < max_hops:
        side = a if len(frontier[a]) <= len(frontier[b]) else b
        other = b if side == a else a
        level = frontier[side]
        size = len(level) if keep_graph else PATH_SLICE
        new: dict[str, str] = {}  # node -> the smallest node it was reached from
        for start in range(0, len(level), size):
            steps = walks.steps(level[start : start + size], where)
            if keep_graph:
                g.add_edges_from((here, there) for _, here, there in steps)
            for _, here, there in steps:
                if there not in reached[side] and (there not in new or here < new[there]):
                    new[there] = here
            if not keep_graph and any(n in reached[other] for n in new):
                break
        depth[side] += 1
        reached[side].update((n, (depth[side], via)) for n, via in new.items())
        frontier[side] = sorted(new)
        meets = meets or [n for n in frontier[side] if n in reached[other]]
        if meets:
            if rounds_after == 0:
                break
            rounds_after -= 1
    if not meets:
        return g, []
    m = min(meets, key=lambda n: (reached[a][n][0] + reached[b][n][0], n))
    path = [m]
    while path[0] != a:
        path.insert(0, reached[a][path[0]][1])
    while path[-1] != b:
        path.append(reached[b][path[-1]][1])
    return g, path


def dated(
    walks: Walks, explored: nx.Graph, where: EdgeFilter
) -> dict[tuple[str, str], list[str]]:
    """The start dates of the edges among the explored subjects, by (from, to)."""
    dated: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in walks.among(explored.nodes(), where):
        (_, src, dst, _, _, _, _, directed, start, *_) = row  # graph_store.EDGE_VIEW
        if start:
            dated[(src, dst)].append(start)
            if not directed:
                dated[(dst, src)].append(start)
    return dated

# --- whole-graph analysis -------------------------------------------------------------
