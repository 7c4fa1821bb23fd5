"""What one subject's edges add up to, computed by the database (a subject with
thousands of payments is summed where it is stored, not read row by row): per
counterpart, kind, direction and unit; per month and kind; and the single events behind
a total, a page at a time. Every read is limited by an ``EdgeFilter``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, or_, select, union_all
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql import Select

from casegraph.store.graph_store import EDGE_VIEW, EdgeFilter
from casegraph.store.tables import edges
from casegraph.store.value_lists import one_of

e = edges.c


def _ends(
    subject: str, where: EdgeFilter, kinds: ColumnElement[bool] | None
) -> Select[Any]:
    """The subject's edges once from each end it is at: (other end, way, kind, unit,
    amount, date, sources); way is ``out`` (the subject is the payer, caller, owner),
    ``in``, or ``both`` for undirected edges."""
    sides = []
    for here, there, way in ((e.src, e.dst, "out"), (e.dst, e.src, "in")):
        sides.append(
            select(
                there.label("other"),
                (1 - e.directed).label("undirected"),
                literal(way).label("way"),
                e.kind, e.unit, e.amount, e.start_date, e.source, e.source2,
            ).where(here == subject, where.condition(),
                    *([kinds] if kinds is not None else []))
        )  # fmt: skip
    return union_all(*sides).subquery().select()


def totals(
    conn: Connection, subject: str, where: EdgeFilter, kinds: Sequence[str]
) -> list[Row[Any]]:
    """(other, way, kind, unit, source, source2, count, total, first, last) of the
    subject's edges of ``kinds``, one row per group."""
    ends = _ends(subject, where, e.kind.in_(list(kinds))).subquery()
    c = ends.c
    way = _way(c)
    query = select(
        c.other, way, c.kind, c.unit, c.source, c.source2, func.count(),
        func.sum(c.amount), func.min(c.start_date), func.max(c.start_date),
    ).group_by(c.other, way, c.kind, c.unit, c.source, c.source2)  # fmt: skip
    return list(conn.execute(query).all())


def among(conn: Connection, ids: Sequence[str], where: EdgeFilter) -> list[Row[Any]]:
    """(subject, other, way, kind, unit, source, source2, count, total, first, last) of
    the edges with both ends among ``ids`` (a case's graph, say), one row per group: a
    directed edge from its ``src`` (way ``out``: the subject pays, calls, owns), an
    undirected one from the end that sorts first (way ``both``)."""
    every = sorted(set(ids))
    if not every:
        return []
    flip = (e.directed == 0) & (e.dst < e.src)
    ends = (
        select(
            case((flip, e.dst), else_=e.src).label("subject"),
            case((flip, e.src), else_=e.dst).label("other"),
            case((e.directed == 0, literal("both")), else_=literal("out")).label("way"),
            e.kind, e.unit, e.amount, e.start_date, e.source, e.source2,
        )
        .where(one_of(conn, e.src, every), one_of(conn, e.dst.concat(""), every, lookup=False),
               where.condition())
        .subquery()
    )  # fmt: skip
    c = ends.c
    query = select(
        c.subject, c.other, c.way, c.kind, c.unit, c.source, c.source2, func.count(),
        func.sum(c.amount), func.min(c.start_date), func.max(c.start_date),
    ).group_by(c.subject, c.other, c.way, c.kind, c.unit, c.source, c.source2)  # fmt: skip
    return list(conn.execute(query).all())


def months(
    conn: Connection, subject: str, where: EdgeFilter, kinds: Sequence[str]
) -> list[Row[Any]]:
    """(month, kind, count) of the subject's dated edges of ``kinds``, months as
    ``YYYY-MM``, each edge counted once."""
    month = func.substr(e.start_date, 1, 7)
    query = (
        select(month, e.kind, func.count())
        .where(
            or_(e.src == subject, e.dst == subject), e.kind.in_(list(kinds)),
            e.start_date.is_not(None), where.condition(),
        )
        .group_by(month, e.kind)
        .order_by(month, e.kind)
    )
    return list(conn.execute(query).all())


def events(
    conn: Connection,
    subject: str,
    where: EdgeFilter,
    kinds: Sequence[str],
    other: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[Row[Any]], int]:
    """A page of the subject's single edges of ``kinds`` (with ``other`` at the far end,
    if given), newest first, as rows of ``EDGE_VIEW``; and how many there are."""
    parts = [e.kind.in_(list(kinds)), where.condition()]
    if other is None:
        parts.append(or_(e.src == subject, e.dst == subject))
    else:
        parts.append(or_((e.src == subject) & (e.dst == other),
                         (e.dst == subject) & (e.src == other)))  # fmt: skip
    count = conn.execute(select(func.count()).select_from(edges).where(*parts)).scalar_one()
    query = (
        select(*EDGE_VIEW)
        .where(*parts)
        .order_by(e.start_date.desc().nulls_last(), e.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(conn.execute(query).all()), int(count)


def structure(
    conn: Connection, subject: str, where: EdgeFilter, exclude: Sequence[str], limit: int
) -> list[Row[Any]]:
    """The subject's edges of every kind but ``exclude`` (ownership, directorships,
    family, court cases, shared values ...), as rows of ``EDGE_VIEW``, the first
    ``limit`` by kind and date."""
    query = (
        select(*EDGE_VIEW)
        .where(or_(e.src == subject, e.dst == subject), e.kind.not_in(list(exclude)),
               where.condition())
        .order_by(e.kind, e.start_date, e.id)
        .limit(limit)
    )
    return list(conn.execute(query).all())


def _way(c: Any) -> ColumnElement[Any]:
    """``both`` for an undirected edge, else the side's way."""
    return case((c.undirected == 1, literal("both")), else_=c.way).label("way")
