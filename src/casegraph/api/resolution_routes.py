"""Entity-resolution endpoints: the review queue, pair explanations, decisions, merges
and splits. Each runs in the caller's access-checked, audited session."""

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
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    """Pairs waiting for a person's judgement, most likely first."""
    return s.resolve.queue(limit, offset)


@router.get("/review/{pair}")
def review_pair(pair: str, s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    """Both records side by side and the match-weight waterfall."""
    return s.resolve.show(pair)


@router.post("/review/{pair}")
def review_decide(
    pair: str, body: Decision, s: Session = Depends(session, scope="function")
) -> dict[str, Any]:
    return s.resolve.decide(pair, body.decision, body.reason)


@router.post("/subjects/merge")
def subjects_merge(body: Merge, s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    return s.resolve.merge(body.subjects[0], body.subjects[1], body.reason)


@router.post("/subjects/{subject_id}/split")
def subjects_split(
    subject_id: str, body: Split, s: Session = Depends(session, scope="function")
) -> dict[str, Any]:
    return s.resolve.split(subject_id, body.records, body.reason)
