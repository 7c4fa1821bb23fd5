"""Sign-in, the purpose prompt and the home page, on both stores."""

from __future__ import annotations

from fastapi.testclient import TestClient

from casegraph.http.request import SESSION_COOKIE
from casegraph.http.throttle import throttle
from casegraph.service import Workspace
from casegraph.store import ledger
from tests.api.test_api import PASSWORD
from tests.web.conftest import csrf, login_form, sign_in


def test_pages_need_a_sign_in_and_a_purpose(web: TestClient, loaded: Workspace) -> None:
    first = web.get("/search?q=Smith", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/login?next=")
    wrong = web.post("/login", data=login_form(web, "ana", "nope-nope"))
    assert wrong.status_code == 401 and "Wrong user name or password" in wrong.text
    token = sign_in(web, "ana")
    home = web.get("/")
    assert "My cases" in home.text and "No purpose chosen" in home.text
    prompt = web.get("/purpose")
    assert "write a justification" in prompt.text
    short = web.post("/purpose", data={"csrf": token, "justification": "too short", "next": "/"})
    assert short.status_code == 400 and "at least" in short.text
    blank = web.post("/purpose", data={"csrf": token, "justification": "\u200b" * 30, "next": "/"})
    assert blank.status_code == 400 and "at least" in blank.text  # nothing shows
    forged = web.post("/purpose", data={"csrf": "forged", "justification": "x" * 30})
    assert forged.status_code == 403
    sign_in(web, "ana", justification="checking the page tests of casegraph")
    assert "Purpose: justification: checking the page tests" in web.get("/").text
    web.post("/logout", data={"csrf": csrf(web.get("/").text)})
    assert web.get("/", follow_redirects=False).status_code == 303
    with loaded.engine.connect() as conn:
        actions = [e.action for e in ledger.iter_entries(conn)]
    assert "auth.login" in actions and "auth.logout" in actions


def test_the_purpose_can_be_one_of_my_cases_only(
    web: TestClient, loaded: Workspace, case_id: str
) -> None:
    token = sign_in(web, "eve")
    refused = web.post("/purpose", data={"csrf": token, "case": case_id, "next": "/"})
    assert refused.status_code == 400 and case_id not in web.get("/purpose").text
    token = sign_in(web, "ana")
    assert case_id in web.get("/purpose").text
    chosen = web.post("/purpose", data={"csrf": token, "case": case_id, "next": "/"})
    assert chosen.status_code == 200 and f"Purpose: case {case_id}" in chosen.text
    assert case_id in chosen.text  # the home page lists it under "My cases"


def test_the_sign_in_form_carries_a_csrf_token(web: TestClient, loaded: Workspace) -> None:
    fields = {"username": "ana", "password": PASSWORD, "next": "/"}
    # a form posted from another site has no token (its cross-site POST carries no
    # SameSite=Strict cookie either): nobody is signed in, nothing counts as a try
    forged = web.post("/login", data=fields, follow_redirects=False)
    assert forged.status_code == 403 and "did not come from this site" in forged.text
    assert SESSION_COOKIE not in web.cookies
    assert throttle.failures == {}
    form = login_form(web, "ana", PASSWORD)
    shown = web.get("/login")
    cookie = shown.headers["set-cookie"]
    assert "cg_login_csrf=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    assert form["csrf"] in shown.text  # a second tab gets the same token: both work
    wrong = web.post("/login", data={**fields, "csrf": "x" * 32}, follow_redirects=False)
    assert wrong.status_code == 403 and SESSION_COOKIE not in web.cookies
    assert "Wrong user name" not in wrong.text  # the password was never checked
    # a token from one browser does not sign in another
    stranger = TestClient(web.app)
    with stranger:
        replayed = stranger.post("/login", data=form, follow_redirects=False)
    assert replayed.status_code == 403
    signed = web.post("/login", data=form, follow_redirects=False)
    assert signed.status_code == 303 and SESSION_COOKIE in web.cookies
    with loaded.engine.connect() as conn:
        logins = [e.outcome for e in ledger.iter_entries(conn) if e.action == "auth.login"]
    assert logins == ["ok"]
