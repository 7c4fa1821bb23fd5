"""Mount the pages, the static files and the page error handlers on the FastAPI app."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from casegraph.http import errors
from casegraph.http.request import workspace
from casegraph.web import (
    pages_admin,
    pages_cases,
    pages_core,
    pages_documents,
    pages_flags,
    pages_graph,
    pages_leads,
    pages_oversight,
    pages_review,
    pages_subjects,
    suggest,
)
from casegraph.web.core import (
    STATIC,
    ChoosePurpose,
    SignInFirst,
    Viewer,
    page,
    redirect,
    sign_in_url,
    viewer,
)

ROUTERS = [
    pages_core.router,
    pages_subjects.router,
    pages_graph.router,
    pages_review.router,
    pages_leads.router,
    pages_flags.router,
    pages_oversight.router,
    pages_admin.router,
    pages_cases.router,
    pages_documents.router,
    suggest.router,
]


def _signed_in(request: Request) -> Viewer | None:
    """Who is signed in, for the error page's header; nobody when that cannot be told
    (the error page must show even when the store is what failed)."""
    try:
        return viewer(request, workspace(request))
    except Exception:  # any failure here leaves the page without a header
        return None


def _error_page(status: int, title: str, detail: str, request: Request) -> Response:
    return page(
        request, _signed_in(request), "error.html", status=status, title=title, heading=title,
        detail=detail,
    )


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for router in ROUTERS:
        app.include_router(router)
    if _error_page not in errors.page_errors:
        errors.page_errors.append(_error_page)

    @app.exception_handler(SignInFirst)
    async def sign_in_first(request: Request, exc: SignInFirst) -> Response:
        if request.headers.get("HX-Request"):
            return Response(status_code=401, headers={"HX-Redirect": sign_in_url(exc.path)})
        return redirect(sign_in_url(exc.path))

    @app.exception_handler(ChoosePurpose)
    async def choose_purpose(request: Request, exc: ChoosePurpose) -> Response:
        return redirect(f"/purpose?next={quote(exc.path, safe='')}")
