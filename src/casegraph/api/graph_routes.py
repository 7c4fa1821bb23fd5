"""Search and link-analysis endpoints. Each runs in the caller's access-checked,
audited session: what the caller may not see is neither shown nor counted."""

from __future__ import annotations

import io
from typing import Any, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from casegraph.api.auth import session
from casegraph.graph.analysis import MEASURES
from casegraph.search.engine import FACETS
from casegraph.service import Session

router = APIRouter(prefix="/api/v1")
KINDS = Query([], alias="kind", description="Only edges of these kinds (Call, Payment, same ...)")
MEDIA = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "cytoscape": "application/json",
    "ftm": "application/x-ndjson",
}


@router.get("/search")
def search(
    q: str = Query(..., min_length=1, max_length=1000, description="The query (Aleph syntax)"),
    page: int = Query(1, ge=1, le=500),
    limit: int = Query(20, ge=1, le=100),
    facet: list[str] = Query(list(FACETS), description=f"Facets among {', '.join(FACETS)}"),
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    """Subjects matching the query, best first, with highlights and facet counts."""
    return s.search.search(q, page, limit, facet).to_dict()


@router.get("/graph/expand/{subject}")
def graph_expand(
    subject: str,
    hops: int = Query(2, ge=1, le=8),
    limit: int = Query(500, ge=1, le=5000),
    kinds: list[str] = KINDS,
    since: str | None = Query(None, max_length=32),
    until: str | None = Query(None, max_length=32),
    source: list[str] = Query([]),
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    """The neighbourhood of a subject; ``truncated`` and ``left_out`` report the cap."""
    return s.graph.expand(subject, hops, limit, kinds, since, until, source or None).to_dict()


@router.get("/graph/path")
def graph_path(
    a: str = Query(..., max_length=255),
    b: str = Query(..., max_length=255),
    k: int = Query(1, ge=1, le=20),
    max_hops: int = Query(6, ge=1, le=8),
    kinds: list[str] = KINDS,
    since: str | None = Query(None, max_length=32),
    until: str | None = Query(None, max_length=32),
    time_ordered: bool = False,
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    """Shortest paths between two subjects, every step with its edges and sources."""
    return {"paths": s.graph.paths(a, b, k, max_hops, kinds, since, until, time_ordered)}


@router.get("/graph/common")
def graph_common(
    a: str = Query(..., max_length=255),
    b: str = Query(..., max_length=255),
    kinds: list[str] = KINDS,
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    return {"common": s.graph.common(a, b, kinds)}


@router.get("/graph/metrics")
def graph_metrics(
    measure: list[str] = Query(
        ["degree", "betweenness", "pagerank"], description=f"Among {', '.join(MEASURES)}"
    ),
    top: int = Query(10, ge=1, le=1000),
    subject: str | None = Query(None, max_length=255),
    hops: int = Query(2, ge=1, le=8),
    kinds: list[str] = KINDS,
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    return s.graph.metrics(measure, top, subject, hops, kinds)


@router.get("/graph/communities")
def graph_communities(
    subject: str | None = Query(None, max_length=255),
    hops: int = Query(2, ge=1, le=8),
    kinds: list[str] = KINDS,
    resolution: float = Query(1.0, gt=0, le=10),
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    return s.graph.communities(subject, hops, kinds, resolution)


@router.get("/graph/components")
def graph_components(
    kinds: list[str] = KINDS, s: Session = Depends(session, scope="function")
) -> dict[str, Any]:
    return {"components": s.graph.components(kinds)}


@router.get("/graph/ownership/{subject}")
def graph_ownership(
    subject: str,
    direction: Literal["owned", "owners"] = "owned",
    depth: int = Query(6, ge=1, le=12),
    min_share: float = Query(0.0, ge=0, le=100),
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    """Indirect ownership chains with multiplied percentages."""
    return s.graph.ownership(subject, direction, depth, min_share)


@router.get("/graph/activity/{subject}")
def graph_activity(
    subject: str,
    kinds: list[str] = Query(["Call", "Payment"], alias="kind"),
    top: int = Query(10, ge=1, le=100),
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    """Calls and payments: counts, totals per kind and unit (money per currency, call
    time in seconds), first and last, by month, and the top counterparts."""
    return s.graph.activity(subject, kinds, top)


@router.get("/subjects/{subject}/relations")
def subject_relations(
    subject: str, s: Session = Depends(session, scope="function")
) -> dict[str, Any]:
    """What the profile shows of a subject's edges: its structural relationships one by
    one, its calls and payments by counterpart, kind and direction with totals, and its
    events by month."""
    return s.graph.relations(subject)


@router.get("/subjects/{subject}/events")
def subject_events(
    subject: str,
    other: str | None = Query(None, max_length=255, description="Only with this subject"),
    kinds: list[str] = Query(["Call", "Payment"], alias="kind"),
    limit: int = Query(50, ge=1, le=500),
    offset: int = Query(0, ge=0, le=1_000_000),
    since: str | None = Query(None, max_length=32),
    until: str | None = Query(None, max_length=32),
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    """The single events behind a total, newest first, a page at a time."""
    return s.graph.events(subject, other, kinds, limit, offset, since, until)


@router.get("/graph/export")
def graph_export(
    format: Literal["graphml", "gexf", "cytoscape", "ftm"] = "graphml",
    subject: str | None = Query(None, max_length=255),
    hops: int = Query(2, ge=1, le=8),
    kinds: list[str] = KINDS,
    recipient: str | None = Query(None, max_length=200),
    s: Session = Depends(session, scope="function"),
) -> Response:
    """The graph as a file; a disclosure recorded with its recipient."""
    out = io.BytesIO()
    s.graph.export(out, format, subject, hops, kinds, recipient)
    return Response(
        out.getvalue(),
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="graph.{format}"'},
    )
