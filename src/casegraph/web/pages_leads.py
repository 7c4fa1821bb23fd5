"""Leads: screening a case's or a source's subjects against a list, and the candidates
it found, best first, each with its reasons in words, to confirm, dismiss with a reason
or add to a case. Every read is a consultation under the reader's purpose."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from casegraph.access import roles
from casegraph.errors import CasegraphError
from casegraph.http.request import workspace
from casegraph.service import Workspace
from casegraph.services.leads import DEFAULT_THRESHOLD, STATUSES
from casegraph.web.core import Viewer, check_form_csrf, open_session, redirect, viewer
from casegraph.web.pages_review import bucket, flash_page, require_role, set_flash

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50
DONE = {"confirm": "Confirmed: the subject is the listed party.",
        "dismiss": "Dismissed: the lead stays dismissed on every later run.",
        "reopen": "Reopened."}  # fmt: skip


def _query(**values: Any) -> str:
    wanted = {k: str(v) for k, v in values.items() if v}
    return "?" + urlencode(wanted) if wanted else ""


def _page(
    request: Request, who: Viewer, ws: Workspace, against: str | None, status: str | None,
    error: str | None = None, http_status: int = 200,
) -> Response:  # fmt: skip
    with open_session(request, who, ws) as s:
        found, total = s.leads.listed(against, status, limit=PAGE_SIZE)
        kept = s.leads.screenings()
        mine = [c for c in s.cases.mine() if c["status"] != "closed"]
        sources = s.visible_sources()
    for lead in found:
        largest = max((abs(e["weight"]) for e in lead["explanation"]), default=1.0) or 1.0
        for e in lead["explanation"]:
            e["bucket"] = bucket(e["weight"], largest)
            e["sign"] = "pos" if e["weight"] > 0 else "neg" if e["weight"] < 0 else "zero"
    return flash_page(
        request, who, "leads/list.html", status=http_status, title="Leads", nav="leads",
        leads=found, total=total, screenings=kept, cases=mine, sources=sources,
        against=against or "", status_filter=status or "", statuses=STATUSES,
        threshold=DEFAULT_THRESHOLD, error=error, keep=_query(against=against, status=status),
    )  # fmt: skip


@router.get("/leads", response_class=HTMLResponse)
def leads_page(
    request: Request,
    against: str | None = Query(None, max_length=64),
    status: str | None = Query(None, max_length=16),
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    require_role(request, who, ws, roles.RESOLVE, "review leads")
    return _page(request, who, ws, against or None, status or None)


@router.post("/leads/screen", response_class=HTMLResponse)
async def screen(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    form = await check_form_csrf(request, who)
    require_role(request, who, ws, roles.RESOLVE, "screen subjects against a list")
    against = str(form.get("against", ""))
    scope = str(form.get("scope", ""))
    try:
        threshold = float(str(form.get("threshold", DEFAULT_THRESHOLD)))
        with open_session(request, who, ws) as s:
            run = s.leads.screen(against, scope, threshold)
    except (CasegraphError, ValueError) as exc:
        return _page(request, who, ws, None, None, f"Not screened: {exc}", 400)
    message = (f"Screened {run['subjects']:,} subjects of {scope} against {run['entries']:,} "
               f"entries of {against}: {run['compared']:,} pairs compared, {run['found']:,} "
               f"at or above {threshold:g}.")  # fmt: skip
    return set_flash(redirect("/leads" + _query(against=against)), request, message)


@router.post("/leads/{lead_id}", response_class=HTMLResponse)
async def decide(
    lead_id: str,
    request: Request,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    form = await check_form_csrf(request, who)
    require_role(request, who, ws, roles.RESOLVE, "decide on leads")
    keep = str(form.get("keep", ""))
    keep = keep if keep.startswith("?") else ""
    decision = str(form.get("decision", ""))
    reason = " ".join(str(form.get("reason", "")).split())
    case = str(form.get("case", ""))
    try:
        with open_session(request, who, ws) as s:
            if decision == "case":
                s.leads.link(lead_id, case)
                message = f"Added to case {case}."
            else:
                s.leads.decide(lead_id, decision, reason)
                message = DONE.get(decision, "Done.")
    except CasegraphError as exc:
        return set_flash(redirect("/leads" + keep), request, f"Not done: {exc}")
    return set_flash(redirect("/leads" + keep + f"#lead-{lead_id}"), request, message)
