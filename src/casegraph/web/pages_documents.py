"""A document: where it is, what is inside it, its metadata and its text page by page,
with the words searched for marked."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from casegraph.http.request import workspace
from casegraph.service import Workspace
from casegraph.web.core import Viewer, open_session, page, viewer
from casegraph.web.marks import words_marked

router = APIRouter(include_in_schema=False)
SHOWN_META = (("title", "Title"), ("author", "Author"), ("subject", "Subject"),
              ("date", "Date"), ("created", "Created"), ("modified", "Modified"),
              ("modified_by", "Last modified by"), ("keywords", "Keywords"),
              ("category", "Category"), ("language", "Language"))  # fmt: skip
PARTIES = (("from", "From"), ("to", "To"), ("cc", "Cc"), ("bcc", "Bcc"))
DATES = ("date", "created", "modified")


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
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    with open_session(request, who, ws) as s:
        doc = s.documents.read(doc_id)
    meta = doc["meta"]
    heading = doc["title"] or doc["name"]
    facts = [(label, _when(meta[key]) if key in DATES else meta[key])
             for key, label in SHOWN_META if meta.get(key) and meta[key] != heading]  # fmt: skip
    parties = [(label, ", ".join(meta[key])) for key, label in PARTIES if meta.get(key)]
    words = [q] if q.strip() else []
    pages = [{**p, "html": words_marked(p["text"], words)} for p in doc["pages"]]
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
    )
