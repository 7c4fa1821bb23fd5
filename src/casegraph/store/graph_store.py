"""The edges table: writes from the index refresh, and the neighbourhood reads the
graph features need, always limited to edges whose sources the reader may see."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    String,
    and_,
    bindparam,
    cast,
    delete,
    func,
    null,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql import ColumnElement, Executable

from casegraph.model.edges import HUB, SHARED, SHARED_FIELDS, Edge
from casegraph.model.names import display_name
from casegraph.model.visible import Visible
from casegraph.store import bulk, scratch
from casegraph.store.tables import (
    dirty_shared_values,
    edges,
    edges_epoch,
    sealed_subjects,
    search_docs,
    search_values,
    statements,
)
from casegraph.store.value_lists import one_of

CHUNK = 2000
# what a reader sees of an edge, in this order: not how its ends were resolved
EDGE_VIEW = [
    edges.c[name]
    for name in ("id", "src", "dst", "kind", "origin", "source", "source2", "directed",
                 "start_date", "end_date", "amount", "share", "label", "unit")
]  # fmt: skip


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- writes ----------------------------------------------------------------------------
# Each bumps the edges' epoch in the same transaction, so that a process holding the
# graph's structure (store.adjacency) sees the change when it commits.


def _changed(conn: Connection) -> None:
    conn.execute(update(edges_epoch).values(epoch=edges_epoch.c.epoch + 1))


def epoch(conn: Connection) -> int:
    """The edges' epoch: it moves whenever a committed transaction changed an edge."""
    return int(conn.execute(select(edges_epoch.c.epoch)).scalar_one())


EDGE_COLUMNS = ("src", "dst", "kind", "origin", "origin_subject", "src_entity", "dst_entity",
                "source", "source2", "directed", "start_date", "end_date", "amount", "share",
                "label", "unit")  # fmt: skip


def insert_edges(conn: Connection, items: Sequence[Edge]) -> None:
    if not items:
        return
    _changed(conn)
    bulk.insert_rows(conn, "edges", EDGE_COLUMNS,
                     ((*(getattr(e, c) for c in EDGE_COLUMNS[:9]), int(e.directed),
                       *(getattr(e, c) for c in EDGE_COLUMNS[10:])) for e in items))  # fmt: skip


_SUBJECT_KEYS = {"c": "TEXT NOT NULL", "s": "TEXT NOT NULL"}


def delete_edges_of(conn: Connection, keys: Sequence[tuple[str, str]]) -> None:
    """Drop the edges these (canonical id, source) subjects make: as relationships,
    and as holders of shared values. One set-based delete over the keys."""
    if not keys:
        return
    _changed(conn)
    scratch.fill(conn, "edge_subjects", _SUBJECT_KEYS, keys)
    conn.execute(
        text(
            "DELETE FROM edges WHERE id IN ("
            "SELECT e.id FROM edge_subjects k JOIN edges e "
            "ON e.origin_subject = k.c AND e.source = k.s "
            "UNION SELECT e.id FROM edge_subjects k JOIN edges e "
            "ON e.src = k.c AND e.source = k.s WHERE e.kind LIKE :shared "
            "UNION SELECT e.id FROM edge_subjects k JOIN edges e "
            "ON e.dst = k.c AND e.source2 = k.s WHERE e.kind LIKE :shared)"
        ),
        {"shared": SHARED + "%"},
    )


def delete_shared(conn: Connection, origins: Sequence[str]) -> None:
    if origins:
        _changed(conn)
    for chunk in _chunks(sorted(set(origins))):
        conn.execute(
            delete(edges).where(edges.c.kind.like("same:%"), edges.c.origin.in_(list(chunk)))
        )


# --- shared values whose edges wait for rebuilding ------------------------------------


def mark_shared_dirty(conn: Connection, values: Iterable[tuple[str, str]]) -> None:
    """Queue (field, value) pairs whose "same:" edges need rebuilding."""
    rows = sorted(set(values))
    if not rows:
        return
    scratch.fill(conn, "shared_keys", _VALUE_KEYS, rows)
    conn.exec_driver_sql(
        "INSERT INTO dirty_shared_values (field, value) SELECT DISTINCT f, v FROM shared_keys "
        "WHERE true "  # SQLite reads ON CONFLICT after a SELECT only past a WHERE
        "ON CONFLICT DO NOTHING"
    )


def shared_dirty_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(dirty_shared_values)).scalar_one())


def dirty_shared_batch(conn: Connection, limit: int) -> list[tuple[str, str]]:
    query = (select(dirty_shared_values.c.field, dirty_shared_values.c.value)
             .order_by(dirty_shared_values.c.field, dirty_shared_values.c.value)
             .limit(limit))  # fmt: skip
    return [(str(f), str(v)) for f, v in conn.execute(query)]


