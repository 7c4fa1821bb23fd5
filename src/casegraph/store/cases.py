"""Case tables: rows in and out, versioned updates, erasure. No policy here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from casegraph.model.visible import Visible
from casegraph.store.tables import (
    case_comments,
    case_custody,
    case_events,
    case_evidence,
    case_members,
    case_note_revisions,
    case_notes,
    case_reviews,
    case_subjects,
    case_tasks,
    cases,
    statements,
    team_members,
)


def insert_row(conn: Connection, table: Table, **values: Any) -> int | None:
    """Insert one row; its integer id, when the table has one."""
    result = conn.execute(insert(table).values(**values))
    key = result.inserted_primary_key
    return int(key[0]) if key and "id" in table.c and isinstance(key[0], int) else None


def one(conn: Connection, table: Table, **where: Any) -> dict[str, Any] | None:
    query = select(table).where(*(table.c[k] == v for k, v in where.items()))
    row = conn.execute(query).mappings().first()
    return dict(row) if row is not None else None


def rows(
    conn: Connection, table: Table, order: Sequence[str] = ("id",), **where: Any
) -> list[dict[str, Any]]:
    query = select(table).where(*(table.c[k] == v for k, v in where.items()))
    query = query.order_by(*(table.c[name] for name in order))
    return [dict(r) for r in conn.execute(query).mappings()]


def update_versioned(
    conn: Connection, table: Table, keys: dict[str, Any], version: int, **values: Any
) -> bool:
    """Update the row at ``version`` and step its version; False if it has moved on."""
    where = and_(*(table.c[k] == v for k, v in keys.items()), table.c.version == version)
    result = conn.execute(update(table).where(where).values(version=version + 1, **values))
    return result.rowcount == 1


def next_case_id(conn: Connection, year: int) -> str:
    prefix = f"C-{year}-"
    count = conn.execute(
        select(func.count()).select_from(cases).where(cases.c.id.like(prefix + "%"))
    ).scalar_one()
    return f"{prefix}{int(count) + 1:04d}"


def member_role(conn: Connection, case_id: str, username: str) -> str | None:
    role = conn.execute(
        select(case_members.c.role).where(
            case_members.c.case_id == case_id, case_members.c.username == username
        )
    ).scalar()
    return str(role) if role is not None else None


def cases_of(conn: Connection, username: str) -> list[dict[str, Any]]:
    query = (
        select(cases, case_members.c.role.label("my_role"))
        .join(case_members, case_members.c.case_id == cases.c.id)
        .where(case_members.c.username == username, cases.c.erased_at.is_(None))
        .order_by(cases.c.id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def case_ids_of(conn: Connection, username: str) -> list[str]:
    query = select(case_members.c.case_id).where(case_members.c.username == username)
    return sorted(str(c) for c in conn.execute(query).scalars())


def remove_member(conn: Connection, case_id: str, username: str) -> bool:
    result = conn.execute(
        delete(case_members).where(
            case_members.c.case_id == case_id, case_members.c.username == username
        )
    )
    return result.rowcount == 1


def unlink_subject(conn: Connection, case_id: str, canonical_id: str, version: int) -> bool:
    result = conn.execute(
        delete(case_subjects).where(
            case_subjects.c.case_id == case_id,
            case_subjects.c.canonical_id == canonical_id,
            case_subjects.c.version == version,
        )
    )
    return result.rowcount == 1


def subject_cases(
    conn: Connection, canonical_ids: Sequence[str], case_ids: Sequence[str]
) -> list[dict[str, Any]]:
    """Links of these subjects to these cases (the caller's own)."""
    if not canonical_ids or not case_ids:
        return []
    query = select(case_subjects).where(
        case_subjects.c.canonical_id.in_(list(canonical_ids)),
        case_subjects.c.case_id.in_(list(case_ids)),
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def tasks_of(conn: Connection, username: str, case_ids: Sequence[str]) -> list[dict[str, Any]]:
    if not case_ids:
        return []
    query = (
        select(case_tasks)
        .where(
            case_tasks.c.assignee == username,
            case_tasks.c.case_id.in_(list(case_ids)),
            case_tasks.c.status.in_(["open", "in-progress"]),
        )
        .order_by(case_tasks.c.due_on, case_tasks.c.id)
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def reviews_due(conn: Connection, today: date, teams: Sequence[str] | None) -> list[dict[str, Any]]:
    """Cases not closed whose review date has come, of these teams (all if None)."""
    query = select(cases).where(
        cases.c.review_on <= today, cases.c.status != "closed", cases.c.erased_at.is_(None)
    )
    if teams is not None:
        query = query.where(cases.c.team.in_(list(teams)))
    return [dict(r) for r in conn.execute(query.order_by(cases.c.review_on, cases.c.id)).mappings()]


def expired(conn: Connection, now: datetime) -> list[dict[str, Any]]:
    """Closed cases not yet erased (the caller checks closure plus retention)."""
    query = select(cases).where(
        cases.c.status == "closed", cases.c.erased_at.is_(None), cases.c.closed_at < now
    )
    return [dict(r) for r in conn.execute(query).mappings()]


def erase(conn: Connection, case_id: str, now: datetime) -> list[str]:
    """Delete a case's private data; the case row stays as a tombstone (its id appears
    in the ledger). The evidence hashes that were removed are returned."""
    hashes = [
        str(h)
        for h in conn.execute(
            select(case_evidence.c.sha256).where(case_evidence.c.case_id == case_id)
        ).scalars()
    ]
    evidence_ids = select(case_evidence.c.id).where(case_evidence.c.case_id == case_id)
    note_ids = select(case_notes.c.id).where(case_notes.c.case_id == case_id)
    conn.execute(delete(case_custody).where(case_custody.c.evidence_id.in_(evidence_ids)))
    conn.execute(delete(case_note_revisions).where(case_note_revisions.c.note_id.in_(note_ids)))
    for table in (
        case_evidence,
        case_notes,
        case_tasks,
        case_comments,
        case_subjects,
        case_events,
        case_reviews,
        case_members,
    ):
        conn.execute(delete(table).where(table.c.case_id == case_id))
    conn.execute(
        update(cases)
        .where(cases.c.id == case_id)
        .values(title="(erased)", legal_basis="", predicate="", purpose="", erased_at=now)
    )
    return hashes


def hashes_in_use(conn: Connection) -> set[str]:
    return {str(h) for h in conn.execute(select(case_evidence.c.sha256).distinct()).scalars()}


def hash_in_use(conn: Connection, sha256: str) -> bool:
    query = select(func.count()).select_from(case_evidence).where(case_evidence.c.sha256 == sha256)
    return bool(conn.execute(query).scalar_one())


def teams_of(conn: Connection, username: str) -> list[str]:
    query = select(team_members.c.team).where(team_members.c.username == username)
    return sorted(str(t) for t in conn.execute(query).scalars())


def subject_exists(conn: Connection, canonical_id: str, visible: Visible) -> bool:
    """Whether any statement of the sources ``visible`` grants is about the subject."""
    if not visible:
        return False
    query = (
        select(statements.c.id)
        .where(statements.c.canonical_id == canonical_id,
               statements.c.source.in_(list(visible.sources)))
        .limit(1)
    )  # fmt: skip
    return conn.execute(query).first() is not None
