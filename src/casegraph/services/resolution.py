"""Entity resolution for one session: resolve runs, merges and splits (the review
queue is ``services/review.py``).

Reads go through the session's access-checked, audited read path; every decision is a
judgement with its author and reason, and an audit entry. A run computes everything
first and writes in one transaction at the end, so an interrupted run leaves the
previous canonical ids in force and re-running completes it.
"""

from __future__ import annotations

import csv
import math
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow.compute as pc

from casegraph.access import roles
from casegraph.errors import NotFound, WorkspaceError
from casegraph.model.visible import Visible
from casegraph.model.written import visible_length
from casegraph.resolve import canonical, engine, judge
from casegraph.resolve import extract as reading
from casegraph.resolve.cluster import components
from casegraph.resolve.extract import GROUPS, SCHEMA_GROUPS, Extracted, extract
from casegraph.resolve.judge import THRESHOLDS, Thresholds
from casegraph.store import resolution as store
from casegraph.store import resolve_records as records
from casegraph.store import sealing, statistics
from casegraph.store.resolution import Judgement, JudgementRow, Resolved, pair_key

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from casegraph.service import Session

DECISIONS = ("positive", "negative", "unsure")
Progress = Callable[[str], None]


@dataclass
class ResolveSummary:
    entities: dict[str, int] = field(default_factory=dict)
    scored: dict[str, int] = field(default_factory=dict)
    new: dict[str, int] = field(default_factory=dict)
    trained: list[str] = field(default_factory=list)
    skipped: int = 0
    merged: int = 0
    review: int = 0
    subjects: int = 0
    changed: int = 0
    mode: str = "full"
    # seconds per phase, in the order they ran: read, then per group train and score,
    # then per group judgements, cluster and canonical ids, then the search index
    phases: dict[str, float] = field(default_factory=dict)
    standardised: int = 0  # records standardised (the rest reused the last run's)
    # entities whose statements were read: every one, or those written or erased since
    # the last run (the others' records taken as it kept them)
    read: int = 0
    read_every: bool = True
    # search documents: renamed to the subject their records joined, and rebuilt
    renamed: int = 0
    reindexed: int = 0

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            spent = time.perf_counter() - started
            self.phases[name] = round(self.phases.get(name, 0.0) + spent, 3)


def _quiet(_: str) -> None:
    return None


