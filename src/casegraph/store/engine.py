"""Engines for the two supported stores: SQLite (WAL) and PostgreSQL (psycopg 3)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.execute("PRAGMA cache_size=-65536")
    cursor.execute("PRAGMA mmap_size=1099511627776")  # reads map the file (capped by SQLite)
    cursor.execute("PRAGMA wal_autocheckpoint=16384")  # 64 MB: fewer, larger checkpoints
    cursor.close()


def _sqlite_begin(conn: Any) -> None:
    # pysqlite defers BEGIN until the first write. Start every transaction as the
    # writer up front: each session appends to the audit ledger, and one writer at
    # a time keeps the hash chain linear (PostgreSQL uses an advisory lock instead).
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """Create the engine for a store URL, with SQLite in WAL mode."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(url, connect_args={"timeout": 60, "isolation_level": None})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    # No server-side prepared statements: after five runs PostgreSQL may keep a generic
    # plan, blind to the length of an id list bound as one array (store.value_lists),
    # and such a plan was seen to take 90 ms where the plan for the actual list took 3.
    return create_engine(url, pool_pre_ping=True, connect_args={"prepare_threshold": None})
