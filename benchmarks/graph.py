"""Graph at scale: casegraph's expansion and shortest paths vs. networkx on an in-memory
copy of the same edges, one run.

On a seeded synthetic workspace (benchmarks/graph_gen.py: 1,000,000 subjects and
5,000,000 edges by default) on SQLite and on PostgreSQL:

* expand -- ``s.graph.expand(subject, hops=2, limit=500)`` from ``--queries`` random
  subjects: the subjects within two hops, nearest first, capped at 500, and the edges
  among them;
* path -- ``s.graph.paths(a, b)`` (the shortest path, at most 6 hops, the service's
  default) between ``--queries`` random pairs of subjects of the largest connected
  component.

Each is measured twice: walking the store (a process that has not read the graph's
structure, such as one CLI command), then walking the structure held in memory
(store.adjacency, as a server keeps it; the time to read it is reported apart).

Ours is one audited session per call: the whole cost of a request. The baseline is
networkx on a ``MultiGraph`` of every edge (loaded from the store once per store; the
load time is reported apart): the same capped breadth-first expansion (same order, so
the same subjects) with the edges among the subjects found, and
``nx.bidirectional_shortest_path``. Agreement: how often both found the same subjects
(expand) or paths of the same length (path).

Targets: expand p95 under 50 ms, path p95 under 100 ms. Ratios are ours / baseline
(below 1: ours is faster). Prints a markdown table and one JSON line per store.

    python benchmarks/graph.py [--subjects 1000000] [--edges 5000000] [--store both]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from casegraph.service import Workspace
from graph_gen import (
    Budget,
    Params,
    Store,
    add_arguments,
    context,
    log,
    markdown,
    percentile,
    prepare,
    sqlite_statistics,
    stores,
    summary,
    timed,
    warm,
)

HOPS = 2
LIMIT = 500
MAX_HOPS = 6  # GraphService.paths' default
TARGETS = {"expand": 50.0, "path": 100.0}
WARMUP = 5


def load(ws: Workspace) -> tuple[nx.MultiGraph, list[str], float]:
    """Every edge as a networkx MultiGraph (keyed by edge id), and every subject."""
    started = time.perf_counter()
    g = nx.MultiGraph()
    with ws.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, src, dst FROM edges").yield_per(100_000)
        g.add_edges_from((src, dst, key) for key, src, dst in rows)
        subjects = sorted(
            str(c)
            for c in conn.exec_driver_sql(
                "SELECT canonical_id FROM search_docs WHERE source = 'registry'"
            ).scalars()
        )
    return g, subjects, time.perf_counter() - started


# --- the baseline -----------------------------------------------------------------------


def nx_expand(g: nx.MultiGraph, subject: str) -> tuple[set[str], int]:
    """GraphService.expand's search on the in-memory graph: per hop, the frontier's
    (node, neighbour) pairs in sorted order, the first ``LIMIT`` subjects kept."""
    found = {subject: 0}
    frontier = [subject] if subject in g else []
    for hop in range(1, HOPS + 1):
        pairs = sorted((here, there) for here in frontier for there in g.adj[here])
        frontier = []
        for _, there in pairs:
            if there in found or len(found) >= LIMIT:
                continue
            found[there] = hop
            frontier.append(there)
        if not frontier:
            break
    edges = g.subgraph(found).number_of_edges()
    return set(found), edges


def nx_path(g: nx.MultiGraph, a: str, b: str) -> int | None:
    try:
        return len(nx.bidirectional_shortest_path(g, a, b)) - 1
    except nx.NetworkXNoPath:
        return None


# --- ours ---------------------------------------------------------------------------------


def expand(ws: Workspace, subject: str) -> tuple[float, set[str], int]:
    def call() -> Any:
        with ws.session(context()) as s:
            return s.graph.expand(subject, hops=HOPS, limit=LIMIT)

    ms, graph = timed(call)
    return ms, set(graph.nodes), len(graph.edges)


def path(ws: Workspace, a: str, b: str) -> tuple[float, int | None]:
    def call() -> Any:
        with ws.session(context()) as s:
            return s.graph.paths(a, b)

    ms, found = timed(call)
    return ms, (found[0]["hops"] if found else None)


def read_structure(ws: Workspace) -> dict[str, float]:
    """Read the graph's structure into this process, as a server does in the background,
    and check that sessions walk it."""
    before = resident_mb()
    started = time.perf_counter()
    held = ws.adjacency.read()
    seconds = time.perf_counter() - started
    grown = resident_mb() - before
    assert held is not None, "the edges changed while they were read"
    with ws.engine.connect() as conn:
        assert ws.adjacency.current(conn) is held
        conn.rollback()
    arrays = held.nbytes / 1e6
    log(f"  structure: {held.edge_count:,} edges in {seconds:.0f} s, {arrays:.0f} MB of arrays, "
        f"the process grew by {grown:.0f} MB")  # fmt: skip
    return {"read_s": round(seconds, 1), "arrays_mb": round(arrays), "process_grew_mb": grown}


def resident_mb() -> float:
    """This process's resident memory (Linux), in MB."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 1e6)


