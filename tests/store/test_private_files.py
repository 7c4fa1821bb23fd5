"""On both stores, the workspace on disk is its owner's alone: the folder 0700, the SQLite
store (with its -wal and -shm files) 0600, evidence folders 0700 and files 0400, the
signing key 0600, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from casegraph.access.context import AccessContext
from casegraph.audit.checkpoint import signing_key
from casegraph.config import Settings
from casegraph.service import Workspace
from casegraph.store.private import private_dir


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def open_umask() -> Iterator[None]:
    """The umask of many a shared machine: whatever is not said is world-readable."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def test_workspace_store_evidence_and_key_are_private(store: Settings, ctx: AccessContext) -> None:
    workspace, _before, _after = Workspace.init(store)
    try:
        with workspace.session(ctx) as s:
            s.cases.open(
                "File modes", "fraud", "Section 1 of the test act", "Suspected test conduct"
            )
            case_id = s.cases.mine()[0]["id"]
            item = s.cases.add_evidence(
                case_id, iter([b"bank statement"]), "a.txt", "A bank", "Production order 17"
            )
        with workspace.session(ctx) as s:
            s.ledger.checkpoint(store.data_dir.parent / "head.json")
        if store.database_url is None:  # (SQLite removes -wal and -shm at the last close)
            db = store.data_dir / "casegraph.db"
            companions = [db.with_name(db.name + end) for end in ("-wal", "-shm")]
            assert all(f.exists() for f in companions)
            assert [mode(f) for f in [db, *companions]] == [0o600] * 3
    finally:
        workspace.close()
    data = store.data_dir
    assert mode(data) == 0o700
    evidence = store.evidence_dir
    stored = evidence / item["sha256"][:2] / item["sha256"]
    assert (mode(evidence), mode(stored.parent), mode(stored)) == (0o700, 0o700, 0o400)
    assert mode(data / "audit-signing-key.pem") == 0o600
    # nothing in the workspace is readable or writable by group or others
    loose = [p for p in [data, *data.rglob("*")] if mode(p) & 0o077]
    assert loose == []


def test_an_existing_store_is_tightened_by_init(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "ws", operator="tester")
    Workspace.init(settings)[0].close()
    db = settings.data_dir / "casegraph.db"
    db.chmod(0o644)  # made by an earlier version
    Workspace.init(settings)[0].close()  # `casegraph init` / `casegraph db upgrade`
    assert mode(db) == 0o600


def test_private_dir_keeps_existing_folders(tmp_path: Path) -> None:
    tmp_path.chmod(0o755)
    made = private_dir(tmp_path / "a" / "b")
    assert (mode(tmp_path), mode(made.parent), mode(made)) == (0o755, 0o700, 0o700)
    assert signing_key(tmp_path / "keys") is not None
    assert mode(tmp_path / "keys") == 0o700
