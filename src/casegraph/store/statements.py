"""Bulk upsert and streaming read of statements; the dialect-specific SQL lives here.

Writing a statement that already exists (same id: same source, entity, property and
value) only moves its ``last_seen`` forward, and narrows its schema when the new
record is more specific (``LegalEntity`` -> ``Person``). Everything else about a
stored statement is immutable.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from followthemoney import model as ftm
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from casegraph.model.statements import (
    STATEMENT_COLUMNS,
    StatementRow,
    StatementValue,
    schema_depth,
)
from casegraph.model.visible import Visible
from casegraph.store import resolve_records
from casegraph.store.tables import resolved_entities, statements

SQLITE_DATETIME = "%Y-%m-%d %H:%M:%S.%f"  # SQLAlchemy's storage format on SQLite
_COLUMNS = ", ".join(STATEMENT_COLUMNS)


@cache
def _depth_case(column: str) -> str:
    whens = " ".join(f"WHEN '{name}' THEN {schema_depth(name)}" for name in sorted(ftm.schemata))
    return f"(CASE {column} {whens} ELSE 0 END)"


def _on_conflict(excluded: str) -> str:
    narrower = f"{_depth_case(excluded + '.schema')} > {_depth_case('statements.schema')}"
    return (
        "ON CONFLICT (id) DO UPDATE SET "
        f"last_seen = CASE WHEN {excluded}.last_seen > statements.last_seen "
        f"THEN {excluded}.last_seen ELSE statements.last_seen END, "
        f"schema = CASE WHEN {narrower} THEN {excluded}.schema ELSE statements.schema END"
    )


@cache
def _sqlite_upsert_sql() -> str:
    marks = ", ".join("?" for _ in STATEMENT_COLUMNS)
    return f"INSERT INTO statements ({_COLUMNS}) VALUES ({marks}) {_on_conflict('excluded')}"


@cache
def _postgres_upsert_sql() -> str:
    return (
        f"INSERT INTO statements ({_COLUMNS}) "
        f"SELECT DISTINCT ON (id) {_COLUMNS} FROM stage_statements ORDER BY id "
        f"{_on_conflict('excluded')}"
    )


def _sqlite_rows(rows: Sequence[StatementRow]) -> list[tuple[Any, ...]]:
    formatted: dict[datetime, str] = {}

    def fmt(value: datetime) -> str:
        text = formatted.get(value)
        if text is None:
            text = formatted[value] = value.strftime(SQLITE_DATETIME)
        return text

    return [(*row[:-2], fmt(row.first_seen), fmt(row.last_seen)) for row in rows]


def _under_subjects(conn: Connection, rows: Sequence[StatementRow]) -> Sequence[StatementRow]:
    """New statements of an entity that resolution already placed in a subject start
    under that subject's canonical id, not under the entity's own id."""
    ids = sorted({r.entity_id for r in rows})
    subject: dict[str, str] = {}
    for start in range(0, len(ids), 5000):
        query = select(resolved_entities.c.entity_id, resolved_entities.c.canonical_id).where(
            resolved_entities.c.entity_id.in_(ids[start : start + 5000]),
            resolved_entities.c.canonical_id != resolved_entities.c.entity_id,
        )
        subject.update({str(e): str(c) for e, c in conn.execute(query)})
    if not subject:
        return rows
    return [r._replace(canonical_id=subject[r.entity_id]) if r.entity_id in subject else r
            for r in rows]  # fmt: skip


# subjects whose search documents and edges need rebuilding (see services/index.py)
_DIRTY_SQL = (
    "INSERT INTO dirty_subjects (canonical_id, source) VALUES (?, ?) ON CONFLICT DO NOTHING"
)
# entities resolution reads again (see resolve/extract.py)
_PENDING_SQL = "INSERT INTO resolve_pending (entity_id) VALUES (?) ON CONFLICT DO NOTHING"


def upsert_statements(conn: Connection, rows: Sequence[StatementRow]) -> int:
    """Write a batch of statements in bulk (executemany on SQLite, COPY on PostgreSQL)."""
    if not rows:
        return 0
    rows = _under_subjects(conn, rows)
    if not conn.in_transaction():
        conn.begin()  # the raw cursor below must run inside the session's transaction
    if conn.dialect.name == "sqlite":
        cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
        try:
            cursor.executemany(_sqlite_upsert_sql(), _sqlite_rows(rows))
            cursor.executemany(_DIRTY_SQL, sorted({(r.canonical_id, r.source) for r in rows}))
            cursor.executemany(_PENDING_SQL, sorted({(r.entity_id,) for r in rows}))
        finally:
            cursor.close()
        return len(rows)
    conn.exec_driver_sql(
        "CREATE TEMP TABLE IF NOT EXISTS stage_statements "
        "(LIKE statements INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
    )
    raw = conn.connection.dbapi_connection
    assert raw is not None
    with raw.cursor() as cursor:  # type: ignore[attr-defined]
        with cursor.copy(f"COPY stage_statements ({_COLUMNS}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(_postgres_upsert_sql())
        cursor.execute(
            "INSERT INTO dirty_subjects (canonical_id, source) "
            "SELECT DISTINCT canonical_id, source FROM stage_statements ON CONFLICT DO NOTHING"
        )
        cursor.execute(resolve_records.queue_sql("SELECT entity_id FROM stage_statements"))
    return len(rows)


def count_statements(conn: Connection, source: str | None = None) -> int:
    query = select(func.count()).select_from(statements)
    if source is not None:
        query = query.where(statements.c.source == source)
    return int(conn.execute(query).scalar_one())


def count_by_source(conn: Connection) -> dict[str, int]:
    query = select(statements.c.source, func.count()).group_by(statements.c.source)
    return {str(source): int(count) for source, count in conn.execute(query)}


def iter_statements(
    conn: Connection,
    visible: Visible,
    batch: int = 5000,
    canonical_id: str | None = None,
    entity_ids: Sequence[str] | None = None,
    canonical_ids: Sequence[str] | None = None,
) -> Iterator[StatementRow]:
    """Stream the statements of the sources ``visible`` grants, ordered by canonical id,
    then entity, so callers can group; those of ``entity_ids`` (any number) ordered by
    entity."""
    rows = _stream(conn, STATEMENT_COLUMNS, visible, batch, canonical_id, entity_ids,
                   canonical_ids)  # fmt: skip
    return (StatementRow(*row) for row in rows)


def iter_values(
    conn: Connection, visible: Visible, entity_ids: Sequence[str] | None = None
) -> Iterator[StatementValue]:
    """``iter_statements`` without the provenance of each statement (its id and dates)."""
    rows = _stream(conn, StatementValue._fields, visible, 5000, None, entity_ids, None)
    return (StatementValue(*row) for row in rows)


def _stream(
    conn: Connection,
    names: Sequence[str],
    visible: Visible,
    batch: int,
    canonical_id: str | None,
    entity_ids: Sequence[str] | None,
    canonical_ids: Sequence[str] | None,
) -> Iterator[Any]:
    if not visible.sources:
        return
    query = select(*[statements.c[name] for name in names])
    query = query.where(statements.c.source.in_(list(visible.sources)))
    if canonical_id is not None:
        query = query.where(statements.c.canonical_id == canonical_id)
    if canonical_ids is not None:
        query = query.where(statements.c.canonical_id.in_(list(canonical_ids)))
    if entity_ids is not None:
        ids = sorted(set(entity_ids))
        by_entity = query.order_by(statements.c.entity_id, statements.c.prop, statements.c.id)
        for start in range(0, len(ids), batch):
            yield from conn.execute(
                by_entity.where(statements.c.entity_id.in_(ids[start : start + batch]))
            )
        return
    query = query.order_by(
        statements.c.canonical_id, statements.c.entity_id, statements.c.prop, statements.c.id
    )
    # per statement: Connection.execution_options() would change the connection itself
    yield from conn.execute(query.execution_options(stream_results=True, yield_per=batch))
