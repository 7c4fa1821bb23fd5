"""Document endpoints: full-text search, one document, and the state of the work. Each
runs in the caller's access-checked, audited session: a document of a source the
caller is not cleared for is neither shown nor counted."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field

from casegraph.api.auth import session
from casegraph.api.case_routes import Recipient
from casegraph.http.files import attachment, picture
from casegraph.service import Session

router = APIRouter(prefix="/api/v1")


@router.get("/documents/search")
def documents_search(
    q: str = Query(..., min_length=1, max_length=1000,
                   description='Words, "a phrase", and filters: schema:Email source: case: '
                   "year: language:deu mentions:<subject id>"),
    limit: int = Query(20, ge=1, le=100),
    s: Session = Depends(session, scope="function"),
) -> list[dict[str, Any]]:
    """Documents whose text has the words, best first: the best page of each, a snippet
    and where in it the words matched (``highlights``: start and end offsets)."""
    return s.documents.search(q, limit)


@router.get("/documents/status")
def documents_status(
    limit: int = Query(200, ge=1, le=10_000),
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    """Documents by stage and kind, OCR pages, and the ones that failed, with why."""
    return s.documents.status(limit)


@router.get("/documents/{doc_id}")
def document(doc_id: str, s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    """One document: where it is, what is inside it, its metadata and text per page."""
    return s.documents.read(doc_id)


@router.get(
    "/documents/{doc_id}/pages/{page}/image",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
def page_image(
    doc_id: str, page: int = Path(..., ge=1, le=100_000),
    s: Session = Depends(session, scope="function"),
) -> Response:
    """A page of a PDF or a scanned image as a PNG (a consultation, recorded)."""
    return picture(s.documents.page_image(doc_id, page))


@router.get(
    "/documents/{doc_id}/download",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
def download(
    doc_id: str,
    recipient: Recipient,
    s: Session = Depends(session, scope="function"),
) -> StreamingResponse:
    """The file as it was found: a disclosure to ``recipient``, on the record before any
    byte leaves."""
    meta, body = s.documents.download(doc_id, recipient)
    return attachment(body, str(meta["name"]), str(meta["sha256"]))


class MentionDecision(BaseModel):
    decision: str = Field(..., description="accept, reject or link")
    subject: str | None = Field(None, description="link: the subject meant")


@router.post("/documents/{doc_id}/mentions/{place}")
def mention_decision(
    doc_id: str,
    place: str,
    body: MentionDecision,
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    """Accept, reject or re-link the mention at ``place`` (page:start-end); it holds when
    the document is read again."""
    return s.mentions.decide(doc_id, place, body.decision, body.subject)


@router.post("/documents/rescan")
def documents_rescan(s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    """Look for mentions again in every document of the caller's sources, now."""
    queued = s.mentions.rescan()
    return {"queued": queued, **s.documents.work().to_dict()}


@router.get("/subjects/{subject_id}/documents")
def subject_documents(
    subject_id: str,
    limit: int = Query(20, ge=1, le=100),
    s: Session = Depends(session, scope="function"),
) -> list[dict[str, Any]]:
    """The documents that mention a subject, with a snippet of the first mention."""
    return s.mentions.mentioning(subject_id, limit)
