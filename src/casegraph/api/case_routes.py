"""Case endpoints. A case is a compartment of its members: every route under
``/cases/{case_id}`` runs its session under that case (the purpose of the request is
the case in the path), and answers a non-member exactly as it answers a case that
does not exist (404, never 403)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, HTTPException, Path, Query, Request, UploadFile
from fastapi.responses import Response, StreamingResponse
from pydantic import AfterValidator, BaseModel, Field

from casegraph.access.context import CASE_ID, AccessContext
from casegraph.api.auth import CASE_HEADER, Caller, caller, session
from casegraph.errors import no_case
from casegraph.http.files import attachment, disposition
from casegraph.http.request import request_id, workspace
from casegraph.service import Session, Workspace

router = APIRouter(prefix="/api/v1")
CHUNK = 1 << 20  # uploads are handed to the evidence store in chunks of this size
MAX_INT = 2**31 - 1  # ids and versions are INTEGER columns
MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]{0,126}/[A-Za-z0-9][\w.+-]{0,126}$")


def _no_nul(value: str | None) -> str | None:
    # PostgreSQL stores no NUL character in a text column: refuse it up front
    if value is not None and "\x00" in value:
        raise ValueError("text may not contain NUL characters")
    return value


NoNul = AfterValidator(_no_nul)
Name = Annotated[str, Field(max_length=64), NoNul]  # user names, teams
Word = Annotated[str, Field(max_length=32), NoNul]  # one of a fixed list (type, role ...)
Line = Annotated[str, Field(max_length=500), NoNul]  # titles, parties, recipients
Text = Annotated[str, Field(max_length=20_000), NoNul]  # reasons, legal basis, descriptions
Long = Annotated[str, Field(max_length=500_000), NoNul]  # note bodies (Markdown)
SubjectId = Annotated[str, Field(max_length=255), NoNul]
Version = Annotated[int, Field(ge=1, le=MAX_INT, description="The version the change is based on")]
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
Reason = Annotated[str, Query(max_length=20_000, description="Why (a sentence)"), NoNul]
Recipient = Annotated[str, Query(max_length=500, description="Who the file is disclosed to"), NoNul]


# --- the session under the case of the path ---


def case_context(case_id: str, request: Request, who: Caller = Depends(caller)) -> AccessContext:
    """The caller's context with the path's case as its purpose. A case named in the
    header (or ``?case=``) must be that same case; a malformed id is a case that does
    not exist, with the service's own answer for it."""
    named = request.headers.get(CASE_HEADER) or request.query_params.get("case")
    if named and named != case_id:
        raise HTTPException(
            400,
            f"this route works under case {case_id[:40]!r}, but the {CASE_HEADER} "
            f"header (or case parameter) names {named[:40]!r}; send the same case or none",
        )
    if not CASE_ID.match(case_id):
        raise no_case(case_id)
    return AccessContext(
        actor=who.user.username, case_id=case_id, justification=None,
        request_id=request_id(request),
    )  # fmt: skip


def case_session(
    ctx: AccessContext = Depends(case_context), ws: Workspace = Depends(workspace)
) -> Iterator[Session]:
    """The request's session under the case of the path; like ``auth.session`` it is
    used with ``scope="function"`` and commits before the response is sent."""
    with ws.session(ctx) as s:
        yield s


CaseSession = Annotated[Session, Depends(case_session, scope="function")]
AnySession = Annotated[Session, Depends(session, scope="function")]


# --- request bodies ---


class NewMember(BaseModel):
    username: Name
    role: Word = Field("member", description="lead, member or read-only")


class NewCase(BaseModel):
    title: Line
    case_type: Word = Field(description="fraud, money-laundering, trafficking, corruption or other")
    legal_basis: Text = Field("", description="The legal basis of the investigation")
    predicate: Text = Field("", description="The suspected conduct")
    purpose: Text = ""
    lead: Name | None = Field(None, description="The lead (default: the caller)")
    team: Name | None = None
    priority: Word = "normal"
    review_on: date | None = Field(None, description="The first review (default: a year)")
    members: list[NewMember] = Field([], max_length=100)


