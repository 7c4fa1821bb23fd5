"""Document endpoints: full-text search, one document, and the state of the work. Each
runs in the caller's access-checked, audited session: a document of a source the
caller is not cleared for is neither shown nor counted."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from casegraph.api.auth import session
from casegraph.service import Session

router = APIRouter(prefix="/api/v1")


@router.get("/documents/search")
def documents_search(
    q: str = Query(..., min_length=1, max_length=1000, description='Words, or a "phrase"'),
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
