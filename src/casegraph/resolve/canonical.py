"""Canonical ids for clusters, stable across runs where the cluster is recognisably the same.

A single record keeps its own entity id. A cluster keeps the ``cg-`` id most of its
members already had, unless another cluster claims it first; otherwise it gets a new id
derived from its smallest member.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable

PREFIX = "cg-"


def _new_id(seed: str, taken: set[str]) -> str:
    n = 0
    while True:
        text = seed if n == 0 else f"{seed}\x1f{n}"
        candidate = PREFIX + hashlib.sha1(text.encode()).hexdigest()[:24]
        if candidate not in taken:
            return candidate
        n += 1


def assign(clusters: Iterable[list[str]], previous: dict[str, str]) -> dict[str, str]:
    """entity id -> canonical id for every member of every cluster."""
    ordered = sorted((sorted(m) for m in clusters), key=lambda m: (-len(m), m[0]))
    taken: set[str] = set()
    out: dict[str, str] = {}
    for members in ordered:
        if len(members) == 1:
            out[members[0]] = members[0]
            continue
        votes = Counter(previous[m] for m in members
                        if previous.get(m, "").startswith(PREFIX))  # fmt: skip
        chosen = next((cid for cid, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
                       if cid not in taken), None)  # fmt: skip
        if chosen is None:
            chosen = _new_id(members[0], taken)
        taken.add(chosen)
        for m in members:
            out[m] = chosen
    return out
