"""Ingest runs and their rejects: who loaded what, when, from which file, with what result."""

from __future__ import annotations

import json
import os
import socket
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from casegraph.model.visible import Visible
from casegraph.store.tables import ingest_runs, rejects

RUNNING, COMPLETED, INTERRUPTED, FAILED = "running", "completed", "interrupted", "failed"


@dataclass(frozen=True)
class Reject:
    file: str
    line: int | None
    field: str | None
    value: str | None
    reason: str


def start_run(
    conn: Connection,
    *,
    source: str,
    operator: str,
    mapping: str,
    mapping_sha256: str | None,
    inputs: Sequence[dict[str, str]],
    now: datetime,
) -> int:
    result = conn.execute(
        ingest_runs.insert().values(
            source=source,
            operator=operator,
            mapping=mapping,
            mapping_sha256=mapping_sha256,
            inputs=json.dumps(list(inputs)),
            status=RUNNING,
            started_at=now,
            records_read=0,
            entities=0,
            statements=0,
            rejected=0,
            host=socket.gethostname(),
            pid=os.getpid(),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def record_progress(
    conn: Connection, run_id: int, *, records: int, entities: int, statements: int, rejected: int
) -> None:
    conn.execute(
        update(ingest_runs)
        .where(ingest_runs.c.id == run_id)
        .values(records_read=records, entities=entities, statements=statements, rejected=rejected)
    )


def finish_run(
    conn: Connection, run_id: int, status: str, now: datetime, message: str | None = None
) -> None:
    conn.execute(
        update(ingest_runs)
        .where(ingest_runs.c.id == run_id)
        .values(status=status, finished_at=now, message=message)
    )


def close_abandoned_runs(conn: Connection, source: str, now: datetime) -> list[int]:
    """Mark runs of ``source`` left 'running' by a process that no longer exists.

    A run killed with ``kill -9`` cannot say so itself; the next run on the same
    host notices that its process is gone and records the interruption.
    """
    host = socket.gethostname()
    rows = conn.execute(
        select(ingest_runs.c.id, ingest_runs.c.pid, ingest_runs.c.host).where(
            ingest_runs.c.source == source, ingest_runs.c.status == RUNNING
        )
    ).all()
    closed = []
    for run_id, pid, run_host in rows:
        if run_host == host and pid is not None and _alive(pid) and pid != os.getpid():
            continue
        finish_run(conn, run_id, INTERRUPTED, now, "process ended without finishing")
        closed.append(run_id)
    return closed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def insert_rejects(conn: Connection, run_id: int, source: str, items: Sequence[Reject]) -> None:
    if items:
        conn.execute(
            rejects.insert(),
            [
                {
                    "run_id": run_id,
                    "source": source,
                    "file": r.file,
                    "line": r.line,
                    "field": r.field,
                    "value": r.value,
                    "reason": r.reason,
                }
                for r in items
            ],
        )


def run_of(conn: Connection, run_id: int) -> dict[str, Any] | None:
    """A run's source and operator."""
    query = select(ingest_runs.c.source, ingest_runs.c.operator).where(ingest_runs.c.id == run_id)
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def iter_rejects(conn: Connection, visible: Visible, run_id: int) -> Iterator[Reject]:
    """A run's rejected rows (raw source values), if ``visible`` grants its source."""
    query = (
        select(rejects.c.file, rejects.c.line, rejects.c.field, rejects.c.value, rejects.c.reason)
        .where(rejects.c.run_id == run_id, rejects.c.source.in_(list(visible.sources)))
        .order_by(rejects.c.id)
    )
    for row in conn.execute(query):
        yield Reject(*row)


def list_runs(conn: Connection, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    query = select(ingest_runs).order_by(ingest_runs.c.id.desc()).limit(limit)
    if source is not None:
        query = query.where(ingest_runs.c.source == source)
    return [dict(row) for row in conn.execute(query).mappings()]