class CaseChange(BaseModel):
    version: Version
    title: Line | None = None
    purpose: Text | None = None
    priority: Word | None = None
    review_on: date | None = None
    team: Name | None = None
    case_type: Word | None = None


class StatusChange(BaseModel):
    status: Word = Field(description="open, active, suspended or closed")
    reason: Text
    version: Version


class SubjectLink(BaseModel):
    subject_id: SubjectId
    role: Word = Field(description="suspect, victim, witness, informant or other")
    note: Text = Field(description="Why the subject is in the case")


class SubjectChange(BaseModel):
    role: Word | None = None
    note: Text | None = None
    version: Version


class ChecklistItem(BaseModel):
    text: Line
    done: bool = False


class NewTask(BaseModel):
    title: Line
    description: Text = ""
    assignee: Name | None = None
    due_on: date | None = None
    checklist: list[ChecklistItem] = Field([], max_length=200)


class TaskChange(BaseModel):
    version: Version
    title: Line | None = None
    description: Text | None = None
    assignee: Name | None = None
    due_on: date | None = None
    status: Word | None = Field(None, description="open, in-progress, done or cancelled")
    checklist: list[ChecklistItem] | None = Field(None, max_length=200)


class NewNote(BaseModel):
    title: Line
    body: Long = Field(description="Markdown; @subject-id mentions link to the subject")


class NoteEdit(BaseModel):
    body: Long
    title: Line | None = None
    version: Version


# "case", or "task:N", "note:N", "evidence:N" (N of at most 11 digits)
Target = Annotated[str, Field(max_length=20), NoNul]


class NewComment(BaseModel):
    target: Target = "case"
    body: Text


class Custody(BaseModel):
    action: Word = Field(description="received, transferred, examined or returned")
    party: Line = Field(description="The other party (a person or an office)")
    reason: Text


class Review(BaseModel):
    decision: Word = Field(description="retain or close")
    reason: Text
    next_review: date | None = None


# --- cases ---


@router.get("/me/dashboard")
def dashboard(s: AnySession) -> dict[str, Any]:
    """My cases, my tasks, reviews due, and pairs waiting for review."""
    return s.cases.dashboard()


@router.get("/cases")
def my_cases(s: AnySession) -> dict[str, Any]:
    """The caller's cases (no one else's, not even a count)."""
    return {"items": s.cases.mine()}


@router.post("/cases", status_code=201)
def open_case(body: NewCase, s: AnySession) -> dict[str, Any]:
    """Open a case; the caller and the lead become members, the case type's template
    adds the first tasks."""
    return s.cases.open(
        body.title, body.case_type, body.legal_basis, body.predicate, purpose=body.purpose,
        lead=body.lead, team=body.team, priority=body.priority, review_on=body.review_on,
        members=[(m.username, m.role) for m in body.members],
    )  # fmt: skip


@router.get("/cases/{case_id}")
def show_case(case_id: str, s: CaseSession) -> dict[str, Any]:
    return s.cases.show(case_id)


@router.patch("/cases/{case_id}")
def update_case(case_id: str, body: CaseChange, s: CaseSession) -> dict[str, Any]:
    """Change the case (its leads only); ``version`` is the one the change is based on."""
    changes = body.model_dump(exclude={"version"}, exclude_none=True)
    return s.cases.update(case_id, version=body.version, **changes)


@router.post("/cases/{case_id}/status")
def set_status(case_id: str, body: StatusChange, s: CaseSession) -> dict[str, Any]:
    return s.cases.set_status(case_id, body.status, body.reason, version=body.version)


# --- members ---


@router.post("/cases/{case_id}/members", status_code=201)
def add_member(case_id: str, body: NewMember, s: CaseSession) -> dict[str, Any]:
    s.cases.add_member(case_id, body.username, body.role)
    return {"case": case_id, "username": body.username, "role": body.role}


@router.delete("/cases/{case_id}/members/{username}")
def remove_member(case_id: str, username: str, reason: Reason, s: CaseSession) -> dict[str, Any]:
    s.cases.remove_member(case_id, username, reason)
    return {"case": case_id, "username": username, "status": "removed"}


# --- subjects ---


