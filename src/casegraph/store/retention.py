"""Finding and erasing statements past their source's retention period."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import DateTime, and_, bindparam, delete, func, select, text
from sqlalchemy.engine import Connection

from casegraph.store import resolve_records, search_index
from casegraph.store.tables import ingest_runs, rejects, sources, statements


def expired(conn: Connection, now: datetime) -> list[tuple[str, datetime, int, int]]:
    """(source, cutoff, statements, entities) for every source with expired statements."""
    found = []
    for name, days in conn.execute(select(sources.c.name, sources.c.retention_days)):
        cutoff = now - timedelta(days=int(days))
        where = and_(statements.c.source == name, statements.c.last_seen < cutoff)
        count, entities = conn.execute(
            select(func.count(), func.count(statements.c.entity_id.distinct())).where(where)
        ).one()
        if count:
            found.append((name, cutoff, int(count), int(entities)))
    return found


def erase(conn: Connection, source: str, cutoff: datetime) -> int:
    """Delete the source's statements last seen before ``cutoff``, and the rejected rows
    (raw source values) of its ingest runs started before it."""
    old_runs = select(ingest_runs.c.id).where(
        ingest_runs.c.source == source, ingest_runs.c.started_at < cutoff
    )
    conn.execute(delete(rejects).where(rejects.c.run_id.in_(old_runs)))
    # what resolution kept of their entities goes with them, and they are queued for its
    # next run (some may keep other statements)
    expiring = "SELECT entity_id FROM statements WHERE source = :s AND last_seen < :c"
    for sql in (f"DELETE FROM resolve_records WHERE entity_id IN ({expiring})",
                resolve_records.queue_sql(expiring)):  # fmt: skip
        conn.execute(
            text(sql).bindparams(bindparam("c", type_=DateTime)), {"s": source, "c": cutoff}
        )
    # their subjects' search documents and edges are rebuilt without them: the subjects
    # the deleted rows had when deleted (resolution may have moved them meanwhile)
    gone = conn.execute(
        delete(statements)
        .where(statements.c.source == source, statements.c.last_seen < cutoff)
        .returning(statements.c.canonical_id, statements.c.source)
    ).all()
    search_index.mark_dirty(conn, ((str(c), str(s)) for c, s in gone))
    return len(gone)
