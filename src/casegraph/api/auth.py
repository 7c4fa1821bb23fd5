"""Who is calling: a signed-in session cookie (with CSRF token) or a bearer API token."""

from __future__ import annotations

import hmac
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import Depends, HTTPException, Request

from casegraph.access.context import AccessContext
from casegraph.access.identities import User
from casegraph.service import Session, Workspace

SESSION_COOKIE = "cg_session"
CSRF_HEADER = "X-CSRF-Token"
CASE_HEADER = "X-Casegraph-Case"
JUSTIFICATION_HEADER = "X-Casegraph-Justification"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class LoginThrottle:
    """Failed sign-ins, counted in ``window`` seconds (old failures are forgotten): at
    most ``limit`` per client address and user name, ``limit * 4`` per client address
    over all names, and ``limit * 4`` per user name over all client addresses, so that
    changing one's address (or a forged ``X-Forwarded-For``, were it trusted) buys no
    more guesses at one account. The client address is the connection's, or the one a
    configured proxy forwards (``CASEGRAPH_TRUSTED_PROXIES``)."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self.failures: dict[tuple[str, str, str], deque[float]] = defaultdict(deque)

    def _keys(self, client: str, username: str) -> list[tuple[tuple[str, str, str], int]]:
        return [
            (("pair", client, username), self.limit),
            (("client", client, ""), self.limit * 4),
            (("account", "", username), self.limit * 4),
        ]

    def _recent(self, key: tuple[str, str, str]) -> deque[float]:
        recent = self.failures[key]
        while recent and recent[0] < time.monotonic() - self.window:
            recent.popleft()
        if not recent:
            del self.failures[key]
            recent = self.failures[key]
        return recent

    def check(self, client: str, username: str) -> None:
        for key, limit in self._keys(client, username):
            recent = self._recent(key)
            if len(recent) >= limit:
                retry = int(recent[0] + self.window - time.monotonic()) + 1
                raise HTTPException(429, "too many failed sign-ins; try again later",
                                    headers={"Retry-After": str(retry)})  # fmt: skip
        if len(self.failures) > 10_000:  # forget idle keys
            for key in [k for k, v in self.failures.items() if not v]:
                del self.failures[key]

    def failed(self, client: str, username: str) -> None:
        now = time.monotonic()
        for key, _limit in self._keys(client, username):
            self._recent(key).append(now)

    def succeeded(self, client: str, username: str) -> None:
        # only this address's count for the name: the account's count over all
        # addresses stays, or one good sign-in would reset a guesser elsewhere
        self.failures.pop(("pair", client, username), None)


def workspace(request: Request) -> Workspace:
    return request.app.state.workspace  # type: ignore[no-any-return]


def request_id(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        header = request.headers.get("X-Request-ID", "")
        rid = header if 8 <= len(header) <= 64 and header.isascii() else uuid.uuid4().hex
        request.state.request_id = rid
    return rid


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
