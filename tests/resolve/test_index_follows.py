"""The search index and the graph follow resolution on both stores: an incremental run
re-indexes only the subjects whose records moved, and what it leaves is what a full
rebuild makes from the statements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pyroaring import BitMap
from sqlalchemy import text

from casegraph.access.context import AccessContext
from casegraph.service import Session, Workspace
from casegraph.store import graph_store
from casegraph.store import resolution as rstore
from tests.conftest import everything
from tests.resolve import people
from tests.resolve.test_resolve import _first_registry_row, by_row, load


def snapshot(s: Session) -> dict[str, Any]:
    """The index and the edges as content, whatever their row ids."""
    conn = s.conn
    docs = sorted(conn.exec_driver_sql(
        "SELECT canonical_id, source, schema, caption, names, details, terms, body, adult_on "
        "FROM search_docs").all())  # fmt: skip
    values = sorted(conn.exec_driver_sql(
        "SELECT d.canonical_id, d.source, v.field, v.value FROM search_values v "
        "JOIN search_docs d ON d.id = v.doc_id").all())  # fmt: skip
    edges = sorted(conn.exec_driver_sql(
        "SELECT src, dst, kind, origin, origin_subject, src_entity, dst_entity, source, "
        "source2, directed, start_date, end_date, amount, share, label, unit FROM edges"
    ).all(), key=repr)  # fmt: skip
    terms = sorted(conn.exec_driver_sql("SELECT term, docs FROM search_terms").all())
    subject = dict(conn.exec_driver_sql("SELECT ord, canonical_id FROM search_subjects").all())
    bitmaps = sorted(
        (field, value, source, tuple(sorted(subject[o] for o in BitMap.deserialize(bits))))
        for field, value, source, bits in conn.exec_driver_sql(
            "SELECT field, value, source, bits FROM search_bitmaps")
    )  # fmt: skip
    return {"docs": docs, "values": values, "edges": edges, "terms": terms,
            "bitmaps": [b for b in bitmaps if b[3]]}  # fmt: skip


def rebuild_from_nothing(s: Session) -> None:
    """The index and the edges made again from the statements alone: every derived
    row goes first (``index rebuild`` keeps bits and edges that no document explains)."""
    derived = ["search_values", "search_docs", "search_term_variants", "search_terms",
               "edges", "dirty_shared_values"]  # fmt: skip
    if s.conn.dialect.name == "sqlite":
        derived.append("search_fts")
    for table in derived:
        s.conn.exec_driver_sql(f"DELETE FROM {table}")
    # emptied with a new version, as the store keeps them: a process's cache sees it
    s.conn.execute(text("UPDATE search_bitmaps SET bits = :none, members = 0, "
                        "version = version + 1"), {"none": BitMap().serialize()})  # fmt: skip
    s.commit()
    s.index.rebuild()


def doc_ids(s: Session) -> dict[tuple[str, str], int]:
    """The row id of each (subject, source) document: a rebuilt document gets a new one."""
    return {(c, src): i for i, c, src in s.conn.exec_driver_sql(
        "SELECT id, canonical_id, source FROM search_docs")}  # fmt: skip


def test_incremental_resolve_reindexes_only_what_moved(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    people.write(tmp_path)
    people.add_namesakes(tmp_path)
    with workspace.session(ctx) as s:
        load(s, tmp_path, "registry", "bank", "payments")
        first = s.resolve.run()
        full = snapshot(s)
        assert full["docs"] and full["edges"] and full["bitmaps"]
        # each source holds one record of a person here: the documents of the records
        # that joined a subject are renamed to it, none rebuilt; the same as a rebuild
        assert first.renamed == first.merged and first.reindexed == 0
        rebuild_from_nothing(s)
        assert snapshot(s) == full
        before = doc_ids(s)
        # a late record of someone already known
        (tmp_path / "late.csv").write_text(
            "id,given,family,born,phone,street,city\n"
            + "l1,{},{},{},,,\n".format(*_first_registry_row(tmp_path))
        )
        (tmp_path / "late.yml").write_text(people.mapping("late"))
        load(s, tmp_path, "late")
        ingested = doc_ids(s)
        summary = s.resolve.run()
        assert summary.mode == "incremental" and summary.changed == 1
        # the late record's document under its own id goes to the subject it joined, as
        # it is: no document is rebuilt, and no other document's row changes
        assert (summary.renamed, summary.reindexed) == (1, 0)
        subject = by_row(s)[("registry", "r0")]
        late = next(e for e, r in rstore.resolved_state(s.conn, everything(s)).items()
                    if r.source == "late")  # fmt: skip
        after = snapshot(s)
        ids = doc_ids(s)
        assert ids[(subject, "late")] == ingested[(late, "late")]
        assert {k: i for k, i in ids.items() if k[1] != "late"} == before
        assert (subject, "late") in {(d[0], d[1]) for d in after["docs"]}
        assert late not in {d[0] for d in after["docs"]}
        unchanged = [d for d in full["docs"] if d[0] != late]
        assert set(unchanged) <= set(after["docs"])
        # what the refresh left is what a rebuild from the statements makes
        rebuild_from_nothing(s)
        assert snapshot(s) == after
        profile = s.subjects.profile(subject)
        assert "late" in {f.source for f in profile.facts}
        given, family, _ = _first_registry_row(tmp_path)
        assert subject in {h.id for h in s.search.search(f"{given} {family}", limit=50).hits}


def test_shared_value_edges_left_waiting_are_rebuilt_by_the_next_refresh(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    """A refresh stopped after its documents, before the edges of their shared values
    (Ctrl-C, kill -9): the values stay queued, and the next refresh makes the edges."""
    people.write(tmp_path)
    with workspace.session(ctx) as s:
        load(s, tmp_path, "registry", "bank")
        s.resolve.run()
        whole = snapshot(s)
        shared = [e for e in whole["edges"] if e[2].startswith("same:")]
        assert shared
        values = {(e[2].removeprefix("same:"), e[3].split(":", 1)[1]) for e in shared}
        s.conn.execute(text("DELETE FROM edges WHERE kind LIKE :shared"), {"shared": "same:%"})
        graph_store.mark_shared_dirty(s.conn, values)
        s.commit()
        assert s.index.pending() == 0  # no subject waits, only the values
        counts = s.index.refresh()
        assert counts["subjects"] == 0 and counts["edges"] == len(shared)
        assert snapshot(s) == whole


def test_a_split_renames_both_halves_and_joins_them_by_the_phone_they_share(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    """A person splits a subject whose two records give one phone number: each half's
    document goes to its own subject as it was, and the phone, shared by one subject
    before, now joins two; the same as a rebuild."""
    people.write(tmp_path)
    with workspace.session(ctx) as s:
        load(s, tmp_path, "registry", "bank")
        s.resolve.run()
        subject, phone = s.conn.exec_driver_sql(
            "SELECT d.canonical_id, v.value FROM search_docs d JOIN search_values v "
            "ON v.doc_id = d.id AND v.field = 'phone' GROUP BY d.canonical_id, v.value "
            "HAVING count(*) = 2 ORDER BY d.canonical_id LIMIT 1").one()  # fmt: skip
        records = {r.source: e for e, r in rstore.resolved_state(s.conn, everything(s)).items()
                   if r.canonical_id == subject}  # fmt: skip
        assert sorted(records) == ["bank", "registry"]
        before = doc_ids(s)
        s.resolve.split(subject, [records["bank"]], "two people, one family phone")
        ids = doc_ids(s)
        assert ids[(records["bank"], "bank")] == before[(subject, "bank")]
        assert ids[(records["registry"], "registry")] == before[(subject, "registry")]
        after = snapshot(s)
        joined = [e for e in after["edges"] if e[2] == "same:phone" and e[3] == f"phone:{phone}"]
        assert {(e[0], e[1]) for e in joined} == {tuple(sorted(records.values()))}
        rebuild_from_nothing(s)
        assert snapshot(s) == after


def test_an_edge_between_two_records_that_become_one_subject_is_hidden_and_comes_back(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    """A payment between two records that a person then merges joins a subject to
    itself: no reader sees it (graph, profile totals), and when the subject is split
    again it is back between the two halves; after each step the same as a rebuild."""
    people.write(tmp_path)
    people.add_namesakes(tmp_path)
    with workspace.session(ctx) as s:
        load(s, tmp_path, "registry", "bank", "payments")
        s.resolve.run()
        ends = {r.entity_id: r.canonical_id
                for r in rstore.resolved_state(s.conn, everything(s)).values()
                if r.source == "payments"}  # fmt: skip
        payer, payee = sorted(set(ends.values()))  # two namesakes, named in one record

        def payments(subject: str) -> list[tuple[str, str]]:
            graph = s.graph.expand(subject, hops=1)
            return sorted((e["src"], e["dst"]) for e in graph.edges if e["kind"] == "Payment")

        assert len(payments(payer)) == 1
        merged = s.resolve.merge(payer, payee, "one man: his two accounts, the bank says")
        subject = merged["subject"]
        assert payments(subject) == []
        relations = s.graph.relations(subject)
        assert relations["activity"] == [] and not relations["histogram"]
        after = snapshot(s)
        rebuild_from_nothing(s)
        assert snapshot(s) == after
        assert payments(subject) == []
        s.resolve.split(subject, [sorted(ends)[0]], "two men after all: different fathers")
        halves = sorted({r.canonical_id
                         for r in rstore.resolved_state(s.conn, everything(s)).values()
                         if r.entity_id in ends})  # fmt: skip
        assert len(halves) == 2
        assert [tuple(sorted(p)) for p in payments(halves[0])] == [tuple(halves)]
        after = snapshot(s)
        rebuild_from_nothing(s)
        assert snapshot(s) == after
