"""Screening and lead endpoints. Each runs in the caller's access-checked, audited
session: a lead is shown only to a reader cleared for its list and for every source its
comparison read."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from casegraph.api.auth import session
from casegraph.service import Session
from casegraph.services.leads import DEFAULT_THRESHOLD

router = APIRouter(prefix="/api/v1")


class Screening(BaseModel):
    against: str = Field(..., max_length=64, description="The list source")
    scope: str = Field(..., max_length=300, description="case:ID or source:NAME")
    threshold: float = Field(DEFAULT_THRESHOLD, gt=0, le=1)


@router.post("/screenings")
def screen(body: Screening, s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    """Screen a scope against a list now (only what changed since the last run is
    compared again): the run, and the screening's best 100 leads."""
    run = s.leads.screen(body.against, body.scope, body.threshold)
    found, total = s.leads.listed(against=body.against, screening=run["screening"])
    return {"run": run, "total": total, "leads": found}


@router.get("/screenings")
def screenings(s: Session = Depends(session, scope="function")) -> list[dict[str, Any]]:
    """The screenings kept, with their latest run."""
    return s.leads.screenings()


@router.get("/leads")
def leads(
    against: str | None = Query(None, max_length=64),
    status: str | None = Query(None, pattern="^(open|confirmed|dismissed)$"),
    linked_to: str | None = Query(None, max_length=32, description="a case id"),
    subject: str | None = Query(None, max_length=255),
    include_inactive: bool = Query(False, description="leads that no longer match too"),
    limit: int = Query(100, ge=1, le=1000),
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    """Leads, best first (ties: the strongest evidence besides the name), and how many
    there are; ``/leads/export`` gives all of them."""
    found, total = s.leads.listed(against, status, linked_to, subject,
                                  include_inactive=include_inactive, limit=limit)  # fmt: skip
    return {"total": total, "leads": found}


@router.get(
    "/leads/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/x-ndjson": {}}}},
)
def export(
    against: str | None = Query(None, max_length=64),
    status: str | None = Query(None, pattern="^(open|confirmed|dismissed)$"),
    s: Session = Depends(session, scope="function"),
) -> StreamingResponse:
    """Every lead as JSON lines, with ids: no cap (a consultation on the record)."""
    rows = list(s.leads.export(against=against, status=status))

    def lines() -> Iterator[bytes]:
        for row in rows:
            yield (json.dumps(row, ensure_ascii=False, default=str) + "\n").encode()

    return StreamingResponse(lines(), media_type="application/x-ndjson")


@router.get("/leads/{lead_id}")
def lead(lead_id: str, s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    """One lead: both sides with their source entities, the score and why."""
    return s.leads.get(lead_id)


class Decision(BaseModel):
    decision: str = Field(..., pattern="^(confirm|dismiss|reopen)$")
    reason: str = Field("", max_length=2000)


@router.post("/leads/{lead_id}/decision")
def decide(
    lead_id: str, body: Decision, s: Session = Depends(session, scope="function")
) -> dict[str, Any]:
    """Confirm, dismiss (with a reason) or reopen a lead; it holds across re-runs."""
    return s.leads.decide(lead_id, body.decision, body.reason)


class CaseLink(BaseModel):
    case: str = Field(..., max_length=32)
    note: str = Field("", max_length=2000)


@router.post("/leads/{lead_id}/case")
def link(
    lead_id: str, body: CaseLink, s: Session = Depends(session, scope="function")
) -> dict[str, Any]:
    """Add the lead to a case (its subject too, if not yet in it)."""
    return s.leads.link(lead_id, body.case, body.note)
