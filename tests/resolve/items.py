"""Review items for tests: model judgements in the review band, put between two subjects
of a resolved population as a resolve run would write them (set-up, below the gate)."""

from __future__ import annotations

import math

from sqlalchemy import delete

from casegraph.resolve.judge import THRESHOLDS
from casegraph.service import Session
from casegraph.store import resolution as rstore
from casegraph.store.tables import judgements
from tests.conftest import everything

BETWEEN = (THRESHOLDS["person"].lower + THRESHOLDS["person"].upper) / 2  # needs review


def subjects(s: Session, group: str = "person") -> dict[str, list[rstore.Resolved]]:
    """Subject -> its records, of every source."""
    out: dict[str, list[rstore.Resolved]] = {}
    for r in rstore.resolved_state(s.conn, everything(s), group).values():
        out.setdefault(r.canonical_id, []).append(r)
    return {cid: sorted(found, key=lambda r: r.entity_id) for cid, found in sorted(out.items())}


def pick(s: Session, sizes: tuple[int, int] = (2, 1), skip: int = 0) -> tuple[str, str]:
    """Two different subjects of these sizes (in records), the ``skip``-th such couple."""
    found = subjects(s)
    first = [c for c, rs in found.items() if len(rs) == sizes[0]]
    second = [c for c, rs in found.items() if len(rs) == sizes[1] and c != first[skip]]
    return first[skip], second[skip]


def score(s: Session, a: str, b: str, probability: float = BETWEEN, origin: str = "model",
          judgement: str = "unsure") -> None:  # fmt: skip
    """A judgement between records ``a`` and ``b`` (replacing any of the same origin): a
    model's has the match weight of its probability, and the detail of some model
    judgement so that the waterfall has steps."""
    every = everything(s)
    state = rstore.resolved_state(s.conn, every, None, [a, b])
    pair, left, right = rstore.pair_key(a, b)
    s.conn.execute(delete(judgements).where(judgements.c.pair == pair,
                                            judgements.c.origin == origin))  # fmt: skip
    model = _a_model_judgement(s)
    rstore.insert_judgements(s.conn, every, [rstore.Judgement(
        pair, origin, left, right, state[left].source, state[right].source, "person",
        judgement, probability if origin == "model" else None,
        math.log2(probability / (1 - probability)) if origin == "model" else None,
        model.detail if origin == "model" else None, "test", None)])  # fmt: skip


def between(s: Session, left: str, right: str, probability: float = BETWEEN) -> str:
    """Model judgements in the band between every record of subject ``left`` and every
    record of ``right``: one review item of several pairs. Its id."""
    found = subjects(s)
    for a in found[left]:
        for b in found[right]:
            score(s, a.entity_id, b.entity_id, probability)
    return rstore.item_key(left, right)


def _a_model_judgement(s: Session) -> rstore.Judgement:
    every = everything(s)
    for left, right, origin, _, _ in rstore.iter_group_judgements(s.conn, every, "person"):
        if origin == "model":
            found = rstore.get_judgements(s.conn, every, rstore.pair_key(left, right)[0])
            return next(j for j in found if j.origin == "model")
    raise AssertionError("no model judgement to copy")
