"""Rows written in bulk: executemany on a raw SQLite cursor, COPY on PostgreSQL.

SQLAlchemy's executemany builds a parameter dictionary per row, which for the index
refresh's hundred thousand rows costs more than the database's own work. The values
here go to the driver as they are: callers pass what the column takes (SQLite wants
datetimes as text, ``SQLITE_DATETIME``; booleans as integers)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice
from typing import Any

from sqlalchemy.engine import Connection

BATCH = 10_000


def insert_rows(
    conn: Connection, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert ``rows`` (tuples in ``columns`` order) into ``table``; returns how many."""
    if not conn.in_transaction():
        conn.begin()  # the raw cursor below must run inside the session's transaction
    raw = conn.connection.dbapi_connection
    assert raw is not None
    names = ", ".join(columns)
    count = 0
    if conn.dialect.name == "sqlite":
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' for _ in columns)})"
        cursor = raw.cursor()
        try:
            it = iter(rows)
            while batch := list(islice(it, BATCH)):
                cursor.executemany(sql, batch)
                count += len(batch)
        finally:
            cursor.close()
        return count
    with (
        raw.cursor() as cursor,  # type: ignore[attr-defined]
        cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy,  # type: ignore[attr-defined]
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count
