"""What every page needs: the signed-in user, the purpose they chose, templates, and a
session bound to both. Pages never touch tables: they call the session's services."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from casegraph import __version__
from casegraph.access import roles
from casegraph.access.context import AccessContext
from casegraph.access.identities import User
from casegraph.errors import CasegraphError
from casegraph.http.request import SESSION_COOKIE, request_id, workspace
from casegraph.model.sources import where_kept
from casegraph.search.labels import language_name, value_label
from casegraph.service import Session, Workspace
from casegraph.web.ids import id_small
from casegraph.web.marks import marked

PURPOSE_COOKIE = "cg_purpose"
STATIC = Path(__file__).parent / "static"
templates = Jinja2Templates(
    env=jinja2.Environment(
        loader=jinja2.PackageLoader("casegraph.web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
)
templates.env.filters["id_small"] = id_small  # an id beside a name (web/ids.py)
templates.env.globals["marked"] = marked  # a snippet with its matches (web/marks.py)


templates.env.filters["where_kept"] = where_kept
templates.env.filters["schema_label"] = lambda name: value_label("schema", name or "")
templates.env.filters["language_name"] = language_name


class SignInFirst(Exception):
    """No valid session cookie: the page sends the browser to the sign-in form."""

    def __init__(self, path: str) -> None:
        self.path = path


class ChoosePurpose(Exception):
    """A page with subject data, and no purpose chosen yet."""

    def __init__(self, path: str) -> None:
        self.path = path


@dataclass(frozen=True)
class Purpose:
    case: str | None = None
    justification: str | None = None

    @property
    def label(self) -> str:
        if self.case:
            return f"case {self.case}"
        if self.justification:
            return f"justification: {self.justification}"
        return ""

    def __bool__(self) -> bool:
        return bool(self.case or self.justification)


def read_purpose(request: Request) -> Purpose:
    raw = request.cookies.get(PURPOSE_COOKIE)
    if not raw:
        return Purpose()
    try:
        data = json.loads(raw)
        return Purpose(data.get("case") or None, data.get("justification") or None)
    except (ValueError, AttributeError):
        return Purpose()


def encode_purpose(purpose: Purpose) -> str:
    return json.dumps({"case": purpose.case, "justification": purpose.justification})


@dataclass(frozen=True)
class Viewer:
    """The signed-in user of a page request."""

    user: User
    csrf: str
    purpose: Purpose

    def can(self, permission: str) -> bool:
        return permission in roles.ROLES[self.user.role]


def viewer(request: Request, ws: Workspace = Depends(workspace)) -> Viewer:
    secret = request.cookies.get(SESSION_COOKIE)
    found = ws.user_for_session(secret) if secret else None
    if found is None:
        raise SignInFirst(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    user, csrf = found
    return Viewer(user, csrf, read_purpose(request))


async def check_form_csrf(request: Request, who: Viewer) -> dict[str, Any]:
    """The form's fields, once its CSRF token (hidden field or header) is checked."""
    form = await request.form()
    sent = request.headers.get("X-CSRF-Token") or str(form.get("csrf", ""))
    if sent != who.csrf:
        raise HTTPException(403, "this form has expired; reload the page and try again")
    return dict(form)


def context(request: Request, who: Viewer, need_purpose: bool) -> AccessContext:
    if need_purpose and not who.purpose:
        raise ChoosePurpose(
            request.url.path + (f"?{request.url.query}" if request.url.query else "")
        )
    return AccessContext(
        actor=who.user.username,
        case_id=who.purpose.case,
        justification=who.purpose.justification,
        request_id=request_id(request),
    )


@contextmanager
def open_session(
    request: Request, who: Viewer, ws: Workspace, need_purpose: bool = True
) -> Iterator[Session]:
    """The page's session: the signed-in user, under the purpose they chose (pages
    that show subject data send the browser to the purpose prompt without one)."""
    with ws.session(context(request, who, need_purpose)) as s:
        yield s


def json_answer(
    request: Request, who: Viewer, ws: Workspace, work: Callable[[Session], Any]
) -> Response:
    """``work`` in the page's session, as JSON for the page's scripts; without a purpose,
    or on an error a reader can cause (no such subject, refused), ``{"detail": ...}``
    with its status, for the page to say."""
    if not who.purpose:
        return JSONResponse({"detail": "choose a purpose first (a case or a justification)"}, 409)
    try:
        with open_session(request, who, ws, need_purpose=False) as s:
            return JSONResponse(work(s))
    except CasegraphError as exc:
        return JSONResponse({"detail": str(exc)}, exc.status)


def page(
    request: Request, who: Viewer | None, template: str, status: int = 200, **values: Any
) -> HTMLResponse:
    values.setdefault("title", "casegraph")
    values.setdefault("nav", "")
    return templates.TemplateResponse(
        request,
        template,
        {"who": who, "version": __version__, "roles": roles, **values},
        status_code=status,
    )


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def sign_in_url(path: str) -> str:
    return f"/login?next={quote(path, safe='')}"
