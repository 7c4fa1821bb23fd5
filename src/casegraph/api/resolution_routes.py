"""Entity-resolution endpoints: the review queue of possible matches, their
explanations, decisions, merges and splits. Each runs in the caller's access-checked,
audited session."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from casegraph.api.auth import session
from casegraph.service import Session

router = APIRouter(prefix="/api/v1")


class Decision(BaseModel):
    decision: Literal["positive", "negative", "unsure"]
    reason: str = Field(min_length=5, max_length=2000)


class Merge(BaseModel):
    subjects: list[str] = Field(min_length=2, max_length=2)
    reason: str = Field(min_length=5, max_length=2000)


class Split(BaseModel):
    records: list[str] = Field(min_length=1, max_length=1000)
    reason: str = Field(min_length=5, max_length=2000)


@router.get("/review")
def review_queue(
    limit: int = Query(20, ge=1, le=200),
    offset: int = Query(0, ge=0, le=2**31 - 1),
    case: str | None = Query(None, max_length=64, description="Only items of this case's "
                             "subjects (for its members; the case is the purpose)."),
    subject: str | None = Query(None, max_length=255, description="Only items of this subject."),
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    """Possible matches waiting for a person's judgement, the most worth deciding first:
    each item is two subjects and every pending pair of their records."""
    return s.review.queue(limit, offset, case=case, subject=subject)


@router.get("/review/{item}")
def review_item(item: str, s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    """Both subjects whole, why they may be one (``reasons``, ``against``), and the
    waterfall of the strongest pair, in words and in the model's own terms."""
    return s.review.show(item)


@router.post("/review/{item}")
def review_decide(
    item: str, body: Decision, s: Session = Depends(session, scope="function")
) -> dict[str, Any]:
    """Accept (``positive``: one subject), reject (``negative``: kept apart) or
    ``unsure``: one decision on every pending pair of the item."""
    return s.review.decide(item, body.decision, body.reason)


@router.post("/subjects/merge")
def subjects_merge(body: Merge, s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    return s.resolve.merge(body.subjects[0], body.subjects[1], body.reason)


@router.post("/subjects/{subject_id}/split")
def subjects_split(
    subject_id: str, body: Split, s: Session = Depends(session, scope="function")
) -> dict[str, Any]:
    return s.resolve.split(subject_id, body.records, body.reason)
