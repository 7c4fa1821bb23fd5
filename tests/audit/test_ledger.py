"""The ledger: chained, written with the work, tamper-evident, linear under concurrency."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from casegraph.access.context import AccessContext
from casegraph.audit.checkpoint import (
    Checkpoint,
    CheckpointError,
    read_checkpoint,
    signing_key,
)
from casegraph.audit.ledger import AuditWriter
from casegraph.audit.verify import verify
from casegraph.config import Settings
from casegraph.model.audit import GENESIS, Entry
from casegraph.service import Workspace
from casegraph.store import ledger
from casegraph.store.engine import make_engine
from casegraph.store.tables import audit_log
from tests.conftest import add_source


def entries(workspace: Workspace) -> list[Entry]:
    with workspace.engine.connect() as conn:
        return list(ledger.iter_entries(conn))


def test_entries_chain_and_roll_back_with_the_work(
    workspace: Workspace, ctx: AccessContext
) -> None:
    with workspace.session(ctx) as s:
        add_source(s, "one")
    with pytest.raises(RuntimeError), workspace.session(ctx) as s:
        add_source(s, "two")
        raise RuntimeError("the work fails")
    got = entries(workspace)
    assert [e.action for e in got] == ["source.add"]
    assert got[0].prev_hash == GENESIS and got[0].seq == 1
    assert got[0].actor == "tester" and got[0].justification == ctx.justification
    assert got[0].request_id == ctx.request_id
    assert verify(got).ok


def test_ingest_and_export_are_recorded(
    workspace: Workspace, ctx: AccessContext, shared_data: Path
) -> None:
    import io

    with workspace.session(ctx) as s:
        add_source(s, "donations")
        s.ingest.mapping(shared_data / "ingest" / "de_party_donations" / "donations.yml")
    with workspace.session(ctx) as s:
        s.export.ftm(io.StringIO(), recipient="prosecutor's office")
    actions = [e.action for e in entries(workspace)]
    assert actions[0] == "source.add"
    assert actions[1] == "ingest.start" and "ingest.finish" in actions
    assert "ingest.batch" in actions
    # the index refresh that follows the ingest reads the statements, and says so
    after = actions[actions.index("ingest.finish") + 1 :]
    assert after == ["index.read", "index.refresh", "export"]
    export = entries(workspace)[-1]
    assert export.action == "export"
    assert export.refs["recipient"] == "prosecutor's office"
    assert export.refs["sources"] == ["donations"]


def make_chain(n: int) -> list[Entry]:
    from datetime import datetime, timedelta

    chain, prev = [], GENESIS
    start = datetime(2026, 1, 1)
    for seq in range(1, n + 1):
        at = start + timedelta(seconds=seq)
        why = "a justification long enough"
        entry = Entry(seq, at, f"user{seq % 3}", "export", None, why, {"n": seq}, prev_hash=prev)
        entry = entry.sealed()
        chain.append(entry)
        prev = entry.hash
    return chain


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(2, 30),
    data=st.data(),
    kind=st.sampled_from(["edit", "delete", "swap", "truncate"]),
)
def test_any_single_tampering_is_caught(n: int, data: st.DataObject, kind: str) -> None:
    chain = make_chain(n)
    i = data.draw(st.integers(0, n - 1))
    head = chain[-1]
    if kind == "edit":
        field = data.draw(st.sampled_from(["actor", "action", "justification", "refs", "at"]))
        value = {"actor": "mallory", "action": "noop", "justification": "edited",
                 "refs": {"n": -1}, "at": chain[i].at.replace(year=2020)}[field]  # fmt: skip
        chain[i] = replace(chain[i], **{field: value})
    elif kind == "delete":
        del chain[i]
    elif kind == "swap":
        j = data.draw(st.integers(0, n - 1).filter(lambda j: j != i))
        chain[i], chain[j] = chain[j], chain[i]
    else:
        del chain[i:]
    # the tail can only be vouched for by a signed checkpoint of the head
    verdict = verify(chain, [Checkpoint(head.seq, head.hash, "t")])
    assert not verdict.ok
    assert verdict.first_bad_seq is not None and verdict.first_bad_seq <= max(i + 1, head.seq)
    inside = kind in ("edit", "swap") or (kind == "delete" and i < n - 1)
    if inside:  # inside the chain, no checkpoint is needed
        assert not verify(chain).ok


def test_rehashed_rewrite_is_caught_by_a_checkpoint() -> None:
    chain = make_chain(10)
    checkpoint = Checkpoint(10, chain[-1].hash, "t")
    # an attacker edits entry 4 and recomputes every hash after it
    forged, prev = chain[:3], chain[2].hash
    for entry in chain[3:]:
        changed = replace(entry, actor="mallory" if entry.seq == 4 else entry.actor, prev_hash=prev)
        forged.append(changed.sealed())
        prev = forged[-1].hash
    assert verify(forged).ok  # internally consistent...
    verdict = verify(forged, [checkpoint])
    assert not verdict.ok and "checkpoint" in (verdict.problem or "")


def test_checkpoint_files_are_signed(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    with workspace.session(ctx) as s:
        add_source(s, "one")
        checkpoint = s.ledger.checkpoint(tmp_path / "cp.json")
    key = signing_key(workspace.key_dir)
    assert read_checkpoint(tmp_path / "cp.json", key) == checkpoint
    assert (workspace.key_dir / "audit-signing-key.pem").stat().st_mode & 0o077 == 0
    forged = (tmp_path / "cp.json").read_text().replace(checkpoint.hash, "0" * 64)
    (tmp_path / "forged.json").write_text(forged)
    with pytest.raises(CheckpointError, match="signature"):
        read_checkpoint(tmp_path / "forged.json", key)
    with workspace.session(ctx) as s:
        assert s.ledger.verify([tmp_path / "cp.json"]).ok


def test_verify_finds_an_edited_row_in_the_store(workspace: Workspace, ctx: AccessContext) -> None:
    for name in ("one", "two", "three"):
        with workspace.session(ctx) as s:
            add_source(s, name)
    with workspace.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    with workspace.session(ctx) as s:
        verdict = s.ledger.verify()
    assert not verdict.ok and verdict.first_bad_seq == 2


def test_concurrent_writers_keep_one_chain(workspace: Workspace, store: Settings) -> None:
    writers, each = 6, 15
    errors: list[BaseException] = []

    def work(n: int) -> None:
        engine = make_engine(store.store_url)
        try:
            for i in range(each):
                with engine.connect() as conn:
                    AuditWriter(conn, AccessContext(actor=f"w{n}", local=True)).record(
                        "statements.read", {"i": i}
                    )
                    conn.commit()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    got = entries(workspace)
    assert [e.seq for e in got] == list(range(1, writers * each + 1))
    assert verify(got).ok
    with workspace.engine.connect() as conn:
        hashes = conn.execute(select(audit_log.c.prev_hash)).scalars().all()
    assert len(set(hashes)) == len(hashes)  # no fork: every entry has its own predecessor


def test_checkpoint_of_an_empty_ledger_is_fine(workspace: Workspace, tmp_path: Path) -> None:
    with workspace.session(AccessContext("tester", local=True)) as s:
        s.ledger.checkpoint(tmp_path / "empty.json")
    with workspace.session(AccessContext("tester", local=True)) as s:
        assert s.ledger.verify([tmp_path / "empty.json"]).ok
