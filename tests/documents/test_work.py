"""Documents as units of work and as subject data, on both stores: OCR of a sample of the
scans (each scored against its expected text), retries of what failed only, a run
killed with SIGKILL and run again, clearances and roles, the ledger and retention.
The HTTP API of ``casegraph serve``: tests/e2e/test_documents_api.py."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from casegraph.access.context import AccessContext
from casegraph.access.policy import AccessDenied
from casegraph.access.roles import ROLES as PERMISSIONS
from casegraph.config import Settings
from casegraph.errors import InvalidInput, NotFound, WorkspaceError
from casegraph.service import Session, Workspace
from casegraph.store import ledger
from tests.conftest import add_source, env_for
from tests.documents.test_corpus import by_path, load

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
from doc_corpus import manifest, ocr_score

SAMPLE = ("scanned/phototest.tif", "scanned/tika_testOCR.pdf")  # an image, a PDF scan
WHY = "checking what the seized documents say"


def test_ocr_reads_a_sample_of_the_scans_and_a_retry_redoes_only_what_failed(
    workspace: Workspace, ctx: AccessContext, shared_data: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "scans"
    folder.mkdir()
    for name in SAMPLE:
        (folder / Path(name).name).write_bytes((shared_data / "docs" / name).read_bytes())
    (folder / "torn.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)  # a broken scan
    rows = {r.path: r for r in manifest(shared_data / "docs")}
    with workspace.session(ctx) as s:
        summary = load(s, folder, "scans", ocr="eng")
        assert summary.ocr_pages == 2 and summary.failed == 1
        docs = by_path(s)
        for name in SAMPLE:
            read = s.documents.read(docs[f"scans/{Path(name).name}"]["id"])
            text = "\n".join(p["text"] for p in read["pages"])
            measure, value = ocr_score(rows[name], text, shared_data / "docs")
            print(f"OCR {name}: {measure} {value:.3f}")
            assert value >= 0.90, (name, measure, value)
            assert all(p["ocr"] == "done" for p in read["pages"] if p["ocr"])
        assert "not a readable image" in docs["scans/torn.png"]["error"]
        # the failed one is read again, alone; the OCR of the others is not redone
        queued, again = s.documents.retry(failed_only=True)
        assert queued == 1 and again.read == 0 and again.failed == 1 and again.ocr_pages == 0
        queued, again = s.documents.retry(failed_only=True, stage="ocr")
        assert queued == 0 and again.ocr_pages == 0
        with pytest.raises(InvalidInput, match="no Tesseract language pack for xxx"):
            s.documents.ingest([folder], "scans", "eng+xxx")


def _clear(workspace: Workspace, ctx: AccessContext) -> None:
    with workspace.session(ctx) as s:
        for table in ("documents", "doc_members", "doc_pages", "doc_files"):
            s.conn.exec_driver_sql(f"DELETE FROM {table}")


@contextmanager
def _linked(workspace: Workspace) -> Iterator[Callable[[], int]]:
    """How many documents are linked, read without a lock: the store's own SQLite
    transactions begin as the writer, and one polling them would wait behind the run
    (whose writes come one after another) until it ended."""
    sql = "SELECT count(*) FROM documents WHERE state = 'linked'"
    if workspace.engine.dialect.name == "sqlite":
        raw = sqlite3.connect(workspace.settings.data_dir / "casegraph.db", timeout=60)
        try:
            yield lambda: int(raw.execute(sql).fetchone()[0])
        finally:
            raw.close()
        return
    with workspace.engine.connect() as conn:

        def count() -> int:
            found = int(conn.exec_driver_sql(sql).scalar_one())
            conn.rollback()
            return found

        yield count


def _kill_midway(workspace: Workspace, command: list[str], env: dict[str, str]) -> int:
    """Start ``command`` and SIGKILL it once it has finished a document; how many."""
    run = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    done = 0
    with _linked(workspace) as linked:
        while time.monotonic() < deadline and run.poll() is None:
            done = linked()
            if done:
                os.kill(run.pid, signal.SIGKILL)
                break
            time.sleep(0.005)
    run.wait(30)
    assert run.returncode == -signal.SIGKILL, "the run ended before it could be killed"
    return int(done)


def test_a_run_killed_midway_goes_on_when_run_again_and_adds_nothing_twice(
    workspace: Workspace, store: Settings, ctx: AccessContext, shared_data: Path
) -> None:
    corpus = shared_data / "docs"
    with workspace.session(ctx) as s:
        add_source(s, "docs")
    env = env_for(store)
    command = [sys.executable, "-m", "casegraph.cli", "ingest-docs", str(corpus),
               "--source", "docs", "--no-ocr"]  # fmt: skip
    for _attempt in range(3):  # the kill may land after the last document: again
        done = _kill_midway(workspace, command, env)
        with workspace.session(ctx) as s:
            waiting = s.documents.status()["waiting"]
        if waiting:
            break
        _clear(workspace, ctx)
    assert done and waiting, "no run was killed with documents still waiting"
    again = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    with workspace.session(ctx) as s:
        after = by_path(s)
        state = s.documents.status()
        files = s.conn.exec_driver_sql("SELECT count(*) FROM doc_files").scalar_one()
    # the same as one uninterrupted run
    _clear(workspace, ctx)
    with workspace.session(ctx) as s:
        load(s, corpus)
        clean = by_path(s)
        assert s.conn.exec_driver_sql("SELECT count(*) FROM doc_files").scalar_one() == files
    assert state["waiting"] == 0
    assert {p: (d["sha"], d["stage"]) for p, d in after.items()} == {
        p: (d["sha"], d["stage"]) for p, d in clean.items()}  # fmt: skip


def _teams(s: Session) -> None:
    """A team cleared for RESTRICTED sources, and one that is not."""
    s.identities.add_team("cleared", "Cleared")
    s.identities.add_team("other", "Not cleared")
    s.identities.grant("cleared", "RESTRICTED")


def test_documents_are_seen_through_clearances_and_reading_one_is_recorded(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    (tmp_path / "tip.txt").write_text("Anonymous tip: the Mercator shipment leaves Tuesday.\n")
    with workspace.session(ctx) as s:
        add_source(s, "tips", "RESTRICTED")
        load(s, tmp_path / "tip.txt", "tips")
        doc_id = s.documents.search("Mercator shipment")[0]["id"]
        _teams(s)
        for name, team in (("ana", "cleared"), ("bob", "other")):
            s.identities.add_user(name, name, "analyst", "documents password 1")
            s.identities.add_member(team, name)
    with workspace.session(AccessContext("bob", justification=WHY)) as s:
        assert s.documents.search("Mercator") == []
        assert s.search.search("Mercator").documents == []
        with pytest.raises(NotFound):
            s.documents.read(doc_id)
        state = s.documents.status()
        assert state["stages"] == {} and state["problems"] == []
    with workspace.session(AccessContext("ana", justification=WHY)) as s:
        hits = s.search.search("Mercator").documents
        assert [h["id"] for h in hits] == [doc_id]
        assert hits[0]["snippet"][slice(*hits[0]["highlights"][0])] == "Mercator"
        assert "Tuesday" in s.documents.read(doc_id)["pages"][0]["text"]
    with workspace.engine.connect() as conn:
        entries = [e for e in ledger.iter_entries(conn) if e.action == "document.read"]
    assert [(e.actor, e.justification, e.refs.get("document")) for e in entries][-2:] == [
        ("bob", WHY, doc_id), ("ana", WHY, doc_id)]  # fmt: skip


def test_documents_past_their_source_retention_are_erased_with_what_is_in_them(
    workspace: Workspace, ctx: AccessContext, shared_data: Path, tmp_path: Path
) -> None:
    mail = shared_data / "docs/email/cpython_msg_07.eml"  # a message with an attachment
    for name in ("old", "kept"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "msg.eml").write_bytes(mail.read_bytes())
    (tmp_path / "old" / "note.txt").write_text("Meeting at the Kaltenbrunn depot.\n")
    with workspace.session(ctx) as s:
        load(s, tmp_path / "old", "expiring")  # the test sources keep data 365 days
        load(s, tmp_path / "kept", "lasting")
        note_sha = by_path(s)["old/note.txt"]["sha"]
        s.conn.exec_driver_sql(  # loaded, and last seen, 400 days ago
            "UPDATE documents SET last_seen = added_at - INTERVAL '400 days' "
            "WHERE source = 'expiring'" if s.conn.dialect.name == "postgresql" else
            "UPDATE documents SET last_seen = datetime(added_at, '-400 days') "
            "WHERE source = 'expiring'")  # fmt: skip
    blob = workspace.settings.documents_dir / note_sha[:2] / note_sha
    assert blob.exists()
    with workspace.session(ctx) as s:
        planned = s.retention.run(dry_run=True)
        assert [(p["source"], p["documents"]) for p in planned] == [("expiring", 2)]
        done = s.retention.run()
    assert [(d["source"], d["documents"], d["files"]) for d in done] == [("expiring", 3, 1)]
    with workspace.session(ctx) as s:
        left = by_path(s)
        assert sorted(left) == ["kept/msg.eml", "kept/msg.eml/dingusfish.gif"]
        assert s.documents.search("Kaltenbrunn depot") == []
        assert [h["path"] for h in s.documents.search('"dingus fish"')] == ["kept/msg.eml"]
    assert not blob.exists()  # the note's bytes went; the message, still held, stays
    with workspace.engine.connect() as conn:
        erasure = [e for e in ledger.iter_entries(conn) if e.action == "erasure"]
    assert erasure[-1].refs["documents"] == 3 and "Kaltenbrunn" not in str(erasure[-1].refs)


ROLES = ("viewer", "analyst", "supervisor", "auditor", "admin")


def test_each_role_and_clearance_loads_searches_and_reads_documents_as_the_policy_says(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    (tmp_path / "a.txt").write_text("Ledger of the Mercator payments.\n")
    (tmp_path / "b.txt").write_text("Second ledger of the Mercator payments.\n")
    with workspace.session(ctx) as s:
        add_source(s, "ledgers", "RESTRICTED")
        load(s, tmp_path / "a.txt", "ledgers")
        doc_id = s.documents.search("Mercator")[0]["id"]
        _teams(s)
        for role in ROLES:
            for cleared in (True, False):
                name = f"{role}-{'c' if cleared else 'u'}"
                s.identities.add_user(name, name, role, "documents password 1")
                s.identities.add_member("cleared" if cleared else "other", name)
    for role in ROLES:
        may_read, may_load = (p in PERMISSIONS[role] for p in ("read_subjects", "ingest"))
        for cleared in (True, False):
            label = (role, cleared)
            who = AccessContext(f"{role}-{'c' if cleared else 'u'}", justification=WHY)
            try:  # a write: loading a file into the restricted source
                with workspace.session(who) as s:
                    s.documents.ingest([tmp_path / "b.txt"], "ledgers", None)
                loaded = True
            except (AccessDenied, WorkspaceError):
                loaded = False
            assert loaded == (may_load and cleared), label
            try:
                with workspace.session(who) as s:
                    hits = s.documents.search("Mercator")
                    read = s.documents.read(doc_id)["pages"][0]["text"]
            except AccessDenied:
                assert not may_read, label
                continue
            except NotFound:
                assert may_read and not cleared, label
                continue
            assert may_read and cleared and hits and "Mercator" in read, label
    with workspace.engine.connect() as conn:
        refused = [e for e in ledger.iter_entries(conn) if e.outcome == "denied"]
    assert {e.actor for e in refused} >= {"viewer-c", "auditor-c", "admin-c"}
