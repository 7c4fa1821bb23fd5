"""The case workspace: my cases (and the form to open one), one case's tabs (overview,
subjects, tasks, notes, evidence, timeline, report) and a supervisor's review.

Every page of a case runs its session under that case: the case is the purpose of each
read on it, and a non-member gets exactly what a case that does not exist gets (the
service's ``NotFound``, shown as the 404 page; never a 403 that would tell them the case
is there). A member who opens a case page has that case chosen as their purpose.

Changes are POST forms carrying the CSRF token, and end in a redirect back to the tab
(POST-redirect-GET). A change that breaks a rule, is based on a version someone else has
changed since, or is not the caller's to make shows the tab again with the reason and
the values entered (status 400, 409 or 403); the work of a refused change is rolled
back with its session. Sessions are never nested: the SQLite store has one writer lock
per workspace, and a page opens its next session only once the last one is closed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import QueryParams, UploadFile

from casegraph.access import roles
from casegraph.access.context import CASE_ID, AccessContext
from casegraph.access.policy import AccessDenied
from casegraph.cases.rules import (
    CASE_ROLES,
    CUSTODY_ACTIONS,
    PRIORITIES,
    SUBJECT_ROLES,
    TASK_STATUSES,
    TEMPLATES,
    TRANSITIONS,
    CaseError,
)
from casegraph.errors import Conflict, NotFound, no_case
from casegraph.http.request import request_id, workspace
from casegraph.service import Session, Workspace
from casegraph.web.core import (
    PURPOSE_COOKIE,
    Purpose,
    Viewer,
    check_form_csrf,
    encode_purpose,
    open_session,
    page,
    redirect,
    viewer,
)

router = APIRouter(include_in_schema=False)

CHUNK = 1 << 20  # uploads go to the evidence store in chunks of this size
MAX_INT = 2**31 - 1  # ids and versions are INTEGER columns
# the longest text each kind of field takes (as the HTTP API accepts)
WORD, NAME, SUBJECT, LINE, TEXT, LONG = 32, 64, 255, 500, 20_000, 500_000
MEDIA_TYPE = re.compile(r"^[A-Za-z0-9][\w.+-]{0,126}/[A-Za-z0-9][\w.+-]{0,126}$")
Id = Annotated[int, Path(ge=1, le=MAX_INT)]

# (key, label, path under /cases/{id}); the graph is its own page, linked beside them
TABS = (
    ("overview", "Overview", ""),
    ("subjects", "Subjects", "/subjects"),
    ("tasks", "Tasks", "/tasks"),
    ("notes", "Notes", "/notes"),
    ("evidence", "Evidence", "/evidence"),
    ("timeline", "Timeline", "/timeline"),
    ("report", "Report", "/report"),
)
SUFFIX = {key: suffix for key, _, suffix in TABS}
TIMELINE_KINDS = ("task", "note", "evidence", "status", "subject", "fact")
CUSTODY_BY_PEOPLE = CUSTODY_ACTIONS[:-1]  # "verified" is written by the integrity check
# what the page says after a change went through (the redirect names it: ?done=key)
DONE = {
    "opened": "The case is open. Its type's first tasks are on the Tasks tab.",
    "status": "The case's status is changed.",
    "updated": "The case's details are saved.",
    "member-added": "The member is added.",
    "member-removed": "The member is removed.",
    "subject-linked": "The subject is linked to the case.",
    "subject-updated": "The subject's link is changed.",
    "subject-unlinked": "The subject is removed from the case.",
    "task-added": "The task is added.",
    "task-updated": "The task is changed.",
    "checklist": "The checklist is saved.",
    "note-added": "The note is added.",
    "note-edited": "The note is saved as a new revision.",
    "evidence-added": "The file is stored and its chain of custody opened.",
    "custody": "The chain of custody is extended.",
    "verified": "Every file was hashed again; the results are in each chain of custody.",
    "reviewed": "Your review is recorded.",
}
# what a person can get wrong on a page: shown on the page, with the reason
MISTAKES = (CaseError, Conflict, AccessDenied)
CONFLICT = "Someone else changed this meanwhile: reload the page and apply your change again."


def _status(exc: Exception) -> int:
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, AccessDenied):
        return 403
    return 400


class Form:
    """The fields of a submitted form, read the way the service wants them; anything
    malformed is a ``CaseError`` naming the field."""

    def __init__(self, fields: dict[str, Any]) -> None:
        self.fields = fields

    def text(self, name: str, label: str, limit: int = TEXT) -> str:
        value = self.fields.get(name, "")
        if not isinstance(value, str):
            raise CaseError(f"{label} must be text")
        if "\x00" in value:
            raise CaseError(f"{label} may not contain NUL characters")
        if len(value) > limit:
            raise CaseError(f"{label} is too long (at most {limit:,} characters)")
        return value

    def optional(self, name: str, label: str, limit: int = TEXT) -> str | None:
        return self.text(name, label, limit).strip() or None

    def day(self, name: str, label: str) -> date | None:
        value = self.text(name, label, WORD).strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise CaseError(f"{label}: {value!r} is not a date (YYYY-MM-DD)") from None

    def number(self, name: str) -> int:
        value = self.text(name, name, WORD).strip()
        if not value.isdigit() or not 1 <= int(value) <= MAX_INT:
            raise CaseError(f"the form lacks its {name}; reload the page and try again")
        return int(value)

    def version(self) -> int:
        return self.number("version")

    def checked(self, name: str) -> bool:
        return name in self.fields

    def entered(self) -> dict[str, str]:
        """What the person typed, to show the form again with it."""
        return {k: v for k, v in self.fields.items() if isinstance(v, str) and k != "csrf"}


# --- sessions -----------------------------------------------------------------------


def _case_context(request: Request, who: Viewer, case_id: str) -> AccessContext:
    if not CASE_ID.match(case_id):  # no such case can exist: the answer of any other
        raise no_case(case_id)
    return AccessContext(actor=who.user.username, case_id=case_id, request_id=request_id(request))


@contextmanager
def case_session(request: Request, who: Viewer, ws: Workspace, case_id: str) -> Iterator[Session]:
    """The page's session under the case of its path."""
    with ws.session(_case_context(request, who, case_id)) as s:
        yield s


