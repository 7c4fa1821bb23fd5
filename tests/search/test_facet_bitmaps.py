"""Facet bitmaps on both stores: queries of facet filters only, answered by set algebra
on the bitmaps, give what the SQL path gives; facet counts are exact; the bitmaps follow
ingest, resolution, erasure and rebuilds; minors are decided to the day."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from casegraph.access.context import AccessContext
from casegraph.search import engine
from casegraph.search.facet_sets import answerable
from casegraph.search.query import parse
from casegraph.service import Session, Workspace
from casegraph.store.search_bitmaps import doc_keys
from tests.conftest import add_source
from tests.search import data
from tests.search.test_search import ids

FACET_ONLY = [
    "schema:LegalEntity",
    "schema:Company country:de",
    "schema:Person -country:de",
    "country:de OR country:gb",
    "-schema:Company",
    "year:[1950 TO 1979]",
    "year:[1980 TO *]",
    "source:phones schema:Person",
    "source:registry NOT (country:us OR country:gb)",
    "year:2001 OR (schema:Person country:us)",
    "country:zz",
]
NEVER = "id:no-such-identifier-anywhere"  # matches nothing, and sends a query to SQL


def _answer(s: Session, query: str) -> tuple[int, list[str], dict[str, list[tuple[str, int]]]]:
    result = s.search.search(query, limit=100)
    return result.total, [h.id for h in result.hits], result.facets


def test_facet_only_queries_agree_with_the_sql_path(
    loaded: Workspace,
    ctx: AccessContext,
) -> None:
    viewer = AccessContext(actor="vic", justification="what a viewer finds in the bitmaps")
    for reader in (ctx, viewer):
        with loaded.session(reader) as s:
            for query in FACET_ONLY:
                assert answerable(parse(query))
                sql_query = f"({query}) OR {NEVER}"
                assert not answerable(parse(sql_query))
                assert _answer(s, query) == _answer(s, sql_query), (reader.actor, query)


def test_queries_without_words_page_through_every_match_in_index_order(
    loaded: Workspace, ctx: AccessContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing to rank: the matches come in the order their subjects were indexed, and
    every page is within reach, past the number a word query ranks; on the bitmap path
    and on the SQL path alike."""
    monkeypatch.setattr(engine, "CANDIDATES", 2)
    with loaded.session(ctx) as s:
        order = {
            str(c): int(o)
            for c, o in s.conn.execute(text("SELECT canonical_id, ord FROM search_subjects"))
        }
        for query in ("schema:LegalEntity", f"schema:LegalEntity OR {NEVER}"):
            whole = s.search.search(query, limit=100)
            assert whole.total > 4 and whole.ranked == whole.total
            listed = [h.id for h in whole.hits]
            assert listed == sorted(listed, key=order.__getitem__)
            paged = [
                h.id
                for page in range(1, (whole.total + 1) // 2 + 1)
                for h in s.search.search(query, page=page, limit=2).hits
            ]
            assert paged == listed, query
            assert all(h.caption and h.sources and not h.highlights for h in whole.hits)


def test_facet_counts_are_exact(loaded: Workspace, ctx: AccessContext) -> None:
    """Counts against a plain count of the visible documents, for a word query (SQL
    path) and a facet-only one (bitmaps)."""
    with loaded.session(ctx) as s:
        for query in ("john OR anna OR acme OR mueller", "schema:LegalEntity"):
            result = s.search.search(query, limit=100)
            hits = {h.id for h in result.hits}
            assert result.total == len(hits)
            expected: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
            for cid, source, schema, field, value in s.conn.execute(
                text(
                    "SELECT d.canonical_id, d.source, d.schema, v.field, v.value "
                    "FROM search_docs d LEFT JOIN search_values v ON v.doc_id = d.id"
                )
            ):
                if cid in hits:
                    expected["schema"][schema].add(cid)
                    expected["source"][source].add(cid)
                    if field in ("country", "year"):
                        expected[field][value].add(cid)
            for facet in ("schema", "source", "country", "year"):
                want = sorted(((v, len(c)) for v, c in expected[facet].items()),
                              key=lambda vc: (-vc[1], vc[0]))  # fmt: skip
                assert result.facets[facet] == want[:20], (query, facet)


def _bitmaps(s: Session) -> dict[tuple[str, str, str], set[str]]:
    from pyroaring import BitMap

    names = dict(s.conn.execute(text("SELECT ord, canonical_id FROM search_subjects")).all())
    found = {
        (f, v, src): {names[o] for o in BitMap.deserialize(bits)}
        for f, v, src, bits in s.conn.execute(
            text("SELECT field, value, source, bits FROM search_bitmaps")
        )
    }
    return {key: members for key, members in found.items() if members}  # emptied rows stay


def _from_documents(s: Session) -> dict[tuple[str, str, str], set[str]]:
    values: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for doc_id, field, value in s.conn.execute(
        text("SELECT doc_id, field, value FROM search_values")
    ):
        values[doc_id].append((field, value))
    out: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for doc_id, cid, source, schema, adult in s.conn.execute(
        text("SELECT id, canonical_id, source, schema, adult_on FROM search_docs")
    ):
        for key in doc_keys(source, schema, adult, values[doc_id]):
            out[key].add(cid)
    return dict(out)


def test_bitmaps_follow_the_documents(
    loaded: Workspace,
    ctx: AccessContext,
    tmp_path: Path,
) -> None:
    moved = [{"id": "p-smith1", "schema": "Person",
              "properties": {"name": ["John Smith"], "country": ["fr"]}}]  # fmt: skip
    with loaded.session(ctx) as s:
        assert _bitmaps(s) == _from_documents(s)
        s.ingest.ftm(data.write(tmp_path, "registry", moved), "registry")
        assert _bitmaps(s) == _from_documents(s)
        assert "p-smith1" in ids(s, "country:fr") and "p-smith1" in ids(s, "country:gb")
        s.resolve.run()
        subjects = ids(s, "jurgen muller")
        if len(subjects) == 2:
            s.resolve.merge(subjects[0], subjects[1], "same passport and phone")
        assert _bitmaps(s) == _from_documents(s)
    with loaded.engine.begin() as conn:  # the bank's data expires
        conn.exec_driver_sql("UPDATE sources SET retention_days = 0 WHERE name = 'bank'")
    with loaded.session(ctx) as s:
        s.retention.run()
        assert _bitmaps(s) == _from_documents(s)
        assert not [k for k in _bitmaps(s) if k[2] == "bank"]  # emptied
        before = _bitmaps(s)
        s.index.rebuild()
        assert _bitmaps(s) == before


def test_minors_are_decided_to_the_day(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    today = date.today()

    def born(adult_on: date) -> str:
        return adult_on.replace(year=adult_on.year - 18).isoformat()

    people = [
        {"id": "p-tomorrow", "schema": "Person",
         "properties": {"name": ["Tom Morrow"], "birthDate": [born(today + timedelta(days=1))],
                        "country": ["mt"]}},
        {"id": "p-yesterday", "schema": "Person",
         "properties": {"name": ["Yes Terday"], "birthDate": [born(today - timedelta(days=1))],
                        "country": ["mt"]}},
    ]  # fmt: skip
    if (today - timedelta(days=1)).replace(year=today.year - 18).month == 2:
        pytest.skip("29 February makes the arithmetic of this test ambiguous")
    with workspace.session(ctx) as s:
        add_source(s, "registry")
        s.ingest.ftm(data.write(tmp_path, "registry", people), "registry")
        result = s.search.search("country:mt")
        assert [h.id for h in result.hits] == ["p-yesterday"] and result.total == 1
        assert dict(result.facets["country"]) == {"mt": 1}
        assert ids(s, "terday OR morrow") == ["p-yesterday"]  # the SQL path agrees
