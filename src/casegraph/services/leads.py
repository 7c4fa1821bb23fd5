"""Screening and leads through the audited session.

``screen`` compares every subject of a scope (a case's subjects, or a source's) with
every entry of a list source (a sanctions, debarment or PEP list, loaded through a
mapping like any other source) and keeps the pairs at or above a threshold as leads.
A screening is a consultation under a purpose: the case for a case's scope (membership
is its purpose), otherwise the caller's case or written justification, which the
screening keeps for its later runs. Never the whole population: a scope is required.

A screening is kept (``screenings``), and each run compares only what changed: the
digest of what was compared of each subject and entry at the last run is its
watermark, so a run compares changed subjects with every entry and unchanged subjects
with changed entries only. Runs go in chunks of subjects, each committed with its
leads and the run's cursor; an interrupted run is resumed by the same command. When a
list source is loaded again, its screenings run again by themselves (``after_ingest``).

Leads keep the decision on them (confirmed, dismissed with a reason) and the case they
were linked to across re-runs; a re-run refreshes the score and the reasons.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from casegraph.access import roles
from casegraph.errors import InvalidInput, NotFound, not_registered
from casegraph.leads.parties import Builder, Party, address_text
from casegraph.leads.screening import ListIndex
from casegraph.model.clock import utcnow
from casegraph.model.statements import StatementRow
from casegraph.model.visible import Visible
from casegraph.model.written import visible_length
from casegraph.store import leads as store

if TYPE_CHECKING:
    from casegraph.service import Session

Progress = Callable[[str, int, int], None]
DEFAULT_THRESHOLD = 0.7
CHUNK = 2000  # subjects read, compared and committed together
STATUSES = ("open", "confirmed", "dismissed")
DECISIONS = {"confirm": "confirmed", "dismiss": "dismissed", "reopen": "open"}


def _quiet(label: str, position: int, total: int) -> None:
    return None


def parse_scope(scope: str) -> tuple[str, str]:
    kind, _, value = scope.partition(":")
    if kind not in ("case", "source") or not value:
        raise InvalidInput(f"a scope is case:ID or source:NAME, not {scope!r}; screening "
                           "is never run over every subject")  # fmt: skip
    return kind, value


def screening_id(against: str, scope: str) -> str:
    return hashlib.sha1(f"{against}\x1f{scope}".encode()).hexdigest()[:20]


def lead_id(against: str, subject: str, entry: str) -> str:
    return hashlib.sha1(f"screening\x1f{against}\x1f{subject}\x1f{entry}".encode()).hexdigest()[:20]


def _parties(rows: Iterable[StatementRow], addresses: dict[str, str]) -> Iterator[Builder]:
    """Builders of each subject in ``rows`` (ordered by subject); Address entities
    among them go into ``addresses`` instead."""
    current: Builder | None = None
    for row in rows:
        if row.schema == "Address":
            continue
        if current is None or current.id != row.canonical_id:
            if current is not None:
                yield current
            current = Builder(row.canonical_id)
        current.add(row.entity_id, row.source, row.schema, row.prop, row.prop_type, row.value)
    if current is not None:
        yield current


def _addresses(rows: Iterable[StatementRow]) -> dict[str, str]:
    parts: dict[str, dict[str, list[str]]] = {}
    for row in rows:
        if row.schema == "Address":
            parts.setdefault(row.entity_id, {}).setdefault(row.prop, []).append(row.value)
    return {entity: address_text(values) for entity, values in parts.items()}


class LeadService:
    def __init__(self, session: Session) -> None:
        self.s = session

    # -- screening -------------------------------------------------------------------

    def screen(
        self,
        against: str,
        scope: str,
        threshold: float = DEFAULT_THRESHOLD,
        progress: Progress = _quiet,
    ) -> dict[str, Any]:
        """Screen ``scope`` against the list source ``against``; returns the run."""
        self.s.require(roles.RESOLVE, "screen subjects against a list")
        kind, value = parse_scope(scope)
        if not 0.0 < threshold <= 1.0:
            raise InvalidInput(f"a threshold is a score above 0 and at most 1, not {threshold}")
        if kind == "source" and value == against:
            raise InvalidInput(f"{against!r} is the list: screen another source against it")
        case = value if kind == "case" else None
        refs = {"against": against, "scope": scope, "threshold": threshold}
        visible = self.s.consult("screen.run", refs, case=case)
        self._check(visible, against, kind, value)
        if case is not None:
            self.s.cases.subject_ids(case)  # members only: anyone else, no such case
        sid = screening_id(against, scope)
        ctx = self.s.ctx
        store.save_screening(self.s.conn, {
            "id": sid, "against": against, "scope": scope, "threshold": threshold,
            "case_id": case or ctx.case_id, "justification": None if case else ctx.justification,
            "created_by": ctx.actor, "created_at": utcnow(), "last_run": None})  # fmt: skip
        return self._run(sid, visible, progress)

    def _check(self, visible: Visible, against: str, kind: str, value: str) -> None:
        if not visible.sees(against):
            raise not_registered(against)
        if kind == "source" and not visible.sees(value):
            raise not_registered(value)

    def after_ingest(self, source: str, progress: Progress = _quiet) -> list[dict[str, Any]]:
        """Run again the screenings against ``source`` (just loaded again): background
        work under each screening's own purpose, recorded as processing."""
        done = []
        for screening in store.screenings_against(self.s.conn, source):
            refs = {"screening": screening["id"], "against": source,
                    "scope": screening["scope"], "case": screening["case_id"],
                    "justification": screening["justification"]}  # fmt: skip
            visible = self.s.process("screen.rescreen", roles.INGEST, refs)
            kind, value = parse_scope(screening["scope"])
            if not visible.sees(source) or (kind == "source" and not visible.sees(value)):
                continue  # the loader is not cleared for it: its owner runs it
            done.append(self._run(screening["id"], visible, progress))
        return done

    def _entries(self, visible: Visible, against: str) -> list[Party]:
        rows = list(self.s.statements(self.s.narrowed(visible, [against])))
        addresses = _addresses(rows)
        return [p for b in _parties(rows, addresses) if (p := b.build(addresses)) is not None]

    def _subjects(self, visible: Visible, ids: Sequence[str]) -> list[Party]:
        rows = list(self.s.statements(visible, canonical_ids=ids))
        builders = list(_parties(rows, {}))
        refs = sorted({r for b in builders for r in b.refs()})
        addresses = _addresses(self.s.statements(visible, entity_ids=refs)) if refs else {}
        return [p for b in builders if (p := b.build(addresses)) is not None]

    def _scope_ids(self, visible: Visible, scope: str) -> list[str]:
        kind, value = parse_scope(scope)
        if kind == "case":
            return sorted(self.s.cases.subject_ids(value))
        return store.subjects_of_source(self.s.conn, visible, value)

    def _run(self, sid: str, visible: Visible, progress: Progress) -> dict[str, Any]:
        conn = self.s.conn
        screening = store.get_screening(conn, sid)
        assert screening is not None
        against, threshold = screening["against"], float(screening["threshold"])
        now = utcnow()
        progress("reading the list", 0, 1)
        entries = self._entries(visible, against)
        entry_digests = {e.id: e.digest() for e in entries}
        before = store.digests(conn, sid, "e")
        changed = [e for e in entries if before.get(e.id) != entry_digests[e.id]]
        removed = sorted(set(before) - set(entry_digests))
        if removed:
            store.deactivate_entries(conn, against, removed, now)
            store.drop_digests(conn, sid, "e", removed)
        key = hashlib.sha1(json.dumps(sorted(entry_digests.items())).encode()).hexdigest()
        progress("reading the list", 1, 1)
        # the scope's subjects as the screener sees them, less the list itself
        subject_visible = self.s.narrowed(visible, [s for s in visible.sources if s != against])
        ids = self._scope_ids(subject_visible, screening["scope"])
        unfinished = store.unfinished_run(conn, sid)
        if unfinished is not None and unfinished["entries_key"] == key:
            run_id, cursor = int(unfinished["id"]), unfinished["cursor"]
            store.update_run(conn, run_id, status="running", pid=os.getpid())
            counts = {k: int(unfinished[k]) for k in ("compared", "found", "changed_subjects")}
        else:
            run_id = store.start_run(conn, {
                "screening": sid, "actor": self.s.ctx.actor, "status": "running",
                "started_at": now, "entries_key": key, "cursor": None, "subjects": len(ids),
                "entries": len(entries), "changed_subjects": 0, "changed_entries": len(changed),
                "compared": 0, "found": 0, "pid": os.getpid()})  # fmt: skip
            cursor, counts = None, {"compared": 0, "found": 0, "changed_subjects": 0}
        self.s.commit()
        todo = [i for i in ids if cursor is None or i > cursor]
        every = ListIndex(entries)
        fresh = ListIndex(changed) if len(changed) < len(entries) else every
        changed_ids = [e.id for e in changed]
        entry_ids = set(entry_digests)
        subject_digests = store.digests(conn, sid, "s")
        done = len(ids) - len(todo)
        try:
            for start in range(0, len(todo), CHUNK):
                chunk = todo[start : start + CHUNK]
                parties = self._subjects(subject_visible, chunk)
                rows: list[dict[str, Any]] = []
                digests: dict[str, str] = {}
                # subjects compared with every entry, and with the changed entries only
                wholly: list[str] = []
                partly: list[str] = []
                for party in parties:
                    digest = party.digest()
                    same = [party.id] if party.id in entry_ids else []
                    if subject_digests.get(party.id) != digest:
                        found, compared = every.screen(party, threshold, same)
                        counts["changed_subjects"] += 1
                        wholly.append(party.id)
                    elif changed:
                        found, compared = fresh.screen(party, threshold, same)
                        partly.append(party.id)
                    else:
                        continue
                    digests[party.id] = digest
                    counts["compared"] += compared
                    counts["found"] += len(found)
                    rows += [self._lead_row(sid, against, party, f.entry, f.match, now)
                             for f in found]  # fmt: skip
                kept = {row["id"] for row in rows}
                store.deactivate(conn, against, wholly, None, kept, now)
                store.deactivate(conn, against, partly, changed_ids, kept, now)
                store.upsert_leads(conn, rows)
                store.put_digests(conn, sid, "s", digests)
                done += len(chunk)
                store.update_run(conn, run_id, cursor=chunk[-1], **counts)
                self.s.commit()
                progress("screening", done, len(ids))
        except BaseException:
            self.s.rollback()
            store.update_run(conn, run_id, status="interrupted")
            self.s.commit()
            raise
        store.put_digests(conn, sid, "e", entry_digests)
        store.update_run(conn, run_id, status="done", finished_at=utcnow(), **counts)
        self.s.record("screen.done", {"screening": sid, "run": run_id, "against": against,
                                      "scope": screening["scope"], **counts})  # fmt: skip
        self.s.commit()
        run = store.get_run(conn, run_id)
        assert run is not None
        return {**run, "against": against, "scope": screening["scope"],
                "threshold": threshold, "leads": store.lead_counts(conn, visible)}  # fmt: skip

    @staticmethod
    def _lead_row(sid: str, against: str, subject: Party, entry: Party, match: Any,
                  now: Any) -> dict[str, Any]:  # fmt: skip
        return {
            "id": lead_id(against, subject.id, entry.id), "kind": "screening",
            "against": against, "subject_id": subject.id, "entry_id": entry.id,
            "subject_caption": subject.caption, "entry_caption": entry.caption,
            "subject_entities": json.dumps(subject.entities),
            "entry_entities": json.dumps(entry.entities),
            "sources": json.dumps(sorted(subject.sources | {against})),
            "score": match.score,
            "evidence": json.dumps([e.to_dict() for e in match.evidence], ensure_ascii=False),
            "strength": match.strength[0], "active": 1, "status": "open", "reason": None,
            "decided_by": None, "decided_at": None, "case_id": None, "screening": sid,
            "found_at": now, "updated_at": now,
        }  # fmt: skip

    # -- leads -----------------------------------------------------------------------

    def listed(
        self,
        against: str | None = None,
        status: str | None = None,
        case_id: str | None = None,
        subject_id: str | None = None,
        min_score: float | None = None,
        include_inactive: bool = False,
        limit: int | None = 100,
        action: str = "leads.list",
        screening: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """Leads the reader may see (best first) and how many there are; ``limit``
        None for all (an export, recorded as such)."""
        if status is not None and status not in STATUSES:
            raise InvalidInput(f"a lead's status is one of {', '.join(STATUSES)}, not {status!r}")
        refs = {k: v for k, v in {"against": against, "status": status, "case": case_id,
                                  "subject": subject_id, "screening": screening}.items()
                if v}  # fmt: skip
        visible = self.s.consult(action, refs, case=case_id)
        if against is not None and not visible.sees(against):
            raise not_registered(against)
        rows = store.lead_rows(self.s.conn, visible, against, status, case_id, subject_id,
                               min_score, not include_inactive, screening)  # fmt: skip
        out: list[dict[str, Any]] = []
        total = 0
        for row in rows:
            total += 1
            if limit is None or len(out) < limit:
                out.append(_public(row))
        return out, total

    def export(self, **filters: Any) -> Iterator[dict[str, Any]]:
        """Every lead the filters pick, with ids, no cap (a consultation)."""
        rows, _ = self.listed(limit=None, action="leads.export", **filters)
        return iter(rows)

    def get(self, lead_id_: str) -> dict[str, Any]:
        visible = self.s.consult("lead.show", {"lead": lead_id_})
        row = store.get_lead(self.s.conn, visible, lead_id_)
        if row is None:
            raise NotFound(f"no lead {lead_id_!r}")
        return _public(row)

    def decide(self, lead_id_: str, decision: str, reason: str = "") -> dict[str, Any]:
        """Confirm a lead, dismiss it with a reason, or reopen it."""
        self.s.require(roles.RESOLVE, "decide on leads")
        if decision not in DECISIONS:
            raise InvalidInput(f"a decision is one of {', '.join(DECISIONS)}, not {decision!r}")
        if decision == "dismiss" and visible_length(reason) < 5:
            raise InvalidInput("say why the lead is dismissed (a reason of 5+ characters)")
        visible = self.s.consult("lead.decide", {"lead": lead_id_, "decision": decision,
                                                 "reason": reason or None})  # fmt: skip
        row = store.get_lead(self.s.conn, visible, lead_id_)
        if row is None:
            raise NotFound(f"no lead {lead_id_!r}")
        store.set_lead(self.s.conn, lead_id_, status=DECISIONS[decision], reason=reason or None,
                       decided_by=self.s.ctx.actor, decided_at=utcnow())  # fmt: skip
        return self.get(lead_id_)

    def link(self, lead_id_: str, case_id: str, note: str = "") -> dict[str, Any]:
        """Add the lead (and its subject, if not yet there) to a case."""
        self.s.require(roles.MANAGE_CASES, "add leads to cases")
        visible = self.s.consult("lead.link", {"lead": lead_id_, "case": case_id}, case=case_id)
        row = store.get_lead(self.s.conn, visible, lead_id_)
        if row is None:
            raise NotFound(f"no lead {lead_id_!r}")
        if row["subject_id"] not in self.s.cases.subject_ids(case_id):
            text = note or (f"Screening lead: may be {row['entry_caption']} on the list "
                            f"{row['against']} (score {row['score']:.2f})")  # fmt: skip
            self.s.cases.link_subject(case_id, row["subject_id"], "other", text)
        store.set_lead(self.s.conn, lead_id_, case_id=case_id)
        return self.get(lead_id_)

    def screenings(self) -> list[dict[str, Any]]:
        """The screenings of lists the caller sees, with their latest run."""
        visible = self.s.visible_sources()
        out = []
        for row in store.list_screenings(self.s.conn, visible):
            run = store.get_run(self.s.conn, row["last_run"]) if row["last_run"] else None
            out.append({**row, "run": run})
        return out


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"], "kind": row["kind"], "against": row["against"],
        "subject": {"id": row["subject_id"], "caption": row["subject_caption"],
                    "entities": json.loads(row["subject_entities"])},
        "entry": {"id": row["entry_id"], "caption": row["entry_caption"],
                  "entities": json.loads(row["entry_entities"])},
        "score": row["score"], "explanation": json.loads(row["evidence"]),
        "active": bool(row["active"]), "status": row["status"], "reason": row["reason"],
        "decided_by": row["decided_by"], "decided_at": row["decided_at"],
        "case": row["case_id"], "screening": row["screening"],
        "found_at": row["found_at"], "updated_at": row["updated_at"],
    }  # fmt: skip

