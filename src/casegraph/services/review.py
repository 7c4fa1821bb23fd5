"""The review queue for one session: items of records that may join a subject, both
subjects whole, why they may be one in words, and a person's decision on the item.

An item (``store.resolution.review_items``, the one definition) is every pending pair of
records between two subjects; one decision settles all of them. Ranked by
``resolve.queue``. Reads go through the session's gate (``consult``: a purpose, the
reader's clearances, the ledger); a decision is a person's judgement on every pair it
settles, with its author and reason, and an audit entry.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from casegraph.access import roles
from casegraph.errors import NotFound, WorkspaceError
from casegraph.graph.subgraph import SEALED, subject_nodes
from casegraph.model.edges import kind_label
from casegraph.model.names import display_name, names_stated, record_name
from casegraph.model.visible import Visible
from casegraph.model.written import visible_length
from casegraph.resolve import explain, judge
from casegraph.resolve import model as defaults
from casegraph.resolve import queue as ranking
from casegraph.resolve.extract import PERSON
from casegraph.store import resolution as store
from casegraph.store.resolution import Bands, Judgement, ReviewItem, pair_key

if TYPE_CHECKING:
    from casegraph.service import Session

DECISIONS = ("positive", "negative", "unsure")
CONNECTIONS = 400  # relationships read per item page (a hub's thousands are not listed)


class ReviewService:
    def __init__(self, session: Session) -> None:
        self.s = session

    @property
    def bands(self) -> Bands:
        return {g: (t.lower, t.upper) for g, t in self.s.resolve.thresholds.items()}

    # --- the queue -------------------------------------------------------------------

    def pending(self) -> dict[str, int]:
        """How many items (and pending pairs in them) wait for this reader: counts, no
        names, so no purpose is needed."""
        self.s.require(roles.RESOLVE, "review matches")
        items, pairs = store.review_count(self.s.conn, self.bands, self.s.visible_sources())
        return {"items": items, "pairs": pairs}

    def queue(
        self, limit: int = 50, offset: int = 0, case: str | None = None,
        subject: str | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Items waiting for a person, the most worth deciding first (``resolve.queue``):
        all, those of one case's subjects (``case``: for its members; the case is the
        purpose of the read), or those of one subject."""
        self.s.require(roles.RESOLVE, "review matches")
        subjects = None
        if case is not None:
            subjects = self.s.cases.subject_ids(case)
        if subject is not None:
            subjects = [subject] if subjects is None else [x for x in subjects if x == subject]
        refs = {"limit": limit, "offset": offset, "case": case, "subject": subject}
        visible = self.s.consult("review.list", {k: v for k, v in refs.items() if v is not None},
                                 case=case)  # fmt: skip
        found = [_oriented(i) for i in
                 ranking.ranked(store.review_items(self.s.conn, self.bands, visible, subjects))]
        shown = found[offset : offset + limit]
        sides = self._sides(visible, sorted({s for i in shown for s in (i.left, i.right)}))
        return {
            "total": len(found),
            "pairs": sum(i.pairs for i in found),
            "case": case,
            "subject": subject,
            "items": [self._item(i, sides) for i in shown],
        }

    def _item(self, item: ReviewItem, sides: dict[str, dict[str, Any]]) -> dict[str, Any]:
        return {
            "id": item.id,
            "group": item.group,
            "pairs": item.pairs,
            "probability": item.probability,
            "records_moved": ranking.moved(item),
            "uncertainty": ranking.uncertainty(item.probability),
            "priority": ranking.priority(item),
            # the model's band: from ``lower`` a person is asked, from ``upper`` it merges
            "band": dict(zip(("lower", "upper"), self.bands[item.group], strict=True)),
            "left": {**sides[item.left], "records": item.left_records},
            "right": {**sides[item.right], "records": item.right_records},
        }

    def _sides(self, visible: Visible, subjects: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Each subject's display name and sources, over its records the reader sees."""
        stated: dict[str, list[tuple[str, str, str, str]]] = defaultdict(list)
        schema: dict[str, str] = {}
        if subjects:
            for row in self.s.statements(visible, canonical_ids=list(subjects)):
                stated[row.canonical_id].append((row.source, row.entity_id, row.prop, row.value))
                schema.setdefault(row.canonical_id, row.schema)
        out = {}
        for cid in subjects:
            rows = stated.get(cid, [])
            person = schema.get(cid) == "Person"
            name = display_name(names_stated(rows), person)
            out[cid] = {
                "subject": cid,
                "name": SEALED if cid in visible.sealed else name or cid,
                "sealed": cid in visible.sealed,
                "schema": schema.get(cid, "Thing"),
                "sources": sorted({r[0] for r in rows}),
            }
        return out

    # --- one item --------------------------------------------------------------------

    def _find(self, visible: Visible, item_id: str) -> tuple[ReviewItem, list[Judgement]]:
        found = next((_oriented(i) for i in store.review_items(self.s.conn, self.bands, visible)
                      if i.id == item_id), None)  # fmt: skip
        pairs = [] if found is None else \
            store.item_pairs(self.s.conn, self.bands, visible, found.left, found.right)  # fmt: skip
        if found is None or not pairs:
            raise NotFound(f"no review item {item_id!r} waiting (decided meanwhile, or never "
                           "there: see the queue)")  # fmt: skip
        return found, pairs

    def show(self, item_id: str) -> dict[str, Any]:
        """Both subjects whole (every record the reader sees, its facts and
        connections), why they may be one in words, and the waterfall of the strongest
        pending pair, in words and in Splink's terms."""
        self.s.require(roles.RESOLVE, "review matches")
        visible = self.s.consult("review.show", {"item": item_id})
        item, pairs = self._find(visible, item_id)
        person = item.group == PERSON
        records = self._records(visible, [item.left, item.right])
        names = self._sides(visible, [item.left, item.right])
        linked = self._connections(visible, [item.left, item.right])
        sides = {}
        for cid in (item.left, item.right):
            mine = sorted((r for r in records if r["subject"] == cid),
                          key=lambda r: (r["source"], r["name"].casefold(), r["id"]))  # fmt: skip
            sides[cid] = explain.Side(
                cid,
                mine,
                [f for r in mine for f in explain.record_facts(r, person)],
                linked.get(cid, []),
            )
        left, right = sides[item.left], sides[item.right]
        captions = (names[item.left]["name"], names[item.right]["name"])
        sealed = names[item.left]["sealed"] or names[item.right]["sealed"]
        # a sealed subject's facts are withheld: only the model's words speak for it
        reasons = [] if sealed else explain.reasons(left, right, captions, person)
        strongest = pairs[0]
        explanation = self._explanation(strongest)
        if explanation is not None:
            reasons += explain.waterfall_reasons(explanation["steps"], reasons)
        by_id = {r["id"]: r for r in records}
        earlier = store.person_judgements_between(
            self.s.conn,
            visible,
            [r["id"] for r in left.records],
            [r["id"] for r in right.records],
        )
        return {
            **self._item(item, names),
            "left": self._side(names[item.left], left, right, item.left_records),
            "right": self._side(names[item.right], right, left, item.right_records),
            "reasons": [r.to_dict() for r in reasons if not r.against],
            "against": [r.to_dict() for r in reasons if r.against],
            "strongest": {
                "pair": strongest.pair, "probability": strongest.probability,
                "weight": strongest.weight,
                "left": _named(by_id.get(strongest.left_id), strongest.left_id),
                "right": _named(by_id.get(strongest.right_id), strongest.right_id),
                "explanation": explanation,
            },
            "pending_pairs": [
                {"pair": p.pair, "probability": p.probability, "weight": p.weight,
                 "left": _named(by_id.get(p.left_id), p.left_id),
                 "right": _named(by_id.get(p.right_id), p.right_id)} for p in pairs
            ],
            "judgements": [{"judgement": j.judgement, "actor": j.actor, "reason": j.reason,
                            "left": j.left_id, "right": j.right_id} for j in earlier],
        }  # fmt: skip

    def _side(self, named: dict[str, Any], side: explain.Side, other: explain.Side,
              count: int) -> dict[str, Any]:  # fmt: skip
        """One subject as the API and the pages show it: its records, and its facts by
        kind, each value once with the sources that state it and whether the other
        subject states it too."""
        facts: dict[str, list[dict[str, Any]]] = {}
        for kind in explain.KINDS:
            theirs = other.keys(kind)
            for key, found in side.keys(kind).items():
                facts.setdefault(kind, []).append(
                    {
                        "value": found[0].text,
                        "label": explain.in_sentence(found[0].label),
                        "sources": sorted({f.source for f in found}),
                        "records": sorted({f.record for f in found}),
                        "shared": key in theirs,
                    }
                )
        others = {c[0] for c in other.connections}
        records = [
            {"id": r["id"], "source": r["source"], "schema": r["schema"], "name": r["name"],
             "properties": r["properties"]}
            for r in side.records
        ]  # fmt: skip
        return {
            **named,
            "records": count,
            "record_list": records,
            "facts": [
                {"kind": k, "label": explain.KIND_LABELS[k], "values": facts[k]}
                for k in explain.KINDS
                if k in facts
            ],
            "connections": [
                {"subject": cid, "name": name, "kind": kind, "shared": cid in others}
                for cid, name, kind in side.connections
            ],
        }

    def _records(self, visible: Visible, subjects: Sequence[str]) -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for row in self.s.statements(visible, canonical_ids=list(subjects)):
            rec = out.setdefault(row.entity_id, {"id": row.entity_id, "source": row.source,
                                                 "schema": row.schema, "subject": row.canonical_id,
                                                 "properties": defaultdict(list)})  # fmt: skip
            rec["properties"][row.prop].append(row.value)
        for rec in out.values():
            rec["properties"] = dict(rec["properties"])
            sealed = rec["subject"] in visible.sealed
            rec["name"] = SEALED if sealed else \
                record_name(rec["properties"], rec["schema"] == "Person") or rec["id"]  # fmt: skip
        return list(out.values())

    def _connections(self, visible: Visible, subjects: Sequence[str]
                     ) -> dict[str, list[tuple[str, str, str]]]:  # fmt: skip
        """(connected subject, its name, kind) of each subject's relationships."""
        rows = store.connections(self.s.conn, visible, subjects, CONNECTIONS)
        nodes = subject_nodes(self.s.conn, [r[1] for r in rows], visible)
        kinds: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for here, there, kind, _ in rows:
            if there not in subjects:  # the item's other side is no shared connection
                kinds[here].setdefault(there, []).append(kind)
        out = {
            cid: {there: (there, nodes[there]["caption"],
                          ", ".join(kind_label(k) for k in dict.fromkeys(found)))
                  for there, found in linked.items()}
            for cid, linked in kinds.items()
        }  # fmt: skip
        return {cid: sorted(found.values(), key=lambda c: c[1].casefold())
                for cid, found in out.items()}  # fmt: skip

    def _explanation(self, pair: Judgement) -> dict[str, Any] | None:
        model = store.load_model(self.s.conn, pair.group)
        if model is None or pair.detail is None:
            return None
        labels = judge.with_keys(defaults.comparison_labels(model), model)
        return judge.explain(pair.detail, labels, defaults.prior_weight(model))

    # --- decisions -------------------------------------------------------------------

    def decide(self, item_id: str, decision: str, reason: str) -> dict[str, Any]:
        """A person's decision on a whole item, which every later run keeps:

        - ``positive``: the two subjects are one: a person's "same" on every pending
          pair of the item (clustering must join them);
        - ``negative``: they are two: a person's "different" between every record of
          one side and every record of the other that the person sees, so that no
          pair across them is asked again and clustering never joins them;
        - ``unsure``: a person's "unsure" on every pending pair: the item leaves the
          queue, and the model's scores of those pairs no longer count.
        """
        self.s.require(roles.RESOLVE, "review matches")
        if decision not in DECISIONS:
            raise WorkspaceError(f"decision must be one of: {', '.join(DECISIONS)}")
        why = _reason(reason)
        visible = self.s.consult("review.decide", {"item": item_id, "decision": decision,
                                                   "reason": why})  # fmt: skip
        item, pairs = self._find(visible, item_id)
        left = store.members(self.s.conn, visible, item.left)
        right = store.members(self.s.conn, visible, item.right)
        if decision == "negative":
            judged = [(a.entity_id, b.entity_id, a.source, b.source) for a in left for b in right]
        else:
            judged = [(p.left_id, p.right_id, p.left_source, p.right_source) for p in pairs]
        actor = self.s.ctx.actor
        settled = store.put_user_judgements(self.s.conn, visible, [
            Judgement(key, "user", x, y, sx, sy, item.group, decision, None, None, None, actor,
                      why)
            for a, b, source_a, source_b in judged
            for key, x, y in [pair_key(a, b)]
            for sx, sy in [(source_a, source_b) if x == a else (source_b, source_a)]
        ])  # fmt: skip
        # the change, with the subjects it joins or keeps apart (a subject's report finds it)
        self.s.record("review.decided", {"item": item_id, "subjects": [item.left, item.right],
                                         "decision": decision, "pairs": settled})  # fmt: skip
        self.s.resolve.recluster(item.group, [m.entity_id for m in (*left, *right)])
        subject = store.canonical_of_entity(self.s.conn, visible, left[0].entity_id)
        self.s.index.after_change(permission=roles.RESOLVE)
        return {"item": item_id, "decision": decision, "subject": subject,
                "subjects": [item.left, item.right], "pairs": settled}  # fmt: skip

    # --- possible duplicates, where subjects are shown ---------------------------------

    def duplicates(self, visible: Visible, subjects: Sequence[str]) -> dict[str, list[str]]:
        """For each of ``subjects`` with review items, the ids of the items (read under
        the caller's own consultation: a search, a profile). The same definition as the
        queue; names nothing."""
        found = store.possible_duplicates(self.s.conn, self.bands, visible, subjects)
        return {cid: [item for _, item in items] for cid, items in found.items()}


def _oriented(item: ReviewItem) -> ReviewItem:
    """The subject the records may join first ("left"), the records that would move
    second: the bigger side first (in the records the reader sees), else in id order."""
    if item.right_records <= item.left_records:
        return item
    return replace(item, left=item.right, right=item.left, left_records=item.right_records,
                   right_records=item.left_records)


def _named(record: dict[str, Any] | None, entity_id: str) -> dict[str, Any]:
    if record is None:
        return {"id": entity_id, "source": None, "name": entity_id}
    return {"id": record["id"], "source": record["source"], "name": record["name"]}


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if visible_length(text) < 5:  # characters that show
        raise WorkspaceError("say why (--reason, at least 5 characters)")
    return text