def clear_shared_dirty(conn: Connection, values: Sequence[tuple[str, str]]) -> None:
    if not values:
        return
    scratch.fill(conn, "shared_keys", _VALUE_KEYS, values)
    conn.exec_driver_sql(
        "DELETE FROM dirty_shared_values WHERE (field, value) IN (SELECT f, v FROM shared_keys)"
    )


_VALUE_KEYS = {"f": "TEXT NOT NULL", "v": "TEXT NOT NULL"}


def repoint(conn: Connection, ends: Sequence[tuple[str, str, str]]) -> None:
    """Point edge ends at the current subject of each (source, entity, canonical id),
    in one set-based update per end."""
    if not ends:
        return
    _changed(conn)
    scratch.fill(conn, "edge_ends", {"s": "TEXT NOT NULL", "e": "TEXT NOT NULL",
                                     "c": "TEXT NOT NULL"}, ends)  # fmt: skip
    for column, entity, source in (("src", "src_entity", "source"),
                                   ("dst", "dst_entity", "source2")):  # fmt: skip
        conn.exec_driver_sql(
            f"UPDATE edges SET {column} = m.c FROM edge_ends m "
            f"WHERE edges.{source} = m.s AND edges.{entity} = m.e AND edges.{column} <> m.c"
        )


def rename_subjects(conn: Connection, renames: str) -> None:
    """Edges follow the documents resolution gave to a new subject: the rows (old
    subject ``o``, source ``s``, new subject ``n``) of the scratch table ``renames``,
    whose documents are renamed already (``search_index.rename_docs``: the facet bitmaps
    are locked before the edges, as a refresh locks them). Relationship ends and origins
    in that source move to the new subject, and so do "same:" edges, which keep the
    order a rebuild gives them; one between two documents that now share a subject goes.
    A value whose edges a rename can change otherwise is queued for rebuilding: one that
    another document of the old subject holds too (the subject splits; that document
    renamed or not), or that more than ``HUB`` documents hold."""
    _changed(conn)
    shared = {"shared": SHARED + "%"}
    for column, source in (("src", "source"), ("dst", "source2"), ("origin_subject", "source")):
        conn.execute(
            text(
                f"UPDATE edges SET {column} = r.n FROM {renames} r WHERE edges.{column} = r.o "
                f"AND edges.{source} = r.s AND edges.kind NOT LIKE :shared"
            ),
            shared,
        )
    # each "same:" edge with a renamed end: both ends as they become, then in order
    scratch.fresh(conn, "shared_moves", "id INTEGER PRIMARY KEY, a TEXT NOT NULL, "
                  "b TEXT NOT NULL, sa TEXT NOT NULL, sb TEXT NOT NULL")  # fmt: skip
    conn.execute(
        text(
            "INSERT INTO shared_moves (id, a, b, sa, sb) SELECT e.id, coalesce(x.n, e.src), "
            "coalesce(y.n, e.dst), e.source, e.source2 FROM edges e "
            f"LEFT JOIN {renames} x ON x.o = e.src AND x.s = e.source "
            f"LEFT JOIN {renames} y ON y.o = e.dst AND y.s = e.source2 WHERE e.id IN ("
            f"SELECT e.id FROM {renames} r CROSS JOIN edges e WHERE e.src = r.o "
            "AND e.source = r.s AND e.kind LIKE :shared UNION "
            f"SELECT e.id FROM {renames} r CROSS JOIN edges e WHERE e.dst = r.o "
            "AND e.source2 = r.s AND e.kind LIKE :shared)"
        ),
        shared,
    )
    scratch.analyze(conn, "shared_moves")
    def moved() -> float:
        return bulk.count(conn, "shared_moves") / max(1, bulk.count(conn, "edges"))

    with bulk.indexes_set_aside(conn, "edges", ("src", "dst", "source", "source2"), moved):
        conn.exec_driver_sql(
            "DELETE FROM edges WHERE id IN (SELECT id FROM shared_moves WHERE a = b)"
        )
        c = "" if conn.dialect.name == "sqlite" else ' COLLATE "C"'  # Python's order of text
        flip = f"(m.a{c} > m.b{c} OR (m.a = m.b AND m.sa{c} > m.sb{c}))"
        conn.exec_driver_sql(
            f"UPDATE edges SET src = CASE WHEN {flip} THEN m.b ELSE m.a END, "
            f"dst = CASE WHEN {flip} THEN m.a ELSE m.b END, "
            f"source = CASE WHEN {flip} THEN m.sb ELSE m.sa END, "
            f"source2 = CASE WHEN {flip} THEN m.sa ELSE m.sb END "
            "FROM shared_moves m WHERE edges.id = m.id AND m.a <> m.b"
        )
    fields = {"fields": list(SHARED_FIELDS)}
    # the values of renamed documents that more than HUB documents hold: each value once
    conn.execute(
        text(
            "INSERT INTO dirty_shared_values (field, value) SELECT x.f, x.v FROM (SELECT "
            f"DISTINCT v.field AS f, v.value AS v {_renamed_values(renames)}) x "
            "WHERE EXISTS (SELECT 1 FROM search_values w WHERE w.field = x.f "
            "AND w.value = x.v LIMIT 1 OFFSET :hub) ON CONFLICT DO NOTHING"
        ).bindparams(bindparam("fields", expanding=True)),
        {**fields, "hub": HUB},
    )
    # the subject split: another document of the old subject, in another source, kept
    # the old id or went elsewhere. Only renames whose old subject has such a document
    # are looked at value by value (on a first run, none: each old subject is a record)
    scratch.fresh(conn, "split_renames", "o TEXT NOT NULL, s TEXT NOT NULL, n TEXT NOT NULL, "
                  "PRIMARY KEY (o, s, n)")  # fmt: skip
    conn.exec_driver_sql(
        f"INSERT INTO split_renames (o, s, n) SELECT r.o, r.s, r.n FROM {renames} r "
        "WHERE EXISTS (SELECT 1 FROM search_docs e WHERE e.canonical_id = r.o "
        f"AND e.source <> r.s) OR EXISTS (SELECT 1 FROM {renames} q WHERE q.o = r.o "
        "AND q.s <> r.s)"
    )
    scratch.analyze(conn, "split_renames")
    conn.execute(
        text(
            "INSERT INTO dirty_shared_values (field, value) SELECT DISTINCT v.field, v.value "
            f"{_renamed_values('split_renames')} AND EXISTS (SELECT 1 FROM search_values w "
            "JOIN search_docs e ON e.id = w.doc_id WHERE w.field = v.field "
            "AND w.value = v.value AND e.source <> r.s AND (e.canonical_id = r.o OR EXISTS "
            f"(SELECT 1 FROM {renames} q WHERE q.o = r.o AND q.s = e.source "
            "AND q.n = e.canonical_id))) ON CONFLICT DO NOTHING"
        ).bindparams(bindparam("fields", expanding=True)),
        fields,
    )