# --- the run ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queries:
    starts: list[str]  # subjects to expand
    pairs: list[tuple[str, str]]  # subjects of the largest component to join
    giant: int  # that component's size


def queries(g: nx.MultiGraph, subjects: list[str], count: int, seed: int) -> Queries:
    giant: list[str] = []
    for component in nx.connected_components(g):
        if len(component) > len(giant):
            giant = sorted(component)
    rng = random.Random(f"graph-queries-{seed}")
    starts = rng.sample(subjects, count)
    pairs = [(rng.choice(giant), rng.choice(giant)) for _ in range(count)]
    return Queries(starts, pairs, len(giant))


def measure(
    ws: Workspace, g: nx.MultiGraph, asked: Queries, minutes: float | None, walks: str
) -> dict[str, Any]:
    starts, pairs = asked.starts, asked.pairs
    count = len(starts)
    warm = Budget.warmup()
    for subject, (a, b) in zip(starts[:WARMUP], pairs[:WARMUP], strict=True):
        for call in (lambda: expand(ws, subject), lambda: path(ws, a, b)):  # noqa: B023
            if not warm.spent():  # warm the caches, not counted
                call()
    results: dict[str, Any] = {}

    log(f"  expand ({walks}): {count} subjects")
    mine: list[float] = []
    base: list[float] = []
    sizes: list[int] = []
    edge_counts: list[int] = []
    agree = 0
    budget = Budget(minutes)
    for subject in starts:
        if budget.spent():
            log(f"  expand: time is up after {len(mine)} calls")
            break
        ms, nodes, edges = expand(ws, subject)
        mine.append(ms)
        sizes.append(len(nodes))
        edge_counts.append(edges)
        nx_ms, (nx_nodes, _) = timed(lambda s=subject: nx_expand(g, s))  # type: ignore[misc]
        base.append(nx_ms)
        agree += nodes == nx_nodes
    done = len(mine)
    results["expand"] = {
        "calls": done, **summary(mine, base), "ours_max_ms": round(max(mine), 2),
        "median_nodes": int(percentile(sizes, 50)),
        "capped": round(sum(n >= LIMIT for n in sizes) / done, 3),
        "median_edges": int(percentile(edge_counts, 50)),
        "max_edges": max(edge_counts), "agreement": round(agree / done, 3),
    }  # fmt: skip

    log(f"  path ({walks}): {count} pairs")
    mine, base, lengths, agree, found = [], [], [], 0, 0
    budget = Budget(minutes)
    for a, b in pairs:
        if budget.spent():
            log(f"  path: time is up after {len(mine)} calls")
            break
        ms, hops = path(ws, a, b)
        mine.append(ms)
        nx_ms, nx_hops = timed(lambda a=a, b=b: nx_path(g, a, b))  # type: ignore[misc]
        base.append(nx_ms)
        found += hops is not None
        if nx_hops is not None:
            lengths.append(nx_hops)
        within = nx_hops if nx_hops is not None and nx_hops <= MAX_HOPS else None
        agree += hops == within
    done = len(mine)
    results["path"] = {
        "calls": done, **summary(mine, base), "ours_max_ms": round(max(mine), 2),
        "found": round(found / done, 3), "median_hops": int(percentile(lengths, 50)),
        "max_hops": max(lengths, default=0),
        "beyond_max_hops": sum(n > MAX_HOPS for n in lengths),
        "agreement": round(agree / done, 3),
    }  # fmt: skip
    results["giant_component"] = asked.giant
    return results


