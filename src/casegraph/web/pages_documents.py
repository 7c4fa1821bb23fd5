"""A document: where it is, what is inside it, its metadata and its text page by page,
with the words searched for marked."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from casegraph.access import roles
from casegraph.errors import InvalidInput
from casegraph.http.files import attachment, picture
from casegraph.http.request import workspace
from casegraph.search.labels import language_name
from casegraph.search.query import QueryError, free_text, parse
from casegraph.service import Workspace
from casegraph.web.core import (
    Viewer,
    check_form_csrf,
    open_session,
    page,
    redirect,
    viewer,
)
from casegraph.web.marks import annotated
from casegraph.web.pages_review import require_role

router = APIRouter(include_in_schema=False)
SHOWN_META = (("title", "Title"), ("author", "Author"), ("subject", "Subject"),
              ("date", "Date"), ("created", "Created"), ("modified", "Modified"),
              ("modified_by", "Last modified by"), ("keywords", "Keywords"),
              ("category", "Category"), ("language", "Language"))  # fmt: skip
PARTIES = (("from", "From"), ("to", "To"), ("cc", "Cc"), ("bcc", "Bcc"))
DATES = ("date", "created", "modified")
DONE = {"accept": "Mention accepted.", "reject": "Mention rejected: it links to no one now.",
        "link": "Mention linked to the subject you chose."}  # fmt: skip


def _when(value: object) -> str:
    """An ISO 8601 date and time as people read it: 2024-03-05 11:40 (UTC+01:00)."""
    text = str(value)
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if len(text) <= 10:
        return moment.date().isoformat()
    shown = moment.strftime("%Y-%m-%d %H:%M")
    offset = moment.strftime("%z")
    return f"{shown} (UTC{offset[:3]}:{offset[3:]})" if offset else shown


@router.get("/documents/{doc_id}", response_class=HTMLResponse)
def document(
    request: Request,
    doc_id: str,
    q: str = "",
    done: str = "",
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    return _page(request, who, ws, doc_id, q, [DONE[done]] if done in DONE else [])


def _page(request: Request, who: Viewer, ws: Workspace, doc_id: str, q: str,
          flashes: list[str], error: str = "", status: int = 200) -> Response:  # fmt: skip
    with open_session(request, who, ws) as s:
        doc = s.documents.read(doc_id)
    meta = doc["meta"]
    heading = doc["title"] or doc["name"]
    facts = [(label, _when(meta[key]) if key in DATES else meta[key])
             for key, label in SHOWN_META if meta.get(key) and meta[key] != heading]  # fmt: skip
    if doc["language"] and not meta.get("language"):
        facts.append(("Language", f"{language_name(doc['language'])} (recognised)"))
    parties = [(label, ", ".join(meta[key])) for key, label in PARTIES if meta.get(key)]
    words = _searched(q)
    pages = [{**p, "html": annotated(p["text"], words, [m for m in doc["mentions"]
                                                        if m["page"] == p["page"]])}
             for p in doc["pages"]]  # fmt: skip
    return page(
        request,
        who,
        "documents/document.html",
        title=heading,
        heading=heading,
        nav="search",
        wide=True,
        doc=doc,
        facts=facts,
        parties=parties,
        pages=pages,
        q=q,
        flashes=flashes,
        error=error,
        status=status,
        decide=who.can(roles.RESOLVE),
    )


@router.get("/documents/{doc_id}/pages/{page_no}.png", response_class=Response)
def page_picture(
    request: Request,
    doc_id: str,
    page_no: int,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    """A page of a PDF or a scan as a picture (a consultation, recorded)."""
    with open_session(request, who, ws) as s:
        return picture(s.documents.page_image(doc_id, page_no))


@router.get("/documents/{doc_id}/download", response_class=StreamingResponse)
def download(
    request: Request,
    doc_id: str,
    recipient: str = "",
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    """The file as it was found: a disclosure to ``recipient``, recorded first."""
    with open_session(request, who, ws) as s:
        meta, body = s.documents.download(doc_id, recipient)
    return attachment(body, str(meta["name"]), str(meta["sha256"]))


@router.post("/documents/{doc_id}/mentions", response_class=HTMLResponse)
async def mention_decision(
    request: Request,
    doc_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    """An analyst's decision on one mention; back to the document, at its mentions."""
    form = await check_form_csrf(request, who)
    require_role(request, who, ws, roles.RESOLVE, "decide on mentions")
    place, decision = str(form.get("place", "")), str(form.get("decision", ""))
    subject = str(form.get("subject", "")) or None
    q = str(form.get("q", ""))
    try:
        with open_session(request, who, ws) as s:
            s.mentions.decide(doc_id, place, decision, subject)
    except InvalidInput as exc:
        return _page(request, who, ws, doc_id, q, [], str(exc), 400)
    back = f"/documents/{doc_id}?done={decision}" + (f"&q={quote(q)}" if q else "")
    return redirect(back + "#mentions")


def _searched(query: str) -> list[str]:
    """The words of the search that led here (not its filters' values), to mark."""
    try:
        words = free_text(parse(query))
    except QueryError:
        words = query
    return [words] if words.strip() else []
