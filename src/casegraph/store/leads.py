"""Screenings, their runs and digests, and leads (tables in ``tables.py``).

Leads hold what a comparison showed of a subject and a list entry (captions, reasons),
so reads of them take a ``Visible``: a lead is shown only to a reader who sees its list
source and every source its comparison read.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, func, insert, select, update
from sqlalchemy.engine import Connection

from casegraph.model.visible import Visible
from casegraph.store.tables import (
    flag_hits,
    leads,
    screen_digests,
    screen_runs,
    screenings,
)
from casegraph.store.tables import statements as statement_table
from casegraph.store.value_lists import one_of

CHUNK = 2000


def get_screening(conn: Connection, screening_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(screenings).where(screenings.c.id == screening_id)).first()
    return dict(row._mapping) if row else None


def save_screening(conn: Connection, row: dict[str, Any]) -> None:
    """Insert the screening, or update its threshold and purpose."""
    if get_screening(conn, row["id"]) is None:
        conn.execute(insert(screenings).values(**row))
        return
    conn.execute(update(screenings).where(screenings.c.id == row["id"]).values(
        threshold=row["threshold"], case_id=row["case_id"],
        justification=row["justification"]))  # fmt: skip


def screenings_against(conn: Connection, source: str) -> list[dict[str, Any]]:
    query = select(screenings).where(screenings.c.against == source).order_by(screenings.c.id)
    return [dict(r._mapping) for r in conn.execute(query)]


def list_screenings(conn: Connection, sources: Sequence[str]) -> list[dict[str, Any]]:
    query = (select(screenings).where(screenings.c.against.in_(list(sources)))
             .order_by(screenings.c.created_at))  # fmt: skip
    return [dict(r._mapping) for r in conn.execute(query)]


def start_run(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(screen_runs).values(**values))
    run_id = int(result.inserted_primary_key[0])  # type: ignore[index]
    conn.execute(update(screenings).where(screenings.c.id == values["screening"])
                 .values(last_run=run_id))  # fmt: skip
    return run_id


def update_run(conn: Connection, run_id: int, **values: Any) -> None:
    conn.execute(update(screen_runs).where(screen_runs.c.id == run_id).values(**values))


def get_run(conn: Connection, run_id: int) -> dict[str, Any] | None:
    row = conn.execute(select(screen_runs).where(screen_runs.c.id == run_id)).first()
    return dict(row._mapping) if row else None


def unfinished_run(conn: Connection, screening_id: str) -> dict[str, Any] | None:
    """The latest run of the screening that did not finish (to be resumed)."""
    query = (select(screen_runs).where(screen_runs.c.screening == screening_id)
             .order_by(screen_runs.c.id.desc()).limit(1))  # fmt: skip
    row = conn.execute(query).first()
    if row is None or row.status not in ("running", "interrupted", "failed"):
        return None
    return dict(row._mapping)


def digests(conn: Connection, screening_id: str, side: str) -> dict[str, str]:
    query = select(screen_digests.c.canonical_id, screen_digests.c.digest).where(
        screen_digests.c.screening == screening_id, screen_digests.c.side == side)
    return {str(cid): str(d) for cid, d in conn.execute(query)}


def put_digests(conn: Connection, screening_id: str, side: str, items: dict[str, str]) -> None:
    ids = sorted(items)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        conn.execute(delete(screen_digests).where(
            screen_digests.c.screening == screening_id, screen_digests.c.side == side,
            one_of(conn, screen_digests.c.canonical_id, part, lookup=False)))  # fmt: skip
        conn.execute(insert(screen_digests), [
            {"screening": screening_id, "side": side, "canonical_id": c, "digest": items[c]}
            for c in part])  # fmt: skip


def drop_digests(conn: Connection, screening_id: str, side: str, ids: Sequence[str]) -> None:
    for start in range(0, len(ids), CHUNK):
        conn.execute(delete(screen_digests).where(
            screen_digests.c.screening == screening_id, screen_digests.c.side == side,
            one_of(conn, screen_digests.c.canonical_id, ids[start : start + CHUNK],
                   lookup=False)))  # fmt: skip


def subjects_of_source(conn: Connection, visible: Visible, source: str) -> list[str]:
    """The subjects ``source`` says something about, in id order."""
    if not visible.sees(source):
        return []
    query = (select(statement_table.c.canonical_id).where(statement_table.c.source == source)
             .distinct().order_by(statement_table.c.canonical_id))  # fmt: skip
    return [str(c) for (c,) in conn.execute(query)]


# what a decision set: a new comparison leaves it as it is
_KEPT = ("status", "reason", "decided_by", "decided_at", "case_id", "found_at")


def _upsert(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> int:
    """Insert the new rows of ``table`` (leads or red-flag hits) and refresh the known
    ones in one statement per chunk, keeping their decision and case; how many were new."""
    new = 0
    for start in range(0, len(rows), CHUNK):
        part = rows[start : start + CHUNK]
        known = {str(i) for (i,) in conn.execute(
            select(table.c.id).where(one_of(conn, table.c.id, [r["id"] for r in part])))}
        fresh = [r for r in part if r["id"] not in known]
        if fresh:
            conn.execute(insert(table), fresh)
            new += len(fresh)
        # bound under names of their own: a column's name is the statement's to use
        again = [{f"v_{k}": v for k, v in r.items() if k not in _KEPT}
                 for r in part if r["id"] in known]  # fmt: skip
        if again:
            names = [k.removeprefix("v_") for k in again[0] if k != "v_id"]
            conn.execute(update(table).where(table.c.id == bindparam("v_id"))
                         .values({k: bindparam(f"v_{k}") for k in names}), again)  # fmt: skip
    return new


def upsert_leads(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Insert new leads and refresh the comparison of known ones; how many were new."""
    return _upsert(conn, leads, rows)


