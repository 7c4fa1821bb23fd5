"""The FastAPI application: ``casegraph serve`` runs it with uvicorn."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request, Response

from casegraph import __version__
from casegraph.api import case_routes, errors, graph_routes, resolution_routes
from casegraph.api.auth import request_id
from casegraph.api.routes import router
from casegraph.service import Workspace
from casegraph.web import app as web

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
}


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
    app.include_router(router)
    app.include_router(resolution_routes.router)
    app.include_router(graph_routes.router)
    app.include_router(case_routes.router)
    web.install(app)  # the pages, beside the API and over the same sessions

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
