"""Sign in and out, the purpose prompt, and the home page."""

from __future__ import annotations

import hmac
import re
import secrets
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from casegraph.access.roles import MIN_JUSTIFICATION, justified
from casegraph.http.request import SESSION_COOKIE, request_id, workspace
from casegraph.http.throttle import throttle
from casegraph.service import Workspace
from casegraph.web.core import (
    PURPOSE_COOKIE,
    Purpose,
    Viewer,
    check_form_csrf,
    encode_purpose,
    open_session,
    page,
    redirect,
    viewer,
)

router = APIRouter(include_in_schema=False)
# The sign-in form's CSRF token (login CSRF: another site must not sign a browser in to
# an account of its choosing). Double submit: the form carries the token, a cookie
# of this site's only (SameSite=Strict, HttpOnly) holds it; a sign-in needs both alike.
LOGIN_CSRF_COOKIE = "cg_login_csrf"
LOGIN_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def _local(target: str) -> str:
    """Only ever send the browser back to a page of this site."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def _login_page(
    request: Request, next: str, username: str = "", error: str | None = None, status: int = 200
) -> Response:
    """The sign-in form, with its CSRF token: the one this browser holds, if any (so that
    two open sign-in tabs both work), else a new one, set in the cookie."""
    held = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    token = held if LOGIN_TOKEN.fullmatch(held) else secrets.token_urlsafe(24)
    response = page(request, None, "login.html", status=status, title="Sign in", next=next,
                    username=username, error=error, login_csrf=token)  # fmt: skip
    response.set_cookie(
        LOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", max_age=12 * 3600, path="/login",
    )  # fmt: skip
    return response


def _login_token_matches(request: Request, sent: str) -> bool:
    held = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    return bool(LOGIN_TOKEN.fullmatch(held)) and hmac.compare_digest(sent.encode(), held.encode())


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/") -> Response:
    return _login_page(request, _local(next))


@router.post("/login", response_class=HTMLResponse)
async def login(request: Request, ws: Workspace = Depends(workspace)) -> Response:
    form = await request.form()
    username, password = str(form.get("username", "")), str(form.get("password", ""))
    target = _local(str(form.get("next", "/")))
    if not _login_token_matches(request, str(form.get("csrf", ""))):
        # sent from another site, or a form from before the cookie: no sign-in, no try
        # counted; the same form again, with a token that works
        problem = "This sign-in form has expired or did not come from this site; sign in again."
        return _login_page(request, target, username, problem, 403)
    client = request.client.host if request.client else "-"
    try:
        throttle.check(client, username)
    except Exception as exc:  # too many failures: the same page, with the reason
        return _login_page(request, target, username, str(getattr(exc, "detail", exc)), 429)
    opened = ws.sign_in(username, password, request_id(request)) if username else None
    if opened is None:
        throttle.failed(client, username)
        return _login_page(request, target, username, "Wrong user name or password.", 401)
    throttle.succeeded(client, username)
    response = redirect(target)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    response.set_cookie(
        SESSION_COOKIE,
        opened[0],
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=12 * 3600,
        path="/",
    )
    response.delete_cookie(PURPOSE_COOKIE, path="/")  # a new sign-in chooses afresh
    return response


@router.post("/logout")
async def logout(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    await check_form_csrf(request, who)
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        ws.sign_out(secret, who.user.username, request_id(request))
    response = redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(PURPOSE_COOKIE, path="/")
    return response


def _purpose_page(
    request: Request, who: Viewer, ws: Workspace, next: str, error: str | None, status: int = 200
) -> Response:
    with open_session(request, who, ws, need_purpose=False) as s:
        cases = [c for c in s.cases.mine() if c["status"] != "closed"]
    return page(
        request,
        who,
        "purpose.html",
        status=status,
        title="Purpose",
        next=next,
        cases=cases,
        error=error,
        min_justification=MIN_JUSTIFICATION,
    )


@router.get("/purpose", response_class=HTMLResponse)
def purpose_form(
    request: Request,
    next: str = "/",
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    return _purpose_page(request, who, ws, _local(next), None)


@router.post("/purpose", response_class=HTMLResponse)
async def choose_purpose(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    form = await check_form_csrf(request, who)
    target = _local(str(form.get("next", "/")))
    case = str(form.get("case", "")).strip() or None
    why = " ".join(str(form.get("justification", "")).split()) or None
    if case:
        with open_session(request, who, ws, need_purpose=False) as s:
            mine = {c["id"] for c in s.cases.mine()}
        if case not in mine:  # (after the session: SQLite has one writer at a time)
            return _purpose_page(request, who, ws, target, "Choose one of your cases.", 400)
        chosen = Purpose(case=case)
    elif why and justified(why):
        chosen = Purpose(justification=why)
    else:
        message = (
            f"Write at least {MIN_JUSTIFICATION} characters, or choose a case."
            if why
            else "Choose a case or write a justification."
        )
        return _purpose_page(request, who, ws, target, message, 400)
    response = redirect(target)
    response.set_cookie(
        PURPOSE_COOKIE,
        encode_purpose(chosen),
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        max_age=12 * 3600,
        path="/",
    )
    return response


@router.get("/", response_class=HTMLResponse)
def home(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    with open_session(request, who, ws, need_purpose=False) as s:
        board = s.cases.dashboard()
    return page(request, who, "home.html", title="Home", nav="home", board=board)
