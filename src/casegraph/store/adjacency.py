"""The graph held in memory: every edge as columns of arrays, with each subject's edges
next to one another. A neighbourhood is then a few array slices instead of thousands of
index entries and table rows.

It answers the two questions a walk asks, "which edges are at these subjects" and
"which edges join these subjects", exactly as ``graph_store.adjacency`` and
``graph_store.among`` do, under the same ``EdgeFilter`` (sources, kinds, dates), with
the same rows.

``Held`` keeps one per process, for one epoch of the edges (``graph_store.epoch``): a
session asks it for the graph of the epoch it sees, and gets nothing when the process
holds none or an older one (the caller then reads the store). Reading it takes a while
(32 to 42 s for five million edges), so a server reads it in the background
(``Held.keep_warm``) and again after every change.
"""

from __future__ import annotations

import logging
import math
import threading
import time
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
from casegraph.store.graph_store import EDGE_VIEW, EdgeFilter
from casegraph.store.tables import edges, edges_epoch

log = logging.getLogger(__name__)

FETCH = 50_000  # rows per fetch while reading
ATTEMPTS = 3  # reads that an edge change overtook before giving up until the next call
Ints = NDArray[np.signedinteger[Any]]  # int32 held (ids are the store's 32-bit ones)
# EDGE_VIEW's columns by what they hold: a subject, a short list of values, free text
SUBJECTS = ("src", "dst")
CODED = ("kind", "source", "source2", "start_date", "end_date")
TEXTS = ("origin", "label", "unit")
NUMBERS = ("amount", "share")  # None held as NaN


@dataclass(frozen=True)
class Texts:
    """Many strings in one UTF-8 buffer: string ``i`` is ``data[ends[i - 1]:ends[i]]``
    (None where ``missing``)."""

    data: bytes
    ends: Ints
    missing: NDArray[np.bool_]

    @classmethod
    def build(cls, parts: list[bytes], lengths: array[int], missing: array[int]) -> Texts:
        return cls(b"".join(parts), np.cumsum(np.frombuffer(lengths, dtype=np.int64)),
                   np.frombuffer(missing, dtype=np.bool_))  # fmt: skip

    def get(self, positions: Ints) -> list[str | None]:
        ends = self.ends[positions].tolist()
        starts = np.where(positions > 0, self.ends[positions - 1], 0).tolist()
        data = self.data
        return [
            None if gone else data[a:b].decode()
            for a, b, gone in zip(starts, ends, self.missing[positions].tolist(), strict=True)
        ]

    @property
    def nbytes(self) -> int:
        return len(self.data) + self.ends.nbytes + self.missing.nbytes


class _Columns:
    """The columns of the edges as they are read, a batch at a time (a column at a time:
    a few times faster than row by row)."""

    def __init__(self) -> None:
        self.codes: dict[str, dict[Any, int]] = {"subject": {}, "kind": {}, "source": {},
                                                 "date": {None: 0}}  # fmt: skip
        self.ints = {name: array("i") for name in ("id", "directed", *SUBJECTS, *CODED)}
        self.numbers = {name: array("d") for name in NUMBERS}
        self.texts: dict[str, tuple[list[bytes], array[int], array[int]]] = {
            name: ([], array("q"), array("b")) for name in TEXTS
        }

    def add(self, batch: Sequence[Sequence[Any]]) -> None:
        values = dict(zip((c.name for c in EDGE_VIEW), zip(*batch, strict=True), strict=True))
        self.ints["id"].extend(values["id"])
        self.ints["directed"].extend(map(int, values["directed"]))
        for name in (*SUBJECTS, *CODED):
            codes = self.codes[_table(name)]
            texts = values[name]
            new = [t for t in dict.fromkeys(texts) if t not in codes]
            codes.update(zip(new, range(len(codes), len(codes) + len(new)), strict=True))
            self.ints[name].extend(map(codes.__getitem__, texts))
        for name in NUMBERS:
            self.numbers[name].extend(math.nan if v is None else v for v in values[name])
        for name in TEXTS:
            parts, lengths, missing = self.texts[name]
            encoded = [b"" if t is None else t.encode() for t in values[name]]
            parts.append(b"".join(encoded))
            lengths.extend(map(len, encoded))
            missing.extend(t is None for t in values[name])

    def array(self, name: str) -> Ints:
        return np.frombuffer(self.ints[name], dtype=np.intc)


