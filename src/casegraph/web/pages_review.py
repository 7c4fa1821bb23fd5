"""The review queue: possible matches (two subjects whose records the model could not
settle), both subjects whole side by side, why they may be one in words, the
match-weight waterfall of the strongest pair, and a person's accept / reject / unsure
on the whole item.

Also the small helpers the back-office pages (review, oversight, admin) share: a role
check that is itself recorded, and a one-shot flash message carried in a cookie across
a POST-redirect-GET."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from casegraph.access import roles
from casegraph.errors import NotFound, WorkspaceError
from casegraph.http.request import workspace
from casegraph.resolve.explain import KIND_LABELS
from casegraph.resolve.extract import PERSON
from casegraph.service import Workspace
from casegraph.web.core import Viewer, check_form_csrf, open_session, page, redirect, viewer

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
MIN_REASON = 5  # as the resolution service requires
FLASH_COOKIE = "cg_flash"
DECISIONS = {  # decision: (button, what the flash message says happened)
    "positive": ("Accept", "Accepted: the two subjects are one subject now."),
    "negative": ("Reject", "Rejected: the two subjects stay apart, on every later run too."),
    "unsure": ("Unsure", "Marked unsure: the possible match left the queue; the model will "
               "not merge its records on its own."),
}


# --- shared by the back-office pages ----------------------------------------------------


def require_role(request: Request, who: Viewer, ws: Workspace, permission: str, doing: str) -> None:
    """Refuse a page to a user whose role lacks ``permission`` before anything else
    (even the purpose prompt), through a session so that the refusal is on record."""
    if not who.can(permission):
        with open_session(request, who, ws, need_purpose=False) as s:
            s.require(permission, doing)


def set_flash(response: Response, request: Request, message: str, **extra: str) -> Response:
    """Show ``message`` once, on the page the browser is redirected to."""
    raw = json.dumps({"message": message, **extra}).encode()
    response.set_cookie(
        FLASH_COOKIE,
        base64.urlsafe_b64encode(raw).decode(),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=120,
        path="/",
    )
    return response


def take_flash(request: Request) -> dict[str, str]:
    """The flash message waiting for this page ({} when there is none)."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return {}
    try:
        data = json.loads(base64.urlsafe_b64decode(raw.encode()))
    except (ValueError, TypeError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {str(k): str(v) for k, v in data.items()}


def shown(response: Response, request: Request) -> Response:
    """Forget the flash message once a page has shown it."""
    if request.cookies.get(FLASH_COOKIE):
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def flash_page(
    request: Request, who: Viewer, template: str, status: int = 200, **values: Any
) -> Response:
    """``page`` with the waiting flash message shown (and then forgotten)."""
    flash = take_flash(request)
    values.setdefault("flashes", [flash["message"]] if flash.get("message") else [])
    return shown(page(request, who, template, status=status, flash=flash, **values), request)


# --- the queue ----------------------------------------------------------------------


def _filters(case: str | None, subject: str | None) -> dict[str, str]:
    return {k: v for k, v in (("case", case), ("subject", subject)) if v}


def _query(case: str | None, subject: str | None, **more: Any) -> str:
    """The query string that keeps the queue's filter (and ``more``), or ""."""
    wanted = {**_filters(case, subject), **{k: str(v) for k, v in more.items()}}
    return "?" + urlencode(wanted) if wanted else ""


@router.get("/review", response_class=HTMLResponse)
def review_queue(
    request: Request,
    page_no: int = Query(1, alias="page", ge=1, le=100_000),
    case: str | None = Query(None, max_length=64),
    subject: str | None = Query(None, max_length=255),
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    require_role(request, who, ws, roles.RESOLVE, "review matches")
    case, subject = case or None, subject or None
    with open_session(request, who, ws) as s:
        queue = s.review.queue(PAGE_SIZE, (page_no - 1) * PAGE_SIZE, case=case, subject=subject)
        mine = s.cases.mine()
    pages = max(1, (queue["total"] + PAGE_SIZE - 1) // PAGE_SIZE)
    named = next((side["name"] for item in queue["items"] for side in (item["left"], item["right"])
                  if side["subject"] == subject), subject)  # fmt: skip
    return flash_page(
        request,
        who,
        "review/queue.html",
        title="Possible matches",
        nav="review",
        queue=queue,
        page_no=page_no,
        pages=pages,
        first=(page_no - 1) * PAGE_SIZE + 1,
        case=case,
        subject=subject,
        subject_name=named,
        cases=[c for c in mine if c["status"] != "closed"],
        keep=_query(case, subject),
        page_url=lambda n: "/review" + _query(case, subject, page=n),
    )


# --- one item -----------------------------------------------------------------------


def bucket(weight: float, largest: float) -> int:
    """The width class (0..10) of a bar for ``weight`` on a scale up to ``largest``."""
    if largest <= 0 or weight == 0:
        return 0
    return max(1, min(10, round(abs(weight) / largest * 10)))


def waterfall(strongest: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """The prior and each comparison's match weight as rows of signed bars, then the
    total and the probability: in words, with the model's own terms beside them (``raw``).
    Comparisons that weigh nothing (nothing to compare on one side) share one row."""
    explanation = strongest.get("explanation")
    if not explanation:
        return None
    prior = {"label": "Before comparing", "words": f"how rarely two records are the same {kind}",
             "comparison": "prior", "level": "", "weight": explanation["prior"], "tf": 0.0}
    rows = [prior]
    for step in explanation["steps"]:
        rows.append(
            {
                "label": step["label"],
                "words": step["words"],
                "comparison": step["comparison"],
                "level": step["level"],
                "weight": step["weight"] + step["tf_adjustment"],
                "tf": step["tf_adjustment"],
            }
        )
    largest = max(abs(r["weight"]) for r in rows)
    for r in rows:
        r["bucket"] = bucket(r["weight"], largest)
        r["sign"] = "pos" if r["weight"] > 0 else "neg" if r["weight"] < 0 else "zero"
    raw = list(rows)
    idle = [r for r in rows if r["weight"] == 0 and r is not prior]
    if len(idle) > 1:
        rows = [r for r in rows if not (r["weight"] == 0 and r is not prior)]
        rows.append({"label": "Nothing to compare", "weight": 0.0, "tf": 0.0, "bucket": 0,
                     "sign": "zero", "comparison": "", "level": "", "idle": True,
                     "words": ", ".join(r["label"] for r in idle) + ": missing on one side"})
    added = float(explanation["probability"])
    stored = strongest.get("probability")
    probability = float(stored) if stored is not None else added
    return {
        "rows": rows,
        "raw": raw,
        "total": explanation["match_weight"],
        "probability": probability,
        "probability_bucket": max(0, min(10, round(probability * 10))),
        # the weights should add up to the stored score; say so when they do not
        "added": added if abs(added - probability) > 0.005 else None,
    }


def side_by_side(left: dict[str, Any], right: dict[str, Any]) -> list[dict[str, Any]]:
    """Fact by fact: each subject's values (with their sources), and whether they share
    one; the kinds in the order the reasons weigh them."""
    by_kind = [{f["kind"]: f for f in side["facts"]} for side in (left, right)]
    rows = []
    for kind, label in KIND_LABELS.items():
        found = [k.get(kind) for k in by_kind]
        if not any(found):
            continue
        values = [f["values"] if f else [] for f in found]
        rows.append({"label": label, "left": values[0], "right": values[1],
                     "agree": any(v["shared"] for v in values[0])})  # fmt: skip
    return rows


def _item_page(
    request: Request,
    who: Viewer,
    ws: Workspace,
    item: str,
    case: str | None,
    subject: str | None,
    error: str | None = None,
    status: int = 200,
    decision: str = "",
    reason: str = "",
) -> Response:
    with open_session(request, who, ws) as s:
        found = s.review.show(item)
    left, right = found["left"], found["right"]
    kind = "person" if found["group"] == PERSON else "organisation"
    return flash_page(
        request,
        who,
        "review/item.html",
        status=status,
        title=f"Same {kind}? {left['name']} · {right['name']}",
        nav="review",
        item=found,
        kind=kind,
        left=left,
        right=right,
        rows=side_by_side(left, right),
        waterfall=waterfall(found["strongest"], kind),
        decisions=[{"value": k, "label": v[0]} for k, v in DECISIONS.items()],
        min_reason=MIN_REASON,
        error=error,
        decision=decision,
        reason=reason,
        keep=_query(case, subject),
        case=case,
    )


@router.get("/review/{item}", response_class=HTMLResponse)
def review_item(
    item: str,
    request: Request,
    case: str | None = Query(None, max_length=64),
    subject: str | None = Query(None, max_length=255),
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    require_role(request, who, ws, roles.RESOLVE, "review matches")
    return _item_page(request, who, ws, item, case or None, subject or None)


@router.post("/review/{item}", response_class=HTMLResponse)
async def review_decide(
    item: str,
    request: Request,
    case: str | None = Query(None, max_length=64),
    subject: str | None = Query(None, max_length=255),
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    form = await check_form_csrf(request, who)
    require_role(request, who, ws, roles.RESOLVE, "review matches")
    case, subject = case or None, subject or None
    decision = str(form.get("decision", ""))
    reason = " ".join(str(form.get("reason", "")).split())
    if decision in DECISIONS and len(reason) < MIN_REASON:
        problem = f"Say why: write a reason of at least {MIN_REASON} characters."
        return _item_page(request, who, ws, item, case, subject, problem, 400, decision, reason)
    try:
        with open_session(request, who, ws) as s:
            result = s.review.decide(item, decision, reason)
            following = s.review.queue(1, 0, case=case, subject=subject)["items"]
    except NotFound:
        raise
    except WorkspaceError as exc:  # no reason, or not a decision we know: say so
        return _item_page(request, who, ws, item, case, subject, str(exc), 400, decision, reason)
    extra = {"subject": str(result["subject"])} if decision == "positive" else {}
    keep = _query(case, subject if decision != "positive" else None)
    target = f"/review/{following[0]['id']}{keep}" if following else f"/review{keep}"
    return set_flash(redirect(target), request, DECISIONS[decision][1], **extra)
