"""Sealed-subject flags, and the birth dates that decide whether a person is a minor."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from casegraph.store.tables import sealed_subjects, statements


def flag_of(conn: Connection, canonical_id: str) -> str | None:
    return conn.execute(
        select(sealed_subjects.c.reason).where(sealed_subjects.c.canonical_id == canonical_id)
    ).scalar()


def flag(conn: Connection, canonical_id: str, reason: str, by: str) -> None:
    if flag_of(conn, canonical_id) is None:
        conn.execute(
            insert(sealed_subjects).values(
                canonical_id=canonical_id,
                reason=reason,
                sealed_by=by,
                sealed_at=datetime.now(UTC).replace(tzinfo=None),
            )
        )


def birth_dates(conn: Connection, canonical_id: str) -> list[str]:
    query = select(statements.c.value).where(
        statements.c.canonical_id == canonical_id, statements.c.prop == "birthDate"
    )
    return list(conn.execute(query).scalars())
