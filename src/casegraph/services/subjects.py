"""Subject profiles (sealed records, unsealing, subject reports) and retention."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from casegraph.access import roles
from casegraph.access.policy import PurposeRequired
from casegraph.audit.report import select_entries
from casegraph.errors import NotFound, WorkspaceError
from casegraph.model.clock import utcnow
from casegraph.model.written import visible_length
from casegraph.resolve.judge import THRESHOLDS
from casegraph.store import documents, resolution, retention, sealing, search_index
from casegraph.store import ledger as ledger_rows
from casegraph.store import sources as source_rows
from casegraph.subjects.profile import Profile, assemble, is_minor, scrub_mentions

if TYPE_CHECKING:
    from casegraph.service import Session


class SubjectService:
    """Profiles: every value with its source; sealed records redacted unless unsealed."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def profile(self, subject_id: str, unseal: bool = False) -> Profile:
        visible = self.s.consult("profile.view", {"subject": subject_id})
        # the profile shows initials, or unseals, itself
        rows = self.s.statements(visible, canonical_id=subject_id, redact_sealed=False)
        profile = assemble(subject_id, scrub_mentions(rows, self.s.sealed_among))
        if profile is None:
            raise NotFound(f"no subject {subject_id!r}")
        profile.sealed = self._sealed(profile)
        if profile.sealed and unseal:
            self.s.require(roles.UNSEAL, "unseal records")
            if not roles.justified(self.s.ctx.justification):
                raise PurposeRequired(
                    f"unsealing needs a written justification of at least "
                    f"{roles.MIN_JUSTIFICATION} characters that show, even under a case"
                )
            self.s.record("unseal", {"subject": subject_id, "reason": profile.sealed})
            profile.unsealed = True
        if not profile.sealed or profile.unsealed:  # the review items it is in
            profile.duplicates = self.s.review.duplicates(visible, [subject_id]).get(subject_id, [])
        return profile

    def _sealed(self, profile: Profile) -> str | None:
        return self._sealed_reason(profile.id)

    def _sealed_reason(self, subject_id: str) -> str | None:
        if sealing.flag_of(self.s.conn, subject_id) is not None:
            return "flagged"
        # judged on every recorded birth date, including ones the reader cannot see
        if is_minor(sealing.birth_dates(self.s.conn, subject_id), date.today()):
            return "minor"
        return None

    def report(self, subject_id: str) -> dict[str, Any]:
        """Everything held on one subject and every consultation of it (subject access)."""
        self.s.require(roles.UNSEAL, "report on a subject")
        profile = self.profile(subject_id)
        if profile.sealed:  # the full report of a sealed record is an unsealing
            profile = self.profile(subject_id, unseal=True)
        consultations = [
            {"seq": e.seq, "at": e.at.isoformat(timespec="seconds"), "actor": e.actor,
             "action": e.action, "case_id": e.case_id, "justification": e.justification,
             "outcome": e.outcome}
            for e in select_entries(ledger_rows.iter_entries(self.s.conn), subject=subject_id)
        ]  # fmt: skip
        self.s.record("subject.report", {"subject": subject_id})
        return {"subject": profile.to_dict(), "consultations": consultations}

    def seal(self, subject_id: str, reason: str) -> None:
        self.s.require(roles.UNSEAL, "seal records")
        if visible_length(reason) < 5:
            raise WorkspaceError("say why the record is sealed (--reason)")
        conn = self.s.conn
        entities = sealing.entity_ids_of(conn, {subject_id})
        # the records the model or a person thought may be the same person are sealed
        # with it (the protective reading): an unmerged duplicate would still show them
        lower = {group: t.lower for group, t in THRESHOLDS.items()}
        near = resolution.near_records(conn, sorted(entities), lower)
        subjects = sorted({subject_id} | {c for _, c in sealing.links_of(conn, near)})
        for sid in subjects:
            sealing.flag(conn, sid, reason, self.s.ctx.actor)
        sealed = sealing.entity_ids_of(conn, set(subjects))
        # their names leave the namesMentioned of their relations in the index
        search_index.mark_dirty(conn, sealing.referrers(conn, sealed))
        self.s.record("seal", {"subject": subject_id, "subjects": subjects})
        self.s.index.after_change(permission=roles.UNSEAL)


class RetentionService:
    """Erase statements and documents past their source's retention; the erasure is
    recorded with counts and a digest, never the erased ids or values."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def run(self, dry_run: bool = False) -> list[dict[str, Any]]:
        self.s.require(roles.ADMIN, "erase data")
        now = utcnow()
        done = []
        for source, cutoff, count, entities in retention.expired(self.s.conn, now):
            item = {"source": source, "before": cutoff.isoformat(timespec="seconds"),
                    "statements": count, "entities": entities}  # fmt: skip
            if not dry_run:
                item["statements"] = retention.erase(self.s.conn, source, cutoff)
                self.s.record("erasure", item)
            done.append(item)
        files_gone: list[str] = []
        days = {src.name: src.retention_days for src in source_rows.list_sources(self.s.conn)}
        for source, cutoff, count in documents.expired(self.s.conn, now, days):
            item = {"source": source, "before": cutoff.isoformat(timespec="seconds"),
                    "documents": count}  # fmt: skip
            if not dry_run:
                item["documents"], gone = documents.erase(self.s.conn, source, cutoff)
                item["files"] = len(gone)
                files_gone += gone
                self.s.record("erasure", item)
            done.append(item)
        if files_gone:  # their bytes go once their erasure is committed
            self.s.commit()
            for sha in files_gone:
                self.s.documents.blobs.remove(sha)
        cases = self.s.cases.erase_expired(dry_run)
        if dry_run:
            self.s.record("erasure.dry_run", {"sources": [d["source"] for d in done],
                                              "cases": [c["case"] for c in cases]})  # fmt: skip
        else:
            # erased values leave the index and the graph
            self.s.index.after_change(permission=roles.ADMIN)
        return done + cases
