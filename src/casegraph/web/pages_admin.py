"""Administration: users, teams, clearances (grants), sources and API tokens.

Every change is a POST with the form's CSRF token, goes through the identity service
(which records it in the ledger) and ends in a redirect back to ``/admin`` with a
message; a change that cannot be done shows the page again with the reason."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from casegraph.access import roles
from casegraph.access.identities import MIN_PASSWORD, IdentityError
from casegraph.access.policy import AccessDenied
from casegraph.errors import WorkspaceError
from casegraph.http.request import workspace
from casegraph.service import Workspace
from casegraph.web.core import Viewer, check_form_csrf, open_session, page, redirect, viewer
from casegraph.web.pages_review import flash_page, require_role, set_flash

router = APIRouter(include_in_schema=False)
# what a person can get wrong in a form: shown on the page, never as a bare error
MISTAKES = (IdentityError, ValueError, WorkspaceError, AccessDenied)
ROLE_HELP = {
    "viewer": "reads subject data",
    "analyst": "reads, ingests, exports, resolves, runs cases",
    "supervisor": "analyst who may also unseal records",
    "auditor": "reads the audit ledger",
    "admin": "users, teams, clearances, sources",
}


def _admin_page(
    request: Request,
    who: Viewer,
    ws: Workspace,
    status: int = 200,
    error: str | None = None,
    error_for: str = "",
    form: dict[str, Any] | None = None,
) -> Response:
    with open_session(request, who, ws, need_purpose=False) as s:
        users = s.identities.list_users()
        teams = s.identities.list_teams()
        sources = s.sources.list()
    markings = sorted({source.marking for source, _ in sources})
    return flash_page(
        request,
        who,
        "admin/index.html",
        status=status,
        title="Administration",
        nav="admin",
        users=users,
        teams=teams,
        sources=sources,
        markings=markings,
        roles_help=[(r, ROLE_HELP.get(r, "")) for r in roles.ROLES],
        min_password=MIN_PASSWORD,
        error=error,
        error_for=error_for,
        form=form or {},
    )


@router.get("/admin", response_class=HTMLResponse)
def admin(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    require_role(request, who, ws, roles.ADMIN, "administer users and teams")
    return _admin_page(request, who, ws)


async def _form(request: Request, who: Viewer, ws: Workspace) -> dict[str, str]:
    form = await check_form_csrf(request, who)
    require_role(request, who, ws, roles.ADMIN, "administer users and teams")
    return {k: str(v).strip() for k, v in form.items() if k != "csrf"}


def _failed(
    request: Request, who: Viewer, ws: Workspace, exc: Exception, section: str,
    form: dict[str, str],
) -> Response:  # fmt: skip
    status = 403 if isinstance(exc, AccessDenied) else 400
    kept = {k: v for k, v in form.items() if k != "password"}  # never sent back
    return _admin_page(request, who, ws, status, str(exc), section, kept)


def _done(request: Request, message: str, anchor: str) -> Response:
    return set_flash(redirect(f"/admin#{anchor}"), request, message)


@router.post("/admin/users", response_class=HTMLResponse)
async def add_user(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    form = await _form(request, who, ws)
    username = form.get("username", "")
    try:
        with open_session(request, who, ws, need_purpose=False) as s:
            s.identities.add_user(username, form.get("display_name", ""),
                                  form.get("role", ""), form.get("password", ""))  # fmt: skip
    except MISTAKES as exc:
        return _failed(request, who, ws, exc, "users", form)
    return _done(request, f"User {username} added with role {form.get('role')}.", "users")


@router.post("/admin/users/{username}/disable", response_class=HTMLResponse)
async def disable_user(
    username: str,
    request: Request,
    who: Viewer = Depends(viewer),
    ws: Workspace = Depends(workspace),
) -> Response:
    form = await _form(request, who, ws)
    if username == who.user.username:
        return _failed(request, who, ws, IdentityError("you cannot disable your own account"),
                       "users", form)  # fmt: skip
    try:
        with open_session(request, who, ws, need_purpose=False) as s:
            s.identities.disable_user(username)
    except MISTAKES as exc:
        return _failed(request, who, ws, exc, "users", form)
    return _done(request, f"User {username} disabled; their API tokens are revoked.", "users")


@router.post("/admin/teams", response_class=HTMLResponse)
async def add_team(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    form = await _form(request, who, ws)
    name = form.get("name", "")
    try:
        with open_session(request, who, ws, need_purpose=False) as s:
            s.identities.add_team(name, form.get("title", ""))
    except MISTAKES as exc:
        return _failed(request, who, ws, exc, "teams", form)
    return _done(request, f"Team {name} added. Add its members next.", "teams")


@router.post("/admin/members", response_class=HTMLResponse)
async def add_member(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    form = await _form(request, who, ws)
    team, username = form.get("team", ""), form.get("username", "")
    try:
        with open_session(request, who, ws, need_purpose=False) as s:
            s.identities.add_member(team, username)
    except MISTAKES as exc:
        return _failed(request, who, ws, exc, "members", form)
    return _done(request, f"{username} is now a member of team {team}.", "teams")


@router.post("/admin/grants", response_class=HTMLResponse)
async def grant(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    form = await _form(request, who, ws)
    team, marking = form.get("team", ""), form.get("marking", "")
    try:
        with open_session(request, who, ws, need_purpose=False) as s:
            changed = s.identities.grant(team, marking)
    except MISTAKES as exc:
        return _failed(request, who, ws, exc, "grants", form)
    message = (
        f"Team {team} is now cleared for {marking}."
        if changed
        else f"Team {team} already was cleared for {marking}."
    )
    return _done(request, message, "grants")


@router.post("/admin/tokens", response_class=HTMLResponse)
async def create_token(
    request: Request, who: Viewer = Depends(viewer), ws: Workspace = Depends(workspace)
) -> Response:
    """A new API token, shown on this response only: it is stored as a hash, so no
    later page can show it again (and the response is never cached)."""
    form = await _form(request, who, ws)
    username = form.get("username") or who.user.username
    try:
        days = int(form.get("days") or 90)
    except ValueError:
        problem = IdentityError("the token's lifetime is a whole number of days")
        return _failed(request, who, ws, problem, "tokens", form)
    try:
        with open_session(request, who, ws, need_purpose=False) as s:
            token, expires = s.identities.create_token(username, days)
    except MISTAKES as exc:
        return _failed(request, who, ws, exc, "tokens", form)
    return page(
        request,
        who,
        "admin/token.html",
        title="New API token",
        nav="admin",
        token=token,
        username=username,
        expires=expires.strftime("%Y-%m-%d %H:%M"),
    )