def _renamed_values(renames: str) -> str:
    """FROM and WHERE of the shared values ``v`` of each renamed document ``d`` of the
    rows ``r`` of ``renames`` (taking the expanding parameter ``fields``)."""
    return (f"FROM {renames} r CROSS JOIN search_docs d CROSS JOIN search_values v "
            "WHERE d.canonical_id = r.n AND d.source = r.s AND v.doc_id = d.id "
            "AND v.field IN :fields")  # fmt: skip


def canonical_lookup(
    conn: Connection, wanted: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """The canonical id of each (source, entity id)."""
    by_source: dict[str, set[str]] = {}
    for source, entity in wanted:
        by_source.setdefault(source, set()).add(entity)
    out: dict[tuple[str, str], str] = {}
    for source, ids in by_source.items():
        for chunk in _chunks(sorted(ids)):
            query = (
                select(statements.c.entity_id, statements.c.canonical_id)
                .where(statements.c.source == source, statements.c.entity_id.in_(list(chunk)))
                .distinct()
            )
            out.update({(source, str(e)): str(c) for e, c in conn.execute(query)})
    return out


def value_holders(
    conn: Connection, values: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[tuple[str, str]]]:
    """(canonical id, source) of every document holding each (field, value)."""
    by_field: dict[str, set[str]] = {}
    for field, value in values:
        by_field.setdefault(field, set()).add(value)
    out: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for field, found in by_field.items():
        for chunk in _chunks(sorted(found)):
            query = (
                select(search_values.c.value, search_docs.c.canonical_id, search_docs.c.source)
                .join(search_docs, search_docs.c.id == search_values.c.doc_id)
                .where(search_values.c.field == field, search_values.c.value.in_(list(chunk)))
            )
            for value, cid, source in conn.execute(query):
                out.setdefault((field, str(value)), []).append((str(cid), str(source)))
    return out


# --- reads -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EdgeFilter:
    """Which edges a reader sees: those of the sources the session's gate granted."""

    visible: Visible
    kinds: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    @property
    def sources(self) -> tuple[str, ...]:
        return self.visible.sources

    def condition(self) -> ColumnElement[bool]:
        parts: list[ColumnElement[bool]] = [
            edges.c.source.in_(self.sources),
            edges.c.source2.in_(self.sources),
            edges.c.src != edges.c.dst,  # kept, unseen, until the subject splits again
        ]
        if self.kinds:
            plain = [k for k in self.kinds if k != "same"]
            kinds = [edges.c.kind.in_(plain)] if plain else []
            if "same" in self.kinds:
                kinds.append(edges.c.kind.like("same:%"))
            parts.append(or_(*kinds))
        if self.since:  # edges that last until, or have no date
            parts.append(or_(edges.c.end_date.is_(None), edges.c.end_date >= self.since))
        if self.until:
            parts.append(or_(edges.c.start_date.is_(None), edges.c.start_date <= self.until + "~"))
        return and_(*parts)


def touching(
    conn: Connection, ids: Sequence[str], where: EdgeFilter, limit: int | None = None
) -> list[Row[Any]]:
    """Edges with an end among ``ids``."""
    out: list[Row[Any]] = []
    every = sorted(set(ids))
    for column in (edges.c.src, edges.c.dst):
        query = select(*EDGE_VIEW).where(one_of(conn, column, every), where.condition())
        if limit is not None:
            query = query.limit(limit - len(out) + 1)
        out += conn.execute(query).all()
        if limit is not None and len(out) > limit:
            return out
    return out


def among(
    conn: Connection, ids: Iterable[str], where: EdgeFilter, cap: int | None = None
) -> list[Row[Any]]:
    """Edges with both ends among ``ids``, in id order (the first ``cap`` of them).

    One read of the ``src`` index, which holds every column of ``EDGE_VIEW``: the
    ``dst`` end is checked on each entry found (as a second index condition, the two
    lists would make the database probe every pair of them), and no table row is read.
    """
    every = sorted(set(ids))
    if not every:
        return []
    query = select(*EDGE_VIEW).where(
        one_of(conn, edges.c.src, every),
        # the same value, but no index condition
        one_of(conn, edges.c.dst.concat(""), every, lookup=False),
        where.condition(),
    )
    rows = sorted(conn.execute(query).all(), key=lambda row: row[0])  # one fetch
    return rows[:cap]


def iter_edges(
    conn: Connection, where: EdgeFilter, source: str | None = None
) -> Iterator[Row[Any]]:
    """Every edge ``where`` lets through (of ``source`` at either end, if given)."""
    query = select(*EDGE_VIEW).where(where.condition()).order_by(edges.c.id)
    if source is not None:
        query = query.where(or_(edges.c.source == source, edges.c.source2 == source))
    yield from conn.execute(query.execution_options(stream_results=True, yield_per=20_000))


def adjacency(
    conn: Connection, ids: Sequence[str], where: EdgeFilter
) -> list[tuple[int, str, str]]:
    """(edge id, node, neighbour) for every edge at ``ids``, both directions, for a
    breadth-first search: read from the covering ``src`` and ``dst`` indexes alone."""
    here = sorted(set(ids))
    if not here:
        return []
    query = union_all(
        select(edges.c.id, edges.c.src, edges.c.dst).where(
            one_of(conn, edges.c.src, here), where.condition()
        ),
        select(edges.c.id, edges.c.dst, edges.c.src).where(
            one_of(conn, edges.c.dst, here), where.condition()
        ),
    )
    return [(i, a, b) for i, a, b in conn.execute(query).all()]


def cards(
    conn: Connection, ids: Iterable[str], visible: Visible, today: str | None
) -> dict[str, tuple[str | None, str | None, bool]]:
    """(caption, schema, sealed) of each subject among ``ids`` that has a document or
    a seal: the display name (``model.names``) over the documents the reader may see
    (``visible``), the schema of the first of them (by source); sealed when it is, or
    when it is a minor ``today`` by any document (``today`` None: not checked)."""
    every = sorted(set(ids))
    out: dict[str, tuple[str | None, str | None, bool]] = {}
    if not every:
        return out
    d = search_docs.c
    z = sealed_subjects.c
    nothing = cast(null(), String)
    docs = select(d.canonical_id, d.source, d.caption, d.schema, d.adult_on).where(
        one_of(conn, d.canonical_id, every)
    )
    query: Executable = docs
    if today is not None:  # and the seals, as rows without a source
        seals = select(z.canonical_id, nothing, nothing, nothing, nothing)
        query = union_all(docs, seals.where(one_of(conn, z.canonical_id, every)))
    rows = conn.execute(query).all()
    named: dict[str, list[tuple[str, str]]] = {}
    for cid, source, caption, schema, adult_on in sorted(rows, key=lambda r: (r[0], r[1] or "")):
        seen, kind, sealed = out.get(cid, (None, None, False))
        if source is None:
            sealed = True
        elif visible.sees(source):
            named.setdefault(cid, []).append((source, caption))
            kind = kind or schema
        minor = today is not None and adult_on is not None and adult_on > today
        out[cid] = (seen, kind, sealed or minor)
    for cid, stated in named.items():
        _, kind, sealed = out[cid]
        out[cid] = (display_name(stated, kind == "Person"), kind, sealed)
    return out
