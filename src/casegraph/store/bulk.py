"""Rows written in bulk: executemany on a raw SQLite cursor, COPY on PostgreSQL.

SQLAlchemy's executemany builds a parameter dictionary per row, which for the index
refresh's hundred thousand rows costs more than the database's own work. The values
here go to the driver as they are: callers pass what the column takes (SQLite wants
datetimes as text, ``SQLITE_DATETIME``; booleans as integers)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from sqlalchemy.engine import Connection

BATCH = 10_000
SET_ASIDE_SHARE = 0.25  # a change to more of a table's rows than this rebuilds its indexes


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


def count(conn: Connection, table: str) -> int:
    """How many rows ``table`` holds."""
    return int(conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar_one())


@contextmanager
def indexes_set_aside(
    conn: Connection, table: str, columns: Sequence[str], share: Callable[[], float]
) -> Iterator[None]:
    """A set-based change to the ``columns`` named of a share of ``table``'s rows (what
    ``share`` says, asked on SQLite only): on SQLite, when that share is large, the
    indexes on those columns are dropped before it and built again after it (a sort of
    the whole table instead of two B-tree moves per changed row: at a million records a
    first resolution moves most of them). Within the transaction: readers keep theirs,
    and a failure rolls the indexes back too.
    PostgreSQL keeps its indexes, where dropping one would lock its readers out."""
    if conn.dialect.name != "sqlite" or share() < SET_ASIDE_SHARE:
        yield
        return
    wanted = set(columns)
    indexes = [
        (str(name), str(sql))
        for name, sql in conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
            "AND sql IS NOT NULL", (table,)
        ).all()
        if wanted & {str(r[2]) for r in conn.exec_driver_sql(f"PRAGMA index_info('{name}')")}
    ]
    for name, _ in indexes:
        conn.exec_driver_sql(f'DROP INDEX "{name}"')
    yield
    for _, sql in indexes:
        conn.exec_driver_sql(sql)
