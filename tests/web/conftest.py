"""Shared fixtures for the page tests: the search test data, users of every role, a
team with clearances, a case, and a signed-in browser-like client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casegraph.access.context import AccessContext
from casegraph.service import Workspace
from tests.api.test_api import PASSWORD, add_users, serve
from tests.cases.test_cases import USERS, open_case
from tests.search import data

WEB_USERS = {**USERS, "olga": "auditor", "adam": "admin"}


@pytest.fixture
def loaded(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> Workspace:
    """ana (lead), ben (member), rita (read-only) on case C-…-0001 (``case_id``);
    eve an analyst outside it; sam a supervisor; vic a viewer cleared for PUBLIC only;
    olga an auditor; adam an admin."""
    with workspace.session(ctx) as s:
        data.load(s, tmp_path)
        add_users(s, WEB_USERS, cleared=("ana", "ben", "rita", "eve", "sam", "vic"))
        s.identities.add_team("fincrime", "Financial crime")
        for user in ("ana", "ben", "sam", "eve"):
            s.identities.add_member("fincrime", user)
        s.identities.grant("fincrime", "SECRET")
    return workspace


@pytest.fixture
def case_id(loaded: Workspace) -> str:
    return open_case(loaded)


@pytest.fixture
def web(loaded: Workspace) -> Iterator[TestClient]:
    yield from serve(loaded)


def sign_in(
    client: TestClient, user: str, justification: str | None = None, case: str | None = None
) -> str:
    """Sign in through the form (signing out whoever was in); choose a purpose if given.
    Returns the page's CSRF token."""
    client.cookies.clear()
    response = client.post("/login", data=login_form(client, user, PASSWORD))
    assert response.status_code == 200, response.text
    token = csrf(response.text)
    if justification or case:
        chosen = client.post(
            "/purpose",
            data={
                "csrf": token,
                "next": "/",
                "case": case or "",
                "justification": justification or "",
            },
        )
        assert chosen.status_code == 200, chosen.text
    return token


def login_form(client: TestClient, user: str, password: str, next: str = "/") -> dict[str, str]:
    """The sign-in form's fields, with the CSRF token of the form as the page gives it."""
    page = client.get("/login", params={"next": next})
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, "no CSRF token in the sign-in form"
    return {"username": user, "password": password, "next": next, "csrf": found.group(1)}


def csrf(html: str) -> str:
    found = re.search(r'name="cg-csrf" content="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)