def report(
    store: Store,
    params: Params,
    seed_s: float | None,
    stats: str,
    load_s: float,
    structure: dict[str, float],
    results: dict[str, Any],
) -> None:
    header = ("operation", "walks", "calls", "ours p50 ms", "ours p95 ms", "networkx p50 ms",
              "networkx p95 ms", "ratio p50", "ratio p95", "size", "agreement",
              "p95 target")  # fmt: skip
    rows = []
    for op, walks in [(op, walks) for op in ("expand", "path") for walks in results]:
        r = results[walks][op]
        size = (
            f"{r['median_nodes']} nodes, {r['median_edges']} edges (median); "
            f"{r['capped']:.0%} capped"
            if op == "expand"
            else f"{r['median_hops']} hops (median, max {r['max_hops']}); {r['found']:.0%} found"
        )
        target = TARGETS[op]
        rows.append(
            (
                op,
                walks,
                r["calls"],
                r["ours_p50_ms"],
                r["ours_p95_ms"],
                r["baseline_p50_ms"],
                r["baseline_p95_ms"],
                r["ratio_p50"],
                r["ratio_p95"],
                size,
                r["agreement"],
                f"{target:.0f} ms " + ("met" if r["ours_p95_ms"] < target else "MISSED"),
            )
        )
    print(
        f"\n### graph on {store.name}: {params.subjects:,} subjects, {params.edges:,} edges "
        f"(seeding {'reused' if seed_s is None else f'{seed_s:.0f} s'}; networkx copy "
        f"loaded in {load_s:.0f} s; our structure read in {structure['read_s']:.0f} s, "
        f"{structure['arrays_mb']:.0f} MB of arrays, {structure['process_grew_mb']:.0f} MB in "
        f"all; planner statistics: {stats})\n"
    )
    print(markdown(header, rows))
    print()
    print(
        json.dumps(
            {
                "benchmark": "graph",
                "store": store.name,
                "subjects": params.subjects,
                "edges": params.edges,
                "seed": params.seed,
                "seeding_s": None if seed_s is None else round(seed_s, 1),
                "networkx_load_s": round(load_s, 1),
                "structure": structure,
                "statistics": stats,
                "targets_p95_ms": TARGETS,
                "results": results,
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    args = parser.parse_args()
    params = Params(args.subjects, args.edges, args.seed)
    for store in stores(args):
        ws, seed_s = prepare(store, params)
        if seed_s is not None:
            log(f"{store.name}: seeded in {seed_s:.0f} s")
        stats = sqlite_statistics(ws, args.analyze)
        g, subjects, load_s = load(ws)
        log(f"  networkx copy: {g.number_of_nodes():,} nodes, {g.number_of_edges():,} edges "
            f"in {load_s:.0f} s")  # fmt: skip
        asked = queries(g, subjects, args.queries, args.seed)
        # The copy's millions of objects, and the harness's million-subject lists, are the
        # benchmark's: out of the collections (a full collection visits every entry of a
        # list it tracks: pauses of about 45 ms in 5 % of the calls, ours and networkx's)
        gc.freeze()
        # after the copy, which takes memory the page cache may have held the store in
        stats += f"; store files {warm(store, ws, args.cold)}"
        results = {"store": measure(ws, g, asked, args.max_minutes, "store")}
        structure = read_structure(ws)
        results["memory"] = measure(ws, g, asked, args.max_minutes, "memory")
        del g, subjects
        gc.unfreeze()
        report(store, params, seed_s, stats, load_s, structure, results)
        ws.close()
        if args.drop:
            store.drop()


if __name__ == "__main__":
    main()
