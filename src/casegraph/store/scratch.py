"""Per-connection scratch tables: a query's intermediate set of ids, kept in the
database so the next statements join it there instead of round-tripping it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.engine import Connection

from casegraph.store import bulk


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


def fill(
    conn: Connection, name: str, columns: dict[str, str], rows: Iterable[Sequence[Any]]
) -> int:
    """The temporary table ``name`` (column -> SQL type) holding exactly ``rows``, its
    statistics gathered; returns how many rows."""
    fresh(conn, name, ", ".join(f"{c} {t}" for c, t in columns.items()))
    count = bulk.insert_rows(conn, name, list(columns), rows)
    analyze(conn, name)
    return count
