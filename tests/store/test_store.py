"""The store: migrations, SQLite WAL, the bulk upsert, dialect parity."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import inspect, select, text

from casegraph.access.context import AccessContext
from casegraph.config import Settings
from casegraph.model.statements import StatementRow, statement_id
from casegraph.service import Workspace, WorkspaceError
from casegraph.store import migrate
from casegraph.store.statements import iter_statements, upsert_statements
from casegraph.store.tables import statements
from tests.conftest import granted


def row(value: str, schema: str, seen: datetime, entity: str = "e1") -> StatementRow:
    return StatementRow(
        statement_id("src", entity, "name", value), "src", entity, entity, schema, "name",
        "name", value, None, "f.csv:2", seen, seen,
    )  # fmt: skip


def test_init_creates_tables_at_head(store: Settings) -> None:
    workspace, before, after = Workspace.init(store)  # migrates (the fixture copies)
    names = set(inspect(workspace.engine).get_table_names())
    assert {"sources", "statements", "ingest_runs", "rejects", "alembic_version"} <= names
    assert before is None
    assert after == migrate.current_revision(workspace.engine) == migrate.head_revision()
    workspace.close()


def test_open_needs_init(store: Settings) -> None:
    with pytest.raises(WorkspaceError, match="casegraph init"):
        Workspace.open(store)


def test_open_refuses_an_old_schema(workspace: Workspace, store: Settings) -> None:
    with workspace.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0000'"))
    with pytest.raises(WorkspaceError, match="casegraph db upgrade"):
        Workspace.open(store)


def test_sqlite_runs_in_wal_mode(tmp_path) -> None:  # type: ignore[no-untyped-def]
    ws, _, _ = Workspace.init(Settings(data_dir=tmp_path / "ws"))
    with ws.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    ws.close()


def test_upsert_moves_last_seen_and_narrows_schema(
    workspace: Workspace, ctx: AccessContext
) -> None:
    t0 = datetime(2026, 1, 1)
    t1 = t0 + timedelta(days=1)
    with workspace.session(ctx) as s:
        upsert_statements(s.conn, [row("Anna", "LegalEntity", t1)])
    with workspace.session(ctx) as s:
        # an older sighting never moves last_seen back; a narrower schema wins
        upsert_statements(s.conn, [row("Anna", "Person", t0)])
        upsert_statements(s.conn, [row("Anna", "LegalEntity", t0)])
    with workspace.session(ctx) as s:
        [stored] = s.conn.execute(select(statements)).mappings().all()
    assert stored["schema"] == "Person"
    assert stored["first_seen"] == t1 and stored["last_seen"] == t1


def test_statements_stream_in_canonical_order(workspace: Workspace, ctx: AccessContext) -> None:
    seen = datetime(2026, 1, 1)
    rows = [row(f"v{i}", "Person", seen, entity=f"e{i % 3}") for i in range(30)]
    with workspace.session(ctx) as s:
        upsert_statements(s.conn, rows)
        streamed = list(iter_statements(s.conn, granted("src"), batch=7))
    assert len(streamed) == 30
    keys = [(r.canonical_id, r.entity_id) for r in streamed]
    assert keys == sorted(keys)
    assert streamed[0].first_seen == seen


def test_rollback_leaves_nothing(workspace: Workspace, ctx: AccessContext) -> None:
    with pytest.raises(RuntimeError), workspace.session(ctx) as s:
        upsert_statements(s.conn, [row("Anna", "Person", datetime(2026, 1, 1))])
        raise RuntimeError("boom")
    with workspace.session(ctx) as s:
        assert s.conn.execute(select(statements)).all() == []