def deactivate(
    conn: Connection, against: str, subjects: Sequence[str], entries: Sequence[str] | None,
    kept: set[str], now: datetime,
) -> None:
    """Leads of ``subjects`` (with ``entries`` only, if given) that this comparison did
    not find again (not in ``kept``) no longer match."""
    if entries is not None and not entries:
        return
    for start in range(0, len(subjects), CHUNK):
        where = [leads.c.against == against, leads.c.active == 1,
                 one_of(conn, leads.c.subject_id, subjects[start : start + CHUNK])]  # fmt: skip
        if entries is not None:
            where.append(one_of(conn, leads.c.entry_id, entries, lookup=False))
        stale = [str(i) for (i,) in conn.execute(select(leads.c.id).where(and_(*where)))
                 if i not in kept]  # fmt: skip
        if stale:
            conn.execute(update(leads).where(one_of(conn, leads.c.id, stale))
                         .values(active=0, updated_at=now))  # fmt: skip


def deactivate_entries(conn: Connection, against: str, entries: Sequence[str],
                       now: datetime) -> None:  # fmt: skip
    """Leads of entries no longer on the list."""
    for start in range(0, len(entries), CHUNK):
        conn.execute(update(leads).where(
            leads.c.against == against, leads.c.active == 1,
            one_of(conn, leads.c.entry_id, entries[start : start + CHUNK])
        ).values(active=0, updated_at=now))  # fmt: skip


def _shown(visible: Visible, row: Any) -> bool:
    return visible.sees(row.against) and all(visible.sees(s) for s in json.loads(row.sources))