def _table(column: str) -> str:
    return {"src": "subject", "dst": "subject", "source2": "source", "start_date": "date",
            "end_date": "date"}.get(column, column)  # fmt: skip


@dataclass(frozen=True)
class Adjacency:
    """Edges by position ``e``: ``ids[e]`` is the store's id, ``src[e]`` and ``dst[e]``
    the ends' places in ``names``; ``kind``, ``source`` and ``source2`` are codes into
    their lists of names, ``start`` and ``end`` places in the sorted ``date_names`` (-1:
    none). Subject ``n``'s edges are ``entry_edge[offsets[n]:offsets[n + 1]]``, its
    neighbours over them the same slice of ``entry_other``. An edge from a subject to
    itself is not read: ``EdgeFilter`` hides it in the store too."""

    epoch: int
    names: tuple[str, ...]  # (a tuple of strings: the garbage collector soon skips it)
    index: dict[str, int]
    ids: Ints
    src: Ints
    dst: Ints
    kind: Ints
    source: Ints
    source2: Ints
    directed: Ints
    start: Ints
    end: Ints
    amount: NDArray[np.float64]
    share: NDArray[np.float64]
    origin: Texts
    label: Texts
    unit: Texts
    offsets: Ints
    entry_edge: Ints
    entry_other: Ints
    kind_names: list[str]
    source_names: list[str]
    date_names: list[str]

    @property
    def edge_count(self) -> int:
        return len(self.ids)

    @property
    def nbytes(self) -> int:
        """The arrays' size (the subjects' ids, as Python strings, come on top)."""
        return sum(int(v.nbytes) for v in vars(self).values() if hasattr(v, "nbytes"))

    # --- reading ----------------------------------------------------------------------

    @classmethod
    def build(cls, epoch: int, batches: Iterable[Sequence[Sequence[Any]]]) -> Adjacency:
        """From batches of rows of ``graph_store.EDGE_VIEW``."""
        columns = _Columns()
        for batch in batches:
            columns.add(batch)
        index = columns.codes["subject"]
        ids, src, dst = columns.array("id"), columns.array("src"), columns.array("dst")
        # dates compared as the store compares them: by their order as text
        seen = [d for d in columns.codes["date"] if d is not None]  # codes 1, 2, ...
        date_names = sorted(seen)
        place = {d: i for i, d in enumerate(date_names)}
        rank = np.array([-1] + [place[d] for d in seen], dtype=np.intc)  # none: -1
        # each edge listed at both ends, grouped by subject
        at = np.concatenate([src, dst])
        order = np.argsort(at, kind="stable")
        offsets = np.zeros(len(index) + 1, dtype=np.int64)
        np.cumsum(np.bincount(at, minlength=len(index)), out=offsets[1:])
        return cls(
            epoch=epoch,
            names=tuple(index),
            index=index,
            ids=ids,
            src=src,
            dst=dst,
            kind=columns.array("kind"),
            source=columns.array("source"),
            source2=columns.array("source2"),
            directed=columns.array("directed"),
            start=rank[columns.array("start_date")],
            end=rank[columns.array("end_date")],
            amount=np.frombuffer(columns.numbers["amount"], dtype=np.float64),
            share=np.frombuffer(columns.numbers["share"], dtype=np.float64),
            origin=Texts.build(*columns.texts["origin"]),
            label=Texts.build(*columns.texts["label"]),
            unit=Texts.build(*columns.texts["unit"]),
            offsets=offsets,
            entry_edge=np.tile(np.arange(len(ids), dtype=np.intc), 2)[order],
            entry_other=np.concatenate([dst, src])[order],
            kind_names=list(columns.codes["kind"]),
            source_names=list(columns.codes["source"]),
            date_names=date_names,
        )

    # --- questions --------------------------------------------------------------------

    def _positions(self, ids: Iterable[str]) -> Ints:
        index = self.index
        return np.array([index[i] for i in set(ids) if i in index], dtype=np.int64)

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

    def among(
        self, ids: Iterable[str], where: EdgeFilter, cap: int | None = None
    ) -> list[tuple[Any, ...]]:
        """The edges with both ends among ``ids``, as rows of ``graph_store.EDGE_VIEW`` in
        id order (the first ``cap`` of them): ``graph_store.among``."""
        nodes = self._positions(ids)
        inside = np.zeros(len(self.names), dtype=np.bool_)
        inside[nodes] = True
        pos, _ = self._entries(nodes)
        edge = self.entry_edge[pos[inside[self.entry_other[pos]]]]
        edge = edge[self._passes(where)(edge)]
        _, first = np.unique(self.ids[edge], return_index=True)  # once each, by id
        return self.rows(edge[first][:cap])

    def rows(self, e: Ints) -> list[tuple[Any, ...]]:
        """Edges ``e`` (by position) as rows of ``graph_store.EDGE_VIEW``."""
        names, kinds, sources, dates = self.names, self.kind_names, self.source_names, [
            *self.date_names, None]  # fmt: skip
        return list(
            zip(
                self.ids[e].tolist(),
                [names[n] for n in self.src[e].tolist()],
                [names[n] for n in self.dst[e].tolist()],
                [kinds[k] for k in self.kind[e].tolist()],
                self.origin.get(e),
                [sources[s] for s in self.source[e].tolist()],
                [sources[s] for s in self.source2[e].tolist()],
                self.directed[e].tolist(),
                [dates[d] for d in self.start[e].tolist()],  # -1: the None at the end
                [dates[d] for d in self.end[e].tolist()],
                [None if math.isnan(x) else x for x in self.amount[e].tolist()],
                [None if math.isnan(x) else x for x in self.share[e].tolist()],
                self.label.get(e),
                self.unit.get(e),
                strict=True,
            )
        )