def _link(s: Session, case_id: str, subject_id: str) -> dict[str, Any]:
    links = s.cases.show(case_id, record=False)["subjects"]
    return next(link for link in links if link["canonical_id"] == subject_id)


@router.post("/cases/{case_id}/subjects", status_code=201)
def link_subject(case_id: str, body: SubjectLink, s: CaseSession) -> dict[str, Any]:
    s.cases.link_subject(case_id, body.subject_id, body.role, body.note)
    return _link(s, case_id, body.subject_id)


@router.patch("/cases/{case_id}/subjects/{subject_id}")
def update_subject(
    case_id: str, subject_id: str, body: SubjectChange, s: CaseSession
) -> dict[str, Any]:
    s.cases.update_subject(case_id, subject_id, body.role, body.note, version=body.version)
    return _link(s, case_id, subject_id)


@router.delete("/cases/{case_id}/subjects/{subject_id}")
def unlink_subject(
    case_id: str,
    subject_id: str,
    reason: Reason,
    version: Annotated[int, Query(ge=1, le=MAX_INT)],
    s: CaseSession,
) -> dict[str, Any]:
    s.cases.unlink_subject(case_id, subject_id, reason, version=version)
    return {"case": case_id, "subject_id": subject_id, "status": "unlinked"}


# --- tasks ---


@router.get("/cases/{case_id}/tasks")
def tasks(case_id: str, s: CaseSession) -> dict[str, Any]:
    return {"items": s.cases.tasks(case_id)}


@router.post("/cases/{case_id}/tasks", status_code=201)
def add_task(case_id: str, body: NewTask, s: CaseSession) -> dict[str, Any]:
    return s.cases.add_task(
        case_id, body.title, body.description, body.assignee, body.due_on,
        [item.model_dump() for item in body.checklist],
    )  # fmt: skip


@router.patch("/cases/{case_id}/tasks/{task_id}")
def update_task(case_id: str, task_id: Id, body: TaskChange, s: CaseSession) -> dict[str, Any]:
    changes = body.model_dump(exclude={"version"}, exclude_none=True)
    return s.cases.update_task(case_id, task_id, version=body.version, **changes)


# --- notes and comments ---


@router.get("/cases/{case_id}/notes")
def notes(case_id: str, s: CaseSession) -> dict[str, Any]:
    """Notes with their sanitised HTML, mentions and revisions."""
    return {"items": s.cases.notes(case_id)}


@router.post("/cases/{case_id}/notes", status_code=201)
def add_note(case_id: str, body: NewNote, s: CaseSession) -> dict[str, Any]:
    return s.cases.add_note(case_id, body.title, body.body)


@router.get("/cases/{case_id}/notes/{note_id}")
def note(case_id: str, note_id: Id, s: CaseSession) -> dict[str, Any]:
    return s.cases.note(case_id, note_id)


@router.put("/cases/{case_id}/notes/{note_id}")
def edit_note(case_id: str, note_id: Id, body: NoteEdit, s: CaseSession) -> dict[str, Any]:
    return s.cases.edit_note(case_id, note_id, body.body, body.title, version=body.version)


@router.get("/cases/{case_id}/comments")
def comments(
    case_id: str,
    s: CaseSession,
    target: Annotated[
        str, Query(max_length=20, description="case, task:N, note:N or evidence:N"), NoNul
    ] = "case",
) -> dict[str, Any]:
    return {"items": s.cases.comments(case_id, target)}


@router.post("/cases/{case_id}/comments", status_code=201)
def comment(case_id: str, body: NewComment, s: CaseSession) -> dict[str, Any]:
    return s.cases.comment(case_id, body.target, body.body)


# --- evidence ---


def _media_type(claimed: str | None) -> str | None:
    """The uploader's media type when it is a plain ``type/subtype`` that says
    something; otherwise the evidence store guesses it from the file name."""
    if claimed is None:
        return None
    value = claimed.split(";", 1)[0].strip().lower()
    if not MEDIA_TYPE.match(value) or value == "application/octet-stream":
        return None
    return value