def _choose_case(request: Request, response: Response, case_id: str) -> Response:
    """The member works under this case from now on: the header shows it, and later
    searches and profiles run under it."""
    response.set_cookie(
        PURPOSE_COOKIE,
        encode_purpose(Purpose(case=case_id)),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=12 * 3600,
        path="/",
    )
    return response


def _done(params: QueryParams) -> list[str]:
    message = DONE.get(params.get("done", ""))
    return [message] if message else []


def _url(case_id: str, tab: str, done: str, anchor: str = "") -> str:
    return f"/cases/{case_id}{SUFFIX[tab]}?done={done}{anchor}"


# --- my cases and opening one -------------------------------------------------------


def _list_page(
    request: Request,
    who: Viewer,
    ws: Workspace,
    status: int = 200,
    error: str | None = None,
    entered: dict[str, str] | None = None,
) -> Response:
    with open_session(request, who, ws, need_purpose=False) as s:
        mine = s.cases.mine()
    return page(
        request,
        who,
        "cases/list.html",
        status=status,
        title="My cases",
        nav="cases",
        cases=mine,
        can_open=who.can(roles.MANAGE_CASES),
        case_types=TEMPLATES,
        priorities=PRIORITIES,
        error=error,
        entered=entered or {},
        today=date.today().isoformat(),
        flashes=_done(request.query_params),
    )


