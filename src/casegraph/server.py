"""The one app that ``casegraph serve`` runs with uvicorn: the HTTP API (``api/``) and
the web pages (``web/``) mounted side by side over the same workspace, with the error
handling, security headers and body limits they share."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from fastapi import FastAPI, HTTPException, Request, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casegraph import __version__
from casegraph.api import app as api
from casegraph.http import errors
from casegraph.http.nul import RefuseNul
from casegraph.http.request import request_id
from casegraph.service import Workspace
from casegraph.web import app as web

if TYPE_CHECKING:
    import uvicorn

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


# the routes that receive evidence files: their bodies may be as large as the evidence
# limit (CASEGRAPH_EVIDENCE_MAX_BYTES) and the form around the file
EVIDENCE_UPLOAD = re.compile(r"^(/api/v1)?/cases/[^/]+/evidence/?$")
FORM_ALLOWANCE = 1024**2


class BodyLimit:
    """Refuse request bodies over a limit with 413, before they are read: by their
    declared ``Content-Length``, and by counting the bytes as they arrive (a chunked
    body declares none). Evidence uploads have a limit of their own."""

    def __init__(self, app: ASGIApp, limit: int, upload_limit: int) -> None:
        self.app, self.limit, self.upload_limit = app, limit, upload_limit

    def limit_for(self, scope: Scope) -> int:
        upload = scope["method"] == "POST" and EVIDENCE_UPLOAD.match(scope["path"])
        return max(self.limit, self.upload_limit) if upload else self.limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        too_large = HTTPException(413, f"the request body is larger than {limit:,} bytes")
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.strip().isdigit() and int(declared) > limit:
            request = Request(scope, receive)
            response = errors.problem(413, str(too_large.detail), str(too_large.detail), request)
            await response(scope, receive, send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:  # the app's error handlers answer 413
                    raise too_large
            return message

        await self.app(scope, counted, send)


def server_config(workspace: Workspace, host: str, port: int) -> uvicorn.Config:
    """How ``casegraph serve`` runs the app. Forwarded headers (``X-Forwarded-For``,
    ``X-Forwarded-Proto``) are believed only from the configured proxies
    (``CASEGRAPH_TRUSTED_PROXIES``, none by default): uvicorn would otherwise trust
    them from 127.0.0.1, and anyone on the machine, or any local reverse proxy that
    passes the header on, could choose the address the sign-in throttle counts."""
    import uvicorn

    proxies = workspace.settings.trusted_proxies.strip()
    return uvicorn.Config(
        create_app(workspace), host=host, port=port, log_level="warning",
        proxy_headers=bool(proxies), forwarded_allow_ips=proxies,
    )  # fmt: skip


def create_app(workspace: Workspace) -> FastAPI:
    app = FastAPI(
        title="casegraph",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url="/api/docs",
        redoc_url=None,
    )
    app.state.workspace = workspace
    errors.install(app)
    api.install(app)
    web.install(app)  # the pages, beside the API and over the same sessions
    settings = workspace.settings
    app.add_middleware(RefuseNul)  # (http/nul.py: PostgreSQL stores no NUL character)
    app.add_middleware(  # inside the headers' middleware: a 413 has them too
        BodyLimit,
        limit=settings.max_body_bytes,
        upload_limit=settings.evidence_max_bytes + FORM_ALLOWANCE,
    )

    @app.middleware("http")
    async def headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        rid = request_id(request)
        response = await call_next(request)
        for key, value in SECURITY_HEADERS.items():
            # the same policy on /api/docs: no third-party script runs next to the
            # signed-in API (the OpenAPI document itself is /api/openapi.json)
            response.headers.setdefault(key, value)
        response.headers["X-Request-ID"] = rid
        return response

    return app
