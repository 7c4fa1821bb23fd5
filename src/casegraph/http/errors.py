"""Errors as ``application/problem+json`` (RFC 9457), never with a stack trace."""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from casegraph.access.identities import IdentityError
from casegraph.access.policy import AccessDenied, PurposeRequired
from casegraph.audit.checkpoint import CheckpointError
from casegraph.cases.rules import CaseError, Conflict
from casegraph.model.sources import InvalidSource
from casegraph.service import NotFound, WorkspaceError

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

    @app.exception_handler(PurposeRequired)
    async def purpose(request: Request, exc: PurposeRequired) -> Response:
        return problem(403, "Purpose required", str(exc), request)

    @app.exception_handler(AccessDenied)
    async def denied(request: Request, exc: AccessDenied) -> Response:
        return problem(403, "Forbidden", str(exc), request)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return problem(404, "Not found", str(exc), request)

    # Starlette picks the handler of the nearest class in the exception's MRO: a
    # Conflict (a WorkspaceError too) is a 409, not a 400
    @app.exception_handler(Conflict)
    async def conflict(request: Request, exc: Conflict) -> Response:
        return problem(409, "Conflict", str(exc), request)

    async def bad_request(request: Request, exc: Exception) -> Response:
        return problem(400, "Bad request", str(exc), request)

    kinds = (WorkspaceError, CaseError, InvalidSource, IdentityError, CheckpointError, ValueError)
    for kind in kinds:
        app.add_exception_handler(kind, bad_request)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return problem(500, "Internal error", "the error was logged", request)
