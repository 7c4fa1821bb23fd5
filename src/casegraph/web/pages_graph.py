"""The graph explorer: a page, and the case graph it starts from. Expanding, paths,
communities and exports go through the graph API (the same session rules)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from casegraph.access import roles
from casegraph.access.context import AccessContext
from casegraph.http.request import request_id, workspace
from casegraph.service import Workspace
from casegraph.web.core import Viewer, open_session, page, viewer

router = APIRouter(include_in_schema=False)
KINDS = (
    "Call",
    "Payment",
    "Ownership",
    "Directorship",
    "Employment",
    "Membership",
    "Family",
    "Associate",
    "Representation",
    "UnknownLink",
    "same:phone",
    "same:email",
    "same:address",
    "same:id",
)


@router.get("/graph", response_class=HTMLResponse)
def explorer(
    request: Request,
    start: str = "",
    case: str = "",
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    with open_session(request, who, ws) as s:  # a purpose first, like every subject page
        s.require(roles.READ_SUBJECTS, "explore the graph")
    return page(
        request,
        who,
        "graph/explorer.html",
        title="Graph",
        nav="graph",
        start=start,
        case=case,
        kinds=KINDS,
        can_export=who.can(roles.EXPORT),
    )


@router.get("/graph/case/{case_id}.json")
def case_graph(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> dict[str, Any]:
    """The case's subjects and what ties them together, read under that case."""
    ctx = AccessContext(actor=who.user.username, case_id=case_id, request_id=request_id(request))
    with ws.session(ctx) as s:
        return s.cases.graph(case_id)
