"""Search, subject profiles and "add to case"."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from casegraph.access import roles
from casegraph.access.context import AccessContext
from casegraph.cases.rules import SUBJECT_ROLES, CaseError
from casegraph.graph.counterparts import ACTIVITY_KINDS
from casegraph.http.request import request_id, workspace
from casegraph.model.edges import kind_label
from casegraph.model.sources import is_case_compartment
from casegraph.search.engine import FACETS
from casegraph.search.labels import (
    DOCUMENT_FACET_LABELS,
    document_value_label,
    facet_label,
    value_label,
)
from casegraph.search.query import QueryError
from casegraph.service import Workspace
from casegraph.services.documents import CANDIDATES
from casegraph.web import profile_view as view
from casegraph.web.core import Viewer, check_form_csrf, open_session, page, redirect, viewer

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20
EVENTS_PAGE = 50
DOCUMENTS = 20  # documents that mention the subject, listed on its profile


def _narrowed(query: str, field: str, value: str) -> str:
    """The search page of the query narrowed by one more filter (quoted when the value
    has spaces)."""
    term = f'{field}:"{value}"' if " " in value else f"{field}:{value}"
    return "/search?" + urlencode({"q": f"{query} {term}".strip()})


def _document_filter(facet: str, value: str) -> tuple[str, str]:
    """The filter a document facet's value stands for (a case's evidence: ``case:``)."""
    if facet == "source" and is_case_compartment(value):
        return "case", value.removeprefix("case:")
    return facet, value


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
    doc_links: dict[str, list[tuple[str, int, str]]] = {}  # the same, of documents
    if results is not None:
        pages = min(
            500, (min(results.total, results.ranked or results.total) + PAGE_SIZE - 1) // PAGE_SIZE
        )
        found = results.document_results
        for name, counts in results.facets.items():
            links[name] = [(value_label(name, v), n, _narrowed(q, name, v)) for v, n in counts]
        for name, counts in found.facets.items():
            doc_links[name] = [(document_value_label(name, v, found.labels), n,
                                _narrowed(q, *_document_filter(name, v)))
                               for v, n in counts]  # fmt: skip
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
        document_facets={n: v for n, v in doc_links.items() if v},
        document_facet_labels=DOCUMENT_FACET_LABELS,
        candidates=CANDIDATES,
        value_label=value_label,
        pages=pages,
        page_no=page_no,
        status=400 if error else 200,
    )


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
        relations = None if hidden else s.graph.relations(subject_id)
        documents = [] if hidden else s.mentions.mentioning(subject_id, DOCUMENTS)
        links = s.cases.subject_cases([subject_id]).get(subject_id, [])
        mine = [
            c
            for c in s.cases.mine()
            if c["my_role"] in ("lead", "member") and c["status"] != "closed"
        ]
    groups = [] if hidden else view.grouped(profile)
    structure = relations["structure"] if relations else []
    return page(
        request,
        who,
        "subjects/profile.html",
        title=profile["caption"],
        nav="search",
        wide=True,
        profile=profile,
        hidden=hidden,
        groups=groups,
        key_facts=view.key_facts(profile, groups),
        structure=structure,
        more_structure=bool(relations and relations["more_structure"]),
        activity=relations["activity"] if relations else [],
        histogram=view.histogram_bars(relations["histogram"] if relations else []),
        timeline=[] if hidden else view.timeline(profile, groups, structure),
        kind_label=kind_label,
        way_text=view.way_text,
        cases=links,
        documents=documents,
        more_documents=len(documents) >= DOCUMENTS,
        mine=mine,
        subject_roles=SUBJECT_ROLES,
        can_unseal=who.can(roles.UNSEAL),
        error=request.query_params.get("error"),
    )


@router.get("/subjects/{subject_id}/events", response_class=HTMLResponse)
def subject_events(
    request: Request,
    subject_id: str,
    other: str | None = None,
    kind: list[str] = Query(default_factory=list),
    since: str | None = None,
    until: str | None = None,
    offset: int = 0,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    """The single events behind a total or a stretch of the timeline: a fragment of
    table rows, a page at a time (the profile loads it where it is asked for)."""
    kinds = [k for k in kind if k in ACTIVITY_KINDS] or list(ACTIVITY_KINDS)
    with open_session(request, who, ws) as s:
        found = s.graph.events(subject_id, other or None, kinds, EVENTS_PAGE, max(offset, 0),
                               since or None, until or None)  # fmt: skip
    params = [("other", other or ""), ("since", since or ""), ("until", until or ""),
              ("offset", str(found["offset"] + EVENTS_PAGE)), *(("kind", k) for k in kind)]
    more = found["offset"] + len(found["events"]) < found["total"]
    return page(
        request,
        who,
        "subjects/events.html",
        subject_id=subject_id,
        found=found,
        with_other=other is None,
        more_url=f"/subjects/{subject_id}/events?{urlencode(params)}" if more else None,
        kind_label=kind_label,
        way_text=view.way_text,
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
