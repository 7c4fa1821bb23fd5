"""Indirect ownership: chains of Ownership edges, shares multiplied along each chain and
summed over the chains that end at the same subject."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection

from casegraph.store import graph_store
from casegraph.store.graph_store import EdgeFilter

DIRECTIONS = ("owned", "owners")


def chains(
    conn: Connection,
    subject: str,
    direction: str,
    max_depth: int,
    min_share: float,
    where: EdgeFilter,
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """Every chain from ``subject`` (``owned``: what it holds; ``owners``: who holds it)
    up to ``max_depth`` steps whose product is at least ``min_share`` percent, shortest
    first; and the effective share of each subject at a chain's end."""
    found: list[dict[str, Any]] = []
    stack: list[tuple[list[str], list[float | None], list[int]]] = [([subject], [], [])]
    while stack:
        path, shares, edge_ids = stack.pop()
        if len(path) > max_depth:
            continue
        here = path[-1]
        for row in graph_store.touching(conn, [here], where):
            near, far = (row.src, row.dst) if direction == "owned" else (row.dst, row.src)
            if near != here or far in path:
                continue
            nxt = ([*path, far], [*shares, row.share], [*edge_ids, int(row.id)])
            product = _product(nxt[1])
            if product is not None and product * 100 < min_share:
                continue
            found.append(
                {
                    "path": nxt[0],
                    "shares": nxt[1],
                    "edges": nxt[2],
                    "share": None if product is None else round(product * 100, 6),
                }
            )
            stack.append(nxt)
    found.sort(key=lambda c: (len(c["path"]), c["path"]))
    totals: dict[str, float] = defaultdict(float)
    for chain in found:
        if chain["share"] is not None:
            totals[chain["path"][-1]] += chain["share"]
    return found, dict(totals)


def _product(shares: Sequence[float | None]) -> float | None:
    result = 1.0
    for share in shares:
        if share is None:
            return None
        result *= share / 100
    return result
