"""Subjects by name as a reader types: the search, through the page's session and
under its purpose (each look-up is a recorded search), answered as a short JSON list
for the type-ahead of any page (``static/suggest.js``)."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response

from casegraph.http.request import workspace
from casegraph.model.names import reading_order
from casegraph.search.engine import Hit
from casegraph.service import Session, Workspace
from casegraph.web.core import Viewer, json_answer, viewer

router = APIRouter(include_in_schema=False)
MAX_SUGGESTIONS = 10
CANDIDATES = 30  # ranked by the search, then the subjects most sources state first
_WORD = re.compile(r"\w+")
_MARK = re.compile(r"</?mark>")


def query_of(typed: str) -> str | None:
    """What is typed as a search query: its words, each a prefix (a reader types the
    start of a name: "konst vald"). The query language's operators and fields are not read:
    a name is looked up as a name. None when no word has two characters yet."""
    words = [w.lower() for w in _WORD.findall(typed)][:8]
    if not words or max(len(w) for w in words) < 2:
        return None
    # lower case: AND, OR and NOT are operators in upper case only; notes (a tip's
    # text, say) are not what a name picker offers
    return " ".join(f"{w}*" for w in words) + " -schema:Note"


def hint(hit: Hit) -> str:
    """What tells two subjects of one name apart: what else matched, the particulars
    the search page shows (birth or incorporation date, countries, an identifier, the
    number of sources), the reader's cases that hold it."""
    parts = []
    person = hit.schema == "Person"
    shown = reading_order(hit.caption, person).casefold()
    other = next(
        (t for t in (_MARK.sub("", h) for h in hit.highlights)
         if reading_order(t, person).casefold() != shown),
        "",
    )  # fmt: skip
    if other:
        parts.append(other[:80])
    parts.extend(hit.particulars.summary())  # born ..., countries, an identifier, sources
    if hit.cases:
        parts.append("in " + ", ".join(hit.cases))
    return " · ".join(parts)


@router.get("/suggest")
def suggest(
    request: Request,
    q: str = Query("", max_length=200),
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    """At most ten subjects whose names start like ``q``: [{id, caption, schema, hint}]."""
    query = query_of(q)
    if query is None:
        return JSONResponse([])

    def work(s: Session) -> list[dict[str, Any]]:
        hits = s.search.search(query, 1, CANDIDATES, ()).hits
        ranked = sorted(hits, key=lambda h: (-round(h.score, 2), -len(h.sources), h.caption))
        return [
            {"id": h.id, "caption": h.caption, "schema": h.schema, "hint": hint(h)}
            for h in ranked[:MAX_SUGGESTIONS]
        ]

    return json_answer(request, who, ws, work)
