"""Red flags: the rules and what each reads, a page per rule with its hits (the
subjects, the edges with their sources, why), a run over a case's or a source's
subjects, and dismissing a hit with a reason or adding it to a case."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from casegraph.access import roles
from casegraph.errors import CasegraphError
from casegraph.http.request import workspace
from casegraph.service import Workspace
from casegraph.web.core import Viewer, check_form_csrf, open_session, redirect, viewer
from casegraph.web.pages_review import flash_page, require_role, set_flash

router = APIRouter(include_in_schema=False)


def _scopes(s: Any) -> tuple[list[dict[str, Any]], list[str]]:
    return [c for c in s.cases.mine() if c["status"] != "closed"], s.visible_sources()


@router.get("/flags", response_class=HTMLResponse)
def flags_page(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    require_role(request, who, ws, roles.RESOLVE, "review red flags")
    with open_session(request, who, ws) as s:
        rules = list(s.flags.rules().values())
        counts = s.flags.open_counts()
        cases, sources = _scopes(s)
    return flash_page(request, who, "flags/rules.html", title="Red flags", nav="flags",
                      rules=rules, counts=counts, cases=cases, sources=sources)  # fmt: skip


@router.get("/flags/{rule}", response_class=HTMLResponse)
def rule_page(
    rule: str,
    request: Request,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    require_role(request, who, ws, roles.RESOLVE, "review red flags")
    with open_session(request, who, ws) as s:
        chosen = s.flags.rule(rule)
        found = s.flags.hits(rule)
        cases, sources = _scopes(s)
    return flash_page(request, who, "flags/rule.html", title=chosen.title, nav="flags",
                      rule=chosen, hits=found, cases=cases, sources=sources)  # fmt: skip


@router.post("/flags/run", response_class=HTMLResponse)
async def run(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    form = await check_form_csrf(request, who)
    require_role(request, who, ws, roles.RESOLVE, "run red-flag rules")
    scope = str(form.get("scope", ""))
    rule = str(form.get("rule", "")) or None
    target = f"/flags/{quote(rule)}" if rule else "/flags"
    try:
        with open_session(request, who, ws) as s:
            done = s.flags.run(scope, rule)
    except CasegraphError as exc:
        return set_flash(redirect(target), request, f"Not run: {exc}")
    found = ", ".join(f"{name}: {n}" for name, n in done["found"].items())
    return set_flash(redirect(target), request, f"Ran over {scope}. Hits: {found}.")


@router.post("/flags/hits/{hit_id}", response_class=HTMLResponse)
async def decide(
    hit_id: str,
    request: Request,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    form = await check_form_csrf(request, who)
    require_role(request, who, ws, roles.RESOLVE, "decide on red flags")
    rule = str(form.get("rule", ""))
    target = f"/flags/{quote(rule)}#hit-{hit_id}" if rule else "/flags"
    decision = str(form.get("decision", ""))
    try:
        with open_session(request, who, ws) as s:
            if decision == "case":
                case = str(form.get("case", ""))
                s.flags.link(hit_id, case)
                message = f"Added to case {case}: its subjects are in the case."
            else:
                reason = " ".join(str(form.get("reason", "")).split())
                s.flags.decide(hit_id, decision, reason)
                message = "Dismissed: it stays dismissed on later runs." if (
                    decision == "dismiss") else "Reopened."  # fmt: skip
    except CasegraphError as exc:
        return set_flash(redirect(target), request, f"Not done: {exc}")
    return set_flash(redirect(target), request, message)
