"""The search index's tables: documents, filter values, the name vocabulary, and which
subjects need re-indexing. The full-text SQL of the two stores lives here (SQLite FTS5
with a trigram table; PostgreSQL tsvector with pg_trgm); both index the same tokens."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.engine import Connection

from casegraph.model.names import display_name
from casegraph.model.search_documents import Document
from casegraph.model.visible import Visible
from casegraph.store import bulk, scratch, search_bitmaps
from casegraph.store.tables import (
    dirty_subjects,
    search_docs,
    search_subjects,
    search_term_variants,
    search_terms,
    search_values,
)
from casegraph.store.value_lists import one_of

CHUNK = 2000
MAX_EXPANSION = 200


def _sqlite(conn: Connection) -> bool:
    return conn.dialect.name == "sqlite"


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def deletions(term: str) -> set[str]:
    """The term with any one letter left out: two terms within one edit (Damerau)
    share at least one of these, or one is the other's deletion."""
    return {term[:i] + term[i + 1 :] for i in range(len(term))}


# --- which subjects need re-indexing --------------------------------------------------

_MARK = text(
    "INSERT INTO dirty_subjects (canonical_id, source) VALUES (:c, :s) ON CONFLICT DO NOTHING"
)


def mark_dirty(conn: Connection, keys: Iterable[tuple[str, str]]) -> None:
    """Queue (canonical id, source) documents for re-indexing."""
    rows = [{"c": c, "s": s} for c, s in set(keys)]
    for chunk in _chunks(rows):
        conn.execute(_MARK, list(chunk))


def mark_all_dirty(conn: Connection, visible: Visible) -> None:
    """Queue every subject of the sources ``visible`` grants (a full rebuild)."""
    if visible.sources:
        conn.execute(
            text(
                "INSERT INTO dirty_subjects (canonical_id, source) "
                "SELECT DISTINCT canonical_id, source FROM statements WHERE source IN :sources "
                "ON CONFLICT DO NOTHING"
            ).bindparams(bindparam("sources", expanding=True)),
            {"sources": list(visible.sources)},
        )


def dirty_count(conn: Connection) -> int:
    """How many documents wait to be indexed (a count, no data)."""
    return int(conn.execute(select(func.count()).select_from(dirty_subjects)).scalar_one())


def dirty_batch(conn: Connection, visible: Visible, limit: int) -> list[tuple[str, str]]:
    query = (
        select(dirty_subjects.c.canonical_id, dirty_subjects.c.source)
        .where(dirty_subjects.c.source.in_(list(visible.sources)))
        .order_by(dirty_subjects.c.canonical_id, dirty_subjects.c.source)
        .limit(limit)
    )
    return [(str(c), str(s)) for c, s in conn.execute(query)]


def clear_dirty(conn: Connection, keys: Sequence[tuple[str, str]]) -> None:
    if not keys:
        return
    scratch.fill(conn, "clean_subjects", {"c": "TEXT NOT NULL", "s": "TEXT NOT NULL"}, keys)
    conn.exec_driver_sql(
        "DELETE FROM dirty_subjects WHERE (canonical_id, source) IN "
        "(SELECT c, s FROM clean_subjects)"
    )


# --- documents --------------------------------------------------------------------------


