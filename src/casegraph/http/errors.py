"""Errors as ``application/problem+json`` (RFC 9457), never with a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from casegraph.errors import CasegraphError

log = logging.getLogger(__name__)
PROBLEM = "application/problem+json"
# the web pages register a renderer here: an error on a page is shown as a page
PageRenderer = Callable[[int, str, str, Request], Response]
page_errors: list[PageRenderer] = []


def problem(status: int, title: str, detail: str, request: Request) -> Response:
    if page_errors and not request.url.path.startswith("/api/"):
        return page_errors[0](status, title, detail, request)
    body = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        "request_id": getattr(request.state, "request_id", None),
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM)


def install(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = problem(exc.status_code, str(exc.detail), str(exc.detail), request)
        for key, value in (exc.headers or {}).items():
            response.headers[key] = value
        return response

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        where = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return problem(422, "Invalid request", where, request)

    @app.exception_handler(CasegraphError)
    async def refused(request: Request, exc: CasegraphError) -> Response:
        # one table: each error kind carries its status and title (errors.py)
        return problem(exc.status, exc.title, str(exc), request)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "Internal error", "the error was logged", request)
