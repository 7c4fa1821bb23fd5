"""Red-flag endpoints: the rules, a run over a scope, the hits and decisions on them.
Each runs in the caller's access-checked, audited session: a hit is shown only to a
reader cleared for the sources of all its edges."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from casegraph.api.auth import session
from casegraph.service import Session

router = APIRouter(prefix="/api/v1")


@router.get("/flags/rules")
def rules(s: Session = Depends(session, scope="function")) -> list[dict[str, Any]]:
    """The rules (the package's and the workspace's): what each reads, its parameters."""
    return [rule.to_dict() for rule in s.flags.rules().values()]


class FlagRun(BaseModel):
    scope: str = Field(..., max_length=300, description="case:ID or source:NAME")
    rule: str | None = Field(None, max_length=64, description="one rule (default: all)")


@router.post("/flags/runs")
def run(body: FlagRun, s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    """Run the rules over a scope: the hits found per rule, and the hits themselves."""
    done = s.flags.run(body.scope, body.rule)
    hits = [h for h in s.flags.hits(body.rule) if h["scope"] == body.scope]
    return {**done, "hits": hits}


@router.get("/flags/hits")
def hits(
    rule: str | None = Query(None, max_length=64),
    status: str | None = Query(None, pattern="^(open|dismissed)$"),
    linked_to: str | None = Query(None, max_length=32, description="a case id"),
    include_inactive: bool = Query(False, description="hits no longer found too"),
    s: Session = Depends(session, scope="function"),
) -> list[dict[str, Any]]:
    """The hits found so far, strongest first within each rule, with their edges."""
    return s.flags.hits(rule, status, linked_to, include_inactive)


@router.get("/flags/hits/{hit_id}")
def hit(hit_id: str, s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    """One hit: its subjects, the edges (with their sources) that make it, and why."""
    return s.flags.get(hit_id)


class FlagDecision(BaseModel):
    decision: str = Field(..., pattern="^(dismiss|reopen)$")
    reason: str = Field("", max_length=2000)


@router.post("/flags/hits/{hit_id}/decision")
def decide(
    hit_id: str, body: FlagDecision, s: Session = Depends(session, scope="function")
) -> dict[str, Any]:
    """Dismiss a hit (with a reason) or reopen it; it holds across re-runs."""
    return s.flags.decide(hit_id, body.decision, body.reason)


class FlagCase(BaseModel):
    case: str = Field(..., max_length=32)


@router.post("/flags/hits/{hit_id}/case")
def link(
    hit_id: str, body: FlagCase, s: Session = Depends(session, scope="function")
) -> dict[str, Any]:
    """Add a hit to a case: its subjects join the case if not in it yet."""
    return s.flags.link(hit_id, body.case)
