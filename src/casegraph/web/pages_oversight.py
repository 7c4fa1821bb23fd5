"""Oversight: is the ledger intact, and who consulted what, under which case or
justification. Reading the ledger is itself recorded (by the ledger service)."""

from __future__ import annotations

import io
import json
from collections import deque
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from casegraph.access import roles
from casegraph.audit.report import KINDS
from casegraph.http.request import workspace
from casegraph.service import Workspace
from casegraph.web.core import Viewer, open_session, page, viewer
from casegraph.web.pages_review import require_role

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 100
SIDE_SIZE = 50  # newest unseal events / justification-only consultations shown
MAX_PAGE = 200
KIND_LABELS = {
    "all": "Every entry",
    "consultations": "Consultations of subject data",
    "unseal": "Unseal events",
    "justification-only": "Consultations under a justification (no case)",
    "denied": "Refusals",
}


class Newest(io.StringIO):
    """A text sink for the ledger report (JSON lines) that keeps only the newest ``keep``
    entries, parsed: memory stays bounded however long the ledger is (nothing is kept
    in the underlying buffer)."""

    def __init__(self, keep: int) -> None:
        super().__init__()
        self.rows: deque[dict[str, Any]] = deque(maxlen=keep)
        self._part = ""

    def write(self, text: str, /) -> int:
        *lines, self._part = (self._part + text).split("\n")
        self.rows.extend(json.loads(line) for line in lines if line.strip())
        return len(text)

    def newest_first(self, skip: int = 0) -> list[dict[str, Any]]:
        return list(reversed(self.rows))[skip:]


def summarise(refs: dict[str, Any], limit: int = 160) -> str:
    """``key: value; ...`` of an entry's references, shortened for a table cell."""
    parts = []
    for key, value in refs.items():
        if isinstance(value, list | tuple):
            value = ", ".join(str(v) for v in value) or "—"
        elif isinstance(value, dict):
            value = json.dumps(value, ensure_ascii=False, sort_keys=True)
        parts.append(f"{key}: {value}")
    text = "; ".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"


SUBJECT_KEYS = ("subject", "subjects")  # where an entry's references hold subject ids
SUBJECTS_SHOWN = 6  # of one entry's subjects, the rest counted


def subject_ids(refs: dict[str, Any]) -> list[str]:
    """The subject ids an entry's references hold, in order, once each."""
    found: list[str] = []
    for key in SUBJECT_KEYS:
        value = refs.get(key)
        values = value if isinstance(value, list | tuple) else [value]
        found.extend(v for v in values if isinstance(v, str) and v)
    return list(dict.fromkeys(found))


def _rows(found: list[dict[str, Any]], names: dict[str, str]) -> list[dict[str, Any]]:
    for row in found:
        refs = row.get("refs") or {}
        ids = subject_ids(refs)
        row["subjects"] = [(cid, names.get(cid)) for cid in ids[:SUBJECTS_SHOWN]]
        row["more_subjects"] = max(0, len(ids) - SUBJECTS_SHOWN)
        row["refs_summary"] = summarise({k: v for k, v in refs.items() if k not in SUBJECT_KEYS})
        row["refs_full"] = json.dumps(row.get("refs") or {}, ensure_ascii=False, sort_keys=True)
        row["when"] = str(row.get("at", "")).replace("T", " ")
    return found


def _clean(value: str | None) -> str | None:
    return (value.strip() or None) if value else None


@router.get("/oversight", response_class=HTMLResponse)
def oversight(
    request: Request,
    user: str | None = Query(None, max_length=200),
    subject: str | None = Query(None, max_length=200),
    case: str | None = Query(None, max_length=200),
    kind: str = Query("consultations", max_length=40),
    page_no: int = Query(1, alias="page", ge=1, le=MAX_PAGE),
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    require_role(request, who, ws, roles.READ_AUDIT, "read the audit log")
    filters = {"user": _clean(user), "subject": _clean(subject), "case_id": _clean(case)}
    error = None
    if kind not in KINDS:
        error = f"Unknown kind {kind!r}; choose one of the list."
        kind = "consultations"
    main, unseals, justified = Newest(PAGE_SIZE * page_no), Newest(SIDE_SIZE), Newest(SIDE_SIZE)
    with open_session(request, who, ws, need_purpose=False) as s:
        verdict = s.ledger.verify()
        total = s.ledger.report(main, "json", kind=kind, **filters)
        unseal_total = s.ledger.report(unseals, "json", kind="unseal", **filters)
        justified_total = s.ledger.report(justified, "json", kind="justification-only", **filters)
        entries = main.newest_first((page_no - 1) * PAGE_SIZE)
        shown = [*entries, *unseals.newest_first(), *justified.newest_first()]
        ids = [cid for row in shown for cid in subject_ids(row.get("refs") or {})]
        # names only for a reader who may read them, the look-up recorded (docs/security.md)
        names = s.ledger.subject_names(ids + ([filters["subject"]] if filters["subject"] else []))
        may_name = bool(s.visible_sources())
    query = {k: v for k, v in {"user": filters["user"], "subject": filters["subject"],
                               "kind": kind}.items() if v}  # fmt: skip
    api_query = {**query, **({"for_case": filters["case_id"]} if filters["case_id"] else {})}
    page_query = {**query, **({"case": filters["case_id"]} if filters["case_id"] else {})}
    pages = min(MAX_PAGE, max(1, (total + PAGE_SIZE - 1) // PAGE_SIZE))
    return page(
        request,
        who,
        "oversight/index.html",
        status=400 if error else 200,
        title="Oversight",
        nav="oversight",
        verdict=verdict,
        error=error,
        kinds=[(k, KIND_LABELS.get(k, k)) for k in KINDS],
        kind=kind,
        user=filters["user"] or "",
        subject=filters["subject"] or "",
        case=filters["case_id"] or "",
        filtered=any(filters.values()),
        entries=_rows(entries, names),
        names_shown=bool(names),
        may_name=may_name,
        subject_name=names.get(filters["subject"] or ""),
        total=total,
        page_no=page_no,
        pages=pages,
        first=(page_no - 1) * PAGE_SIZE + 1,
        page_link="/oversight?" + urlencode(page_query) + ("&" if page_query else "") + "page=",
        unseals=_rows(unseals.newest_first(), names),
        unseal_total=unseal_total,
        justified=_rows(justified.newest_first(), names),
        justified_total=justified_total,
        json_export="/api/v1/audit/report?" + urlencode(api_query),
        csv_export="/oversight/report.csv?" + urlencode(page_query),
    )


@router.get("/oversight/report.csv")
def oversight_csv(
    request: Request,
    user: str | None = Query(None, max_length=200),
    subject: str | None = Query(None, max_length=200),
    case: str | None = Query(None, max_length=200),
    kind: str = Query("all", max_length=40),
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    """The same report as a CSV file (the ledger service writes it; a bad kind is a
    400 error page)."""
    require_role(request, who, ws, roles.READ_AUDIT, "read the audit log")
    out = io.StringIO()
    with open_session(request, who, ws, need_purpose=False) as s:
        s.ledger.report(out, "csv", user=_clean(user), subject=_clean(subject),
                        case_id=_clean(case), kind=kind)  # fmt: skip
    return Response(
        out.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="casegraph-audit-report.csv"'},
    )
