"""No NUL character in a request's path, query or text body (JSON, form, text): none of
casegraph's fields needs one and PostgreSQL stores none (its driver refuses the statement,
which would be a server error there while SQLite kept the character). Refused with 422,
before any work, by the API and the pages alike and on both stores. Files (multipart
uploads, octet streams) carry any byte."""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casegraph.http import errors

MESSAGE = "text may not contain NUL characters"
TEXT_BODIES = (b"application/json", b"application/x-www-form-urlencoded", b"text/")
# a NUL as it travels: raw, percent-encoded (query, form), JSON-escaped
NUL = (b"\x00", b"%00", b"\\u0000")
LONGEST = max(len(n) for n in NUL)


def _has_nul(data: bytes) -> bool:
    return any(n in data for n in NUL)


class RefuseNul:
    """The middleware (``casegraph.server`` adds it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope["path"] or _has_nul(scope["query_string"]):
            response = errors.problem(422, MESSAGE, MESSAGE, Request(scope, receive))
            await response(scope, receive, send)
            return
        content_type = dict(scope["headers"]).get(b"content-type", b"").lower()
        if not content_type.startswith(TEXT_BODIES):
            await self.app(scope, receive, send)
            return
        tail = b""  # the end of the last chunk: a NUL may straddle two

        async def checked() -> Message:
            nonlocal tail
            message = await receive()
            if message["type"] == "http.request":
                seen = tail + message.get("body", b"")
                if _has_nul(seen):  # the app's error handlers answer 422
                    raise HTTPException(422, MESSAGE)
                tail = seen[-(LONGEST - 1) :]
            return message

        await self.app(scope, checked, send)