def delete_docs(conn: Connection, keys: Sequence[tuple[str, str]]) -> None:
    """Remove the documents of these (canonical id, source) keys, and their terms' counts."""
    wanted = set(keys)
    found: list[tuple[int, str]] = []
    docs: dict[int, tuple[str, str, str, str | None]] = {}
    d = search_docs.c
    for chunk in _chunks(sorted({c for c, _ in keys})):
        query = select(d.id, d.canonical_id, d.source, d.terms, d.schema, d.adult_on).where(
            d.canonical_id.in_(list(chunk))
        )
        for i, c, s, t, schema, adult in conn.execute(query):
            if (c, s) in wanted:
                found.append((int(i), str(t)))
                docs[int(i)] = (str(c), str(s), str(schema), adult)
    if not found:
        return
    ids = [i for i, _ in found]
    _unmark_bitmaps(conn, docs)
    for chunk in _chunks(ids):
        conn.execute(delete(search_values).where(search_values.c.doc_id.in_(list(chunk))))
        conn.execute(delete(search_docs).where(search_docs.c.id.in_(list(chunk))))
        if _sqlite(conn):
            conn.execute(
                text("DELETE FROM search_fts WHERE rowid IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                ),
                {"ids": list(chunk)},
            )
    _count_terms(conn, Counter(t for _, terms in found for t in set(terms.split())), -1)


def _next_ids(conn: Connection, count: int) -> list[int]:
    if _sqlite(conn):
        start = int(conn.execute(select(func.coalesce(func.max(search_docs.c.id), 0))).scalar_one())
        return list(range(start + 1, start + count + 1))
    result = conn.execute(
        text(
            "SELECT nextval(pg_get_serial_sequence('search_docs', 'id')) "
            "FROM generate_series(1, :n)"
        ),
        {"n": count},
    )
    return [int(v) for v in result.scalars()]


_DOC_COLUMNS = ("id", "canonical_id", "source", "schema", "caption", "names", "details",
                "terms", "body", "adult_on")


def insert_docs(conn: Connection, docs: Sequence[Document]) -> None:
    if not docs:
        return
    ids = _next_ids(conn, len(docs))
    bulk.insert_rows(
        conn, "search_docs", _DOC_COLUMNS,
        ((i, d.canonical_id, d.source, d.schema, d.caption, "\n".join(d.names),
          "\n".join(d.details), d.terms, d.body, d.adult_on)
         for i, d in zip(ids, docs, strict=True)),
    )  # fmt: skip
    bulk.insert_rows(conn, "search_values", ("doc_id", "field", "value"),
                     ((i, f, v) for i, d in zip(ids, docs, strict=True)
                      for f, v in sorted(d.values)))  # fmt: skip
    if _sqlite(conn):
        rows = ((i, d.terms, d.body) for i, d in zip(ids, docs, strict=True))
        bulk.insert_rows(conn, "search_fts", ("rowid", "terms", "body"), rows)
    _count_terms(conn, Counter(t for d in docs for t in set(d.terms.split())), 1)
    ords = search_bitmaps.ordinals(conn, (d.canonical_id for d in docs), create=True)
    added: dict[search_bitmaps.Key, set[int]] = {}
    for d in docs:
        for key in search_bitmaps.doc_keys(d.source, d.schema, d.adult_on, d.values):
            added.setdefault(key, set()).add(ords[d.canonical_id])
    search_bitmaps.change(conn, added, {})


def rename_docs(conn: Connection, renames: str) -> None:
    """Give the documents of the rows (old subject ``o``, source ``s``, new subject
    ``n``) of the scratch table ``renames`` to their new subject: their text, terms and
    values stay as they are; the facet bitmaps move their bits from the old subject's
    ordinal to the new one's."""
    docs = conn.exec_driver_sql(
        f"SELECT d.id, r.o, r.n, d.source, d.schema, d.adult_on FROM {renames} r "
        "JOIN search_docs d ON d.canonical_id = r.o AND d.source = r.s"
    ).all()
    keys = _bitmap_keys(conn, {int(i): (str(o), str(s), str(k), a)
                               for i, o, _, s, k, a in docs})  # fmt: skip
    ords = search_bitmaps.ordinals(
        conn, [str(c) for _, o, n, *_ in docs for c in (o, n)], create=True
    )
    added: dict[search_bitmaps.Key, set[int]] = {}
    removed: dict[search_bitmaps.Key, set[int]] = {}
    for i, old, new, *_ in docs:
        for key in keys[int(i)]:
            removed.setdefault(key, set()).add(ords[old])
            added.setdefault(key, set()).add(ords[new])
    search_bitmaps.change(conn, added, removed)
    conn.exec_driver_sql(
        f"UPDATE search_docs SET canonical_id = r.n FROM {renames} r "
        "WHERE search_docs.canonical_id = r.o AND search_docs.source = r.s"
    )


def _bitmap_keys(
    conn: Connection, docs: dict[int, tuple[str, str, str, str | None]]
) -> dict[int, set[search_bitmaps.Key]]:
    """The facet bitmaps each document (id -> canonical id, source, schema, adult on)
    puts its subject in, from its stored values."""
    values: dict[int, list[tuple[str, str]]] = {}
    v = search_values.c
    for chunk in _chunks(sorted(docs)):
        query = select(v.doc_id, v.field, v.value).where(
            v.doc_id.in_(list(chunk)), v.field.in_(search_bitmaps.VALUE_FIELDS)
        )
        for i, f, value in conn.execute(query):
            values.setdefault(int(i), []).append((str(f), str(value)))
    return {i: search_bitmaps.doc_keys(source, schema, adult, values.get(i, []))
            for i, (_, source, schema, adult) in docs.items()}  # fmt: skip


def _unmark_bitmaps(conn: Connection, docs: dict[int, tuple[str, str, str, str | None]]) -> None:
    """Take the subjects of these documents (id -> canonical id, source, schema, adult
    on) out of the facet bitmaps their documents put them in."""
    keys = _bitmap_keys(conn, docs)
    ords = search_bitmaps.ordinals(conn, (c for c, _, _, _ in docs.values()))
    removed: dict[search_bitmaps.Key, set[int]] = {}
    for i, (cid, _, _, _) in docs.items():
        for key in keys[i]:
            removed.setdefault(key, set()).add(ords[cid])
    search_bitmaps.change(conn, {}, removed)


def _count_terms(conn: Connection, counts: Counter[str], sign: int) -> None:
    """Keep the name vocabulary (with one-deletion variants for fuzzy matching) to the
    terms some document uses: an erased name leaves no trace in it."""
    if not counts:
        return
    terms = sorted(counts)
    known: set[str] = set()
    for chunk in _chunks(terms):
        # as a set to join: PostgreSQL, its statistics not yet gathered, answers `IN` and
        # `= ANY` through the trigram index, 13 s for 2,000 terms instead of 13 ms
        known |= set(
            conn.execute(
                select(search_terms.c.term).where(
                    one_of(conn, search_terms.c.term, chunk, lookup=False)
                )
            ).scalars()
        )
    if sign > 0:
        new = [t for t in terms if t not in known]
        if new:
            conn.execute(search_terms.insert(), [{"term": t, "docs": counts[t]} for t in new])
            conn.execute(
                text(
                    "INSERT INTO search_term_variants (variant, term) VALUES (:v, :t) "
                    "ON CONFLICT DO NOTHING"
                ),
                [{"v": v, "t": t} for t in new for v in {t} | deletions(t)],
            )
    update = [{"t": t, "n": sign * counts[t]} for t in terms if t in known]
    if update:
        conn.execute(text("UPDATE search_terms SET docs = docs + :n WHERE term = :t"), update)
    if sign < 0:
        gone = list(
            conn.execute(
                select(search_terms.c.term).where(
                    one_of(conn, search_terms.c.term, terms, lookup=False),
                    search_terms.c.docs <= 0,
                )
            ).scalars()
        )
        for chunk in _chunks(gone):
            conn.execute(
                delete(search_term_variants).where(search_term_variants.c.term.in_(list(chunk)))
            )
            conn.execute(delete(search_terms).where(search_terms.c.term.in_(list(chunk))))


# --- vocabulary lookups (query expansion) -------------------------------------------------


def near_terms(conn: Connection, token: str) -> list[str]:
    """Vocabulary terms that share a one-deletion variant with ``token`` (candidates
    within one edit; the caller checks the distance)."""
    keys = sorted({token} | deletions(token))
    query = (
        select(search_term_variants.c.term)
        .where(search_term_variants.c.variant.in_(keys))
        .distinct()
        .limit(MAX_EXPANSION)
    )
    return sorted(str(t) for t in conn.execute(query).scalars())


def infix_terms(conn: Connection, part: str) -> list[str]:
    """Vocabulary terms containing ``part`` (three letters or more), through the
    trigram index of each store."""
    if _sqlite(conn):
        sql = (
            "SELECT t.term FROM search_terms_trigram g JOIN search_terms t ON t.id = g.rowid "
            "WHERE g.term LIKE :p ORDER BY t.term LIMIT :n"
        )
    else:
        sql = "SELECT term FROM search_terms WHERE term LIKE :p ORDER BY term LIMIT :n"
    return [
        str(t) for t in conn.execute(text(sql), {"p": f"%{part}%", "n": MAX_EXPANSION}).scalars()
    ]


# --- full text ----------------------------------------------------------------------------


def fulltext_condition(conn: Connection, expression: str, param: str) -> str:
    """A SQL condition on ``search_docs d`` matching the store's full-text ``expression``."""
    if _sqlite(conn):
        return f"d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH :{param})"
    return f"d.tsv @@ to_tsquery('simple', :{param})"


def fulltext_expression(
    conn: Connection, groups: Sequence[Sequence[tuple[str, bool]]], names_only: bool, phrase: bool
) -> str:
    """The store's full-text query for tokens that must all match, each through any of
    its alternatives ``(term, is_prefix)``; or, for a phrase, the terms in order. Terms
    are lower-case letters and digits only (see ``search.text.tokens``)."""
    if _sqlite(conn):

        def one(term: str, prefix: bool) -> str:
            return f'"{term}"' + ("*" if prefix else "")

        if phrase:
            body = '"' + " ".join(term for (term, _), *_ in groups) + '"'
        else:
            body = " AND ".join(
                "(" + " OR ".join(one(t, p) for t, p in alts) + ")" for alts in groups
            )
        return f"terms : ({body})" if names_only else body
    weight = "A" if names_only else ""

    def pg(term: str, prefix: bool) -> str:
        marks = ("*" if prefix else "") + weight
        return f"{term}:{marks}" if marks else term

    if phrase:
        return " <-> ".join(pg(term, False) for (term, _), *_ in groups)
    return " & ".join("(" + " | ".join(pg(t, p) for t, p in alts) + ")" for alts in groups)


def text_range(conn: Connection, column: str) -> str:
    """``column`` compared as plain bytes (dates and years as text), on both stores."""
    return column if _sqlite(conn) else f'{column} COLLATE "C"'


HITS = "search_hits"  # per connection: the subjects one query matched


def collect_hits(conn: Connection, select_ids: str, params: dict[str, Any]) -> int:
    """Store the canonical ids ``select_ids`` selects in the connection's temporary
    ``search_hits`` table (emptied first); how many there are. Ranking, counting and
    every facet then read this table instead of matching the query again."""
    scratch.fresh(conn, HITS, "canonical_id TEXT PRIMARY KEY")
    result = conn.execute(text(f"INSERT INTO {HITS} (canonical_id) {select_ids}"), params)
    scratch.analyze(conn, HITS)
    return int(result.rowcount)


def hit_ordinals(conn: Connection) -> list[int]:
    """The ordinals of the subjects in ``search_hits``."""
    return [
        int(o)
        for o in conn.execute(
            text(
                f"SELECT o.ord FROM {HITS} h CROSS JOIN search_subjects o "
                "WHERE o.canonical_id = h.canonical_id"
            )
        ).scalars()
    ]


def docs_of_ordinals(
    conn: Connection, ords: Sequence[int], visible: Visible
) -> list[tuple[str, str, str, set[str]]]:
    """(canonical id, schema, caption, visible sources) of the subjects of these
    ordinals, in their order; the schema of the first visible document (by source
    name), the display name (``model.names``) over the visible documents."""
    o, d = search_subjects.c, search_docs.c
    query = (
        select(o.ord, d.canonical_id, d.schema, d.caption, d.source)
        .where(
            one_of(conn, o.ord, ords),
            d.canonical_id == o.canonical_id,
            one_of(conn, d.source, visible.sources, lookup=False),
        )
        .order_by(o.ord, d.source)
    )
    found: dict[int, tuple[str, str, list[tuple[str, str]]]] = {}
    for i, cid, schema, caption, source in conn.execute(query).all():
        found.setdefault(i, (cid, schema, []))[2].append((source, caption))
    return [
        (cid, schema, display_name(named, schema == "Person") or cid, {s for s, _ in named})
        for cid, schema, named in (found[i] for i in ords if i in found)
    ]


def particulars_rows(
    conn: Connection, canonical_ids: Sequence[str], visible: Visible, fields: Sequence[str]
) -> tuple[list[tuple[str, str, str, str]], list[tuple[str, str, str, str]]]:
    """What the visible documents of these subjects say that tells them apart, for a
    page of hits in two reads: (canonical id, source, schema, details) of each document,
    and (canonical id, source, field, value) of its entries in the value ``fields``."""
    if not canonical_ids or not visible.sources:
        return [], []
    d, v = search_docs.c, search_values.c
    where = (
        one_of(conn, d.canonical_id, canonical_ids),
        one_of(conn, d.source, visible.sources, lookup=False),
    )
    docs = conn.execute(
        select(d.canonical_id, d.source, d.schema, d.details).where(*where)
    ).all()
    values = conn.execute(
        select(d.canonical_id, d.source, v.field, v.value)
        .where(*where, v.doc_id == d.id, v.field.in_(list(fields)))
        .order_by(d.canonical_id, d.source, v.field, v.value)
    ).all()
    return (
        [(str(c), str(s), str(k), str(t)) for c, s, k, t in docs],
        [(str(c), str(s), str(f), str(x)) for c, s, f, x in values],
    )