@router.get("/cases", response_class=HTMLResponse)
def my_cases(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    return _list_page(request, who, ws)


@router.post("/cases", response_class=HTMLResponse)
async def open_case(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    form = Form(await check_form_csrf(request, who))

    def run() -> Response:
        try:
            with open_session(request, who, ws, need_purpose=False) as s:
                case = s.cases.open(
                    form.text("title", "the title", LINE),
                    form.text("case_type", "the case type", WORD),
                    form.text("legal_basis", "the legal basis"),
                    form.text("predicate", "the predicate"),
                    purpose=form.text("purpose", "the purpose"),
                    team=form.optional("team", "the team", NAME),
                    priority=form.optional("priority", "the priority", WORD) or "normal",
                    review_on=form.day("review_on", "the review date"),
                )
        except MISTAKES as exc:
            return _list_page(request, who, ws, _status(exc), str(exc), form.entered())
        return redirect(f"/cases/{case['id']}?done=opened")

    return await run_in_threadpool(run)


# --- one case's tabs ----------------------------------------------------------------


def _extra(s: Session, case: dict[str, Any], tab: str, params: QueryParams) -> dict[str, Any]:
    """What a tab shows beyond the case itself (read in the page's one session)."""
    case_id = case["id"]
    if tab == "notes":
        return {"notes": s.cases.notes(case_id)}
    if tab == "evidence":
        return {"evidence": s.cases.evidence(case_id)}
    if tab == "subjects":
        return {"prefill": params.get("subject", "")[:SUBJECT]}
    if tab == "timeline":
        linked = {link["canonical_id"]: link for link in case["subjects"]}
        subject = params.get("subject") or None
        kind = params.get("kind") or ""
        subject = subject if subject in linked else None
        kind = kind if kind in TIMELINE_KINDS else ""
        events = s.cases.timeline(case_id, subject, [kind] if kind else [])
        return {"events": events, "linked": linked, "subject": subject or "", "kind": kind}
    return {}


def _tab(
    request: Request,
    who: Viewer,
    ws: Workspace,
    case_id: str,
    tab: str,
    status: int = 200,
    error: str | None = None,
    conflict: bool = False,
    entered: dict[str, str] | None = None,
) -> Response:
    with case_session(request, who, ws, case_id) as s:
        case = s.cases.show(case_id)  # NotFound for anyone not a member
        extra = _extra(s, case, tab, request.query_params)
    is_lead = case["my_role"] == "lead"
    is_open = case["status"] != "closed"
    response = page(
        request,
        replace(who, purpose=Purpose(case=case_id)),  # the header shows the new purpose
        f"cases/{tab}.html",
        status=status,
        title=f"{case['id']} · {case['title']}",
        nav="cases",
        case=case,
        tab=tab,
        tabs=TABS,
        here=f"/cases/{case_id}{SUFFIX[tab]}",
        is_lead=is_lead,
        can_write=is_open and case["my_role"] in ("lead", "member"),
        can_lead=is_open and is_lead,
        transitions=[
            (to, name) for (frm, to), name in TRANSITIONS.items() if frm == case["status"]
        ],
        case_types=TEMPLATES,
        priorities=PRIORITIES,
        case_roles=CASE_ROLES,
        subject_roles=SUBJECT_ROLES,
        task_statuses=TASK_STATUSES,
        custody_actions=CUSTODY_BY_PEOPLE,
        timeline_kinds=TIMELINE_KINDS,
        error=error,
        conflict=conflict,
        entered=entered or {},
        today=date.today().isoformat(),
        flashes=_done(request.query_params),
        **extra,
    )
    return _choose_case(request, response, case_id)


async def _change(
    request: Request,
    who: Viewer,
    ws: Workspace,
    case_id: str,
    tab: str,
    work: Callable[[Session, Form], str],
    anchor: str = "",
) -> Response:
    """Check the form's token, do ``work`` in a session under the case and send the
    browser back to the tab; a mistake shows the tab again with the reason."""
    form = Form(await check_form_csrf(request, who))

    def run() -> Response:
        try:
            with case_session(request, who, ws, case_id) as s:
                done = work(s, form)
        except MISTAKES as exc:
            return _tab(
                request,
                who,
                ws,
                case_id,
                tab,
                status=_status(exc),
                error=str(exc),
                conflict=isinstance(exc, Conflict),
                entered=form.entered(),
            )
        return redirect(_url(case_id, tab, done, anchor))

    return await run_in_threadpool(run)


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def overview(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    return _tab(request, who, ws, case_id, "overview")


@router.get("/cases/{case_id}/{tab}", response_class=HTMLResponse)
def case_tab(
    request: Request,
    case_id: str,
    tab: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    if tab == "review":
        return _review_page(request, who, ws, case_id)
    if tab not in SUFFIX or tab == "overview":
        _tab(request, who, ws, case_id, "overview")  # a stranger learns nothing more
        raise NotFound(f"no page {tab!r} in a case")
    return _tab(request, who, ws, case_id, tab)


# --- overview: status, details, members ---


@router.post("/cases/{case_id}/status", response_class=HTMLResponse)
async def set_status(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        s.cases.set_status(
            case_id,
            form.text("status", "the status", WORD),
            form.text("reason", "the reason"),
            version=form.version(),
        )
        return "status"

    return await _change(request, who, ws, case_id, "overview", work)


@router.post("/cases/{case_id}/details", response_class=HTMLResponse)
async def edit_case(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        s.cases.update(
            case_id,
            version=form.version(),
            title=form.optional("title", "the title", LINE),
            purpose=form.text("purpose", "the purpose").strip(),
            priority=form.optional("priority", "the priority", WORD),
            review_on=form.day("review_on", "the review date"),
            team=form.optional("team", "the team", NAME),
        )
        return "updated"

    return await _change(request, who, ws, case_id, "overview", work)


@router.post("/cases/{case_id}/members", response_class=HTMLResponse)
async def add_member(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        username = form.text("username", "the user name", NAME).strip()
        s.cases.add_member(case_id, username, form.text("role", "the role", WORD))
        return "member-added"

    return await _change(request, who, ws, case_id, "overview", work, "#members")


@router.post("/cases/{case_id}/members/remove", response_class=HTMLResponse)
async def remove_member(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        username = form.text("username", "the member", NAME)
        s.cases.remove_member(case_id, username, form.text("reason", "the reason"))
        return "member-removed"

    return await _change(request, who, ws, case_id, "overview", work, "#members")


# --- subjects ---


@router.post("/cases/{case_id}/subjects", response_class=HTMLResponse)
async def link_subject(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        subject = form.text("subject_id", "the subject id", SUBJECT).strip()
        if not subject:
            typed = form.text("subject_name", "the subject's name", SUBJECT).strip()
            raise CaseError(
                f"choose {typed!r} from the list that opens as you type a name, or paste "
                "the subject's id"
                if typed
                else "name the subject: type its name and choose it from the list, or paste its id"
            )
        role = form.text("role", "the role", WORD)
        note = form.text("note", "the note")
        try:
            s.cases.link_subject(case_id, subject, role, note)
        except NotFound as exc:
            # a subject id that is wrong (or not visible) is a mistake in the form; a
            # stranger's NotFound of the case comes back when the tab is shown again
            raise CaseError(
                f"{exc}: type its name and choose it from the list, or copy the id from "
                "the subject's profile page"
            ) from exc
        return "subject-linked"

    return await _change(request, who, ws, case_id, "subjects", work)


@router.post("/cases/{case_id}/subjects/change", response_class=HTMLResponse)
async def change_subject(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        s.cases.update_subject(
            case_id,
            form.text("subject_id", "the subject id", SUBJECT),
            role=form.optional("role", "the role", WORD),
            note=form.optional("note", "the note"),
            version=form.version(),
        )
        return "subject-updated"

    return await _change(request, who, ws, case_id, "subjects", work)


@router.post("/cases/{case_id}/subjects/unlink", response_class=HTMLResponse)
async def unlink_subject(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        s.cases.unlink_subject(
            case_id,
            form.text("subject_id", "the subject id", SUBJECT),
            form.text("reason", "the reason"),
            version=form.version(),
        )
        return "subject-unlinked"

    return await _change(request, who, ws, case_id, "subjects", work)


# --- tasks ---


@router.post("/cases/{case_id}/tasks", response_class=HTMLResponse)
async def add_task(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        items = form.text("checklist", "the checklist").splitlines()
        checklist = [item.strip() for item in items if item.strip()]
        if any(len(item) > LINE for item in checklist):
            raise CaseError(f"a checklist item has at most {LINE} characters")
        s.cases.add_task(
            case_id,
            form.text("title", "the title", LINE),
            form.text("description", "the description"),
            assignee=form.optional("assignee", "the assignee", NAME),
            due_on=form.day("due_on", "the due date"),
            checklist=checklist,
        )
        return "task-added"

    return await _change(request, who, ws, case_id, "tasks", work)


@router.post("/cases/{case_id}/tasks/{task_id}", response_class=HTMLResponse)
async def change_task(
    request: Request,
    case_id: str,
    task_id: Id,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        s.cases.update_task(
            case_id,
            task_id,
            version=form.version(),
            status=form.optional("status", "the status", WORD),
            assignee=form.optional("assignee", "the assignee", NAME),
            due_on=form.day("due_on", "the due date"),
        )
        return "task-updated"

    return await _change(request, who, ws, case_id, "tasks", work, f"#task-{task_id}")


@router.post("/cases/{case_id}/tasks/{task_id}/checklist", response_class=HTMLResponse)
async def tick_checklist(
    request: Request,
    case_id: str,
    task_id: Id,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        items = []
        for n in range(200):
            if f"item-{n}" not in form.fields:
                break
            text = form.text(f"item-{n}", "a checklist item", LINE)
            items.append({"text": text, "done": form.checked(f"done-{n}")})
        s.cases.update_task(case_id, task_id, version=form.version(), checklist=items)
        return "checklist"

    return await _change(request, who, ws, case_id, "tasks", work, f"#task-{task_id}")


# --- notes ---


@router.post("/cases/{case_id}/notes/preview", response_class=HTMLResponse)
async def preview_note(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    """The note's Markdown as the sanitised HTML it will be shown as (for the live
    preview beside the editor); for the members of the case only, like every page."""
    form = Form(await check_form_csrf(request, who))
    body = form.text("body", "the note", LONG)

    def run() -> Response:
        with case_session(request, who, ws, case_id) as s:
            # NotFound for a non-member; mentions by name, as the note will show them
            html = s.cases.render_note(case_id, body)
        if not body.strip():
            return HTMLResponse('<p class="empty">Nothing to preview yet.</p>')
        return HTMLResponse(html)

    return await run_in_threadpool(run)


@router.post("/cases/{case_id}/notes", response_class=HTMLResponse)
async def add_note(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        s.cases.add_note(
            case_id, form.text("title", "the title", LINE), form.text("body", "the note", LONG)
        )
        return "note-added"

    return await _change(request, who, ws, case_id, "notes", work)


@router.post("/cases/{case_id}/notes/{note_id}", response_class=HTMLResponse)
async def edit_note(
    request: Request,
    case_id: str,
    note_id: Id,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        s.cases.edit_note(
            case_id,
            note_id,
            form.text("body", "the note", LONG),
            title=form.optional("title", "the title", LINE),
            version=form.version(),
        )
        return "note-edited"

    return await _change(request, who, ws, case_id, "notes", work, f"#note-{note_id}")


# --- evidence ---


def _media_type(claimed: str | None) -> str | None:
    """The browser's media type when it says something; else the store guesses."""
    value = (claimed or "").split(";", 1)[0].strip().lower()
    if not MEDIA_TYPE.match(value) or value == "application/octet-stream":
        return None
    return value


@router.post("/cases/{case_id}/evidence", response_class=HTMLResponse)
async def add_evidence(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        upload = form.fields.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise CaseError("choose the file to upload")
        chunks = iter(lambda: upload.file.read(CHUNK), b"")
        s.cases.add_evidence(
            case_id,
            chunks,
            upload.filename,
            form.text("received_from", "who it was received from", LINE),
            form.text("reason", "the reason"),
            description=form.text("description", "the description"),
            media_type=_media_type(upload.content_type),
        )
        return "evidence-added"

    return await _change(request, who, ws, case_id, "evidence", work)


@router.post("/cases/{case_id}/evidence/verify", response_class=HTMLResponse)
async def verify_evidence(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        s.cases.verify(case_id)
        return "verified"

    return await _change(request, who, ws, case_id, "evidence", work)


@router.post("/cases/{case_id}/evidence/{evidence_id}/custody", response_class=HTMLResponse)
async def add_custody(
    request: Request,
    case_id: str,
    evidence_id: Id,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    def work(s: Session, form: Form) -> str:
        s.cases.custody(
            case_id,
            evidence_id,
            form.text("action", "the action", WORD),
            form.text("party", "the other party", LINE),
            form.text("reason", "the reason"),
        )
        return "custody"

    anchor = f"#evidence-{evidence_id}"
    return await _change(request, who, ws, case_id, "evidence", work, anchor)


# --- a supervisor's review ------------------------------------------------------------


def _review_page(
    request: Request,
    who: Viewer,
    ws: Workspace,
    case_id: str,
    status: int = 200,
    error: str | None = None,
    entered: dict[str, str] | None = None,
) -> Response:
    """The review form. The supervisor is not a member: the session has no case as its
    purpose, and the page shows what the list of reviews due shows, nothing more. A
    user who neither supervises nor is a member gets the case's 404."""
    if not CASE_ID.match(case_id):
        raise no_case(case_id)
    ctx = AccessContext(actor=who.user.username, request_id=request_id(request))
    with ws.session(ctx) as s:
        due = next((c for c in s.cases.reviews_due() if c["id"] == case_id), None)
        member = next((c for c in s.cases.mine() if c["id"] == case_id), None)
    supervisor = who.user.role == "supervisor"
    if not supervisor and member is None:
        raise no_case(case_id)
    return page(
        request,
        who,
        "cases/review.html",
        status=status,
        title=f"Review of {case_id}",
        nav="cases",
        case_id=case_id,
        case=due or member,
        due=due is not None,
        member=member,
        supervisor=supervisor,
        error=error,
        entered=entered or {},
        today=date.today().isoformat(),
        flashes=_done(request.query_params),
    )


@router.post("/cases/{case_id}/review", response_class=HTMLResponse)
async def record_review(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    form = Form(await check_form_csrf(request, who))

    def run() -> Response:
        try:
            if not CASE_ID.match(case_id):
                raise no_case(case_id)
            ctx = AccessContext(actor=who.user.username, request_id=request_id(request))
            with ws.session(ctx) as s:
                decision = form.text("decision", "the decision", WORD)
                next_review = (
                    form.day("next_review", "the next review") if decision == "retain" else None
                )
                s.cases.review(case_id, decision, form.text("reason", "the reason"), next_review)
        except MISTAKES as exc:
            return _review_page(request, who, ws, case_id, _status(exc), str(exc), form.entered())
        return redirect(f"/cases/{case_id}/review?done=reviewed")

    return await run_in_threadpool(run)
