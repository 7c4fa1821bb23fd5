"""Search, subject profiles and "add to case"."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from followthemoney import model as ftm

from casegraph.access import roles
from casegraph.access.context import AccessContext
from casegraph.cases.rules import SUBJECT_ROLES, CaseError
from casegraph.http.request import request_id, workspace
from casegraph.search.engine import FACETS
from casegraph.search.labels import facet_label, value_label
from casegraph.search.query import QueryError
from casegraph.service import Workspace
from casegraph.web.core import Viewer, check_form_csrf, open_session, page, redirect, viewer

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


def _with(query: str, field: str, value: str) -> str:
    """The query narrowed by one more filter (quoted when the value has spaces)."""
    term = f'{field}:"{value}"' if " " in value else f"{field}:{value}"
    return f"{query} {term}".strip()


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    q: str = "",
    page_no: int = 1,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    results, error = None, None
    page_no = max(1, min(page_no, 500))
    with open_session(request, who, ws) as s:
        if q.strip():
            try:
                results = s.search.search(q, page_no, PAGE_SIZE, FACETS)
            except (QueryError, ValueError) as exc:
                error = str(exc)
    pages = 0
    links: dict[str, list[tuple[str, int, str]]] = {}  # facet -> (label, count, link)
    if results is not None:
        pages = min(
            500, (min(results.total, results.ranked or results.total) + PAGE_SIZE - 1) // PAGE_SIZE
        )
        for name, counts in results.facets.items():
            links[name] = [
                (value_label(name, v), n, "/search?" + urlencode({"q": _with(q, name, v)}))
                for v, n in counts
            ]
    return page(
        request,
        who,
        "subjects/search.html",
        title=f"Search {q}".strip(),
        nav="search",
        q=q,
        results=results,
        error=error,
        facets=links,
        facet_labels={name: facet_label(name) for name in links},
        value_label=value_label,
        pages=pages,
        page_no=page_no,
        status=400 if error else 200,
    )


def _label(schema: str, prop: str) -> str:
    found = ftm.get(schema)
    item = found.get(prop) if found else None
    return item.label if item else prop


def _grouped(profile: dict[str, Any]) -> list[dict[str, Any]]:
    """Facts grouped by property: each value once, with every source that states it and
    when it was first and last seen."""
    groups: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for fact in profile["facts"]:
        value = groups[fact["prop"]].setdefault(
            fact["value"],
            {
                "value": fact["value"],
                "sources": [],
                "first_seen": fact["first_seen"],
                "last_seen": fact["last_seen"],
                "original": fact["original_value"],
            },
        )
        if fact["source"] not in value["sources"]:
            value["sources"].append(fact["source"])
        value["first_seen"] = min(value["first_seen"], fact["first_seen"])
        value["last_seen"] = max(value["last_seen"], fact["last_seen"])
    order = ("name", "alias", "weakAlias", "firstName", "lastName", "birthDate")
    props = sorted(groups, key=lambda p: (order.index(p) if p in order else len(order), p))
    return [
        {"prop": p, "label": _label(profile["schema"], p), "values": list(groups[p].values())}
        for p in props
    ]


def _dated(profile: dict[str, Any]) -> list[dict[str, Any]]:
    schema = ftm.get(profile["schema"])
    out = []
    for fact in profile["facts"]:
        prop = schema.get(fact["prop"]) if schema else None
        if prop is not None and prop.type.name == "date":
            out.append({"at": fact["value"], "label": prop.label, "source": fact["source"]})
    return sorted(out, key=lambda e: e["at"])


@router.get("/subjects/{subject_id}", response_class=HTMLResponse)
def subject(
    request: Request,
    subject_id: str,
    unseal: bool = False,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    with open_session(request, who, ws) as s:
        profile = s.subjects.profile(subject_id, unseal=unseal).to_dict()
        hidden = profile["sealed"] and not profile.get("unsealed")
        related = None if hidden else s.graph.expand(subject_id, hops=1, limit=60).to_dict()
        links = s.cases.subject_cases([subject_id]).get(subject_id, [])
        mine = [
            c
            for c in s.cases.mine()
            if c["my_role"] in ("lead", "member") and c["status"] != "closed"
        ]
    neighbours = []
    if related is not None:
        names = {n["id"]: n for n in related["nodes"]}
        for edge in related["edges"]:
            other = edge["dst"] if edge["src"] == subject_id else edge["src"]
            if other == subject_id or other not in names:
                continue
            neighbours.append(
                {"edge": edge, "node": names[other], "outgoing": edge["src"] == subject_id}
            )
    return page(
        request,
        who,
        "subjects/profile.html",
        title=profile["caption"],
        nav="search",
        profile=profile,
        hidden=hidden,
        groups=[] if hidden else _grouped(profile),
        dated=[] if hidden else _dated(profile),
        neighbours=neighbours,
        truncated=bool(related and related["truncated"]),
        cases=links,
        mine=mine,
        subject_roles=SUBJECT_ROLES,
        can_unseal=who.can(roles.UNSEAL),
        error=request.query_params.get("error"),
    )


@router.post("/subjects/{subject_id}/cases")
async def add_to_case(
    request: Request,
    subject_id: str,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    form = await check_form_csrf(request, who)
    case_id = str(form.get("case", ""))
    ctx = AccessContext(
        actor=who.user.username, case_id=case_id or None, request_id=request_id(request)
    )
    try:
        with ws.session(ctx) as s:
            s.cases.link_subject(
                case_id, subject_id, str(form.get("role", "")), str(form.get("note", ""))
            )
    except CaseError as exc:
        return redirect(f"/subjects/{subject_id}?" + urlencode({"error": str(exc)}))
    return redirect(f"/subjects/{subject_id}")
