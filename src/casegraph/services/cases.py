"""Cases through the audited session: a case and everything in it is a compartment that
only its members see. To anyone else a case does not exist: every call answers
``NotFound`` with the same message whether the case is there or not."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError

from casegraph.access import roles
from casegraph.access.identities import get_user
from casegraph.access.policy import AccessDenied, PurposeRequired
from casegraph.cases import notes as markdown
from casegraph.cases import tasks
from casegraph.cases.rules import (
    CASE_ROLES,
    CUSTODY_ACTIONS,
    PRIORITIES,
    REVIEW_DECISIONS,
    SUBJECT_ROLES,
    TEMPLATES,
    CaseError,
    check_version,
    choice,
    review_date,
    transition,
    written,
)
from casegraph.cases.tasks import iso, plain
from casegraph.cases.timeline import Event, contact_events, fact_events, merge, once
from casegraph.errors import Conflict, InvalidInput, NotFound, no_case
from casegraph.graph.subgraph import SEALED, Subgraph, subject_nodes
from casegraph.graph.subgraph import edge_dict as graph_edge
from casegraph.model.clock import utcnow
from casegraph.reports.case_file import (
    CaseFile,
    CaseSubject,
    file_edges,
    relationships,
    single_events,
    subjects_with_facts,
)
from casegraph.services.graph import walks_of
from casegraph.store import cases as store
from casegraph.store import edge_totals, graph_store
from casegraph.store import ledger as ledger_store
from casegraph.store.blobs import BlobStore
from casegraph.store.graph_store import EdgeFilter
from casegraph.store.tables import (
    case_comments,
    case_custody,
    case_events,
    case_evidence,
    case_members,
    case_note_revisions,
    case_notes,
    case_reviews,
    case_subjects,
    case_tasks,
    cases,
    teams,
)

if TYPE_CHECKING:
    from casegraph.service import Session

READ, WRITE, LEAD = "read", "write", "lead"
WRITERS = {"lead", "member"}
DISCLOSURES = ("case.report", "case.evidence.download")
ORPHAN_GRACE = 3600  # seconds: an upload this recent may still be committing
GRAPH_NODES = 40  # nodes in a case file's graph picture
EDITABLE = ("title", "purpose", "priority", "review_on", "team", "case_type")


@dataclass(frozen=True)
class CaseGraph:
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    left_out: int  # subjects tied to the case's subjects that are not in the graph
    where: EdgeFilter | None  # what the reader sees (None: no subjects, nothing read)


@dataclass(frozen=True)
class Access:
    case: dict[str, Any]
    role: str  # lead | member | read-only


def _day(value: date | datetime | str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


class CaseService:
    def __init__(self, session: Session) -> None:
        self.s = session
        settings = session.workspace.settings
        self.files = BlobStore(settings.evidence_dir, settings.evidence_max_bytes,
                               "CASEGRAPH_EVIDENCE_MAX_BYTES")

    # --- access ---

    @property
    def me(self) -> str:
        return self.s.principal.username

    def _access(self, case_id: str, need: str = READ) -> Access:
        """The case and the caller's role in it; ``NotFound`` for anyone not a member."""
        case = store.one(self.s.conn, cases, id=case_id)
        role = store.member_role(self.s.conn, case_id, self.me) if case else None
        if case is None or role is None or case["erased_at"] is not None:
            # one answer, and one ledger entry, whether the case exists or not
            raise no_case(case_id)
        if need == WRITE and role not in WRITERS:
            raise AccessDenied(f"{self.me} is a read-only member of case {case_id}")
        if need == LEAD and role != "lead":
            raise AccessDenied(f"only a lead of case {case_id} may do this")
        if need != READ and case["status"] == "closed":
            raise CaseError(f"case {case_id} is closed; reopen it first (with a reason)")
        return Access(case, role)

    def _under(self, case_id: str) -> None:
        """Subject data of a case is read under that case (the purpose of the read)."""
        if self.s.ctx.case_id != case_id:
            raise PurposeRequired(
                f"the subjects' data of case {case_id} is read under that case "
                f"(--case {case_id}, or the case header)"
            )

    def _event(
        self,
        case_id: str,
        kind: str,
        summary: str,
        ref: str | None = None,
        reason: str | None = None,
        audit: dict[str, Any] | None = None,
    ) -> None:
        """A case event (the case's own history, erased with it) and its audit entry
        (ids only: what a case holds never goes into the permanent ledger)."""
        store.insert_row(
            self.s.conn,
            case_events,
            case_id=case_id,
            at=utcnow(),
            actor=self.me,
            kind=kind,
            summary=summary,
            ref=ref,
            reason=reason,
        )
        self.s.record(
            f"case.{kind}", {"case": case_id, **({"ref": ref} if ref else {}), **(audit or {})}
        )

    def _user(self, username: str) -> str:
        user = get_user(self.s.conn, username)
        if user is None and not (self.s.principal.local and username == self.me):
            raise CaseError(f"no user {username!r}")
        if user is not None and roles.READ_SUBJECTS not in roles.ROLES[user.role]:
            raise CaseError(f"{username} is a {user.role}; case members read subject data")
        return username

    # --- cases ---

    def open(
        self,
        title: str,
        case_type: str,
        legal_basis: str,
        predicate: str,
        purpose: str = "",
        lead: str | None = None,
        team: str | None = None,
        priority: str = "normal",
        review_on: date | None = None,
        members: Sequence[tuple[str, str]] = (),
    ) -> dict[str, Any]:
        """Open a case; the caller and the lead become members, the type's template
        adds its first tasks."""
        self.s.require(roles.MANAGE_CASES, "open cases")
        template = TEMPLATES[choice("case type", case_type, TEMPLATES)]
        title = written("a title", title, 3)
        legal_basis = written("the legal basis", legal_basis)
        predicate = written("the suspected conduct (predicate)", predicate)
        choice("priority", priority, PRIORITIES)
        lead = self._user(lead or self.me)
        if team is not None and not self._team_exists(team):
            raise CaseError(f"no team {team!r}")
        today = utcnow().date()
        now = utcnow()
        case_id = store.next_case_id(self.s.conn, today.year)
        try:
            store.insert_row(
                self.s.conn,
                cases,
                id=case_id,
                title=title,
                created_at=now,
                created_by=self.me,
                case_type=case_type,
                legal_basis=legal_basis,
                predicate=predicate,
                purpose=purpose.strip(),
                lead=lead,
                team=team,
                priority=priority,
                status="open",
                review_on=review_date(review_on, today),
                retention_days=template.retention_days,
                updated_at=now,
                version=1,
            )
        except IntegrityError as exc:
            raise Conflict("another case was opened at the same moment; try again") from exc
        chosen = {lead: "lead", self.me: "lead" if self.me == lead else "member"}
        for username, role in members:
            chosen.setdefault(self._user(username), choice("case role", role, CASE_ROLES))
        for username, role in chosen.items():
            store.insert_row(
                self.s.conn,
                case_members,
                case_id=case_id,
                username=username,
                role=role,
                added_at=now,
                added_by=self.me,
            )
        self._event(case_id, "opened", f"Case opened: {title}", audit={"type": case_type})
        for task in template.tasks:
            self._add_task(case_id, task, "", None, None, [])
        return self.show(case_id, record=False)

    def _team_exists(self, team: str) -> bool:
        return store.one(self.s.conn, teams, name=team) is not None

    def mine(self) -> list[dict[str, Any]]:
        """The caller's cases (no one else's, not even a count)."""
        return [plain(c) for c in store.cases_of(self.s.conn, self.me)]

    def show(self, case_id: str, record: bool = True) -> dict[str, Any]:
        access = self._access(case_id)
        conn = self.s.conn
        if record:
            self.s.record("case.read", {"case": case_id})
        out = plain(access.case)
        out["my_role"] = access.role
        out["members"] = [
            plain(m) for m in store.rows(conn, case_members, ("username",), case_id=case_id)
        ]
        out["subjects"] = self._subjects(case_id)
        out["tasks"] = [tasks.shown(t) for t in store.rows(conn, case_tasks, case_id=case_id)]
        out["notes"] = [
            {k: iso(n[k]) for k in ("id", "title", "updated_at", "updated_by", "version")}
            for n in store.rows(conn, case_notes, case_id=case_id)
        ]
        out["evidence"] = [plain(e) for e in store.rows(conn, case_evidence, case_id=case_id)]
        out["reviews"] = [plain(r) for r in store.rows(conn, case_reviews, case_id=case_id)]
        return out

    def update(self, case_id: str, version: int | None = None, **changes: Any) -> dict[str, Any]:
        access = self._access(case_id, LEAD)
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if value is None:
                continue
            if name not in EDITABLE:
                raise CaseError(f"{name} cannot be changed here; editable: {', '.join(EDITABLE)}")
            if name == "priority":
                choice("priority", value, PRIORITIES)
            elif name == "case_type":
                choice("case type", value, TEMPLATES)
            elif name == "review_on":
                value = review_date(value, utcnow().date())
            elif name == "title":
                value = written("a title", value, 3)
            elif name == "team" and not self._team_exists(value):
                raise CaseError(f"no team {value!r}")
            values[name] = value
        if values:
            self._write_case(access, version, **values)
            self._event(
                case_id,
                "updated",
                "Changed: " + ", ".join(sorted(values)),
                audit={"fields": sorted(values)},
            )
        return self.show(case_id, record=False)

    def _write_case(self, access: Access, version: int | None, **values: Any) -> None:
        current = int(access.case["version"])
        check_version("case", current, version)
        keys = {"id": access.case["id"]}
        if not store.update_versioned(
            self.s.conn, cases, keys, current, updated_at=utcnow(), **values
        ):
            raise Conflict("the case was changed by someone else meanwhile; reload it")

    def set_status(
        self, case_id: str, status: str, reason: str, version: int | None = None
    ) -> dict[str, Any]:
        """open -> active -> suspended -> closed, reopen: each with who and why."""
        case = store.one(self.s.conn, cases, id=case_id)
        need = LEAD if case is None or case["status"] != "closed" else READ
        access = self._access(case_id, need)
        if access.role != "lead":
            raise AccessDenied(f"only a lead of case {case_id} may change its status")
        self._transition(access, status, reason, version)
        return self.show(case_id, record=False)

    def _transition(self, access: Access, status: str, reason: str, version: int | None) -> None:
        case_id = access.case["id"]
        name = transition(access.case["status"], status)
        reason = written("a reason", reason)
        closed_at = utcnow() if status == "closed" else None
        self._write_case(access, version, status=status, closed_at=closed_at)
        self._event(
            case_id,
            "status",
            f"{name.capitalize()}: {access.case['status']} -> {status}",
            reason=reason,
            audit={"from": access.case["status"], "to": status},
        )

    # --- members ---

    def add_member(self, case_id: str, username: str, role: str = "member") -> None:
        self._access(case_id, LEAD)
        choice("case role", role, CASE_ROLES)
        self._user(username)
        if store.member_role(self.s.conn, case_id, username) is not None:
            raise CaseError(f"{username} is already a member of case {case_id}")
        store.insert_row(
            self.s.conn,
            case_members,
            case_id=case_id,
            username=username,
            role=role,
            added_at=utcnow(),
            added_by=self.me,
        )
        self._event(
            case_id,
            "member.added",
            f"{username} added as {role}",
            ref=username,
            audit={"role": role},
        )

    def remove_member(self, case_id: str, username: str, reason: str) -> None:
        self._access(case_id, LEAD)
        reason = written("a reason", reason)
        role = store.member_role(self.s.conn, case_id, username)
        if role is None:
            raise CaseError(f"{username} is not a member of case {case_id}")
        leads = [
            m
            for m in store.rows(self.s.conn, case_members, ("username",), case_id=case_id)
            if m["role"] == "lead"
        ]
        if role == "lead" and len(leads) == 1:
            raise CaseError(f"{username} is the case's only lead; add another lead first")
        store.remove_member(self.s.conn, case_id, username)
        self._event(case_id, "member.removed", f"{username} removed", ref=username, reason=reason)

    # --- subjects ---

    def _subjects(self, case_id: str) -> list[dict[str, Any]]:
        links = store.rows(
            self.s.conn, case_subjects, ("added_at", "canonical_id"), case_id=case_id
        )
        ids = [link["canonical_id"] for link in links]
        if not ids:
            return []
        # the subjects' names are subject data: read under the case, and recorded
        visible = self.s.consult("case.subjects", {"case": case_id, "subjects": ids},
                                 case=case_id)  # fmt: skip
        shown = subject_nodes(self.s.conn, ids, visible)
        out = []
        for link in links:
            node = shown[link["canonical_id"]]
            out.append(
                {
                    **plain(link),
                    "caption": node["caption"],
                    "schema": node["schema"],
                    "sealed": node["sealed"],
                }
            )
        return out

    def subject_ids(self, case_id: str) -> list[str]:
        """The canonical ids of a case's subjects, for its members (anyone else: no such
        case); ids only, to narrow another read (the review queue) to the case."""
        self._access(case_id)
        links = store.rows(self.s.conn, case_subjects, ("added_at", "canonical_id"),
                           case_id=case_id)  # fmt: skip
        return [str(link["canonical_id"]) for link in links]

    def link_subject(self, case_id: str, subject_id: str, role: str, note: str) -> None:
        self._access(case_id, WRITE)
        choice("subject role", role, SUBJECT_ROLES)
        note = written("a note on why the subject is in the case", note)
        visible = self.s.consult("case.subject.link", {"case": case_id, "subject": subject_id},
                                 case=case_id)  # fmt: skip
        if not store.subject_exists(self.s.conn, subject_id, visible):
            raise NotFound(f"no subject {subject_id!r}")
        if store.one(self.s.conn, case_subjects, case_id=case_id, canonical_id=subject_id):
            raise CaseError(f"{subject_id} is already in case {case_id}; change its role instead")
        store.insert_row(
            self.s.conn,
            case_subjects,
            case_id=case_id,
            canonical_id=subject_id,
            role=role,
            note=note,
            added_by=self.me,
            added_at=utcnow(),
            version=1,
        )
        self._event(
            case_id,
            "subject.linked",
            f"Subject linked as {role}",
            ref=subject_id,
            audit={"role": role},
        )

    def _link(self, case_id: str, subject_id: str) -> dict[str, Any]:
        link = store.one(self.s.conn, case_subjects, case_id=case_id, canonical_id=subject_id)
        if link is None:
            raise NotFound(f"subject {subject_id!r} is not in case {case_id}")
        return link

    def update_subject(
        self,
        case_id: str,
        subject_id: str,
        role: str | None = None,
        note: str | None = None,
        version: int | None = None,
    ) -> None:
        self._access(case_id, WRITE)
        link = self._link(case_id, subject_id)
        check_version("subject link", link["version"], version)
        values: dict[str, Any] = {}
        if role is not None:
            values["role"] = choice("subject role", role, SUBJECT_ROLES)
        if note is not None:
            values["note"] = written("a note on why the subject is in the case", note)
        keys = {"case_id": case_id, "canonical_id": subject_id}
        if not store.update_versioned(self.s.conn, case_subjects, keys, link["version"], **values):
            raise Conflict("the subject link was changed by someone else meanwhile; reload it")
        self._event(
            case_id,
            "subject.updated",
            "Subject link changed: " + ", ".join(values),
            ref=subject_id,
            audit={"fields": sorted(values)},
        )

    def unlink_subject(
        self, case_id: str, subject_id: str, reason: str, version: int | None = None
    ) -> None:
        self._access(case_id, WRITE)
        link = self._link(case_id, subject_id)
        check_version("subject link", link["version"], version)
        reason = written("a reason", reason)
        if not store.unlink_subject(self.s.conn, case_id, subject_id, link["version"]):
            raise Conflict("the subject link was changed by someone else meanwhile; reload it")
        self._event(
            case_id,
            "subject.unlinked",
            "Subject removed from the case",
            ref=subject_id,
            reason=reason,
        )

    def subject_cases(self, subject_ids: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
        """For each subject, the links to the caller's own cases (never anyone else's)."""
        mine = store.case_ids_of(self.s.conn, self.me)
        out: dict[str, list[dict[str, Any]]] = {}
        for link in store.subject_cases(self.s.conn, subject_ids, mine):
            out.setdefault(link["canonical_id"], []).append(
                {"case": link["case_id"], "role": link["role"]}
            )
        return out

    # --- tasks ---

    def _add_task(
        self,
        case_id: str,
        title: str,
        description: str,
        assignee: str | None,
        due_on: date | None,
        checklist: Iterable[Any],
    ) -> int:
        if assignee is not None and store.member_role(self.s.conn, case_id, assignee) is None:
            raise CaseError(f"{assignee} is not a member of case {case_id}; add them first")
        now = utcnow()
        task_id = store.insert_row(
            self.s.conn,
            case_tasks,
            case_id=case_id,
            title=written("a task title", title, 3),
            description=description,
            assignee=assignee,
            due_on=due_on,
            status="open",
            checklist=json.dumps(tasks.checklist(checklist)),
            created_at=now,
            created_by=self.me,
            updated_at=now,
            version=1,
        )
        assert task_id is not None
        self._event(case_id, "task.created", f"Task created: {title}", ref=f"task:{task_id}")
        return task_id

    def add_task(
        self,
        case_id: str,
        title: str,
        description: str = "",
        assignee: str | None = None,
        due_on: date | None = None,
        checklist: Iterable[Any] = (),
    ) -> dict[str, Any]:
        self._access(case_id, WRITE)
        task_id = self._add_task(case_id, title, description, assignee, due_on, checklist)
        return self._get_task(case_id, task_id)

    def _get_task(self, case_id: str, task_id: int) -> dict[str, Any]:
        row = store.one(self.s.conn, case_tasks, id=task_id, case_id=case_id)
        if row is None:
            raise NotFound(f"no task {task_id} in case {case_id}")
        return tasks.shown(row)

    def tasks(self, case_id: str) -> list[dict[str, Any]]:
        self._access(case_id)
        self.s.record("case.read", {"case": case_id, "part": "tasks"})
        return [tasks.shown(t) for t in store.rows(self.s.conn, case_tasks, case_id=case_id)]

    def update_task(
        self, case_id: str, task_id: int, version: int | None = None, **changes: Any
    ) -> dict[str, Any]:
        self._access(case_id, WRITE)
        task = self._get_task(case_id, task_id)
        check_version("task", task["version"], version)
        values = tasks.changes(
            case_id, changes, lambda user: store.member_role(self.s.conn, case_id, user) is not None
        )
        keys = {"id": task_id}
        if not store.update_versioned(
            self.s.conn, case_tasks, keys, task["version"], updated_at=utcnow(), **values
        ):
            raise Conflict("the task was changed by someone else meanwhile; reload it")
        summary = (
            f"Task {values['status']}: {task['title']}"
            if "status" in values
            else (f"Task changed: {task['title']}")
        )
        self._event(
            case_id,
            "task.updated",
            summary,
            ref=f"task:{task_id}",
            audit={"fields": sorted(values)},
        )
        return self._get_task(case_id, task_id)

    # --- notes and comments ---

    def add_note(self, case_id: str, title: str, body: str) -> dict[str, Any]:
        self._access(case_id, WRITE)
        now = utcnow()
        title = written("a note title", title, 1)
        note_id = store.insert_row(
            self.s.conn,
            case_notes,
            case_id=case_id,
            title=title,
            body=body,
            created_at=now,
            created_by=self.me,
            updated_at=now,
            updated_by=self.me,
            version=1,
        )
        assert note_id is not None
        store.insert_row(
            self.s.conn,
            case_note_revisions,
            note_id=note_id,
            version=1,
            title=title,
            body=body,
            author=self.me,
            at=now,
        )
        self._event(
            case_id,
            "note.created",
            f"Note added: {title}",
            ref=f"note:{note_id}",
            audit={"mentions": markdown.mentions(body)},
        )
        return self.note(case_id, note_id, record=False)

    def mentioned(self, case_id: str, ids: Sequence[str]) -> dict[str, markdown.Mention]:
        """The subjects that notes of the case mention, as the caller is shown them
        (``cases.notes.Mention``): the display name from the sources the caller may
        see, "sealed record", or unseen. One look-up for all of them, read under the
        case and recorded (``case.mentions``) when there is any."""
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        visible = self.s.consult("case.mentions", {"case": case_id, "subjects": wanted},
                                 case=case_id)  # fmt: skip
        known = graph_store.cards(self.s.conn, wanted, visible, date.today().isoformat())
        out = {}
        for cid in wanted:
            caption, _, sealed = known.get(cid, (None, None, False))
            out[cid] = markdown.Mention(cid, SEALED if sealed else caption, sealed)
        return out

    def render_note(self, case_id: str, body: str) -> str:
        """A note's text as the caller reads it: sanitised HTML, mentions by name."""
        self._access(case_id)
        return markdown.render(body, shown=self.mentioned(case_id, markdown.mentions(body)))

    def note(
        self,
        case_id: str,
        note_id: int,
        record: bool = True,
        shown: dict[str, markdown.Mention] | None = None,
    ) -> dict[str, Any]:
        """One note, its mentions by name (``shown``: looked up already, for a list)."""
        self._access(case_id)
        row = store.one(self.s.conn, case_notes, id=note_id, case_id=case_id)
        if row is None:
            raise NotFound(f"no note {note_id} in case {case_id}")
        if record:
            self.s.record("case.read", {"case": case_id, "part": f"note:{note_id}"})
        out = plain(row)
        ids = markdown.mentions(row["body"])
        if shown is None:
            shown = self.mentioned(case_id, ids)
        out["html"] = markdown.render(row["body"], shown=shown)
        out["mentions"] = ids
        out["mentioned"] = [shown[cid].to_dict() for cid in ids]
        out["revisions"] = [
            plain(r)
            for r in store.rows(self.s.conn, case_note_revisions, ("version",), note_id=note_id)
        ]
        return out

    def notes(self, case_id: str) -> list[dict[str, Any]]:
        self._access(case_id)
        self.s.record("case.read", {"case": case_id, "part": "notes"})
        rows = store.rows(self.s.conn, case_notes, case_id=case_id)
        shown = self.mentioned(case_id, [m for n in rows for m in markdown.mentions(n["body"])])
        return [self.note(case_id, int(n["id"]), record=False, shown=shown) for n in rows]

    def edit_note(
        self,
        case_id: str,
        note_id: int,
        body: str,
        title: str | None = None,
        version: int | None = None,
    ) -> dict[str, Any]:
        self._access(case_id, WRITE)
        row = store.one(self.s.conn, case_notes, id=note_id, case_id=case_id)
        if row is None:
            raise NotFound(f"no note {note_id} in case {case_id}")
        check_version("note", row["version"], version)
        now = utcnow()
        title = written("a note title", title, 1) if title is not None else row["title"]
        if not store.update_versioned(
            self.s.conn,
            case_notes,
            {"id": note_id},
            row["version"],
            title=title,
            body=body,
            updated_at=now,
            updated_by=self.me,
        ):
            raise Conflict("the note was changed by someone else meanwhile; reload it")
        store.insert_row(
            self.s.conn,
            case_note_revisions,
            note_id=note_id,
            version=row["version"] + 1,
            title=title,
            body=body,
            author=self.me,
            at=now,
        )
        self._event(
            case_id,
            "note.edited",
            f"Note edited: {title}",
            ref=f"note:{note_id}",
            audit={"version": row["version"] + 1},
        )
        return self.note(case_id, note_id, record=False)

    def comment(self, case_id: str, target: str, body: str) -> dict[str, Any]:
        self._access(case_id, WRITE)
        self._target(case_id, target)
        body = written("a comment", body, 1)
        comment_id = store.insert_row(
            self.s.conn,
            case_comments,
            case_id=case_id,
            target=target,
            body=body,
            author=self.me,
            at=utcnow(),
        )
        self._event(
            case_id,
            "comment.added",
            f"Comment on {target}",
            ref=target,
            audit={"comment": comment_id},
        )
        return plain(store.one(self.s.conn, case_comments, id=comment_id) or {})

    def comments(self, case_id: str, target: str) -> list[dict[str, Any]]:
        self._access(case_id)
        self._target(case_id, target)
        self.s.record("case.read", {"case": case_id, "part": f"comments:{target}"})
        return [
            plain(c)
            for c in store.rows(
                self.s.conn, case_comments, ("at", "id"), case_id=case_id, target=target
            )
        ]

    def _target(self, case_id: str, target: str) -> None:
        kind, _, number = target.partition(":")
        tables = {"task": case_tasks, "note": case_notes, "evidence": case_evidence}
        if target == "case":
            return
        if kind not in tables or not number.isdigit() or len(number) > 9:
            raise CaseError(
                f"comment on 'case', 'task:N', 'note:N' or 'evidence:N', not {target!r}"
            )
        if store.one(self.s.conn, tables[kind], id=int(number), case_id=case_id) is None:
            raise NotFound(f"no {kind} {number} in case {case_id}")

    # --- evidence ---

    def add_evidence(
        self,
        case_id: str,
        chunks: Iterable[bytes],
        filename: str,
        received_from: str,
        reason: str,
        description: str = "",
        media_type: str | None = None,
    ) -> dict[str, Any]:
        """Store a file (streamed) and open its chain of custody with who it came from."""
        self._access(case_id, WRITE)
        received_from = written("who the evidence was received from", received_from, 2)
        reason = written("a reason", reason)
        name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "evidence"
        try:
            stored = self.files.put(chunks, name, media_type)
        except InvalidInput as exc:  # over the evidence limit: a case's own error
            raise CaseError(str(exc)) from None
        now = utcnow()
        evidence_id = store.insert_row(
            self.s.conn,
            case_evidence,
            case_id=case_id,
            sha256=stored.sha256,
            size=stored.size,
            media_type=stored.media_type,
            filename=name,
            description=description,
            added_at=now,
            added_by=self.me,
            version=1,
        )
        assert evidence_id is not None
        store.insert_row(
            self.s.conn,
            case_custody,
            evidence_id=evidence_id,
            at=now,
            actor=self.me,
            action="received",
            party=received_from,
            reason=reason,
        )
        self._event(
            case_id,
            "evidence.added",
            f"Evidence added: {name}",
            ref=f"evidence:{evidence_id}",
            audit={"sha256": stored.sha256, "size": stored.size},
        )
        self.s.documents.add_case_file(case_id, self.files.path(stored.sha256), name)
        return self.evidence_item(case_id, evidence_id, record=False)

    def _evidence(self, case_id: str, evidence_id: int) -> dict[str, Any]:
        row = store.one(self.s.conn, case_evidence, id=evidence_id, case_id=case_id)
        if row is None:
            raise NotFound(f"no evidence {evidence_id} in case {case_id}")
        return row

    def evidence_item(self, case_id: str, evidence_id: int, record: bool = True) -> dict[str, Any]:
        self._access(case_id)
        row = self._evidence(case_id, evidence_id)
        if record:
            self.s.record("case.read", {"case": case_id, "part": f"evidence:{evidence_id}"})
        out = plain(row)
        out["custody"] = [
            plain(c)
            for c in store.rows(self.s.conn, case_custody, ("id",), evidence_id=evidence_id)
        ]
        return out

    def evidence(self, case_id: str) -> list[dict[str, Any]]:
        self._access(case_id)
        self.s.record("case.read", {"case": case_id, "part": "evidence"})
        return [
            self.evidence_item(case_id, int(e["id"]), record=False)
            for e in store.rows(self.s.conn, case_evidence, case_id=case_id)
        ]

    def custody(
        self, case_id: str, evidence_id: int, action: str, party: str, reason: str
    ) -> dict[str, Any]:
        """Append to the chain of custody (entries are never changed or removed)."""
        self._access(case_id, WRITE)
        self._evidence(case_id, evidence_id)
        choice("custody action", action, CUSTODY_ACTIONS[:-1])  # "verified" is the system's
        party = written("the other party (a person or an office)", party, 2)
        reason = written("a reason", reason)
        store.insert_row(
            self.s.conn,
            case_custody,
            evidence_id=evidence_id,
            at=utcnow(),
            actor=self.me,
            action=action,
            party=party,
            reason=reason,
        )
        self._event(
            case_id,
            "evidence.custody",
            f"Evidence {action}: {party}",
            ref=f"evidence:{evidence_id}",
            reason=reason,
            audit={"action": action},
        )
        return self.evidence_item(case_id, evidence_id, record=False)

    def download(
        self, case_id: str, evidence_id: int, recipient: str
    ) -> tuple[dict[str, Any], Iterator[bytes]]:
        """The file's bytes: a disclosure, committed to the ledger before any byte
        leaves."""
        self._access(case_id)
        row = self._evidence(case_id, evidence_id)
        recipient = written("the recipient", recipient, 2)
        if self.files.check(row["sha256"]) != "intact":
            raise CaseError(f"evidence {evidence_id} failed its integrity check; run verify")
        self.s.record(
            "case.evidence.download",
            {
                "case": case_id,
                "evidence": evidence_id,
                "sha256": row["sha256"],
                "recipient": recipient,
            },
        )
        self.s.commit()
        return plain(row), self.files.read(row["sha256"])

    def verify(self, case_id: str) -> list[dict[str, Any]]:
        """Hash every evidence file again; each result goes into its chain of custody.
        That is an entry in the chain: read-only members may not add it, as they may
        not add any other (and a closed case's chain is not extended)."""
        self._access(case_id, WRITE)
        out = []
        for row in store.rows(self.s.conn, case_evidence, case_id=case_id):
            state = self.files.check(row["sha256"])
            store.insert_row(
                self.s.conn,
                case_custody,
                evidence_id=row["id"],
                at=utcnow(),
                actor=self.me,
                action="verified",
                party="casegraph",
                reason=f"integrity check: {state}",
            )
            out.append(
                {
                    "id": row["id"],
                    "filename": row["filename"],
                    "sha256": row["sha256"],
                    "integrity": state,
                }
            )
        self.s.record(
            "case.evidence.verify",
            {"case": case_id, "results": {str(r["id"]): r["integrity"] for r in out}},
        )
        return out

    # --- timeline ---

    def timeline(
        self, case_id: str, subject: str | None = None, kinds: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """Case events and the dated facts of the case's subjects (statements with a date
        and the calls and payments among them), oldest first; a fact several sources
        state is one entry with all of them."""
        self._access(case_id)
        return once(e.to_dict() for e in merge(self._timeline(case_id), subject, kinds))

    def _timeline(self, case_id: str, with_contacts: bool = True) -> list[Event]:
        """Case events and the dated facts of the case's subjects; with
        ``with_contacts``, their calls and payments too."""
        self._under(case_id)
        events = [
            Event(
                iso(e["at"]),
                f"case.{e['kind']}",
                e["summary"] + (f" ({e['reason']})" if e["reason"] else ""),
                ref=e["ref"],
            )
            for e in store.rows(self.s.conn, case_events, ("id",), case_id=case_id)
        ]
        linked = [link["canonical_id"] for link in self._subjects(case_id) if not link["sealed"]]
        if not linked:
            return events
        refs = {"case": case_id, "subjects": linked}
        rows = self.s.subject_statements(action="case.timeline", refs=refs, canonical_ids=linked)
        events += fact_events(rows, set(linked))
        if not with_contacts:
            return events
        visible = self.s.consult("case.timeline.edges", refs)
        where = EdgeFilter(visible, ("Call", "Payment"), None, None)
        contacts = graph_store.touching(self.s.conn, linked, where)
        others = {r.dst if r.src in linked else r.src for r in contacts}
        shown = subject_nodes(self.s.conn, sorted(others | set(linked)), visible)
        events += contact_events(contacts, set(linked),
                                 {cid: n["caption"] for cid, n in shown.items()})  # fmt: skip
        return events

    # --- reviews and dashboards ---

    def _supervised_teams(self) -> list[str] | None:
        """The teams whose cases the caller reviews (None: all, for the local operator)."""
        if self.s.principal.local:
            return None
        if self.s.principal.role != "supervisor":
            return []
        return store.teams_of(self.s.conn, self.me)

    def reviews_due(self) -> list[dict[str, Any]]:
        """Cases past their review date: for the supervisors of their team, and for the
        cases' own leads."""
        today = utcnow().date()
        teams = self._supervised_teams()
        due = store.reviews_due(self.s.conn, today, teams) if teams != [] else []
        mine = {c["id"] for c in store.cases_of(self.s.conn, self.me) if c["my_role"] == "lead"}
        due += [
            c
            for c in store.reviews_due(self.s.conn, today, None)
            if c["id"] in mine and c not in due
        ]
        keep = ("id", "title", "lead", "team", "status", "review_on", "priority")
        return [{k: iso(c[k]) for k in keep} for c in sorted(due, key=lambda c: c["id"])]

    def review(
        self, case_id: str, decision: str, reason: str, next_review: date | None = None
    ) -> dict[str, Any]:
        """A supervisor's review: retain (with a reason and the next review date) or close."""
        case = store.one(self.s.conn, cases, id=case_id)
        teams = self._supervised_teams()
        member = store.member_role(self.s.conn, case_id, self.me) is not None
        due = case is not None and case["review_on"] is not None and (
            _day(case["review_on"]) <= utcnow().date())  # fmt: skip
        allowed = (
            case is not None
            and case["erased_at"] is None
            and (teams is None or (case["team"] in teams and (due or member)))
        )
        if not allowed:
            # a supervisor of the team reviews the cases in their review list (or their
            # own); for anyone else the case is not there, exists or not (and recorded)
            if member:
                raise AccessDenied(f"{self.me} does not supervise the team of case {case_id}")
            raise no_case(case_id)
        assert case is not None
        choice("review decision", decision, REVIEW_DECISIONS)
        reason = written("a reason", reason)
        today = utcnow().date()
        access = Access(case, "supervisor")
        if decision == "retain":
            if case["status"] == "closed":
                raise CaseError(f"case {case_id} is closed; there is nothing to retain")
            chosen = review_date(next_review, today)
            self._write_case(access, None, review_on=chosen)
        else:
            chosen = None
            self._transition(access, "closed", reason, None)
        store.insert_row(
            self.s.conn,
            case_reviews,
            case_id=case_id,
            at=utcnow(),
            reviewer=self.me,
            decision=decision,
            reason=reason,
            next_review=chosen,
        )
        self._event(
            case_id, "reviewed", f"Review: {decision}", reason=reason, audit={"decision": decision}
        )
        return {"case": case_id, "decision": decision, "next_review": iso(chosen)}

    def dashboard(self) -> dict[str, Any]:
        """My cases, my tasks, reviews due, and review items waiting (with their pairs)."""
        mine = self.mine()
        assigned = store.tasks_of(self.s.conn, self.me, [c["id"] for c in mine])
        waiting = self.s.review.pending() if self.s.principal.can(roles.RESOLVE) else None
        return {
            "cases": mine,
            "tasks": [tasks.shown(t) for t in assigned],
            "reviews_due": self.reviews_due(),
            "review_waiting": waiting,
        }

    # --- case file ---

    def graph(self, case_id: str) -> dict[str, Any]:
        """The case's subjects, the neighbours that tie them together, and the edges
        among them (for the graph explorer), read under the case."""
        self._access(case_id)
        self._under(case_id)
        subjects = [
            CaseSubject(
                link["canonical_id"],
                link["caption"],
                link["schema"],
                link["role"],
                link["note"],
                link["sealed"],
                [],
            )
            for link in self._subjects(case_id)
        ]
        graph = self._case_graph(case_id, subjects)
        return {"nodes": graph.nodes, "edges": graph.edges}

    def _case_graph(self, case_id: str, subjects: Sequence[CaseSubject]) -> CaseGraph:
        """The case's subjects, their neighbours that tie most of them together (up to
        ``GRAPH_NODES`` in all; ties to more of the case's subjects first, then more
        edges), and the edges among them (no labels at sealed ones)."""
        linked = [s.canonical_id for s in subjects]
        if not linked:
            return CaseGraph([], [], 0, None)
        visible = self.s.consult("case.report.graph", {"case": case_id})
        where = EdgeFilter(visible, (), None, None)
        walks = walks_of(self.s)
        ties: dict[str, set[str]] = {}
        edges_to: dict[str, int] = {}
        for _, here, there in walks.steps(linked, where):
            if there not in linked:
                ties.setdefault(there, set()).add(here)
                edges_to[there] = edges_to.get(there, 0) + 1
        room = max(0, GRAPH_NODES - len(linked))
        ranked = sorted(ties, key=lambda n: (-len(ties[n]), -edges_to[n], n))
        others = ranked[:room]
        shown = subject_nodes(self.s.conn, others, visible)
        nodes: list[dict[str, Any]] = [
            {"id": s.canonical_id, "caption": s.caption, "schema": s.schema, "role": s.role,
             "sealed": s.sealed}
            for s in subjects
        ]  # fmt: skip
        nodes += [
            {"id": cid, "caption": n["caption"], "schema": n["schema"], "role": None,
             "sealed": n["sealed"]}
            for cid, n in shown.items()
        ]  # fmt: skip
        rows = walks.among([n["id"] for n in nodes], where)
        graph = Subgraph({n["id"]: n for n in nodes}, [graph_edge(e) for e in rows])
        return CaseGraph(nodes, graph.unlabel_sealed().edges, len(ranked) - len(others), where)

    def report(self, case_id: str, fmt: str, recipient: str) -> bytes:
        """The case file as HTML or PDF (a disclosure to ``recipient``)."""
        from casegraph.reports import render

        if fmt not in ("html", "pdf"):
            raise CaseError(f"a case file is html or pdf, not {fmt!r}")
        document = render.html(self.case_file(case_id, recipient))
        return document.encode() if fmt == "html" else render.pdf(document)

    def case_file(self, case_id: str, recipient: str) -> CaseFile:
        """Everything a case file shows, read under the case; producing it is a
        disclosure to ``recipient``, recorded (and committed) before it is returned."""
        access = self._access(case_id)
        self._under(case_id)
        recipient = written("the recipient", recipient, 2)
        links = self._subjects(case_id)
        linked = [link["canonical_id"] for link in links]
        rows = (
            list(
                self.s.subject_statements(
                    action="case.report.read",
                    refs={"case": case_id, "subjects": linked},
                    canonical_ids=linked,
                )
            )
            if linked
            else []
        )
        subjects = subjects_with_facts(links, rows)
        graph = self._case_graph(case_id, subjects)
        ids = [n["id"] for n in graph.nodes]
        # the graph's edges summed up by the store, per pair of subjects, kind and way
        totals = edge_totals.among(self.s.conn, ids, graph.where) if graph.where else []
        captions = {n["id"]: n["caption"] for n in graph.nodes}
        events, events_total = single_events(graph.edges)
        # calls and payments are summed up with the graph and listed in its appendix
        events_of_case = merge(self._timeline(case_id, with_contacts=False))
        timeline = once(e.to_dict() for e in events_of_case)
        evidence = self.evidence(case_id)
        for item in evidence:
            item["integrity"] = self.files.check(item["sha256"])
        now = utcnow()
        self.s.record("case.report", {"case": case_id, "recipient": recipient})
        disclosures = [
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "recipient": e.refs.get("recipient", ""),
            }
            for e in ledger_store.case_entries(self.s.conn, case_id, DISCLOSURES)
        ]
        self.s.commit()
        members = [
            {"username": m["username"], "role": m["role"]}
            for m in store.rows(self.s.conn, case_members, ("username",), case_id=case_id)
        ]
        return CaseFile(
            case=dict(access.case),
            members=members,
            subjects=subjects,
            graph_nodes=graph.nodes,
            graph_edges=file_edges(graph.edges),
            graph_left_out=graph.left_out,
            relationships=relationships(totals, graph.edges, captions),
            events=events,
            events_total=events_total,
            timeline=timeline,
            evidence=evidence,
            disclosures=disclosures,
            recipient=recipient,
            produced_by=self.me,
            produced_at=now,
            notes=[
                {
                    "title": n["title"],
                    "html": n["html"],
                    "updated_at": n["updated_at"],
                    "updated_by": n["updated_by"],
                }
                for n in self.notes(case_id)
            ],
        )

    # --- retention ---

    def erase_expired(self, dry_run: bool = False) -> list[dict[str, Any]]:
        """Closed cases past closure plus their retention period: their private data is
        erased (the case id stays, as a tombstone); the ledger records counts only."""
        now = utcnow()
        done = []
        removed: set[str] = set()
        documents_gone: list[str] = []
        for case in store.expired(self.s.conn, now):
            if case["closed_at"] + timedelta(days=int(case["retention_days"])) > now:
                continue
            item = {
                "case": case["id"],
                "closed_at": iso(case["closed_at"]),
                "retention_days": case["retention_days"],
            }
            if not dry_run:
                item["documents"], gone = self.s.documents.erase_case(case["id"])
                documents_gone += gone
                hashes = store.erase(self.s.conn, case["id"], now)
                removed.update(h for h in hashes if not store.hash_in_use(self.s.conn, h))
                item["evidence_files"] = len(hashes)
                self.s.record("case.erasure", item)
            done.append(item)
        if not dry_run:
            # files of uploads whose transaction never committed belong to no case
            in_use = store.hashes_in_use(self.s.conn)
            orphans = set(self.files.stored_before(time.time() - ORPHAN_GRACE)) - in_use
            removed |= orphans
            if orphans:
                self.s.record("case.evidence.orphans", {"files": len(orphans)})
        if removed or documents_gone:
            self.s.commit()  # the files go only once their rows are gone for good
            for sha in sorted(removed):
                self.files.remove(sha)
            for sha in documents_gone:
                self.s.documents.blobs.remove(sha)
        return done
