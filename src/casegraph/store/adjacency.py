"""The graph's structure held in memory: for every edge its ends, sources, kind and
dates, as arrays, with each subject's edges next to one another. A neighbourhood is then
a few array slices instead of thousands of index entries.

It answers the two questions a walk asks, "which edges are at these subjects" and
"which edges join these subjects", exactly as ``graph_store.adjacency`` and
``graph_store.among`` do, under the same ``EdgeFilter`` (sources, kinds, dates); what
an edge says beyond that is still read from the store, by id, through the filter.

``Held`` keeps one per process, for one epoch of the edges (``graph_store.epoch``): a
session asks it for the structure of the epoch it sees, and gets nothing when the
process holds none or an older one (the caller then reads the store). Reading the
structure takes a while (about half a minute for five million edges), so a server reads
it in the background (``Held.keep_warm``) and again after every change.
"""

from __future__ import annotations

import logging
import threading
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.engine import Connection, Engine

from casegraph.store import graph_store
from casegraph.store.graph_store import EdgeFilter
from casegraph.store.tables import edges, edges_epoch

log = logging.getLogger(__name__)

FETCH = 50_000  # rows per fetch while reading
ATTEMPTS = 3  # reads that an edge change overtook before giving up until the next call
Ints = NDArray[np.signedinteger[Any]]  # int32 held (ids are the store's 32-bit ones)


@dataclass(frozen=True)
class Adjacency:
    """Edges by position ``e``: ``ids[e]`` is the store's id, ``ends`` the subjects'
    positions in ``names``; ``sources``, ``kinds`` and ``dates`` are codes into their
    lists (dates in sorted order, -1 for none). Subject ``n``'s edges are
    ``entry_edge[offsets[n]:offsets[n + 1]]``, its neighbours over them the same slice
    of ``entry_other`` (an edge from a subject to itself is there twice, as in the
    store's two indexes)."""

    epoch: int
    names: list[str]
    index: dict[str, int]
    ids: Ints
    source: Ints
    source2: Ints
    kind: Ints
    start: Ints
    end: Ints
    offsets: Ints
    entry_edge: Ints
    entry_other: Ints
    source_names: list[str]
    kind_names: list[str]
    date_names: list[str]

    @property
    def edge_count(self) -> int:
        return len(self.ids)

    # --- reading ----------------------------------------------------------------------

    @classmethod
    def build(cls, epoch: int, batches: Iterable[Sequence[Sequence[Any]]]) -> Adjacency:
        """From batches of (id, src, dst, source, source2, kind, start_date, end_date)."""
        index: dict[str, int] = {}  # each text's code: its place in the order first seen
        sources: dict[str, int] = {}
        kinds: dict[str, int] = {}
        dates: dict[str | None, int] = {None: 0}  # (code 0: no date)
        columns = [array("i") for _ in range(8)]
        coded: tuple[dict[Any, int], ...] = (index, index, sources, sources, kinds, dates, dates)
        for batch in batches:  # a column at a time: a few times faster than row by row
            values = list(zip(*batch, strict=True))
            columns[0].extend(values[0])
            for column, texts, codes in zip(columns[1:], values[1:], coded, strict=True):
                new = [t for t in dict.fromkeys(texts) if t not in codes]
                codes.update(zip(new, range(len(codes), len(codes) + len(new)), strict=True))
                column.extend(map(codes.__getitem__, texts))
        arrays = [np.frombuffer(c, dtype=np.intc) if len(c) else np.zeros(0, np.intc)
                  for c in columns]  # fmt: skip
        ids_, src_, dst_, source_, source2_, kind_, start_, end_ = arrays
        # dates compared as the store compares them: by their order as text
        seen = [d for d in dates if d is not None]  # codes 1, 2, ...
        date_names = sorted(seen)
        place = {d: i for i, d in enumerate(date_names)}
        rank = np.array([-1] + [place[d] for d in seen], dtype=np.intc)  # none: -1
        start_, end_ = rank[start_], rank[end_]
        # each edge listed at both ends, grouped by subject
        at = np.concatenate([src_, dst_])
        other = np.concatenate([dst_, src_])
        position = np.tile(np.arange(len(ids_), dtype=np.intc), 2)
        order = np.argsort(at, kind="stable")
        counts = np.bincount(at, minlength=len(index))
        offsets = np.zeros(len(index) + 1, dtype=np.int64)
        np.cumsum(counts, out=offsets[1:])
        return cls(
            epoch=epoch,
            names=list(index),
            index=index,
            ids=ids_,
            source=source_,
            source2=source2_,
            kind=kind_,
            start=start_,
            end=end_,
            offsets=offsets,
            entry_edge=position[order],
            entry_other=other[order],
            source_names=list(sources),
            kind_names=list(kinds),
            date_names=date_names,
        )

    # --- questions --------------------------------------------------------------------

    def _positions(self, ids: Iterable[str]) -> Ints:
        index = self.index
        return np.unique(np.array([index[i] for i in set(ids) if i in index], dtype=np.int64))

    def _entries(self, nodes: Ints) -> tuple[Ints, Ints]:
        """The entries of ``nodes`` (positions into ``entry_edge``), and each one's node."""
        first = self.offsets[nodes]
        counts = self.offsets[nodes + 1] - first
        total = int(counts.sum())
        skip = np.repeat(first - (np.cumsum(counts) - counts), counts)
        return np.arange(total, dtype=np.int64) + skip, np.repeat(nodes, counts)

    def _passes(self, where: EdgeFilter) -> Callable[[Ints], NDArray[np.bool_]]:
        """Which of some edges (by position) ``where`` lets through, as
        ``EdgeFilter.condition`` decides in the store."""
        visible = set(where.sources)
        seen = np.array([s in visible for s in self.source_names] + [False])
        kinds = None
        if where.kinds:
            plain = set(where.kinds) - {"same"}
            same = "same" in where.kinds
            kinds = np.array(
                [k in plain or (same and k.startswith("same:")) for k in self.kind_names] + [False]
            )
        since = bisect_left(self.date_names, where.since) if where.since else None
        until = bisect_right(self.date_names, where.until + "~") if where.until else None

        def passes(e: Ints) -> NDArray[np.bool_]:
            ok: NDArray[np.bool_] = seen[self.source[e]] & seen[self.source2[e]]
            if kinds is not None:
                ok &= kinds[self.kind[e]]
            if since is not None:
                end = self.end[e]
                ok &= (end < 0) | (end >= since)
            if until is not None:
                start = self.start[e]
                ok &= (start < 0) | (start < until)
            return ok

        return passes

    def steps(self, ids: Iterable[str], where: EdgeFilter) -> list[tuple[int, str, str]]:
        """(edge id, subject, neighbour) for every edge at ``ids``: ``graph_store.adjacency``."""
        pos, owner = self._entries(self._positions(ids))
        edge = self.entry_edge[pos]
        keep = self._passes(where)(edge)
        names = self.names
        return list(
            zip(
                self.ids[edge[keep]].tolist(),
                [names[n] for n in owner[keep].tolist()],
                [names[n] for n in self.entry_other[pos[keep]].tolist()],
                strict=True,
            )
        )

    def among(self, ids: Iterable[str], where: EdgeFilter, cap: int | None = None) -> list[int]:
        """The ids of the edges with both ends among ``ids``, in order (the first ``cap``
        of them): ``graph_store.among``, without the edges' other columns."""
        nodes = self._positions(ids)
        inside = np.zeros(len(self.names), dtype=np.bool_)
        inside[nodes] = True
        pos, _ = self._entries(nodes)
        pos = pos[inside[self.entry_other[pos]]]
        edge = self.entry_edge[pos]
        edge = edge[self._passes(where)(edge)]
        found: list[int] = np.unique(self.ids[edge])[:cap].tolist()
        return found


