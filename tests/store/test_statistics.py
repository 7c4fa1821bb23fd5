"""After a bulk load PostgreSQL gets planner statistics for the tables that changed
(autovacuum may be off, as on the test server, or behind); SQLite needs none."""

from __future__ import annotations

from sqlalchemy.engine import Connection

from casegraph.service import Workspace
from casegraph.store import bulk, statistics


def _rows(count: int) -> list[tuple[str, ...]]:
    return [(f"e{i}", "person", "registry", f"row {i}", f"c{i // 3}", "d" * 40)
            for i in range(count)]  # fmt: skip


def _load(conn: Connection, rows: list[tuple[str, ...]]) -> None:
    bulk.insert_rows(conn, "resolved_entities",
                     ("entity_id", "grp", "source", "record_key", "canonical_id", "digest"),
                     rows)  # fmt: skip
    if conn.dialect.name == "postgresql":  # the counts reach the statistics views now
        conn.exec_driver_sql("SELECT pg_stat_force_next_flush()")


def _planned_rows(conn: Connection) -> float:
    return float(conn.exec_driver_sql(
        "SELECT reltuples FROM pg_class WHERE oid = 'resolved_entities'::regclass"
    ).scalar_one())  # fmt: skip


def test_a_bulk_load_is_analyzed_once(workspace: Workspace) -> None:
    with workspace.engine.begin() as conn:
        _load(conn, _rows(2000))
    with workspace.engine.begin() as conn:
        analyzed = statistics.refresh(conn)
    if workspace.engine.dialect.name != "postgresql":
        assert analyzed == []
        return
    assert "resolved_entities" in analyzed
    with workspace.engine.begin() as conn:
        assert _planned_rows(conn) == 2000
        conn.exec_driver_sql("SELECT pg_stat_force_next_flush()")
    with workspace.engine.begin() as conn:
        assert "resolved_entities" not in statistics.refresh(conn)  # nothing new since
    with workspace.engine.begin() as conn:  # a change below the threshold waits
        _load(conn, _rows(2100)[2000:])
    with workspace.engine.begin() as conn:
        assert "resolved_entities" not in statistics.refresh(conn)
        assert _planned_rows(conn) == 2000
