"""What resolution read of each entity, kept between runs, and the queue of entities
whose statements changed since (``resolve_records``, ``resolve_pending``).

Every write of statements queues its entities (``store/statements.py``), and every
erasure queues those it touched (``store/retention.py``), in the writer's own
transaction. A run takes the queue in its read's transaction and reads the statements
of the queued entities only: the records of the others still describe their
statements. A concurrent writer that queues an entity the run just took waits for the
run's transaction (PostgreSQL) or cannot start before it ends (SQLite), so its change
is either read by the run or queued for the next one.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from casegraph.store import bulk, scratch
from casegraph.store.tables import resolve_read_state, resolve_records

CHUNK = 5000


class EntityRecord(NamedTuple):
    """One entity as resolution read it (the columns of ``resolve_records``)."""

    entity_id: str
    feature_key: str  # of its statements, schema, source and the standardising code
    source: str
    schema: str
    record_key: str | None
    refs: str | None  # the entities it references, sorted and joined by REF_SEPARATOR
    caption: str | None  # the folded name of an entity that is only context
    features: str | None  # JSON of a resolvable record's standardised features


COLUMNS = EntityRecord._fields
REF_SEPARATOR = "\x1f"


def queue_sql(entities: str) -> str:
    """SQL that queues the entity ids the query ``entities`` yields (column
    ``entity_id``) for the next resolution run, in the writer's transaction."""
    return (
        "INSERT INTO resolve_pending (entity_id) SELECT DISTINCT entity_id FROM "
        f"({entities}) AS written WHERE true "  # SQLite: an upsert from a SELECT needs a WHERE
        "ON CONFLICT DO NOTHING"
    )


def take_pending(conn: Connection) -> set[str]:
    """Empty the queue; the entities it held (kept queued if the transaction rolls
    back)."""
    rows = conn.exec_driver_sql("DELETE FROM resolve_pending RETURNING entity_id")
    return {str(e) for (e,) in rows}


def version(conn: Connection) -> str | None:
    """The standardising code the records were completed with (None: never)."""
    query = select(resolve_read_state.c.version).where(resolve_read_state.c.id == 1)
    found = conn.execute(query).scalar()
    return None if found is None else str(found)


def set_version(conn: Connection, value: str) -> None:
    conn.execute(delete(resolve_read_state))
    conn.execute(insert(resolve_read_state).values(id=1, version=value))


def keys(
    conn: Connection, sources: Sequence[str], entity_ids: Sequence[str] | None = None
) -> dict[str, tuple[str, str | None]]:
    """The records kept of the entities of ``sources`` (of ``entity_ids``, or all):
    entity id -> (feature key, features JSON)."""
    r = resolve_records.c
    query = select(r.entity_id, r.feature_key, r.features).where(r.source.in_(list(sources)))
    if entity_ids is None:
        rows = conn.execute(query.execution_options(yield_per=CHUNK))
        return {e: (k, v) for e, k, v in rows}
    found: dict[str, tuple[str, str | None]] = {}
    for start in range(0, len(entity_ids), CHUNK):
        chunk = query.where(r.entity_id.in_(entity_ids[start : start + CHUNK]))
        found.update({e: (k, v) for e, k, v in conn.execute(chunk)})
    return found


def records(
    conn: Connection, sources: Sequence[str], skip: set[str]
) -> Iterator[EntityRecord]:
    """The records kept of the entities of ``sources``, but for those in ``skip``."""
    r = resolve_records.c
    query = select(*[r[c] for c in COLUMNS]).where(r.source.in_(list(sources)))
    for row in conn.execute(query.execution_options(stream_results=True, yield_per=CHUNK)):
        if row[0] not in skip:
            yield EntityRecord(*row)


def save(conn: Connection, fresh: Iterable[EntityRecord], stale: Iterable[str] = ()) -> int:
    """Store the records read from statements on this run, replacing their older ones,
    and drop the ``stale`` ones (entities gone); returns how many were stored."""
    fresh = list(fresh)
    dropped = [*(f.entity_id for f in fresh), *stale]
    if not dropped:
        return 0
    scratch.fill(conn, "dropped_records", {"entity_id": "TEXT PRIMARY KEY"},
                 ((e,) for e in sorted(set(dropped))))  # fmt: skip
    conn.exec_driver_sql(
        "DELETE FROM resolve_records WHERE entity_id IN (SELECT entity_id FROM dropped_records)"
    )
    return bulk.insert_rows(conn, "resolve_records", COLUMNS, fresh)