class Held:
    """The structure this process holds, for one epoch. Replaced whole, never changed in
    place, so threads share it; at most one read runs at a time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.warm = False  # read again, in the background, whenever the edges change
        self.wait = False  # read a missing or older structure there and then
        self._held: Adjacency | None = None
        self._reading = threading.Lock()

    def current(self, conn: Connection) -> Adjacency | None:
        """The structure of the edges as ``conn`` sees them, if this process holds it
        (or, with ``wait``, reads it now). Kept warm, a missing or older structure is
        read in the background, and the caller reads the store meanwhile."""
        held = self._held
        if held is None and not (self.warm or self.wait):  # (one CLI command, say)
            return None
        now = graph_store.epoch(conn)
        if held is not None and held.epoch == now:
            return held
        if self.wait:  # (a session that changed edges itself sees an epoch not committed)
            with self._reading:
                held = self._held
                if held is None or held.epoch != now:
                    held = self._read_committed()
            return held if held is not None and held.epoch == now else None
        if self.warm and not self._reading.locked():
            threading.Thread(target=self.read, name="casegraph-adjacency", daemon=True).start()
        return None

    def keep_warm(self) -> None:
        """Read the structure now, in the background, and again after every change."""
        self.warm = True
        threading.Thread(target=self.read, name="casegraph-adjacency", daemon=True).start()

    def read(self) -> Adjacency | None:
        """Read the structure of the committed edges and hold it (unless another read
        is running: then None)."""
        if not self._reading.acquire(blocking=False):
            return None
        try:
            return self._read_committed()
        finally:
            self._reading.release()

    def _read_committed(self) -> Adjacency | None:
        for _ in range(ATTEMPTS):  # a read that an edge change overtook is done again
            fresh = _read(self.engine, self._held)
            if fresh is not None:
                self._held = fresh
                return fresh
        log.warning("the edges kept changing while they were read; read again later")
        return None


def _read(engine: Engine, known: Adjacency | None) -> Adjacency | None:
    """One read through a driver connection of its own, outside any session: on SQLite
    a session begins as the writer, and a read this long would hold every writer up.
    ``known`` when the committed edges are still of its epoch; None when an edge change
    committed during the read."""
    dialect = engine.dialect
    epoch_sql = str(select(edges_epoch.c.epoch).compile(dialect=dialect))
    rows_sql = str(select(*(edges.c[name] for name in _STRUCTURE)).compile(dialect=dialect))
    raw = engine.raw_connection()
    try:
        before = _scalar(raw, epoch_sql)
        if known is not None and known.epoch == before:
            return known
        if dialect.name == "postgresql":  # a cursor on the server: rows come by the batch
            cursor = raw.driver_connection.cursor(name="casegraph_adjacency")  # type: ignore[union-attr]
        else:
            cursor = raw.cursor()
        cursor.execute(rows_sql)
        held = Adjacency.build(before, _fetched(cursor))
        cursor.close()
        after = _scalar(raw, epoch_sql)
        raw.rollback()
        return held if after == before else None
    finally:
        raw.close()


_STRUCTURE = ("id", "src", "dst", "source", "source2", "kind", "start_date", "end_date")


def _scalar(raw: Any, sql: str) -> int:
    cursor = raw.cursor()
    cursor.execute(sql)
    (value,) = cursor.fetchone()
    cursor.close()
    return int(value)


def _fetched(cursor: Any) -> Iterator[Sequence[Any]]:
    while rows := cursor.fetchmany(FETCH):
        yield rows