@router.post("/cases/{case_id}/evidence", status_code=201)
def add_evidence(
    case_id: str,
    file: Annotated[UploadFile, File(description="The evidence file")],
    received_from: Annotated[
        str, Form(max_length=500, description="Who it was received from"), NoNul
    ],
    reason: Annotated[str, Form(max_length=20_000, description="Why it is taken in"), NoNul],
    s: CaseSession,
    description: Annotated[str, Form(max_length=20_000), NoNul] = "",
) -> dict[str, Any]:
    """Store a file, streamed in chunks and hashed on the way, and open its chain of
    custody with who it came from."""
    chunks = iter(lambda: file.file.read(CHUNK), b"")
    return s.cases.add_evidence(
        case_id, chunks, file.filename or "evidence", received_from, reason,
        description=description, media_type=_media_type(file.content_type),
    )  # fmt: skip


@router.get("/cases/{case_id}/evidence")
def evidence(case_id: str, s: CaseSession) -> dict[str, Any]:
    return {"items": s.cases.evidence(case_id)}


@router.post("/cases/{case_id}/evidence/verify")
def verify_evidence(case_id: str, s: CaseSession) -> dict[str, Any]:
    """Hash every evidence file again; each result goes into its chain of custody."""
    return {"items": s.cases.verify(case_id)}


@router.get("/cases/{case_id}/evidence/{evidence_id}")
def evidence_item(case_id: str, evidence_id: Id, s: CaseSession) -> dict[str, Any]:
    """The file's metadata and its chain of custody."""
    return s.cases.evidence_item(case_id, evidence_id)


@router.post("/cases/{case_id}/evidence/{evidence_id}/custody", status_code=201)
def custody(case_id: str, evidence_id: Id, body: Custody, s: CaseSession) -> dict[str, Any]:
    return s.cases.custody(case_id, evidence_id, body.action, body.party, body.reason)


@router.get(
    "/cases/{case_id}/evidence/{evidence_id}/download",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download(
    case_id: str, evidence_id: Id, recipient: Recipient, s: CaseSession
) -> StreamingResponse:
    """The file itself: a disclosure to ``recipient``, on the record before any byte
    leaves."""
    meta, body = s.cases.download(case_id, evidence_id, recipient)
    stored = str(meta["media_type"])
    media_type = stored if MEDIA_TYPE.match(stored) else "application/octet-stream"
    return attachment(body, str(meta["filename"]), str(meta["sha256"]), media_type)


@router.get(
    "/cases/{case_id}/report",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}, "text/html": {}}}},
)
def report(
    case_id: str,
    recipient: Recipient,
    s: CaseSession,
    fmt: Annotated[str, Query(alias="format", pattern="^(html|pdf)$")] = "pdf",
) -> Response:
    """The case file (a disclosure to ``recipient``, on the record before it is sent)."""
    document = s.cases.report(case_id, fmt, recipient)
    media_type = "application/pdf" if fmt == "pdf" else "text/html; charset=utf-8"
    return Response(
        document,
        media_type=media_type,
        headers={"Content-Disposition": disposition(f"{case_id}.{fmt}")},
    )


# --- timeline and reviews ---


@router.get("/cases/{case_id}/timeline")
def timeline(
    case_id: str,
    s: CaseSession,
    subject: Annotated[
        str | None, Query(max_length=255, description="Only this subject's facts"), NoNul
    ] = None,
    kinds: Annotated[
        list[str],
        Query(alias="kind", description="Only these kinds or families (task, fact ...)"),
    ] = [],  # noqa: B006 - FastAPI copies the default
) -> dict[str, Any]:
    """Case events and the dated facts of the case's subjects, oldest first."""
    return {"items": s.cases.timeline(case_id, subject, kinds)}


@router.get("/reviews")
def reviews_due(s: AnySession) -> dict[str, Any]:
    """Cases past their review date: for their team's supervisors and their leads."""
    return {"items": s.cases.reviews_due()}


@router.post("/cases/{case_id}/reviews", status_code=201)
def review(case_id: str, body: Review, s: CaseSession) -> dict[str, Any]:
    """A supervisor's review of a case of their team: retain or close."""
    return s.cases.review(case_id, body.decision, body.reason, body.next_review)
