"""A request's workspace and id, and the name of the session cookie that the API's
sign-in sets and the pages read."""

from __future__ import annotations

import uuid

from fastapi import Request

from casegraph.service import Workspace

SESSION_COOKIE = "cg_session"


def workspace(request: Request) -> Workspace:
    return request.app.state.workspace  # type: ignore[no-any-return]


def request_id(request: Request) -> str:
    rid = getattr(request.state, "request_id", None)
    if rid is None:
        header = request.headers.get("X-Request-ID", "")
        rid = header if 8 <= len(header) <= 64 and header.isascii() else uuid.uuid4().hex
        request.state.request_id = rid
    return rid
