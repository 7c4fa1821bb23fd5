"""Per-connection scratch tables: a query's intermediate set of ids, kept in the
database so the next statements join it there instead of round-tripping it."""

from __future__ import annotations

from sqlalchemy.engine import Connection


def fresh(conn: Connection, name: str, columns: str) -> None:
    """Create the temporary table ``name`` on this connection if it is missing, and
    empty it. PostgreSQL also empties it at every commit."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
    elif conn.exec_driver_sql(f"SELECT to_regclass('pg_temp.{name}')").scalar() is None:
        conn.exec_driver_sql(f"CREATE TEMP TABLE {name} ({columns}) ON COMMIT DELETE ROWS")
    conn.exec_driver_sql(f"DELETE FROM {name}")


def analyze(conn: Connection, name: str) -> None:
    """PostgreSQL: statistics for a just-filled scratch table. Autovacuum never sees
    temporary tables: without them the planner takes a one-row table for thousands."""
    if conn.dialect.name != "sqlite":
        conn.exec_driver_sql(f"ANALYZE {name}")