class ResolveService:
    def __init__(self, session: Session) -> None:
        self.s = session
        self.thresholds: dict[str, Thresholds] = current_thresholds(session.conn)

    # --- runs -----------------------------------------------------------------------

    def run(
        self,
        schema: str | None = None,
        engine_name: str = "duckdb",
        full: bool = False,
        retrain: bool = False,
        progress: Progress = _quiet,
    ) -> ResolveSummary:
        self.s.require(roles.RESOLVE, "resolve entities")
        if schema is not None and schema not in SCHEMA_GROUPS:
            raise WorkspaceError(
                f"cannot resolve {schema!r}; use one of: {', '.join(SCHEMA_GROUPS)}"
            )
        if engine_name not in engine.ENGINES:
            raise WorkspaceError(f"unknown engine {engine_name!r}; use duckdb or spark")
        progress("reading statements")
        # processing of every source: the subjects are the same whoever looks at them,
        # and what a person sees of them (review queue, profiles) passes the gate
        visible = self.s.process("resolve.read", roles.RESOLVE, {"schema": schema or "all"},
                                 every_source=True)  # fmt: skip
        summary = ResolveSummary()
        with summary.phase("read"):
            statistics.refresh(self.s.conn)  # PostgreSQL: plans for what ingest loaded
            data = self._read(visible, schema, full, progress, summary)
        summary.skipped = data.skipped
        self.s.commit()  # the read is on record; the long computation holds no lock
        statistics.refresh(self.s.conn)  # and for what the read kept
        plans = [self._score(visible, group, data, engine_name, full, retrain, summary,
                             progress) for group in GROUPS if data.count(group)]  # fmt: skip
        summary.mode = "incremental" if plans and all(p["incremental"] for p in plans) \
            else "full"  # fmt: skip
        progress("writing judgements and canonical ids")
        for plan in plans:
            self._write(plan, data, visible, summary)
        self.s.record("resolve.run", summary.as_dict())
        progress("updating the search index and graph")
        with summary.phase("search index and graph"):
            counts = self.s.index.after_change(permission=roles.RESOLVE)
        summary.reindexed = counts["subjects"]
        return summary

    def _read(self, visible: Visible, schema: str | None, full: bool, progress: Progress,
              summary: ResolveSummary) -> Extracted:  # fmt: skip
        """The records to resolve. Reads the statements of the entities written or erased
        since the last run and takes what that run kept of the others; reads every
        statement on a full run, on the first, and once the standardising code changed
        (reusing the features of records whose statements did not change)."""
        conn = self.s.conn
        pending = records.take_pending(conn)
        schemata = SCHEMA_GROUPS.get(schema or "")
        sources = sorted(visible.sources)

        def report(count: int) -> None:
            progress(f"reading statements: {count:,} entities")

        summary.read_every = full or records.version(conn) != reading.VERSION
        if summary.read_every:
            cache = records.keys(conn, sources)
            data = extract(self.s.statement_values(visible), schemata, report, cache)
            stale = [e for e in cache if e not in data.read]
            del cache  # not held through training and scoring
            records.set_version(conn, reading.VERSION)
        else:
            ids = sorted(pending)
            rows = self.s.statement_values(visible, ids)
            kept = records.records(conn, sources, pending)
            data = extract(rows, schemata, report, records.keys(conn, sources, ids), kept)
            stale = [e for e in ids if e not in data.read]
        records.save(conn, data.fresh, stale)
        summary.read, summary.standardised = len(data.read), data.standardised
        data.fresh, data.read = [], set()
        return data

    def _score(self, visible: Visible, group: str, data: Extracted, engine_name: str,
               full: bool, retrain: bool, summary: ResolveSummary,
               progress: Progress) -> dict[str, Any]:  # fmt: skip
        table = data.table(group)
        model = None if retrain else store.load_model(self.s.conn, group)
        trained = model is None
        if model is None:
            progress(f"training the {group} model on {table.num_rows:,} records")
            labels = self._labels(visible, group)
            with summary.phase(f"train {group}"):
                model = engine.train(table, group, engine_name, progress, labels=labels,
                                     band=(THRESHOLDS[group].lower, THRESHOLDS[group].upper))
            summary.trained.append(group)
        self.thresholds[group] = judge.thresholds_of(group, model)
        state = store.resolved_state(self.s.conn, visible, group)
        ids = table.column("unique_id").to_pylist()
        digests = table.column("digest").to_pylist()
        new = {i for i, d in zip(ids, digests, strict=True)
               if i not in state or state[i].digest != d}  # fmt: skip
        incremental = not (full or trained or not state)
        if incremental and not new:
            progress(f"{group}: no new or changed records")
            pairs = None
        else:
            progress(f"scoring {group} pairs" + (f" for {len(new):,} new records"
                                                 if incremental else ""))  # fmt: skip
            t = self.thresholds[group]
            with summary.phase(f"score {group}"):
                # the groups new records join are formed as a full run forms them
                known = store.likely_pairs(self.s.conn, visible, group, t.upper) \
                    if incremental else []  # fmt: skip
                pairs = engine.predict(model, group, table, engine_name, (t.lower, t.upper),
                                       new if incremental else None, known)  # fmt: skip
            summary.scored[group] = pairs.num_rows
            probability = pairs.column("match_probability")
            summary.review += (
                pc.sum(
                    pc.and_(pc.greater_equal(probability, t.lower), pc.less(probability, t.upper))
                ).as_py()
                or 0
            )
        summary.entities[group] = len(ids)
        summary.new[group] = len(new)
        return {"group": group, "model": model, "trained": trained, "pairs": pairs,
                "incremental": incremental, "new": new, "table": table, "state": state}  # fmt: skip

    def _labels(self, visible: Visible, group: str) -> list[engine.Label]:
        """People's decisions on pairs of the group, each with the match weight the
        model gave the pair when it scored it (None when it never did: a split's
        "different" between records no model pair joined)."""
        decided = [(left, right, decision == "positive") for left, right, _, decision, _
                   in store.iter_group_judgements(self.s.conn, visible, group, "user")
                   if decision in ("positive", "negative")]  # fmt: skip
        records = sorted({e for a, b, _ in decided for e in (a, b)})
        scored = {(a, b): weight for a, b, origin, _, weight
                  in store.judgements_among(self.s.conn, visible, group, records)
                  if origin == "model"}  # fmt: skip
        return [(a, b, same, scored.get((a, b))) for a, b, same in decided]

    def _write(self, plan: dict[str, Any], data: Extracted, visible: Visible,
               summary: ResolveSummary) -> None:  # fmt: skip
        group, table, state = plan["group"], plan["table"], plan["state"]
        actor = self.s.ctx.actor
        if plan["trained"]:
            store.save_model(self.s.conn, group, plan["model"], table.num_rows, actor)
        ids = table.column("unique_id").to_pylist()
        sources = dict(zip(ids, table.column("source").to_pylist(), strict=True))
        present = set(ids)
        if plan["pairs"] is not None:
            with summary.phase(f"judgements {group}"):
                store.clear_machine_judgements(
                    self.s.conn, group, visible,
                    sorted(plan["new"]) if plan["incremental"] else None,
                )  # fmt: skip
                made = list(judge.model_rows(plan["pairs"], group, sources,
                                             self.thresholds[group], actor))  # fmt: skip
                if plan["incremental"]:
                    store.clear_rescored(self.s.conn, [row[0] for row in made])
                store.bulk_insert_judgements(self.s.conn, visible, made)
        gone = [e for e, r in state.items() if visible.sees(r.source) and e not in present]
        dropped = frozenset(gone)
        current = {e: r for e, r in state.items() if e not in dropped}
        keys = data.record_keys
        dirty = []  # new or changed records: stored with their digest whatever the clusters
        for e, d in zip(ids, table.column("digest").to_pylist(), strict=True):
            if e not in state or state[e].digest != d:
                previous = state[e].canonical_id if e in state else e
                current[e] = Resolved(e, group, sources[e], keys.get(e), previous, d)
                dirty.append(e)
        untouched: Counter[str] = Counter()  # subjects not clustered again: their sizes
        with summary.phase(f"judgements {group}"):
            if plan["incremental"]:
                # only the clusters that what changed can reach are clustered again: the
                # rest keep their ids, as after a person's decision (``recluster``)
                reach = self._reach(visible, group, sorted({*dirty, *gone}))
                untouched.update(r.canonical_id for e, r in current.items() if e not in reach)
                current = {e: r for e, r in current.items() if e in reach}
                rows = store.judgements_among(self.s.conn, visible, group, sorted(current))
            else:
                rows = [r for r in store.iter_group_judgements(self.s.conn, visible, group)
                        if r[0] in current and r[1] in current]  # fmt: skip
            if plan["pairs"] is not None:
                links = self._record_cannot_links(visible, group, data, rows, sources,
                                                  judge.contradicting(plan["pairs"]))  # fmt: skip
                # stored whatever their reach; clustered where both records are
                rows += [r for r in links if r[0] in current and r[1] in current]
        result = self._cluster(visible, group, current, rows, dirty, gone, summary)
        summary.merged += result["merged"] + sum(n for n in untouched.values() if n > 1)
        summary.subjects += result["subjects"] + len(untouched)
        summary.changed += result["changed"]
        summary.renamed += result["renamed"]

    def _record_cannot_links(self, visible: Visible, group: str, data: Extracted,
                             rows: list[JudgementRow], sources: dict[str, str],
                             contradicting: list[tuple[str, str]],
                             ) -> list[JudgementRow]:  # fmt: skip
        """Store what the records themselves say against a merge: "named in the same
        source record" between two records where it can matter, both in one group of
        possible matches (pairs at or above the review band, or a person's "same";
        elsewhere nothing could join them, and a patent with a hundred co-authors would
        store five thousand of them), and the scored pairs whose records contradict each
        other. Returns the rows stored."""
        lowest = self.thresholds[group].lower
        floor = math.log2(lowest / (1 - lowest))
        reach = components((left, right) for left, right, origin, decision, weight in rows
                           if (origin == "model" and weight >= floor)
                           or (origin == "user" and decision == "positive"))  # fmt: skip
        wanted = [(a, b) for a, b in data.cannot_link
                  if a in sources and b in sources and reach(a) == reach(b)]  # fmt: skip
        group_of = dict.fromkeys(sources, group)
        made = list(judge.record_judgements(wanted, group_of, sources, self.s.ctx.actor))
        apart = {pair_key(a, b)[1:] for a, b in contradicting} \
            - {(j.left_id, j.right_id) for j in made}  # fmt: skip
        made += judge.record_judgements(sorted(apart), group_of, sources, self.s.ctx.actor,
                                        judge.CONTRADICTED)  # fmt: skip
        # what earlier runs stored stays (an incremental run's rows cover only the part
        # it clusters again, so the store is asked)
        stored = store.stored_pairs(self.s.conn, [j.pair for j in made], "record")
        made = [j for j in made if j.pair not in stored]
        store.insert_judgements(self.s.conn, visible, made)
        return [(j.left_id, j.right_id, j.origin, j.judgement, 0.0) for j in made]

    # --- clustering from stored judgements ---------------------------------------------

    def recluster(self, group: str, seeds: Sequence[str]) -> dict[str, int]:
        """After a person's decision about ``seeds``: recompute the canonical ids of the
        part of the group that the decision can change. Processing of every source: the
        decision judged only records its author sees, clustering weighs them all."""
        every = self.s.process("resolve.recluster", roles.RESOLVE, {"group": group},
                               every_source=True)  # fmt: skip
        reach = sorted(self._reach(every, group, seeds))
        state = store.resolved_state(self.s.conn, every, group, reach)
        rows = store.judgements_among(self.s.conn, every, group, list(state))
        return self._cluster(every, group, state, rows, [], [])

    def _cluster(self, visible: Visible, group: str, state: dict[str, Resolved],
                 rows: Iterable[JudgementRow], dirty: Sequence[str],
                 gone: Sequence[str], timed: ResolveSummary | None = None,
                 ) -> dict[str, int]:  # fmt: skip
        """Cluster ``state`` by ``rows`` and store the outcome once: resolved entities that
        are new, changed or moved to another subject, and the canonical id of their
        statements (a changed record's new statements start under its own id). A run
        passes its summary, ``timed``, to record how long each half took."""
        timer = timed or ResolveSummary()
        with timer.phase(f"cluster {group}"):
            found = judge.clusters(state.keys(), rows, self.thresholds[group])
            previous = {e: r.canonical_id for e, r in state.items()}
            assigned = canonical.assign(found.values(), previous)
        moved = [e for e, c in assigned.items() if previous[e] != c]
        with timer.phase(f"canonical ids {group}"):
            self._carry_seals(previous, assigned)
            write = sorted(set(moved) | set(dirty))
            store.write_state(
                self.s.conn, visible,
                [Resolved(e, group, state[e].source, state[e].record_key, assigned[e],
                          state[e].digest) for e in write],
                gone,
            )  # fmt: skip
            renamed = store.set_canonical_ids(self.s.conn, visible,
                                              [(e, assigned[e]) for e in write])  # fmt: skip
        merged = sum(len(m) for m in found.values() if len(m) > 1)
        return {"merged": merged, "subjects": len(found), "changed": len(moved),
                "renamed": renamed}  # fmt: skip

    def _reach(self, visible: Visible, group: str, seeds: Sequence[str]) -> set[str]:
        """Entities whose cluster a decision about ``seeds`` can change: those joined to
        them by judgements that could merge (above the threshold, or a person's)."""
        seen = set(seeds) | store.clusters_of(self.s.conn, visible, seeds)
        frontier = set(seen)
        while frontier:
            linked = store.linked(self.s.conn, visible, group, sorted(frontier),
                                  self.thresholds[group].upper)  # fmt: skip
            frontier = linked - seen
            seen |= frontier
        return seen

    def _carry_seals(self, previous: dict[str, str], assigned: dict[str, str]) -> None:
        """A sealed subject stays sealed whatever resolution does to its id."""
        flagged = sealing.flagged_ids(self.s.conn)
        if not flagged:
            return
        moved: dict[str, set[str]] = defaultdict(set)
        for entity, old in previous.items():
            new = assigned.get(entity, old)
            if new != old and old in flagged:
                moved[old].add(new)
        for old, news in moved.items():
            reason = sealing.flag_of(self.s.conn, old) or "flagged"
            for new in news:
                sealing.flag(self.s.conn, new, reason, "resolve")

    def _judge(self, visible: Visible, a: str, b: str, source_a: str, source_b: str,
               group: str, decision: str, reason: str) -> None:  # fmt: skip
        pair, left, right = pair_key(a, b)
        sources = {a: source_a, b: source_b}
        store.put_user_judgement(self.s.conn, visible, Judgement(
            pair, "user", left, right, sources[left], sources[right], group, decision,
            None, None, None, self.s.ctx.actor, reason))  # fmt: skip

    # --- merges and splits ------------------------------------------------------------

    def _subject(self, visible: Visible, subject_id: str) -> list[Resolved]:
        """The records of a subject that the caller may see; a subject with none is one
        that does not exist."""
        found = store.members(self.s.conn, visible, subject_id)
        if not found:
            raise NotFound(f"no subject {subject_id!r} among resolved entities")
        return found

    def _subjects_of(self, visible: Visible, records: Sequence[Resolved]) -> list[str]:
        """The subjects the caller sees these records in now."""
        return sorted({store.canonical_of_entity(self.s.conn, visible, m.entity_id) or ""
                       for m in records})  # fmt: skip

    def merge(self, a: str, b: str, reason: str) -> dict[str, Any]:
        """Two subjects are one: a person's "same" between them, on every later run.
        Only records the caller may see are judged, counted or named."""
        self.s.require(roles.RESOLVE, "merge subjects")
        why = _reason(reason)
        visible = self.s.consult("subject.merge", {"subjects": [a, b], "reason": why})
        left, right = self._subject(visible, a), self._subject(visible, b)
        if left[0].group != right[0].group:
            raise WorkspaceError("a person and an organisation cannot be merged")
        if a == b:
            raise WorkspaceError("that is the same subject twice")
        x, y = left[0], right[0]
        self._judge(visible, x.entity_id, y.entity_id, x.source, y.source, x.group,
                    "positive", why)  # fmt: skip
        # what the records say against it (named in one record, contradicting dates of
        # birth) is overridden between these two subjects: the person has seen both
        ours = {m.entity_id: m for m in [*left, *right]}
        sides = {m.entity_id: 0 for m in left} | {m.entity_id: 1 for m in right}
        for a, b, origin, _, _ in store.judgements_among(self.s.conn, visible, x.group,
                                                         list(ours)):  # fmt: skip
            if origin == "record" and sides[a] != sides[b]:
                self._judge(visible, a, b, ours[a].source, ours[b].source, x.group,
                            "positive", why)  # fmt: skip
        self.recluster(x.group, [x.entity_id, y.entity_id])
        self.s.index.after_change(permission=roles.RESOLVE)
        return {"subject": store.canonical_of_entity(self.s.conn, visible, x.entity_id),
                "records": len(left) + len(right)}  # fmt: skip

    def split(self, subject_id: str, records: Sequence[str], reason: str) -> dict[str, Any]:
        """Take records out of a subject: "different" between them and the rest, "same"
        among them, so they stay together and apart from the rest. Only records the
        caller may see can be moved, and only they are named or counted: one the caller
        may not see is refused as if it did not exist."""
        self.s.require(roles.RESOLVE, "split subjects")
        why = _reason(reason)
        visible = self.s.consult("subject.split", {"subject": subject_id,
                                                   "records": list(records), "reason": why})
        found = self._subject(visible, subject_id)
        by_id = {m.entity_id: m for m in found}
        unknown = [r for r in records if r not in by_id]
        if unknown:
            raise WorkspaceError(
                f"not records of subject {subject_id}: {', '.join(unknown)} "
                f"(its records: {', '.join(sorted(by_id))})"
            )
        out = [by_id[r] for r in dict.fromkeys(records)]
        rest = [m for m in found if m.entity_id not in set(records)]
        if not out or not rest:
            raise WorkspaceError("a split needs some records to move and some to stay")
        for m in out:
            for n in rest:
                self._judge(visible, m.entity_id, n.entity_id, m.source, n.source, m.group,
                            "negative", why)  # fmt: skip
        for m, n in pairwise(out):
            self._judge(visible, m.entity_id, n.entity_id, m.source, n.source, m.group,
                        "positive", why)  # fmt: skip
        self.recluster(found[0].group, [m.entity_id for m in found])
        self.s.index.after_change(permission=roles.RESOLVE)
        return {"subjects": self._subjects_of(visible, found), "moved": len(out)}

    # --- export ---------------------------------------------------------------------

    def export_clusters(self, out: Path) -> int:
        """``source, record_key, entity_id, canonical_id`` of every resolved entity the
        reader may see."""
        self.s.require(roles.EXPORT, "export clusters")
        visible = self.s.consult("clusters.export")
        state = store.resolved_state(self.s.conn, visible)
        sealed = visible.sealed  # their record keys would name them in the source systems
        rows = sorted((r for r in state.values() if r.canonical_id not in sealed),
                      key=lambda r: (r.source, r.entity_id))  # fmt: skip
        self.s.record("export", {"format": "clusters", "rows": len(rows),
                                 "recipient": self.s.ctx.actor})  # fmt: skip
        self.s.commit()
        with out.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["source", "record_key", "entity_id", "canonical_id"])
            for r in rows:
                writer.writerow([r.source, r.record_key or "", r.entity_id, r.canonical_id])
        return len(rows)


def current_thresholds(conn: Connection) -> dict[str, Thresholds]:
    """Each group's thresholds as its stored model has them (moved by people's decisions
    when it was trained on them), else the defaults."""
    return {group: judge.thresholds_of(group, store.load_model(conn, group))
            for group in GROUPS}  # fmt: skip


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if visible_length(text) < 5:  # characters that show
        raise WorkspaceError("say why (--reason, at least 5 characters)")
    return text
