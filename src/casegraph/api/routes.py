"""Endpoints: sign-in, sources, subject profiles, the ledger, users/teams/grants/tokens."""

from __future__ import annotations

import io
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi import Path as PathParam
from pydantic import BaseModel, Field

from casegraph.access.identities import Token
from casegraph.api.auth import Caller, caller, session
from casegraph.http.request import SESSION_COOKIE, request_id, workspace
from casegraph.http.throttle import throttle
from casegraph.model.clock import utcnow
from casegraph.service import Session, Workspace

router = APIRouter(prefix="/api/v1")
PUBLIC_ROUTES = {("GET", "/api/v1/health"), ("POST", "/api/v1/auth/login")}


class Login(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)


class NewUser(BaseModel):
    username: str
    role: str
    password: str
    display_name: str = ""


class NewTeam(BaseModel):
    name: str
    title: str = ""


class Member(BaseModel):
    username: str


class Grant(BaseModel):
    team: str
    marking: str


class NewToken(BaseModel):
    days: int = Field(90, ge=1, le=366)


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.post("/auth/login")
def login(
    body: Login, request: Request, response: Response, ws: Workspace = Depends(workspace)
) -> dict[str, str]:
    client = request.client.host if request.client else "-"
    throttle.check(client, body.username)
    opened = ws.sign_in(body.username, body.password, request_id(request))
    if opened is None:
        throttle.failed(client, body.username)
        raise HTTPException(401, "wrong user name or password")
    throttle.succeeded(client, body.username)
    secret, csrf = opened
    response.set_cookie(
        SESSION_COOKIE, secret, httponly=True, samesite="strict",
        secure=request.url.scheme == "https", max_age=12 * 3600, path="/",
    )  # fmt: skip
    return {"username": body.username, "csrf_token": csrf}


@router.post("/auth/logout")
def logout(request: Request, response: Response, who: Caller = Depends(caller),
           ws: Workspace = Depends(workspace)) -> dict[str, str]:  # fmt: skip
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        ws.sign_out(secret, who.user.username, request_id(request))
    response.delete_cookie(SESSION_COOKIE, path="/")
    return {"status": "signed out"}


@router.get("/me")
def me(who: Caller = Depends(caller)) -> dict[str, Any]:
    return {"username": who.user.username, "role": who.user.role, "teams": who.user.teams}


@router.get("/sources")
def sources(s: Session = Depends(session, scope="function")) -> list[dict[str, Any]]:
    return [
        {"name": src.name, "title": src.title, "team": src.team, "marking": src.marking,
         "retention_days": src.retention_days, "statements": count}
        for src, count in s.sources.list_visible()
    ]  # fmt: skip


@router.get("/subjects/{subject_id}")
def subject(
    subject_id: str, unseal: bool = False, s: Session = Depends(session, scope="function")
) -> dict[str, Any]:
    return s.subjects.profile(subject_id, unseal=unseal).to_dict()


@router.get("/audit/verify")
def audit_verify(s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    verdict = s.ledger.verify()
    return verdict.__dict__


@router.get("/audit/report")
def audit_report(
    user: str | None = None,
    subject: str | None = None,
    case: str | None = Query(None, alias="for_case"),
    kind: str = "all",
    s: Session = Depends(session, scope="function"),
) -> Response:
    out = io.StringIO()
    s.ledger.report(out, "json", user=user, subject=subject, case_id=case, kind=kind)
    return Response(out.getvalue(), media_type="application/x-ndjson")


@router.get("/users")
def users(s: Session = Depends(session, scope="function")) -> list[dict[str, Any]]:
    return [u.__dict__ for u in s.identities.list_users()]


@router.post("/users", status_code=201)
def add_user(body: NewUser, s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    return s.identities.add_user(body.username, body.display_name, body.role,
                                 body.password).__dict__  # fmt: skip


@router.post("/users/{username}/disable")
def disable_user(username: str, s: Session = Depends(session, scope="function")) -> dict[str, str]:
    s.identities.disable_user(username)
    return {"status": "disabled"}


@router.post("/teams", status_code=201)
def add_team(body: NewTeam, s: Session = Depends(session, scope="function")) -> dict[str, str]:
    s.identities.add_team(body.name, body.title)
    return {"name": body.name}


@router.post("/teams/{team}/members", status_code=201)
def add_member(
    team: str, body: Member, s: Session = Depends(session, scope="function")
) -> dict[str, str]:
    s.identities.add_member(team, body.username)
    return {"team": team, "username": body.username}


@router.post("/grants", status_code=201)
def grant(body: Grant, s: Session = Depends(session, scope="function")) -> dict[str, Any]:
    return {"team": body.team, "marking": body.marking,
            "changed": s.identities.grant(body.team, body.marking)}  # fmt: skip


@router.post("/tokens", status_code=201)
def token(body: NewToken, s: Session = Depends(session, scope="function")) -> dict[str, str]:
    secret, expires = s.identities.create_token(s.ctx.actor, body.days)
    return {"token": secret, "expires": expires.isoformat(timespec="seconds")}


def _token(token: Token) -> dict[str, Any]:
    return {"id": token.id, "username": token.username,
            "created": token.created_at.isoformat(timespec="seconds"),
            "expires": token.expires_at.isoformat(timespec="seconds"),
            "state": token.state(utcnow())}  # fmt: skip


@router.get("/tokens")
def tokens(
    user: str | None = Query(None, max_length=64),
    s: Session = Depends(session, scope="function"),
) -> list[dict[str, Any]]:
    """API tokens (ids and dates, never the tokens): an administrator's view is everyone's
    (or ``user``'s), anyone else's their own."""
    return [_token(t) for t in s.identities.list_tokens(user)]


@router.delete("/tokens/{token_id}")
def revoke_token(
    token_id: str = PathParam(pattern=r"^[A-Za-z0-9]{1,16}$"),
    s: Session = Depends(session, scope="function"),
) -> dict[str, Any]:
    """Revoke one token: administrators any, users their own; recorded in the ledger."""
    return _token(s.identities.revoke_token(token_id))