class Held:
    """The structure this process holds, for one epoch. Replaced whole, never changed in
    place, so threads share it; at most one read runs at a time."""

    def __init__(
        self, engine: Engine, on_read: Callable[[Adjacency], None] | None = None
    ) -> None:
        self.engine = engine
        self.on_read = on_read  # told of each structure read in the background
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
            before = self._held
            held = self._read_committed()
        finally:
            self._reading.release()
        if held is not None and held is not before and self.on_read is not None:
            self.on_read(held)
        return held

    def _read_committed(self) -> Adjacency | None:
        for _ in range(ATTEMPTS):  # a read that an edge change overtook is done again
            started = time.monotonic()
            fresh = _read(self.engine, self._held)
            if fresh is not None:
                if fresh is not self._held:
                    log.info("the graph of edges epoch %d is held in memory: %d edges, "
                             "%d MB of arrays, read in %.0f s", fresh.epoch, fresh.edge_count,
                             fresh.nbytes // 10**6, time.monotonic() - started)  # fmt: skip
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
    rows_sql = str(select(*EDGE_VIEW).where(edges.c.src != edges.c.dst)  # none unseen
                   .compile(dialect=dialect))
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


def _scalar(raw: Any, sql: str) -> int:
    cursor = raw.cursor()
    cursor.execute(sql)
    (value,) = cursor.fetchone()
    cursor.close()
    return int(value)


def _fetched(cursor: Any) -> Iterator[Sequence[Any]]:
    while rows := cursor.fetchmany(FETCH):
        yield rows
