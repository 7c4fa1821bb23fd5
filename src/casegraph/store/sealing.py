"""Sealed-subject flags, and the birth dates that decide whether a person is a minor."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from casegraph.model.clock import utcnow
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
                sealed_at=utcnow(),
            )
        )


def birth_dates(conn: Connection, canonical_id: str) -> list[str]:
    query = select(statements.c.value).where(
        statements.c.canonical_id == canonical_id, statements.c.prop == "birthDate"
    )
    return list(conn.execute(query).scalars())


def flagged_ids(conn: Connection) -> set[str]:
    return set(conn.execute(select(sealed_subjects.c.canonical_id)).scalars())


def birth_dates_by_subject(conn: Connection) -> Iterator[tuple[str, list[str]]]:
    """(canonical id, birth dates) for every subject with a recorded birth date."""
    query = (
        select(statements.c.canonical_id, statements.c.value)
        .where(statements.c.prop == "birthDate")
        .order_by(statements.c.canonical_id)
        .execution_options(stream_results=True, yield_per=10_000)
    )
    rows = conn.execute(query)
    for canonical_id, group in itertools.groupby(rows, key=lambda r: r[0]):
        yield canonical_id, [r[1] for r in group]


def entity_ids_of(conn: Connection, canonical_ids: set[str]) -> set[str]:
    """The source entities merged into these subjects (FtM links point at entity ids)."""
    found: set[str] = set()
    every = sorted(canonical_ids)
    for start in range(0, len(every), 500):
        query = select(statements.c.entity_id).distinct().where(
            statements.c.canonical_id.in_(every[start : start + 500])
        )
        found.update(conn.execute(query).scalars())
    return found


def referrers(conn: Connection, entity_ids: set[str]) -> set[tuple[str, str]]:
    """(canonical id, source) of the subjects whose records link to these entities."""
    query = select(statements.c.canonical_id, statements.c.source).distinct().where(
        statements.c.prop_type == "entity", statements.c.value.in_(sorted(entity_ids))
    )
    return {(str(c), str(s)) for c, s in conn.execute(query)}


def links_of(conn: Connection, ids: set[str]) -> list[tuple[str, str]]:
    """(id, canonical id) for each id that is a source entity, or a subject, here."""
    every = sorted(ids)
    out: set[tuple[str, str]] = set()
    for start in range(0, len(every), 500):
        chunk = every[start : start + 500]
        query = select(statements.c.entity_id, statements.c.canonical_id).distinct().where(
            statements.c.entity_id.in_(chunk)
        )
        out.update((str(e), str(c)) for e, c in conn.execute(query))
    return sorted(out)


def flagged_among(conn: Connection, canonical_ids: set[str]) -> set[str]:
    query = select(sealed_subjects.c.canonical_id).where(
        sealed_subjects.c.canonical_id.in_(sorted(canonical_ids))
    )
    return set(conn.execute(query).scalars())


def birth_dates_of(conn: Connection, canonical_ids: set[str]) -> dict[str, list[str]]:
    """The recorded birth dates of these subjects, by canonical id (every source)."""
    out: dict[str, list[str]] = {}
    every = sorted(canonical_ids)
    for start in range(0, len(every), 500):
        query = select(statements.c.canonical_id, statements.c.value).where(
            statements.c.canonical_id.in_(every[start : start + 500]),
            statements.c.prop == "birthDate",
        )
        for cid, value in conn.execute(query):
            out.setdefault(str(cid), []).append(str(value))
    return out
