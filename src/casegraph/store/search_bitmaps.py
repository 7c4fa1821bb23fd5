"""Facet bitmaps: for each (field, value, source), the subjects whose document in that
source holds the value, as a Roaring bitmap of subject ordinals.

They answer what would otherwise count over every matching subject: facet counts (one
intersection per value) and queries made of facet filters only (unions, intersections
and differences of bitmaps). ``search_index`` keeps them with the documents, in the
same transaction, so a rebuild of the documents rebuilds them too.

Each row carries a version, bumped at every change. A process keeps the bitmaps it has
read (``Cache``) and reads a row's bits again only when its version moved: a query
lists a few hundred short rows instead of reading megabytes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pyroaring import BitMap, FrozenBitMap
from sqlalchemy import bindparam, insert, select, text, tuple_, update
from sqlalchemy.engine import Connection

from casegraph.model.visible import Visible
from casegraph.store import scratch
from casegraph.store.tables import search_bitmaps

SCHEMA = "schema"  # the document's schema
SOURCE = "source"  # value "": every subject with a document in the source
ADULT = "adult_on"  # value: the year the subject turns 18 (by its latest birth date)
VALUE_FIELDS = ("country", "year")  # value fields with few distinct values
FACET_FIELDS = (SCHEMA, SOURCE, *VALUE_FIELDS)
CHUNK = 500

Key = tuple[str, str, str]  # (field, value, source)
b = search_bitmaps.c


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def doc_keys(
    source: str, schema: str, adult_on: str | None, values: Iterable[tuple[str, str]]
) -> set[Key]:
    """The bitmaps one document puts its subject in."""
    keys = {(SCHEMA, schema, source), (SOURCE, "", source)}
    if adult_on:
        keys.add((ADULT, adult_on[:4], source))
    keys.update((f, v, source) for f, v in values if f in VALUE_FIELDS)
    return keys


# --- subject ordinals ---------------------------------------------------------------------

def ordinals(
    conn: Connection, canonical_ids: Iterable[str], create: bool = False
) -> dict[str, int]:
    """The ordinal of each subject (numbered on first sight with ``create``): the ids go
    to a scratch table in bulk, numbered and read in one statement each."""
    scratch.fill(conn, "ordinal_ids", {"canonical_id": "TEXT PRIMARY KEY"},
                 ((c,) for c in sorted(set(canonical_ids))))  # fmt: skip
    if create:
        conn.exec_driver_sql(
            "INSERT INTO search_subjects (canonical_id) SELECT canonical_id FROM ordinal_ids "
            "ORDER BY canonical_id ON CONFLICT DO NOTHING"
        )
    rows = conn.exec_driver_sql(
        "SELECT o.canonical_id, o.ord FROM ordinal_ids i CROSS JOIN search_subjects o "
        "WHERE o.canonical_id = i.canonical_id"
    )
    return {str(c): int(o) for c, o in rows}


def sealed(conn: Connection) -> list[int]:
    """Ordinals of the subjects flagged sealed."""
    query = text(
        "SELECT o.ord FROM sealed_subjects z CROSS JOIN search_subjects o "
        "WHERE o.canonical_id = z.canonical_id"
    )
    return [int(o) for o in conn.execute(query).scalars()]


def case_members(conn: Connection, case_ids: Sequence[str]) -> dict[str, list[int]]:
    """Ordinals of the subjects linked to each of these cases."""
    query = text(
        "SELECT cs.case_id, o.ord FROM case_subjects cs CROSS JOIN search_subjects o "
        "WHERE o.canonical_id = cs.canonical_id AND cs.case_id IN :cases"
    ).bindparams(bindparam("cases", expanding=True))
    out: dict[str, list[int]] = {}
    for case_id, ord_ in conn.execute(query, {"cases": list(case_ids)}):
        out.setdefault(str(case_id), []).append(int(ord_))
    return out


def minors_this_year(conn: Connection, today: str) -> list[int]:
    """Ordinals of the subjects who turn 18 later this year (``today`` an ISO date)."""
    query = text(
        "SELECT o.ord FROM search_docs d CROSS JOIN search_subjects o "
        "WHERE o.canonical_id = d.canonical_id AND d.adult_on > :today AND d.adult_on < :next"
    )
    params = {"today": today, "next": str(int(today[:4]) + 1)}
    return [int(o) for o in conn.execute(query, params).scalars()]


# --- writes -------------------------------------------------------------------------------


def change(
    conn: Connection, added: Mapping[Key, set[int]], removed: Mapping[Key, set[int]]
) -> None:
    """Add and remove subjects (ordinals) in these bitmaps. The rows are read locked
    (PostgreSQL; SQLite has one writer), in key order, so that two refreshes at once
    neither lose an update nor deadlock. An emptied bitmap keeps its row, and its
    version goes on counting: a row made again at version 1 could look unchanged to a
    process that cached its old contents."""
    keys = sorted(set(added) | set(removed))
    current: dict[Key, BitMap] = {}
    for chunk in _chunks(keys):
        query = (
            select(b.field, b.value, b.source, b.bits)
            .where(tuple_(b.field, b.value, b.source).in_(list(chunk)))
            .order_by(b.field, b.value, b.source)
            .with_for_update()
        )
        current.update(
            ((f, v, s), BitMap.deserialize(bits)) for f, v, s, bits in conn.execute(query)
        )
    new_rows, changed = [], []
    for key in keys:
        before = current.get(key, BitMap())
        bits = (before | BitMap(added.get(key, ()))) - BitMap(removed.get(key, ()))
        row = {"f": key[0], "v": key[1], "s": key[2], "n": len(bits), "bits": bits.serialize()}
        if key not in current:
            if bits:
                new_rows.append(row)
        elif bits != before:
            changed.append(row)
    if new_rows:
        conn.execute(
            insert(search_bitmaps),
            [
                {"field": r["f"], "value": r["v"], "source": r["s"], "version": 1,
                 "members": r["n"], "bits": r["bits"]}
                for r in new_rows
            ],
        )  # fmt: skip
    where = (b.field == bindparam("f")) & (b.value == bindparam("v")) & (b.source == bindparam("s"))
    if changed:
        conn.execute(
            update(search_bitmaps)
            .where(where)
            .values(version=b.version + 1, members=bindparam("n"), bits=bindparam("bits")),
            changed,
        )


# --- reads --------------------------------------------------------------------------------


class Cache:
    """The bitmaps this process has read, with their versions. Entries are replaced
    whole, never changed in place, so threads may share it."""

    def __init__(self) -> None:
        self._rows: dict[Key, tuple[int, FrozenBitMap]] = {}
        self._lock = threading.Lock()

    def load(
        self,
        conn: Connection,
        fields: Sequence[str],
        visible: Visible | None,
        since: str | None = None,
    ) -> dict[Key, FrozenBitMap]:
        """The current bitmaps of ``fields`` of the sources ``visible`` grants (values
        from ``since`` on): the versions are listed, and only moved ones are read again.
        ``visible`` None: of every source, for the gate's own judgement of who is a minor
        (on every record, the protective reading), never for what a reader is shown."""
        query = select(b.field, b.value, b.source, b.version).where(b.field.in_(list(fields)))
        if visible is not None:
            query = query.where(b.source.in_(list(visible.sources)))
        if since is not None:
            query = query.where(b.value >= since)
        listed = {(str(f), str(v), str(s)): int(n) for f, v, s, n in conn.execute(query)}
        known = self._rows
        stale = sorted(k for k, n in listed.items() if known.get(k, (0, None))[0] != n)
        fresh: dict[Key, tuple[int, FrozenBitMap]] = {}
        for chunk in _chunks(stale):
            read = select(b.field, b.value, b.source, b.version, b.bits).where(
                tuple_(b.field, b.value, b.source).in_(list(chunk))
            )
            for f, v, s, n, bits in conn.execute(read):
                fresh[(str(f), str(v), str(s))] = (int(n), FrozenBitMap.deserialize(bits))
        if fresh:
            with self._lock:
                self._rows = {**self._rows, **fresh}
        held = self._rows
        return {k: (fresh.get(k) or held[k])[1] for k in listed if k in fresh or k in held}
