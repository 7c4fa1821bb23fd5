"""The review queue, the oversight page and administration, on both stores."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casegraph.access.context import AccessContext
from casegraph.service import Workspace
from casegraph.store import ledger
from casegraph.store import resolution as rstore
from tests.api.test_api import PASSWORD
from tests.conftest import everything
from tests.resolve import items, people
from tests.resolve.test_resolve import load
from tests.web.conftest import csrf, sign_in

WHY = "reviewing candidate matches for the web page tests"


@pytest.fixture
def item(loaded: Workspace, ctx: AccessContext, tmp_path: Path) -> str:
    """A resolved population, and one possible match: two pending pairs between a
    subject of two records and a subject of one."""
    folder = tmp_path / "people"
    folder.mkdir()
    people.write(folder, people=60)
    with loaded.session(ctx) as s:
        load(s, folder, "registry", "bank")
        s.resolve.run()
        return items.between(s, *items.pick(s))


def test_review_queue_item_page_and_accept(
    web: TestClient, loaded: Workspace, ctx: AccessContext, item: str
) -> None:
    with loaded.session(ctx) as s:
        shown = s.review.show(item)
    records = {r["id"] for side in ("left", "right") for r in shown[side]["record_list"]}
    assert web.get("/review", follow_redirects=False).headers["location"].startswith("/login")
    token = sign_in(web, "ana")
    prompt = web.get("/review", follow_redirects=False)  # no purpose yet: the prompt first
    assert prompt.status_code == 303 and prompt.headers["location"].startswith("/purpose")
    sign_in(web, "ana", justification=WHY)
    queue = web.get("/review")
    assert queue.status_code == 200, queue.text
    assert f'href="/review/{item}"' in queue.text and "Records that would move" in queue.text
    assert '<th scope="col">' in queue.text and "Possible matches" in queue.text
    page = web.get(f"/review/{item}")
    assert page.status_code == 200, page.text
    for text in ("Why they may be one", "The two subjects, whole", "What the model weighed",
                 "Before comparing", "Details: the model's own terms", "Accept", "Reject",
                 "Unsure", shown["left"]["name"], shown["right"]["name"]):  # fmt: skip
        assert text in page.text, text
    assert re.search(r'class="wf-bar (pos|neg) w([1-9]|10)"', page.text)
    assert 'style="' not in page.text and "<script>" not in page.text
    steps = shown["strongest"]["explanation"]["steps"]
    text = page.text.replace("&#39;", "'")
    # a comparison that weighs something is in words; those with nothing to compare on
    # one side share one row, by name
    missing = [st["words"] if st["weight"] + st["tf_adjustment"] else st["label"]
               for st in steps
               if (st["words"] if st["weight"] + st["tf_adjustment"] else st["label"])
               not in text]  # fmt: skip
    assert not missing, missing
    assert "2 pairs of records between the two wait" in page.text
    token = csrf(page.text)
    short = web.post(
        f"/review/{item}", data={"csrf": token, "decision": "positive", "reason": "ok"}
    )
    assert short.status_code == 400 and "at least 5 characters" in short.text
    forged = web.post(f"/review/{item}", data={"csrf": "x", "decision": "positive",
                                               "reason": "same passport number"})  # fmt: skip
    assert forged.status_code == 403
    done = web.post(
        f"/review/{item}",
        data={"csrf": token, "decision": "positive", "reason": "same passport number"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"].startswith("/review")
    after = web.get(done.headers["location"])
    assert after.status_code == 200
    assert "Accepted: the two subjects are one subject now." in after.text
    subject = re.search(r'href="/subjects/([^"]+)">open the merged profile', after.text)
    assert subject, after.text
    assert "Accepted:" not in web.get("/review").text  # shown once
    with loaded.session(ctx) as s:
        every = everything(s)
        assert {rstore.canonical_of_entity(s.conn, every, e) for e in records} == {
            subject.group(1)}  # fmt: skip
        profile = s.subjects.profile(subject.group(1))
        assert {f.entity_id for f in profile.facts} >= records
        judged = [j for j in rstore.iter_group_judgements(s.conn, every, "person")
                  if j[2] == "user"]  # fmt: skip
        assert len(judged) == 2 and {j[3] for j in judged} == {"positive"}
    assert f'href="/review/{item}"' not in web.get("/review").text
    assert web.get(f"/review/{item}").status_code == 404


def test_the_queue_of_a_case_and_possible_matches_in_sight(
    web: TestClient, loaded: Workspace, ctx: AccessContext, item: str, case_id: str
) -> None:
    with loaded.session(ctx) as s:
        shown = s.review.show(item)
        other = items.between(s, *items.pick(s, (1, 1), skip=4))
    left = shown["left"]["subject"]
    with loaded.session(AccessContext("ana", case_id=case_id)) as s:
        s.cases.link_subject(case_id, left, "suspect", "the web test follows this subject")
    sign_in(web, "ana", justification=WHY)
    mine = web.get("/review", params={"case": case_id})
    assert mine.status_code == 200 and f"in case {case_id}" in mine.text
    assert f'href="/review/{item}?case={case_id}"' in mine.text
    assert f"/review/{other}" not in mine.text
    assert f"/review/{other}" in web.get("/review").text
    page = web.get(f"/review/{item}", params={"case": case_id})
    assert f'action="/review/{item}?case={case_id}"' in page.text
    assert f'href="/review?case={case_id}"' in page.text
    # the profile and the search rows say so, and lead to the item
    profile = web.get(f"/subjects/{left}")
    assert "may be the same as 1 other subject" in profile.text
    assert f'href="/review/{item}"' in profile.text
    name = shown["right"]["name"]
    found = web.get("/search", params={"q": f'"{name}"'})
    assert "May be the same as 1 other subject" in found.text, found.text
    assert f'href="/review/{item}"' in found.text
    token = csrf(page.text)
    done = web.post(f"/review/{item}", params={"case": case_id}, follow_redirects=False,
                    data={"csrf": token, "decision": "negative",
                          "reason": "two people: different passports"})  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == f"/review?case={case_id}"
    assert "Rejected" in web.get(done.headers["location"]).text
    assert f'href="/review/{item}"' not in web.get(f"/subjects/{left}").text
    assert web.get("/review", params={"case": "C-1999-0404"}).status_code == 404


def test_reviewing_needs_the_resolve_role(web: TestClient, item: str) -> None:
    sign_in(web, "vic")
    refused = web.get("/review", follow_redirects=False)  # refused before any purpose prompt
    assert refused.status_code == 403 and "Forbidden" in refused.text
    sign_in(web, "vic", justification=WHY)
    assert web.get("/review").status_code == 403
    assert web.get(f"/review/{item}").status_code == 403
    token = csrf(web.get("/").text)
    decided = web.post(f"/review/{item}", data={"csrf": token, "decision": "positive",
                                                "reason": "looks the same to me"})  # fmt: skip
    assert decided.status_code == 403


def test_an_empty_queue_says_so(web: TestClient, loaded: Workspace) -> None:
    sign_in(web, "ana", justification=WHY)
    assert "No possible matches wait for review." in web.get("/review").text
    assert web.get("/review/0123456789ab").status_code == 404


def test_oversight_shows_consultations_by_user(web: TestClient, loaded: Workspace) -> None:
    why = "checking the Smith family for the oversight page test"
    with loaded.session(AccessContext(actor="ana", justification=why)) as s:
        s.search.search("Smith")
    with loaded.session(AccessContext(actor="eve", justification=why + " by eve")) as s:
        s.search.search("Smith")
    sign_in(web, "ana", justification=WHY)
    assert web.get("/oversight").status_code == 403
    sign_in(web, "olga")
    shown = web.get("/oversight?user=ana")
    assert shown.status_code == 200, shown.text
    assert "Intact" in shown.text and why in shown.text and why + " by eve" not in shown.text
    assert "<td>search</td>" in shown.text and "<td>ana</td>" in shown.text
    assert "<td>eve</td>" not in shown.text
    assert 'href="/api/v1/audit/report?user=ana&amp;kind=consultations"' in shown.text
    assert "Consultations without a case" in shown.text
    assert "No sealed record has been unsealed." in shown.text
    exported = web.get("/oversight/report.csv?user=ana&kind=consultations")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows and {r["actor"] for r in rows} == {"ana"}
    assert {r["action"] for r in rows} == {"search"}
    api = web.get("/api/v1/audit/report?user=ana&kind=consultations")
    assert api.status_code == 200 and '"actor": "ana"' in api.text
    bad = web.get("/oversight?kind=nonsense")
    assert bad.status_code == 400 and "Unknown kind" in bad.text
    nothing = web.get("/oversight?user=nobody")
    assert "No entries match these filters." in nothing.text
    with loaded.engine.connect() as conn:
        entries = [(e.actor, e.action) for e in ledger.iter_entries(conn)]
    assert ("olga", "audit.verify") in entries and ("olga", "audit.report") in entries


def test_admin_adds_users_and_teams_and_creates_a_token(web: TestClient, loaded: Workspace) -> None:
    sign_in(web, "ana")
    assert web.get("/admin").status_code == 403
    token = sign_in(web, "adam")
    admin = web.get("/admin")
    assert admin.status_code == 200, admin.text
    for text in ("Users", "Teams", "Clearances", "API tokens", "Sources and their markings",
                 "SECRET", "fincrime"):  # fmt: skip
        assert text in admin.text
    assert 'style="' not in admin.text
    new_user = {"csrf": token, "username": "nora", "display_name": "Nora N.", "role": "analyst",
                "password": PASSWORD}  # fmt: skip
    added = web.post("/admin/users", data=new_user, follow_redirects=False)
    assert added.status_code == 303 and added.headers["location"].startswith("/admin")
    assert "User nora added" in web.get("/admin").text
    again = web.post("/admin/users", data=new_user)
    assert again.status_code == 400 and "already exists" in again.text
    assert PASSWORD not in again.text and 'value="nora"' in again.text
    weak = web.post("/admin/users", data={**new_user, "username": "olaf", "password": "short"})
    assert weak.status_code == 400 and "at least 12 characters" in weak.text
    assert web.post("/admin/teams", data={"csrf": token, "name": "desk", "title": "Desk"}
                    ).status_code == 200  # fmt: skip
    joined = web.post("/admin/members", data={"csrf": token, "team": "desk", "username": "nora"})
    assert joined.status_code == 200 and "nora is now a member of team desk" in joined.text
    granted = web.post("/admin/grants", data={"csrf": token, "team": "desk", "marking": "PUBLIC"})
    assert "Team desk is now cleared for PUBLIC" in granted.text
    wrong = web.post("/admin/grants", data={"csrf": token, "team": "nope", "marking": "PUBLIC"})
    assert wrong.status_code == 400 and "no team" in wrong.text
    assert web.post("/admin/teams", data={"csrf": "forged", "name": "x1"}).status_code == 403
    made = web.post("/admin/tokens", data={"csrf": token, "days": "30"})
    assert made.status_code == 200 and "shown only once" in made.text
    secret = re.search(r'value="(cg_[^"]+)"', made.text)
    assert secret
    assert secret.group(1) not in web.get("/admin").text
    me = web.get("/api/v1/me", headers={"Authorization": f"Bearer {secret.group(1)}"})
    assert me.json()["username"] == "adam"
    disabled = web.post("/admin/users/rita/disable", data={"csrf": token})
    assert disabled.status_code == 200 and "User rita disabled" in disabled.text
    sign_in(web, "nora")
    assert "Nora N." in web.get("/").text
    with loaded.engine.connect() as conn:
        actions = [(e.actor, e.action) for e in ledger.iter_entries(conn)]
    assert {("adam", "user.add"), ("adam", "team.add"), ("adam", "team.add_member"),
            ("adam", "grant"), ("adam", "token.create"), ("adam", "user.disable")} <= set(
        actions)  # fmt: skip
