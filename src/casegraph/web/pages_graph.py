"""The graph explorer: a page, and the JSON it draws from. Expanding a subject, a path
between two and the case graph run through the page's session (the purpose chosen,
the same access rules and records as the graph API); what is drawn is shaped here
(``graph_view``): parallel edges merged with their totals, paths step by step."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from casegraph.access import roles
from casegraph.access.context import AccessContext
from casegraph.errors import CasegraphError
from casegraph.http.request import request_id, workspace
from casegraph.service import Session, Workspace
from casegraph.web import graph_view
from casegraph.web.core import Viewer, json_answer, open_session, page, viewer

router = APIRouter(include_in_schema=False)
WITHOUT = Query([], max_length=64, description="Edge kinds switched off")


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
    case_id = case or who.purpose.case or ""
    return page(
        request,
        who,
        "graph/explorer.html",
        title="Graph",
        nav="graph",
        start=start,
        case=case,
        roles_json=json.dumps(_roles(request, who, ws, case_id)),
        can_export=who.can(roles.EXPORT),
    )


def _roles(request: Request, who: Viewer, ws: Workspace, case_id: str) -> dict[str, str]:
    """The subjects of the page's case and their roles in it (none when the reader is
    not a member: the case graph says why)."""
    if not case_id:
        return {}
    ctx = AccessContext(actor=who.user.username, case_id=case_id, request_id=request_id(request))
    try:
        with ws.session(ctx) as s:
            linked = s.cases.show(case_id, record=False)["subjects"]
    except CasegraphError:
        return {}
    return {str(n["canonical_id"]): str(n["role"]) for n in linked if n.get("role")}


@router.get("/graph/expand.json")
def expand(
    request: Request,
    subject: str = Query(..., min_length=1, max_length=255),
    hops: int = Query(1, ge=1, le=3),
    limit: int = Query(60, ge=1, le=500),
    without: list[str] = WITHOUT,
    since: str | None = Query(None, max_length=32),
    until: str | None = Query(None, max_length=32),
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    """The neighbourhood of one subject, its edges merged into links."""
    kinds = graph_view.kinds_without(without)

    def work(s: Session) -> dict[str, Any]:
        found = s.graph.expand(subject, hops, limit, kinds, since or None, until or None)
        return graph_view.graph(found.to_dict())

    return json_answer(request, who, ws, work)


@router.get("/graph/node.json")
def node(
    request: Request,
    subject: str = Query(..., min_length=1, max_length=255),
    without: list[str] = WITHOUT,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    """One subject on its own (added by name), with nothing around it yet."""
    kinds = graph_view.kinds_without(without)

    def work(s: Session) -> dict[str, Any]:
        found = s.graph.expand(subject, 1, 1, kinds).to_dict()
        nodes = [n for n in found["nodes"] if n["id"] == subject]
        return {"nodes": nodes, "edges": [], "links": []}

    return json_answer(request, who, ws, work)


@router.get("/graph/path.json")
def path(
    request: Request,
    a: str = Query(..., min_length=1, max_length=255),
    b: str = Query(..., min_length=1, max_length=255),
    time_ordered: bool = False,
    without: list[str] = WITHOUT,
    since: str | None = Query(None, max_length=32),
    until: str | None = Query(None, max_length=32),
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    """The shortest path between two subjects, step by step."""
    kinds = graph_view.kinds_without(without)

    def work(s: Session) -> dict[str, Any]:
        found = s.graph.paths(a, b, 1, 6, kinds, since or None, until or None, time_ordered)
        return {"paths": [graph_view.path(p) for p in found]}

    return json_answer(request, who, ws, work)


@router.get("/graph/case/{case_id}.json")
def case_graph(
    request: Request,
    case_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    """The case's subjects and what ties them together, read under that case."""
    ctx = AccessContext(actor=who.user.username, case_id=case_id, request_id=request_id(request))
    try:
        with ws.session(ctx) as s:
            return JSONResponse(graph_view.graph(s.cases.graph(case_id)))
    except CasegraphError as exc:
        return JSONResponse({"detail": str(exc)}, exc.status)
