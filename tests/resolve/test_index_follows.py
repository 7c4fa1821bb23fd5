"""The search index and the graph follow resolution on both stores: an incremental run
re-indexes only the subjects whose records moved, and what it leaves is what a full
rebuild makes from the statements."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import text

from casegraph.access.context import AccessContext
from casegraph.service import Session, Workspace
from casegraph.store import graph_store, ledger
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
    return {"docs": docs, "values": values, "edges": edges, "terms": terms}


def refreshed(s: Session) -> int:
    """How many (subject, source) documents the last index refresh rebuilt."""
    entry = [e for e in ledger.iter_entries(s.conn) if e.action == "index.refresh"][-1]
    return int(entry.refs["subjects"])


def test_incremental_resolve_reindexes_only_what_moved(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    people.write(tmp_path)
    people.add_namesakes(tmp_path)
    with workspace.session(ctx) as s:
        load(s, tmp_path, "registry", "bank", "payments")
        s.resolve.run()
        full = snapshot(s)
        assert full["docs"] and full["edges"]
        # a late record of someone already known
        (tmp_path / "late.csv").write_text(
            "id,given,family,born,phone,street,city\n"
            + "l1,{},{},{},,,\n".format(*_first_registry_row(tmp_path))
        )
        (tmp_path / "late.yml").write_text(people.mapping("late"))
        load(s, tmp_path, "late")
        summary = s.resolve.run()
        assert summary.mode == "incremental" and summary.changed == 1
        # the late record's document under its own id leaves, and one under the subject
        # it joined arrives; the subject's documents of other sources stay untouched
        assert refreshed(s) == 2
        subject = by_row(s)[("registry", "r0")]
        late = next(e for e, r in rstore.resolved_state(s.conn, everything(s)).items()
                    if r.source == "late")  # fmt: skip
        after = snapshot(s)
        assert (subject, "late") in {(d[0], d[1]) for d in after["docs"]}
        assert late not in {d[0] for d in after["docs"]}
        unchanged = [d for d in full["docs"] if d[0] != late]
        assert set(unchanged) <= set(after["docs"])
        # what the refresh left is what a rebuild from the statements makes
        s.index.rebuild()
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
