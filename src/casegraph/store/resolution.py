"""Stored resolution state: models, judgements, canonical ids (dialect SQL lives here)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, func, insert, or_, select, text
from sqlalchemy.engine import Connection

from casegraph.model.clock import utcnow
from casegraph.model.visible import Visible
from casegraph.store.tables import judgements, resolve_models, resolved_entities

CHUNK = 5000
_CANON_INSERT = text("INSERT INTO canon_map (entity_id, canonical_id) VALUES (:e, :c)")


def pair_key(a: str, b: str) -> tuple[str, str, str]:
    """(pair id, left, right): the pair id is stable across runs and independent of order."""
    left, right = sorted((a, b))
    return hashlib.sha1(f"{left}\x1f{right}".encode()).hexdigest()[:16], left, right


# --- models ---------------------------------------------------------------------------


def load_model(conn: Connection, group: str) -> dict[str, Any] | None:
    text = conn.execute(
        select(resolve_models.c.model).where(resolve_models.c.grp == group)
    ).scalar()
    return json.loads(text) if text else None


def save_model(conn: Connection, group: str, model: dict[str, Any], records: int, by: str) -> None:
    conn.execute(delete(resolve_models).where(resolve_models.c.grp == group))
    conn.execute(
        insert(resolve_models).values(
            grp=group,
            model=json.dumps(model, sort_keys=True),
            records=records,
            trained_at=utcnow(),
            trained_by=by,
        )
    )


# --- judgements -----------------------------------------------------------------------


@dataclass
class Judgement:
    pair: str
    origin: str
    left_id: str
    right_id: str
    left_source: str
    right_source: str
    group: str
    judgement: str
    probability: float | None
    weight: float | None
    detail: list[list[float]] | None
    actor: str
    reason: str | None

    @classmethod
    def from_row(cls, row: Any) -> Judgement:
        return cls(row.pair, row.origin, row.left_id, row.right_id, row.left_source,
                   row.right_source, row.grp, row.judgement, row.probability, row.weight,
                   json.loads(row.detail) if row.detail else None, row.actor,
                   row.reason)  # fmt: skip


def _values(j: Judgement, now: Any) -> dict[str, Any]:
    return {
        "pair": j.pair, "origin": j.origin, "left_id": j.left_id, "right_id": j.right_id,
        "left_source": j.left_source, "right_source": j.right_source, "grp": j.group,
        "judgement": j.judgement, "probability": j.probability, "weight": j.weight,
        "detail": json.dumps(j.detail, separators=(",", ":")) if j.detail else None,
        "actor": j.actor, "reason": j.reason, "decided_at": now,
    }  # fmt: skip


def clear_machine_judgements(
    conn: Connection, group: str, visible: Visible, involving: Sequence[str] | None = None
) -> None:
    """Drop model and record judgements of a group between records of the sources
    ``visible`` grants (all, or those touching some ids). A person's judgements are
    never dropped."""
    sources = visible.sources
    machine = and_(judgements.c.grp == group, judgements.c.origin.in_(["model", "record"]))
    if involving is None:
        conn.execute(delete(judgements).where(
            machine, judgements.c.left_source.in_(list(sources)),
            judgements.c.right_source.in_(list(sources))))  # fmt: skip
        return
    ids = list(involving)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        conn.execute(
            delete(judgements).where(
                machine, or_(judgements.c.left_id.in_(chunk), judgements.c.right_id.in_(chunk))
            )
        )


JUDGEMENT_COLUMNS = ("pair", "origin", "left_id", "right_id", "left_source", "right_source",
                     "grp", "judgement", "probability", "weight", "detail", "actor", "reason",
                     "decided_at")  # fmt: skip


def _granted(visible: Visible, *columns: Any) -> list[Any]:
    """Conditions that keep rows whose ``columns`` name sources ``visible`` grants (none
    when it grants every source)."""
    if visible.complete:
        return []
    return [column.in_(list(visible.sources)) for column in columns]


def insert_judgements(conn: Connection, visible: Visible, rows: Iterable[Judgement]) -> int:
    now = utcnow()
    return bulk_insert_judgements(
        conn, visible, (tuple(_values(j, now)[c] for c in JUDGEMENT_COLUMNS) for j in rows)
    )


def bulk_insert_judgements(
    conn: Connection, visible: Visible, rows: Iterable[tuple[Any, ...]]
) -> int:
    """Insert judgement tuples (``JUDGEMENT_COLUMNS`` order) in bulk: executemany on
    SQLite, COPY on PostgreSQL. A machine's judgements come from a run that ``visible``
    granted (resolution: every source)."""
    if not conn.in_transaction():
        conn.begin()
    columns = ", ".join(JUDGEMENT_COLUMNS)
    raw = conn.connection.dbapi_connection
    assert raw is not None
    count = 0
    if conn.dialect.name == "sqlite":
        marks = ", ".join("?" for _ in JUDGEMENT_COLUMNS)
        cursor = raw.cursor()
        try:
            batch: list[tuple[Any, ...]] = []
            for row in rows:
                batch.append(_sqlite_row(row))
                if len(batch) >= CHUNK * 4:
                    cursor.executemany(f"INSERT INTO judgements ({columns}) VALUES ({marks})",
                                       batch)  # fmt: skip
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(f"INSERT INTO judgements ({columns}) VALUES ({marks})", batch)
                count += len(batch)
        finally:
            cursor.close()
        return count
    with (
        raw.cursor() as cursor,  # type: ignore[attr-defined]
        cursor.copy(  # type: ignore[attr-defined]
            f"COPY judgements ({columns}) FROM STDIN"
        ) as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _sqlite_row(row: tuple[Any, ...]) -> tuple[Any, ...]:
    *head, at = row
    return (*head, at.strftime("%Y-%m-%d %H:%M:%S.%f"))


def put_user_judgement(conn: Connection, visible: Visible, j: Judgement) -> None:
    """A person's judgement, about two records ``visible`` grants (anything else is a
    programming error: the service refuses unseen records as if they did not exist)."""
    if not (visible.sees(j.left_source) and visible.sees(j.right_source)):
        raise ValueError("a judgement about a record its author may not see")
    conn.execute(
        delete(judgements).where(judgements.c.pair == j.pair, judgements.c.origin == "user")
    )
    conn.execute(insert(judgements).values(**_values(j, utcnow())))


def get_judgements(conn: Connection, visible: Visible, pair: str) -> list[Judgement]:
    """The judgements of a pair whose two records ``visible`` grants."""
    rows = conn.execute(select(judgements).where(judgements.c.pair == pair))
    found = [Judgement.from_row(r) for r in rows]
    return [j for j in found if visible.sees(j.left_source) and visible.sees(j.right_source)]


JudgementRow = tuple[str, str, str, str, float]


def iter_group_judgements(
    conn: Connection, visible: Visible, group: str
) -> Iterator[JudgementRow]:
    """(left, right, origin, judgement, weight) of every judgement of a group between
    records of the sources ``visible`` grants."""
    query = select(
        judgements.c.left_id, judgements.c.right_id, judgements.c.origin,
        judgements.c.judgement, judgements.c.weight,
    ).where(judgements.c.grp == group,
            *_granted(visible, judgements.c.left_source, judgements.c.right_source))  # fmt: skip
    for row in conn.execute(query.execution_options(stream_results=True, yield_per=CHUNK)):
        yield row[0], row[1], row[2], row[3], row[4] if row[4] is not None else 0.0


def judgements_among(
    conn: Connection, visible: Visible, group: str, ids: Sequence[str]
) -> list[JudgementRow]:
    """(left, right, origin, judgement, weight) of the judgements between ``ids``, of
    records of the sources ``visible`` grants."""
    granted = _granted(visible, judgements.c.left_source, judgements.c.right_source)
    wanted = set(ids)
    out: list[JudgementRow] = []
    ordered = sorted(wanted)
    for start in range(0, len(ordered), CHUNK):
        query = select(
            judgements.c.left_id, judgements.c.right_id, judgements.c.origin,
            judgements.c.judgement, judgements.c.weight,
        ).where(judgements.c.grp == group, *granted,
                judgements.c.left_id.in_(ordered[start : start + CHUNK]))  # fmt: skip
        out.extend((r[0], r[1], r[2], r[3], r[4] if r[4] is not None else 0.0)
                   for r in conn.execute(query) if r[1] in wanted)  # fmt: skip
    return out


def review_queue(
    conn: Connection, bands: dict[str, tuple[float, float]], visible: Visible,
    limit: int, offset: int,
) -> tuple[list[Judgement], int]:  # fmt: skip
    """Model judgements between the thresholds that no person has decided yet, between
    records in two different subjects, both from sources the reader may see."""
    return _review(conn, bands, visible.sources, limit, offset)


def review_count(
    conn: Connection, bands: dict[str, tuple[float, float]], sources: Sequence[str]
) -> int:
    """How many pairs ``review_queue`` holds for a reader of ``sources`` (a count only)."""
    return _review(conn, bands, sources, 0, 0)[1]


def _review(
    conn: Connection, bands: dict[str, tuple[float, float]], sources: Sequence[str],
    limit: int, offset: int,
) -> tuple[list[Judgement], int]:  # fmt: skip
    user = judgements.alias("u")
    left = resolved_entities.alias("l")
    right = resolved_entities.alias("r")
    decided = select(user.c.pair).where(user.c.origin == "user")
    where = and_(
        judgements.c.origin == "model",
        or_(
            *(
                and_(
                    judgements.c.grp == group,
                    judgements.c.probability >= low,
                    judgements.c.probability < upper,
                )
                for group, (low, upper) in bands.items()
            )
        ),
        judgements.c.pair.not_in(decided),
        judgements.c.left_source.in_(list(sources)),
        judgements.c.right_source.in_(list(sources)),
        left.c.canonical_id != right.c.canonical_id,
    )
    joined = judgements.join(left, left.c.entity_id == judgements.c.left_id).join(
        right, right.c.entity_id == judgements.c.right_id
    )
    total = conn.execute(select(func.count()).select_from(joined).where(where)).scalar_one()
    if limit == 0:
        return [], int(total)
    rows = conn.execute(
        select(judgements).select_from(joined).where(where)
        .order_by(judgements.c.probability.desc(), judgements.c.pair)
        .limit(limit).offset(offset)
    )  # fmt: skip
    return [Judgement.from_row(r) for r in rows], int(total)


# --- canonical ids --------------------------------------------------------------------


@dataclass
class Resolved:
    entity_id: str
    group: str
    source: str
    record_key: str | None
    canonical_id: str
    digest: str


def resolved_state(
    conn: Connection, visible: Visible, group: str | None = None,
    ids: Sequence[str] | None = None,
) -> dict[str, Resolved]:  # fmt: skip
    """The resolved entities of the sources ``visible`` grants (of a group; or only
    ``ids``)."""
    query = select(resolved_entities).where(*_granted(visible, resolved_entities.c.source))
    if group is not None:
        query = query.where(resolved_entities.c.grp == group)
    if ids is not None:
        ordered = sorted(set(ids))
        out: dict[str, Resolved] = {}
        for start in range(0, len(ordered), CHUNK):
            chunk = query.where(resolved_entities.c.entity_id.in_(ordered[start : start + CHUNK]))
            out.update(_resolved(conn.execute(chunk)))
        return out
    return _resolved(conn.execute(query.execution_options(stream_results=True, yield_per=CHUNK)))


def _resolved(rows: Iterable[Any]) -> dict[str, Resolved]:
    return {r.entity_id: Resolved(r.entity_id, r.grp, r.source, r.record_key, r.canonical_id,
                                  r.digest) for r in rows}  # fmt: skip


def members(conn: Connection, visible: Visible, canonical_id: str) -> list[Resolved]:
    """The records of a subject that ``visible`` grants (in entity id order)."""
    rows = conn.execute(
        select(resolved_entities).where(
            resolved_entities.c.canonical_id == canonical_id,
            resolved_entities.c.source.in_(list(visible.sources)),
        ).order_by(resolved_entities.c.entity_id)
    )
    return [Resolved(r.entity_id, r.grp, r.source, r.record_key, r.canonical_id, r.digest)
            for r in rows]  # fmt: skip


def write_state(
    conn: Connection, visible: Visible, changed: Sequence[Resolved], gone: Sequence[str]
) -> None:
    """Upsert the resolved entities that changed; forget the ones no longer present.
    Every one is of a source ``visible`` grants."""
    if not visible.complete and any(not visible.sees(r.source) for r in changed):
        raise ValueError("a resolved entity of a source the run may not see")
    ids = [r.entity_id for r in changed] + list(gone)
    for start in range(0, len(ids), CHUNK):
        conn.execute(
            delete(resolved_entities).where(
                resolved_entities.c.entity_id.in_(ids[start : start + CHUNK])
            )
        )
    rows = [{"entity_id": r.entity_id, "grp": r.group, "source": r.source,
             "record_key": r.record_key, "canonical_id": r.canonical_id, "digest": r.digest}
            for r in changed]  # fmt: skip
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(resolved_entities), rows[start : start + CHUNK])


def set_canonical_ids(
    conn: Connection, visible: Visible, mapping: Sequence[tuple[str, str]]
) -> int:
    """Point every statement of each entity at its canonical id, in one set-based update
    (entities ``write_state`` checked against ``visible``)."""
    if not mapping:
        return 0
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql(
            "CREATE TEMP TABLE IF NOT EXISTS canon_map "
            "(entity_id TEXT PRIMARY KEY, canonical_id TEXT NOT NULL)"
        )
    else:
        conn.exec_driver_sql(
            "CREATE TEMP TABLE IF NOT EXISTS canon_map "
            "(entity_id TEXT PRIMARY KEY, canonical_id TEXT NOT NULL) ON COMMIT DELETE ROWS"
        )
    conn.exec_driver_sql("DELETE FROM canon_map")
    rows = [{"e": e, "c": c} for e, c in mapping]
    for start in range(0, len(rows), CHUNK):
        conn.execute(_CANON_INSERT, rows[start : start + CHUNK])
    for side in ("statements.canonical_id", "canon_map.canonical_id"):  # old and new subject
        conn.exec_driver_sql(
            f"INSERT INTO dirty_subjects (canonical_id, source) SELECT DISTINCT {side}, "
            "statements.source FROM statements JOIN canon_map "
            "ON statements.entity_id = canon_map.entity_id "
            "WHERE statements.canonical_id <> canon_map.canonical_id ON CONFLICT DO NOTHING"
        )
    result = conn.exec_driver_sql(
        "UPDATE statements SET canonical_id = canon_map.canonical_id FROM canon_map "
        "WHERE statements.entity_id = canon_map.entity_id "
        "AND statements.canonical_id <> canon_map.canonical_id"
    )
    conn.exec_driver_sql("DELETE FROM canon_map")
    return int(result.rowcount or 0)


def canonical_of_entity(conn: Connection, visible: Visible, entity_id: str) -> str | None:
    """The subject a record of a source ``visible`` grants is part of."""
    return conn.execute(
        select(resolved_entities.c.canonical_id).where(
            resolved_entities.c.entity_id == entity_id,
            *_granted(visible, resolved_entities.c.source),
        )
    ).scalar()


def linked(
    conn: Connection, visible: Visible, group: str, ids: Sequence[str], upper: float
) -> set[str]:
    """Entities joined to ``ids`` by a judgement that could merge them (between records
    of sources ``visible`` grants)."""
    granted = _granted(visible, judgements.c.left_source, judgements.c.right_source)
    out: set[str] = set()
    can_merge = or_(
        and_(judgements.c.origin == "model", judgements.c.probability >= upper),
        and_(judgements.c.origin == "user", judgements.c.judgement == "positive"),
    )
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        rows = conn.execute(
            select(judgements.c.left_id, judgements.c.right_id).where(
                judgements.c.grp == group, can_merge, *granted,
                or_(judgements.c.left_id.in_(chunk), judgements.c.right_id.in_(chunk)),
            )
        )  # fmt: skip
        for left, right in rows:
            out.add(left)
            out.add(right)
    return out


def possible_duplicates(conn: Connection, ids: Sequence[str], lower: dict[str, float]) -> set[str]:
    """Entities joined to ``ids`` by anything but a "different": a model score at or
    above its group's review band (``lower``), or a person's "same" or "unsure"."""
    out: set[str] = set()
    j = judgements.c
    maybe = or_(
        *[and_(j.origin == "model", j.grp == g, j.probability >= p) for g, p in lower.items()],
        and_(j.origin == "user", j.judgement != "negative"),
    )
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start : start + CHUNK])
        rows = conn.execute(
            select(j.left_id, j.right_id).where(
                maybe, or_(j.left_id.in_(chunk), j.right_id.in_(chunk))
            )
        )
        for left, right in rows:
            out.update((left, right))
    return out - set(ids)


def cluster_of(conn: Connection, visible: Visible, canonical_id: str) -> list[str]:
    """The records of a subject from sources ``visible`` grants (clustering after a
    person's decision: every source, as processing)."""
    query = select(resolved_entities.c.entity_id).where(
        resolved_entities.c.canonical_id == canonical_id,
        *_granted(visible, resolved_entities.c.source),
    )
    return list(conn.execute(query).scalars())
