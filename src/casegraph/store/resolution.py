"""Stored resolution state: models, judgements, canonical ids (dialect SQL lives here)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, delete, exists, func, insert, or_, select
from sqlalchemy.engine import Connection

from casegraph.model.clock import utcnow
from casegraph.model.visible import Visible
from casegraph.store import bulk, graph_store, scratch, search_index
from casegraph.store.tables import (
    edges,
    judgements,
    resolve_models,
    resolved_entities,
)

CHUNK = 5000


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


def clear_rescored(conn: Connection, pairs: Sequence[str]) -> None:
    """Drop the model's stored judgements of ``pairs`` it has just scored again: an
    incremental run scores every pair of a group its new records join, older pairs
    included (the evidence against a merge inside the group)."""
    if not pairs:
        return
    scratch.fill(conn, "rescored", {"pair": "TEXT PRIMARY KEY"}, ((p,) for p in set(pairs)))
    conn.exec_driver_sql(
        "DELETE FROM judgements WHERE origin = 'model' AND pair IN (SELECT pair FROM rescored)"
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
    """Insert judgement tuples (``JUDGEMENT_COLUMNS`` order) in bulk. A machine's
    judgements come from a run that ``visible`` granted (resolution: every source)."""
    if conn.dialect.name == "sqlite":
        rows = (_sqlite_row(row) for row in rows)
    return bulk.insert_rows(conn, "judgements", JUDGEMENT_COLUMNS, rows)


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


def put_user_judgements(conn: Connection, visible: Visible, found: Sequence[Judgement]) -> int:
    """A person's judgements on many pairs at once (one decision on a review item),
    each replacing the earlier person's judgement of its pair (there is one per pair,
    as ``put_user_judgement`` keeps it); every record one ``visible`` grants."""
    if any(not (visible.sees(j.left_source) and visible.sees(j.right_source)) for j in found):
        raise ValueError("a judgement about a record its author may not see")
    pairs = sorted({j.pair for j in found})
    for start in range(0, len(pairs), CHUNK):
        conn.execute(delete(judgements).where(
            judgements.c.pair.in_(pairs[start : start + CHUNK]),
            judgements.c.origin == "user"))  # fmt: skip
    now = utcnow()
    rows = [_values(j, now) for j in {j.pair: j for j in found}.values()]
    for start in range(0, len(rows), CHUNK):
        conn.execute(insert(judgements), rows[start : start + CHUNK])
    return len(rows)


def get_judgements(conn: Connection, visible: Visible, pair: str) -> list[Judgement]:
    """The judgements of a pair whose two records ``visible`` grants."""
    rows = conn.execute(select(judgements).where(judgements.c.pair == pair))
    found = [Judgement.from_row(r) for r in rows]
    return [j for j in found if visible.sees(j.left_source) and visible.sees(j.right_source)]


JudgementRow = tuple[str, str, str, str, float]


def iter_group_judgements(
    conn: Connection, visible: Visible, group: str, origin: str | None = None
) -> Iterator[JudgementRow]:
    """(left, right, origin, judgement, weight) of every judgement of a group (of one
    ``origin``, if given) between records of the sources ``visible`` grants."""
    query = select(
        judgements.c.left_id, judgements.c.right_id, judgements.c.origin,
        judgements.c.judgement, judgements.c.weight,
    ).where(judgements.c.grp == group,
            *_granted(visible, judgements.c.left_source, judgements.c.right_source))  # fmt: skip
    if origin is not None:
        query = query.where(judgements.c.origin == origin)
    for row in conn.execute(query.execution_options(stream_results=True, yield_per=CHUNK)):
        yield row[0], row[1], row[2], row[3], row[4] if row[4] is not None else 0.0


def stored_pairs(conn: Connection, pairs: Sequence[str], origin: str) -> set[str]:
    """Which of these pair ids already have a judgement of ``origin``."""
    found: set[str] = set()
    ordered = sorted(set(pairs))
    for start in range(0, len(ordered), CHUNK):
        query = select(judgements.c.pair).where(
            judgements.c.origin == origin, judgements.c.pair.in_(ordered[start : start + CHUNK])
        )
        found.update(conn.execute(query).scalars())
    return found


def likely_pairs(
    conn: Connection, visible: Visible, group: str, upper: float
) -> list[tuple[str, str, float]]:
    """(left, right, probability) of the model's pairs of a group at or above ``upper``,
    between records of the sources ``visible`` grants."""
    j = judgements.c
    query = select(j.left_id, j.right_id, j.probability).where(
        j.grp == group, j.origin == "model", j.probability >= upper,
        *_granted(visible, j.left_source, j.right_source),
    )  # fmt: skip
    return [(a, b, float(p)) for a, b, p in conn.execute(query)]


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


# --- review items ---------------------------------------------------------------------
# The one definition of what waits for a person. A *pending pair* is a model judgement
# in its group's review band that no person has judged, between records of two
# different subjects, both from sources the reader may see. A *review item* is every
# pending pair between the same two subjects: "these records may join this subject".
# No item is proposed across a cannot-link: a person's "different", or what the records
# say (two named in one source record, or contradicting each other), between any records
# of the two subjects (of any source:
# clustering weighs them all, so an item it would refuse to join is never asked).

Bands = dict[str, tuple[float, float]]  # group -> (lower, upper) of its review band


def item_key(a: str, b: str) -> str:
    """The id of the review item between subjects ``a`` and ``b``: short enough to type,
    the same whichever side is named first, and the same for as long as both subjects
    are (a decision that changes one changes the question, and the id)."""
    left, right = sorted((a, b))
    return hashlib.sha1(f"{left}\x1f{right}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class ReviewItem:
    id: str
    group: str
    left: str  # the two subjects' canonical ids, in id order
    right: str
    pairs: int  # pending pairs between them
    probability: float  # of the strongest of them
    left_records: int  # records of each side the reader may see
    right_records: int


def _pending(bands: Bands, sources: Sequence[str], entities: Sequence[str] | None) -> Any:
    """Pending pairs as rows (pair, lo, hi, grp, probability): lo and hi the two
    subjects in id order; only pairs with a record among ``entities``, if given."""
    j = judgements.c
    user = judgements.alias("u")
    left = resolved_entities.alias("l")
    right = resolved_entities.alias("r")
    first = left.c.canonical_id < right.c.canonical_id
    lo = case((first, left.c.canonical_id), else_=right.c.canonical_id)
    hi = case((first, right.c.canonical_id), else_=left.c.canonical_id)
    in_band = or_(*(and_(j.grp == group, j.probability >= low, j.probability < high)
                    for group, (low, high) in bands.items()))  # fmt: skip
    sources = list(sources)
    where = [
        j.origin == "model", in_band,
        ~exists().where(user.c.pair == j.pair, user.c.origin == "user"),
        j.left_source.in_(sources), j.right_source.in_(sources),
        left.c.canonical_id != right.c.canonical_id,
    ]  # fmt: skip
    if entities is not None:
        where.append(or_(j.left_id.in_(list(entities)), j.right_id.in_(list(entities))))
    joined = judgements.join(left, left.c.entity_id == j.left_id).join(
        right, right.c.entity_id == j.right_id
    )
    return (
        select(j.pair, lo.label("lo"), hi.label("hi"), j.grp, j.probability)
        .select_from(joined).where(*where)
    )  # fmt: skip


def _blocked(lo: Any, hi: Any) -> Any:
    """A cannot-link between a record of subject ``lo`` and one of ``hi`` (either way
    round; two look-ups by index rather than one condition with OR)."""
    c = judgements.alias("c")
    a = resolved_entities.alias("ca")
    b = resolved_entities.alias("cb")
    against = or_(c.c.origin == "record", and_(c.c.origin == "user", c.c.judgement == "negative"))
    return [
        exists().where(a.c.canonical_id == x, c.c.left_id == a.c.entity_id,
                       b.c.entity_id == c.c.right_id, b.c.canonical_id == y, against)
        for x, y in ((lo, hi), (hi, lo))
    ]  # fmt: skip


def _entities_of(conn: Connection, visible: Visible, subjects: Sequence[str]) -> list[str]:
    """The records of ``subjects`` from the sources ``visible`` grants."""
    ordered = sorted(set(subjects))
    out: list[str] = []
    for start in range(0, len(ordered), CHUNK):
        out += conn.execute(
            select(resolved_entities.c.entity_id).where(
                resolved_entities.c.canonical_id.in_(ordered[start : start + CHUNK]),
                resolved_entities.c.source.in_(list(visible.sources)),
            )
        ).scalars()
    return out


def _lookup(entities: list[str] | None) -> list[str] | None:
    """Records to look pending pairs up by, or None to read the band and filter after
    (a subject of more records than one statement should list)."""
    return entities if entities is not None and len(entities) <= CHUNK else None


def review_items(
    conn: Connection, bands: Bands, visible: Visible, subjects: Sequence[str] | None = None
) -> list[ReviewItem]:
    """The review items of a reader who sees ``visible`` (those with a side among
    ``subjects``, if given), in id order: grouped, and cannot-links checked, by the
    database; the size of each side counted once per subject."""
    if not visible:
        return []
    entities = None if subjects is None else _entities_of(conn, visible, subjects)
    if entities is not None and not entities:
        return []
    query = _grouped(bands, visible.sources, _lookup(entities))
    wanted = None if subjects is None else set(subjects)
    found = {  # the database's order of the two ids may not be Python's (a collation)
        (min(lo, hi), max(lo, hi)): (group, int(pairs), float(best))
        for lo, hi, group, pairs, best in conn.execute(query)
        if wanted is None or lo in wanted or hi in wanted
    }
    sizes = subject_sizes(conn, visible, sorted({s for key in found for s in key}))
    return [
        ReviewItem(item_key(lo, hi), group, lo, hi, pairs, best, sizes.get(lo, 0),
                   sizes.get(hi, 0))
        for (lo, hi), (group, pairs, best) in sorted(found.items())
    ]  # fmt: skip


def review_count(conn: Connection, bands: Bands, sources: Sequence[str]) -> tuple[int, int]:
    """(items, pending pairs) that ``review_items`` holds for a reader of ``sources``:
    counts only, which name nothing and need no purpose."""
    if not sources:
        return 0, 0
    grouped = _grouped(bands, sources, None).subquery("items")
    items, pairs = conn.execute(select(func.count(), func.sum(grouped.c.pairs))).one()
    return int(items or 0), int(pairs or 0)


def _grouped(bands: Bands, sources: Sequence[str], entities: Sequence[str] | None) -> Any:
    """Review items as rows (lo, hi, grp, pairs, best probability)."""
    pending = _pending(bands, sources, entities).subquery("pending")
    p = pending.c
    grouped = (
        select(p.lo, p.hi, func.min(p.grp).label("grp"), func.count().label("pairs"),
               func.max(p.probability).label("best"))
        .group_by(p.lo, p.hi).subquery("grouped")
    )  # fmt: skip
    g = grouped.c
    return select(g.lo, g.hi, g.grp, g.pairs, g.best).where(
        *(~blocked for blocked in _blocked(g.lo, g.hi))
    )


def subject_sizes(conn: Connection, visible: Visible, subjects: Sequence[str]) -> dict[str, int]:
    """How many records of each subject come from sources ``visible`` grants."""
    out: dict[str, int] = {}
    r = resolved_entities.c
    for start in range(0, len(subjects), CHUNK):
        query = (
            select(r.canonical_id, func.count())
            .where(r.canonical_id.in_(list(subjects[start : start + CHUNK])),
                   r.source.in_(list(visible.sources)))
            .group_by(r.canonical_id)
        )  # fmt: skip
        out.update({cid: int(n) for cid, n in conn.execute(query)})
    return out


def item_pairs(
    conn: Connection, bands: Bands, visible: Visible, left: str, right: str
) -> list[Judgement]:
    """The pending pairs of the item between subjects ``left`` and ``right`` (none when
    a cannot-link lies between them), strongest first."""
    records = _lookup(_entities_of(conn, visible, [left]))
    pending = _pending(bands, visible.sources, records).subquery("pending")
    p = pending.c
    between = or_(and_(p.lo == left, p.hi == right), and_(p.lo == right, p.hi == left))
    wanted = select(p.pair).where(between, *(~b for b in _blocked(p.lo, p.hi)))
    rows = conn.execute(
        select(judgements).where(judgements.c.origin == "model", judgements.c.pair.in_(wanted))
        .order_by(judgements.c.probability.desc(), judgements.c.pair)
    )  # fmt: skip
    return [Judgement.from_row(r) for r in rows]


def person_judgements_between(
    conn: Connection, visible: Visible, left: Sequence[str], right: Sequence[str]
) -> list[Judgement]:
    """People's judgements between a record of ``left`` and one of ``right`` (records
    ``visible`` grants), newest first."""
    a, b = set(left), set(right)
    every = sorted(a | b)
    j = judgements.c
    found: list[Judgement] = []
    for start in range(0, len(every), CHUNK):
        chunk = every[start : start + CHUNK]
        rows = conn.execute(
            select(judgements)
            .where(j.origin == "user", j.left_id.in_(chunk), j.right_id.in_(every))
            .order_by(j.decided_at.desc())
        )
        found += [Judgement.from_row(r) for r in rows]
    return [x for x in found
            if ((x.left_id in a and x.right_id in b) or (x.left_id in b and x.right_id in a))
            and visible.sees(x.left_source) and visible.sees(x.right_source)]  # fmt: skip


def possible_duplicates(
    conn: Connection, bands: Bands, visible: Visible, subjects: Sequence[str]
) -> dict[str, list[tuple[str, str]]]:
    """For each of ``subjects`` with review items: (the other subject, the item id) of
    each, by the one definition of ``review_items``."""
    wanted = set(subjects)
    out: dict[str, list[tuple[str, str]]] = {}
    for item in review_items(conn, bands, visible, sorted(wanted)):
        for here, there in ((item.left, item.right), (item.right, item.left)):
            if here in wanted:
                out.setdefault(here, []).append((there, item.id))
    return out


def connections(
    conn: Connection, visible: Visible, subjects: Sequence[str], limit: int
) -> list[tuple[str, str, str, str | None]]:
    """(subject, connected subject, kind, record) of the relationships of ``subjects``
    (not shared values: they are facts of their own), from edges whose sources
    ``visible`` grants; the first ``limit`` of them. ``record``: the subject's record
    the relationship names, where the edge keeps it."""
    e = edges.c
    ends = sorted(set(subjects))
    out: list[tuple[str, str, str, str | None]] = []
    if not ends:
        return out
    granted = [e.source.in_(list(visible.sources)), e.source2.in_(list(visible.sources))]
    for here, there, entity in ((e.src, e.dst, e.src_entity), (e.dst, e.src, e.dst_entity)):
        rows = conn.execute(
            select(here, there, e.kind, entity)
            .where(here.in_(ends), there != here, ~e.kind.like("same:%"), *granted)
            .order_by(e.kind, e.id).limit(limit)
        )  # fmt: skip
        out += [(a, b, k, r) for a, b, k, r in rows]
    return out[:limit] if len(out) > limit else out


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
    # one set-based delete and one bulk insert (COPY on PostgreSQL): a first run at a
    # million records writes a million rows
    scratch.fill(conn, "state_ids", {"entity_id": "TEXT PRIMARY KEY"},
                 ((e,) for e in {*(r.entity_id for r in changed), *gone}))  # fmt: skip
    conn.exec_driver_sql(
        "DELETE FROM resolved_entities WHERE entity_id IN (SELECT entity_id FROM state_ids)"
    )
    bulk.insert_rows(conn, "resolved_entities",
                     ("entity_id", "grp", "source", "record_key", "canonical_id", "digest"),
                     ((r.entity_id, r.group, r.source, r.record_key, r.canonical_id, r.digest)
                      for r in changed))  # fmt: skip


def set_canonical_ids(
    conn: Connection, visible: Visible, mapping: Sequence[tuple[str, str]]
) -> int:
    """Point every statement of each entity at its canonical id, in one set-based update
    (entities ``write_state`` checked against ``visible``). Where all the records a
    subject had in a source move to one new subject that had none there, the index
    keeps that document and renames it (``_renames``); every other (subject, source)
    the move touches, old and new, is queued for re-indexing. Returns how many
    documents were renamed."""
    if not mapping:
        return 0
    scratch.fill(conn, "canon_map",
                 {"entity_id": "TEXT PRIMARY KEY", "canonical_id": "TEXT NOT NULL"}, mapping)
    scratch.fresh(conn, "canon_moves", _MOVE_COLUMNS)
    conn.exec_driver_sql(
        "INSERT INTO canon_moves (o, s, n) SELECT DISTINCT statements.canonical_id, "
        "statements.source, canon_map.canonical_id FROM statements JOIN canon_map "
        "ON statements.entity_id = canon_map.entity_id "
        "WHERE statements.canonical_id <> canon_map.canonical_id"
    )
    scratch.analyze(conn, "canon_moves")
    renames = _renames(conn)
    if renames:
        search_index.rename_docs(conn, "canon_renames")
        graph_store.rename_subjects(conn, "canon_renames")
    for side in ("o", "n"):  # the old and the new subject of every other move
        conn.exec_driver_sql(
            f"INSERT INTO dirty_subjects (canonical_id, source) SELECT DISTINCT m.{side}, m.s "
            "FROM canon_moves m WHERE NOT EXISTS (SELECT 1 FROM canon_renames r "
            "WHERE r.o = m.o AND r.s = m.s) ON CONFLICT DO NOTHING"
        )
    def moved() -> float:  # the share of records moving, as the share of statements
        return bulk.count(conn, "canon_moves") / max(1, bulk.count(conn, "resolved_entities"))

    with bulk.indexes_set_aside(conn, "statements", ("canonical_id",), moved):
        conn.exec_driver_sql(
            "UPDATE statements SET canonical_id = canon_map.canonical_id FROM canon_map "
            "WHERE statements.entity_id = canon_map.entity_id "
            "AND statements.canonical_id <> canon_map.canonical_id"
        )
    # PostgreSQL: a writer that queued an old document after ``_renames`` looked, and
    # committed before the update above (which waits for its rows), has its change in
    # the renamed document's records now: that document is rebuilt too
    conn.exec_driver_sql(
        "INSERT INTO dirty_subjects (canonical_id, source) SELECT r.n, r.s FROM canon_renames r "
        "WHERE EXISTS (SELECT 1 FROM dirty_subjects d WHERE d.canonical_id = r.o "
        "AND d.source = r.s) ON CONFLICT DO NOTHING"
    )
    conn.exec_driver_sql("DELETE FROM canon_map")
    return renames


_MOVE_COLUMNS = "o TEXT NOT NULL, s TEXT NOT NULL, n TEXT NOT NULL, PRIMARY KEY (o, s, n)"


def _renames(conn: Connection) -> int:
    """Fill ``canon_renames`` with the moves (old subject, source, new subject) of
    ``canon_moves`` that change nothing in a document but its subject: every record of
    the old subject in that source moves, all to the new one; no other subject's record
    of that source joins it, and the new subject has no record or document there yet;
    the old document is indexed and neither end waits for re-indexing. How many."""
    scratch.fresh(conn, "canon_renames", _MOVE_COLUMNS)  # (o, s) leads the key: joins use it
    conn.exec_driver_sql(
        "INSERT INTO canon_renames (o, s, n) SELECT o, s, min(n) FROM canon_moves "
        "GROUP BY o, s HAVING count(*) = 1"
    )
    conn.exec_driver_sql(
        "DELETE FROM canon_renames WHERE (n, s) IN "
        "(SELECT n, s FROM canon_moves GROUP BY n, s HAVING count(*) > 1) "
        "OR EXISTS (SELECT 1 FROM statements WHERE statements.canonical_id = canon_renames.n "
        "AND statements.source = canon_renames.s) "
        "OR EXISTS (SELECT 1 FROM statements LEFT JOIN canon_map "
        "ON canon_map.entity_id = statements.entity_id "
        "WHERE statements.canonical_id = canon_renames.o AND statements.source = canon_renames.s "
        "AND (canon_map.canonical_id IS NULL OR canon_map.canonical_id <> canon_renames.n)) "
        "OR EXISTS (SELECT 1 FROM dirty_subjects d WHERE d.source = canon_renames.s "
        "AND d.canonical_id IN (canon_renames.o, canon_renames.n)) "
        "OR EXISTS (SELECT 1 FROM search_docs d WHERE d.source = canon_renames.s "
        "AND d.canonical_id = canon_renames.n) "
        "OR NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.source = canon_renames.s "
        "AND d.canonical_id = canon_renames.o)"
    )
    scratch.analyze(conn, "canon_renames")
    return bulk.count(conn, "canon_renames")


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


def near_records(conn: Connection, ids: Sequence[str], lower: dict[str, float]) -> set[str]:
    """Entities joined to ``ids`` by anything but a "different": a model score at or
    above its group's review band (``lower``), or a person's "same" or "unsure". Wider
    than the review queue on purpose (sealing reads it: better one record too many
    sealed than an unmerged duplicate left open)."""
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


def clusters_of(conn: Connection, visible: Visible, entity_ids: Sequence[str]) -> set[str]:
    """The records of the subjects these records are part of, from sources ``visible``
    grants (clustering after a person's decision or a new batch: every source, as
    processing); one query per chunk of records."""
    r = resolved_entities.c
    seed = resolved_entities.alias("seed")
    found: set[str] = set()
    ordered = sorted(set(entity_ids))
    for start in range(0, len(ordered), CHUNK):
        subjects = select(seed.c.canonical_id).where(
            seed.c.entity_id.in_(ordered[start : start + CHUNK]),
            *_granted(visible, seed.c.source),
        )
        query = select(r.entity_id).where(r.canonical_id.in_(subjects),
                                          *_granted(visible, r.source))  # fmt: skip
        found.update(conn.execute(query).scalars())
    return found