def lead_rows(
    conn: Connection,
    visible: Visible,
    against: str | None = None,
    status: str | None = None,
    case_id: str | None = None,
    subject_id: str | None = None,
    min_score: float | None = None,
    active: bool = True,
    screening: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Leads the reader may see, best first (ties: the strongest distinct evidence)."""
    query = select(leads).where(leads.c.against.in_(list(visible.sources)))
    if against is not None:
        query = query.where(leads.c.against == against)
    if status is not None:
        query = query.where(leads.c.status == status)
    if case_id is not None:
        query = query.where(leads.c.case_id == case_id)
    if subject_id is not None:
        query = query.where(leads.c.subject_id == subject_id)
    if min_score is not None:
        query = query.where(leads.c.score >= min_score)
    if screening is not None:
        query = query.where(leads.c.screening == screening)
    if active:
        query = query.where(leads.c.active == 1)
    query = query.order_by(leads.c.score.desc(), leads.c.strength.desc(), leads.c.id)
    for row in conn.execute(query.execution_options(stream_results=True, yield_per=1000)):
        if _shown(visible, row):
            yield dict(row._mapping)


def lead_counts(conn: Connection, visible: Visible) -> dict[str, int]:
    """Active leads by status, of the lists the reader sees (counts, no subject data)."""
    query = (select(leads.c.status, func.count()).where(
        leads.c.against.in_(list(visible.sources)), leads.c.active == 1)
        .group_by(leads.c.status))  # fmt: skip
    return {str(s): int(n) for s, n in conn.execute(query)}


def get_lead(conn: Connection, visible: Visible, lead_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(leads).where(leads.c.id == lead_id)).first()
    if row is None or not _shown(visible, row):
        return None
    return dict(row._mapping)


def set_lead(conn: Connection, lead_id: str, **values: Any) -> None:
    conn.execute(update(leads).where(leads.c.id == lead_id).values(**values))


# --- red-flag hits ---------------------------------------------------------------------


def save_hits(conn: Connection, rule: str, scope: str, rows: Sequence[dict[str, Any]],
              now: datetime) -> int:  # fmt: skip
    """Insert new hits and refresh known ones (keeping their decision and case); hits
    of ``rule`` in ``scope`` not found again no longer match. Returns how many were new."""
    new = _upsert(conn, flag_hits, rows)
    ids = {r["id"] for r in rows}
    stale = select(flag_hits.c.id).where(flag_hits.c.rule == rule, flag_hits.c.scope == scope,
                                         flag_hits.c.active == 1)  # fmt: skip
    gone = [str(i) for (i,) in conn.execute(stale) if i not in ids]
    if gone:
        conn.execute(update(flag_hits).where(one_of(conn, flag_hits.c.id, gone))
                     .values(active=0, updated_at=now))  # fmt: skip
    return new


def hit_rows(
    conn: Connection, visible: Visible, rule: str | None = None, status: str | None = None,
    case_id: str | None = None, active: bool = True,
) -> Iterator[dict[str, Any]]:  # fmt: skip
    """Hits the reader may see (every source of their edges), the strongest first."""
    query = select(flag_hits)
    if rule is not None:
        query = query.where(flag_hits.c.rule == rule)
    if status is not None:
        query = query.where(flag_hits.c.status == status)
    if case_id is not None:
        query = query.where(flag_hits.c.case_id == case_id)
    if active:
        query = query.where(flag_hits.c.active == 1)
    query = query.order_by(flag_hits.c.rule, flag_hits.c.weight.desc(), flag_hits.c.id)
    for row in conn.execute(query):
        if all(visible.sees(s) for s in json.loads(row.sources)):
            yield dict(row._mapping)


def hit_counts(conn: Connection, visible: Visible) -> dict[str, int]:
    """Open hits the reader may see, by rule."""
    counts: dict[str, int] = {}
    for row in hit_rows(conn, visible, status="open"):
        counts[row["rule"]] = counts.get(row["rule"], 0) + 1
    return counts


def get_hit(conn: Connection, visible: Visible, hit_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(flag_hits).where(flag_hits.c.id == hit_id)).first()
    if row is None or not all(visible.sees(s) for s in json.loads(row.sources)):
        return None
    return dict(row._mapping)


def set_hit(conn: Connection, hit_id: str, **values: Any) -> None:
    conn.execute(update(flag_hits).where(flag_hits.c.id == hit_id).values(**values))


def confirmed_leads(conn: Connection, visible: Visible) -> dict[str, str]:
    """Subjects a screening lead confirmed as listed (the reader may see): subject ->
    the list."""
    query = select(leads.c.subject_id, leads.c.against, leads.c.sources).where(
        leads.c.status == "confirmed", leads.c.against.in_(list(visible.sources)))
    return {str(s): str(a) for s, a, src in conn.execute(query)
            if all(visible.sees(x) for x in json.loads(src))}  # fmt: skip
