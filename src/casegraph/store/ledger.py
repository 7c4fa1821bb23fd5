"""Ledger rows: append under a lock so concurrent writers never fork the chain.

PostgreSQL serialises appends with a transaction-scoped advisory lock; SQLite
sessions start with ``BEGIN IMMEDIATE`` (see ``engine.py``), which already gives one
writer at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection

from casegraph.model.audit import GENESIS, Entry
from casegraph.store.tables import audit_log

LEDGER_LOCK = 0x6361_7365_6772  # "casegr": the advisory lock id of the ledger


def lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LEDGER_LOCK})


def head(conn: Connection) -> tuple[int, str]:
    """(seq, hash) of the last entry, or (0, GENESIS) for an empty ledger."""
    row = conn.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    return (int(row[0]), str(row[1])) if row is not None else (0, GENESIS)


def insert(conn: Connection, entry: Entry) -> None:
    conn.execute(
        audit_log.insert().values(
            seq=entry.seq,
            at=entry.at,
            actor=entry.actor,
            action=entry.action,
            case_id=entry.case_id,
            justification=entry.justification,
            refs=json.dumps(entry.refs, sort_keys=True, ensure_ascii=False),
            outcome=entry.outcome,
            request_id=entry.request_id,
            prev_hash=entry.prev_hash,
            hash=entry.hash,
        )
    )


def count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(audit_log)).scalar_one())


def iter_entries(conn: Connection, batch: int = 10_000) -> Iterator[Entry]:
    query = select(audit_log).order_by(audit_log.c.seq)
    # per statement: Connection.execution_options() would change the connection itself
    result = conn.execute(query.execution_options(stream_results=True, yield_per=batch))
    for row in result.mappings():
        yield _entry(row)


def case_entries(conn: Connection, case_id: str, actions: Sequence[str]) -> list[Entry]:
    """Entries recorded under ``case_id`` with one of ``actions``, oldest first."""
    query = (
        select(audit_log)
        .where(audit_log.c.case_id == case_id, audit_log.c.action.in_(list(actions)))
        .order_by(audit_log.c.seq)
    )
    return [_entry(row) for row in conn.execute(query).mappings()]


def _entry(row: Any) -> Entry:
    return Entry(
        seq=int(row["seq"]),
        at=row["at"],
        actor=row["actor"],
        action=row["action"],
        case_id=row["case_id"],
        justification=row["justification"],
        refs=json.loads(row["refs"]),
        outcome=row["outcome"],
        request_id=row["request_id"],
        prev_hash=row["prev_hash"],
        hash=row["hash"],
    )
