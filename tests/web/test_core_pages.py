"""Sign-in, the purpose prompt and the home page, on both stores."""

from __future__ import annotations

from fastapi.testclient import TestClient

from casegraph.service import Workspace
from casegraph.store import ledger
from tests.web.conftest import csrf, sign_in


def test_pages_need_a_sign_in_and_a_purpose(web: TestClient, loaded: Workspace) -> None:
    first = web.get("/search?q=Smith", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/login?next=")
    wrong = web.post("/login", data={"username": "ana", "password": "nope-nope", "next": "/"})
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
