"""Who is calling: a signed-in session cookie (with CSRF token) or a bearer API token."""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request

from casegraph.access.context import AccessContext
from casegraph.access.identities import User
from casegraph.http.request import SESSION_COOKIE, request_id, workspace
from casegraph.service import Session, Workspace

CSRF_HEADER = "X-CSRF-Token"
CASE_HEADER = "X-Casegraph-Case"
JUSTIFICATION_HEADER = "X-Casegraph-Justification"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@dataclass(frozen=True)
class Caller:
    user: User


def caller(request: Request, ws: Workspace = Depends(workspace)) -> Caller:
    authorization = request.headers.get("Authorization", "")
    if authorization.lower().startswith("bearer "):
        user = ws.user_for_token(authorization[7:].strip())
        if user is None:
            raise HTTPException(401, "invalid or expired token",
                                headers={"WWW-Authenticate": "Bearer"})  # fmt: skip
        return Caller(user)
    secret = request.cookies.get(SESSION_COOKIE)
    found = ws.user_for_session(secret) if secret else None
    if found is None:
        raise HTTPException(401, "sign in first", headers={"WWW-Authenticate": "Bearer"})
    user, csrf = found
    if request.method in UNSAFE:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent, csrf):
            raise HTTPException(403, f"missing or wrong {CSRF_HEADER} header")
    return Caller(user)


def context(request: Request, who: Caller = Depends(caller)) -> AccessContext:
    """The purpose travels with each request, as a header or a query parameter."""
    case = request.headers.get(CASE_HEADER) or request.query_params.get("case")
    why = request.headers.get(JUSTIFICATION_HEADER) or request.query_params.get("justification")
    return AccessContext(
        actor=who.user.username, case_id=case or None, justification=why or None,
        request_id=request_id(request),
    )  # fmt: skip


def session(
    ctx: AccessContext = Depends(context), ws: Workspace = Depends(workspace)
) -> Iterator[Session]:
    """The request's session. Routes use it with ``scope="function"``, so it commits
    (audit entry included) before the response is sent, never after."""
    with ws.session(ctx) as s:
        yield s
