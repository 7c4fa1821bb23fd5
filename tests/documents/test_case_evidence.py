"""Case evidence read as documents, on both stores: an e-mail uploaded to a case is
searchable and readable by the case's members only (the case is its compartment), its
mentions link to the subjects they may see, the subject's list of documents has it for
them alone, and erasing the case erases the documents with it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from casegraph.access.context import AccessContext
from casegraph.errors import NotFound
from casegraph.model.clock import utcnow
from casegraph.service import Workspace
from casegraph.store.tables import cases
from tests.cases.test_cases import as_user, loaded, open_case, subject_id
from tests.conftest import add_source

__all__ = ["loaded"]  # the fixture, shared

TIP = (b"From: Informant <tip@example.org>\nTo: Desk <desk@example.org>\n"
       b"Subject: Where the money went\nMessage-ID: <tip-1@example.org>\n\n"
       b"J\xc3\xbcrgen M\xc3\xbcller moved the funds through the Larnaca account of "
       b"ACME Holding GmbH in May.\n")  # fmt: skip


def test_case_evidence_is_read_as_documents_that_only_the_case_members_see(
    loaded: Workspace,
) -> None:
    case_id = open_case(loaded)
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        item = s.cases.add_evidence(case_id, [TIP], "tip.eml", "An informant", "Sent to the desk")
        mueller = subject_id(s, "Jürgen Müller")
        hits = s.documents.search("Larnaca account")
        assert [(h["name"], h["source"], h["schema"]) for h in hits] == [
            ("tip.eml", f"case:{case_id}", "Email")]  # fmt: skip
        doc = s.documents.read(hits[0]["id"])
        named = {m["text"]: [x["id"] for x in m["subjects"]] for m in doc["mentions"]}
        assert named["Jürgen Müller"] == [mueller]
        assert [d["name"] for d in s.mentions.mentioning(mueller)] == ["tip.eml"]
        assert [h["name"] for h in s.search.search("Larnaca").documents] == ["tip.eml"]
        assert item["sha256"] == doc["sha256"]  # the same bytes as the evidence
        doc_id = doc["id"]
    with loaded.session(as_user(loaded, "rita", case_id)) as s:  # a read-only member
        assert "Larnaca" in s.documents.read(doc_id)["pages"][0]["text"]
    with loaded.session(as_user(loaded, "eve")) as s:  # cleared, but not in the case
        assert s.documents.search("Larnaca") == []
        assert s.search.search("Larnaca").documents == []
        assert s.mentions.mentioning(mueller) == []
        with pytest.raises(NotFound):
            s.documents.read(doc_id)
    # closed long ago: the case's retention erases its documents with its evidence
    with loaded.engine.begin() as conn:
        conn.execute(update(cases).where(cases.c.id == case_id).values(
            status="closed", closed_at=utcnow() - timedelta(days=40 * 365)))  # fmt: skip
    with loaded.session(AccessContext(actor="tester", local=True)) as s:
        done = next(d for d in s.retention.run() if d.get("case") == case_id)
        assert done["documents"] == 1
        left = s.conn.exec_driver_sql("SELECT count(*) FROM doc_files").scalar_one()
    assert left == 0
    assert [p for p in loaded.settings.documents_dir.rglob("*") if p.is_file()] == []


def test_an_upload_reads_its_own_evidence_and_leaves_other_waiting_documents_alone(
    loaded: Workspace, tmp_path: Path
) -> None:
    (tmp_path / "memo.txt").write_text("A memo about the Larnaca account.\n")
    case_id = open_case(loaded)
    with loaded.session(AccessContext(actor="tester", local=True)) as s:
        add_source(s, "memos")  # PUBLIC: ana may see it
        s.documents.ingest([tmp_path / "memo.txt"], "memos", None)
        s.conn.exec_driver_sql("UPDATE documents SET state = 'queued'")  # as if interrupted
        s.conn.exec_driver_sql("UPDATE doc_files SET stage = 'queued'")
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        s.cases.add_evidence(case_id, [TIP], "tip.eml", "An informant", "Sent to the desk")
        states = dict(s.conn.exec_driver_sql("SELECT name, state FROM documents").all())
    assert states == {"memo.txt": "queued", "tip.eml": "linked"}
