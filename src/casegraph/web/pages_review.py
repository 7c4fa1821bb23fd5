"""The review queue: pairs of records the model could not decide, both records side by
side with the match-weight waterfall, and a person's accept / reject / unsure.

Also the small helpers the back-office pages (review, oversight, admin) share: a role
check that is itself recorded, and a one-shot flash message carried in a cookie across
a POST-redirect-GET."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response
from followthemoney import model as ftm

from casegraph.access import roles
from casegraph.errors import NotFound, WorkspaceError
from casegraph.http.request import workspace
from casegraph.model.names import record_name
from casegraph.service import Workspace
from casegraph.web.core import Viewer, check_form_csrf, open_session, page, redirect, viewer

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 25
MIN_REASON = 5  # as the resolution service requires
FLASH_COOKIE = "cg_flash"
DECISIONS = {  # decision: (button, what the flash message says happened)
    "positive": ("Accept", "accepted: the two records are one entity"),
    "negative": ("Reject", "rejected: the two records stay apart"),
    "unsure": ("Unsure", "marked unsure: it leaves the queue and the model will not merge it"),
}
# properties shown first when two records are compared, in this order
LEADING = ("name", "firstName", "middleName", "lastName", "birthDate", "idNumber")


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


@router.get("/review", response_class=HTMLResponse)
def review_queue(
    request: Request,
    page_no: int = Query(1, alias="page", ge=1, le=100_000),
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    require_role(request, who, ws, roles.RESOLVE, "review matches")
    with open_session(request, who, ws) as s:
        queue = s.resolve.queue(PAGE_SIZE, (page_no - 1) * PAGE_SIZE)
    pages = max(1, (queue["total"] + PAGE_SIZE - 1) // PAGE_SIZE)
    return flash_page(
        request,
        who,
        "review/queue.html",
        title="Review",
        nav="review",
        queue=queue,
        page_no=page_no,
        pages=pages,
        first=(page_no - 1) * PAGE_SIZE + 1,
    )


# --- one pair -----------------------------------------------------------------------


def _label(schema: str | None, prop: str) -> str:
    found = ftm.get(schema) if schema else None
    item = found.get(prop) if found else None
    return item.label if item else prop


def _order(prop: str) -> tuple[int, str]:
    return (LEADING.index(prop) if prop in LEADING else len(LEADING), prop)


def compare(left: dict[str, Any] | None, right: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Property by property: each side's values, and whether the two sides share one."""
    lp: dict[str, list[str]] = (left or {}).get("properties", {})
    rp: dict[str, list[str]] = (right or {}).get("properties", {})
    schema = (left or right or {}).get("schema")
    rows = []
    # the record ids head the two columns: an ``id`` property would only repeat them
    for prop in sorted((set(lp) | set(rp)) - {"id"}, key=_order):
        lv, rv = lp.get(prop, []), rp.get(prop, [])
        shared = {v.casefold() for v in lv} & {v.casefold() for v in rv}
        rows.append(
            {
                "prop": prop,
                "label": _label(schema, prop),
                "left": [(v, v.casefold() in shared) for v in lv],
                "right": [(v, v.casefold() in shared) for v in rv],
                "agree": bool(shared),
            }
        )
    return rows


def caption(record: dict[str, Any] | None) -> str:
    """What to call a record: its name, else first and last name, else its id."""
    if not record:
        return "a record you may not see"
    props: dict[str, list[str]] = record.get("properties", {})
    return record_name(props, record.get("schema") == "Person") or str(record["id"])


def bucket(weight: float, largest: float) -> int:
    """The width class (0..10) of a bar for ``weight`` on a scale up to ``largest``."""
    if largest <= 0 or weight == 0:
        return 0
    return max(1, min(10, round(abs(weight) / largest * 10)))


def waterfall(
    explanation: dict[str, Any] | None, model: dict[str, Any] | None
) -> dict[str, Any] | None:
    """The prior and each comparison's match weight as rows of signed bars, then the
    total and the probability."""
    if not explanation:
        return None
    rows = [{"label": "Prior", "level": "before any comparison",
             "weight": explanation["prior"], "tf": 0.0}]  # fmt: skip
    for step in explanation["steps"]:
        rows.append(
            {
                "label": step["comparison"],
                "level": step["level"],
                "weight": step["weight"] + step["tf_adjustment"],
                "tf": step["tf_adjustment"],
            }
        )
    largest = max(abs(r["weight"]) for r in rows)
    for r in rows:
        r["bucket"] = bucket(r["weight"], largest)
        r["sign"] = "pos" if r["weight"] > 0 else "neg" if r["weight"] < 0 else "zero"
    added = float(explanation["probability"])
    stored = (model or {}).get("probability")
    probability = float(stored) if stored is not None else added
    return {
        "rows": rows,
        "total": explanation["match_weight"],
        "probability": probability,
        "probability_bucket": max(0, min(10, round(probability * 10))),
        # the weights should add up to the stored score; say so when they do not
        "added": added if abs(added - probability) > 0.005 else None,
    }


def _pair_page(
    request: Request,
    who: Viewer,
    ws: Workspace,
    pair: str,
    error: str | None = None,
    status: int = 200,
    decision: str = "",
    reason: str = "",
) -> Response:
    with open_session(request, who, ws) as s:
        found = s.resolve.show(pair)
        waiting = s.resolve.pending()
    left, right = found["left"], found["right"]
    return flash_page(
        request,
        who,
        "review/pair.html",
        status=status,
        title=f"Review pair {pair}",
        nav="review",
        pair=pair,
        shown=found,
        left=left,
        right=right,
        rows=compare(left, right),
        waterfall=waterfall(found["explanation"], found["model"]),
        waiting=waiting,
        names=(caption(left), caption(right)),
        decisions=[{"value": k, "label": v[0]} for k, v in DECISIONS.items()],
        min_reason=MIN_REASON,
        error=error,
        decision=decision,
        reason=reason,
    )


@router.get("/review/{pair}", response_class=HTMLResponse)
def review_pair(
    pair: str,
    request: Request,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    require_role(request, who, ws, roles.RESOLVE, "review matches")
    return _pair_page(request, who, ws, pair)


@router.post("/review/{pair}", response_class=HTMLResponse)
async def review_decide(
    pair: str,
    request: Request,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    form = await check_form_csrf(request, who)
    require_role(request, who, ws, roles.RESOLVE, "review matches")
    decision = str(form.get("decision", ""))
    reason = " ".join(str(form.get("reason", "")).split())
    if decision in DECISIONS and len(reason) < MIN_REASON:
        problem = f"Say why: write a reason of at least {MIN_REASON} characters."
        return _pair_page(request, who, ws, pair, problem, 400, decision, reason)
    try:
        with open_session(request, who, ws) as s:
            result = s.resolve.decide(pair, decision, reason)
            following = s.resolve.queue(1, 0)["items"]
    except NotFound:
        raise
    except WorkspaceError as exc:  # no reason, or not a decision we know: say so
        return _pair_page(request, who, ws, pair, str(exc), 400, decision, reason)
    message = f"Pair {pair} {DECISIONS[decision][1]}."
    extra = {"subject": str(result["subject"])} if decision == "positive" else {}
    target = f"/review/{following[0]['pair']}" if following else "/review"
    return set_flash(redirect(target), request, message, **extra)
