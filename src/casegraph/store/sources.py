"""Rows of the ``sources`` table."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.engine import Connection

from casegraph.model.sources import Source
from casegraph.store.tables import sources


def insert_source(conn: Connection, source: Source) -> None:
    conn.execute(
        sources.insert().values(
            name=source.name,
            title=source.title,
            team=source.team,
            marking=source.marking,
            legal_basis=source.legal_basis,
            retention_days=source.retention_days,
            created_at=source.created_at,
            created_by=source.created_by,
        )
    )


def get_source(conn: Connection, name: str) -> Source | None:
    row = conn.execute(select(sources).where(sources.c.name == name)).mappings().first()
    return Source(**row) if row is not None else None


def list_sources(conn: Connection) -> list[Source]:
    rows = conn.execute(select(sources).order_by(sources.c.name)).mappings()
    return [Source(**row) for row in rows]


def source_names(conn: Connection) -> list[str]:
    return list(conn.execute(select(sources.c.name).order_by(sources.c.name)).scalars())
