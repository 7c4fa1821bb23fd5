"""The case workspace pages, on both stores: a case is a compartment of its members (a
stranger gets the same 404 for a real and an invented case), every change is a form
with its CSRF token and the version it was based on, and mistakes show on the page."""

from __future__ import annotations

import hashlib
import html
import re
from datetime import date, timedelta
from urllib.parse import urlencode

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import update

from casegraph.service import Workspace
from casegraph.store import ledger
from casegraph.store.tables import cases
from casegraph.web.core import PURPOSE_COOKIE
from tests.cases.test_cases import BASIS, PREDICATE, as_user, subject_id
from tests.web.conftest import sign_in

MADE_UP = "C-1999-0001"
TABS = ("", "/subjects", "/tasks", "/notes", "/evidence", "/timeline", "/report", "/review")
# (path under the case, form fields) of changes a stranger might try
CHANGES: tuple[tuple[str, dict[str, str]], ...] = (
    ("/status", {"status": "active", "reason": "a stranger wants it active", "version": "1"}),
    ("/members", {"username": "eve", "role": "lead"}),
    ("/subjects", {"subject_id": "x", "role": "suspect", "note": "a stranger's note"}),
    ("/tasks", {"title": "A stranger's task"}),
    ("/tasks/1", {"status": "done", "version": "1"}),
    ("/notes", {"title": "A stranger's note", "body": "hello"}),
    ("/notes/preview", {"body": "**hello**"}),
    ("/evidence/verify", {}),
    ("/review", {"decision": "close", "reason": "a stranger closes the case"}),
)


def post_form(web: TestClient, url: str, token: str, **fields: str) -> httpx.Response:
    response: httpx.Response = web.post(url, data={"csrf": token, **fields}, follow_redirects=False)
    return response


def lost(text: str, case_id: str) -> str:
    """A 404 page with the case id taken out, to compare real and invented cases."""
    return text.replace(case_id, "X")


def versions(ws: Workspace, case_id: str) -> dict[str, tuple[str, int]]:
    with ws.session(as_user(ws, "ana", case_id)) as s:
        return {t["title"]: (t["status"], t["version"]) for t in s.cases.tasks(case_id)}


def task_id(ws: Workspace, case_id: str, title: str) -> int:
    with ws.session(as_user(ws, "ana", case_id)) as s:
        return next(int(t["id"]) for t in s.cases.tasks(case_id) if t["title"] == title)


def test_open_a_case_through_the_form_and_find_it_in_my_cases(
    web: TestClient, loaded: Workspace
) -> None:
    token = sign_in(web, "ana")
    empty = web.get("/cases")
    assert empty.status_code == 200
    assert "Open a case" in empty.text and "You are not on any case yet." in empty.text
    fields = {
        "title": "Operation Tiefgarage",
        "case_type": "fraud",
        "legal_basis": "",
        "predicate": PREDICATE,
        "purpose": "Find the money",
        "team": "fincrime",
        "priority": "high",
        "review_on": "",
    }
    refused = web.post("/cases", data={"csrf": token, **fields})
    assert refused.status_code == 400
    assert "the legal basis is required" in refused.text
    assert 'value="Operation Tiefgarage"' in refused.text  # what was typed stays
    assert html.escape(PREDICATE, quote=False) in refused.text
    bad_date = web.post("/cases", data={"csrf": token, **fields, "review_on": "next week"})
    assert bad_date.status_code == 400 and "is not a date" in bad_date.text
    forged = web.post("/cases", data={"csrf": "forged", **fields, "legal_basis": BASIS})
    assert forged.status_code == 403
    made = post_form(web, "/cases", token, **{**fields, "legal_basis": BASIS})
    assert made.status_code == 303, made.text
    location = made.headers["location"]
    case_id = re.match(r"^/cases/(C-\d{4}-\d{4})\?done=opened$", location).group(1)  # type: ignore[union-attr]
    opened = web.get(location)
    assert opened.status_code == 200
    assert "Operation Tiefgarage" in opened.text and "The case is open." in opened.text
    assert f'href="/cases/{case_id}" aria-current="page">Overview' in opened.text
    assert f"Purpose: case {case_id}" in opened.text  # the header shows the new purpose
    assert case_id in opened.cookies.get(PURPOSE_COOKIE, "")
    assert "Secure the transaction records" in web.get(f"/cases/{case_id}/tasks").text
    mine = web.get("/cases").text
    assert f'<a href="/cases/{case_id}">{case_id}</a>' in mine
    assert "Operation Tiefgarage" in mine and ">lead<" in mine and ">high<" in mine
    sign_in(web, "rita")  # a viewer opens no cases
    assert "Open a case" not in web.get("/cases").text


def test_a_stranger_gets_the_same_404_for_a_real_and_an_invented_case(
    web: TestClient, case_id: str
) -> None:
    token = sign_in(web, "eve")
    for tab in TABS:
        real, invented = web.get(f"/cases/{case_id}{tab}"), web.get(f"/cases/{MADE_UP}{tab}")
        assert (real.status_code, invented.status_code) == (404, 404), tab
        assert lost(real.text, case_id) == lost(invented.text, MADE_UP), tab
        assert "Kaltenbrunn" not in real.text and PURPOSE_COOKIE not in real.cookies
    for path, fields in CHANGES:
        real = post_form(web, f"/cases/{case_id}{path}", token, **fields)
        invented = post_form(web, f"/cases/{MADE_UP}{path}", token, **fields)
        assert (real.status_code, invented.status_code) == (404, 404), path
        assert lost(real.text, case_id) == lost(invented.text, MADE_UP), path
    upload = {"file": ("a.txt", b"x", "text/plain")}
    answers = [
        web.post(
            f"/cases/{cid}/evidence",
            data={"csrf": token, "received_from": "a bank", "reason": "a stranger's upload"},
            files=upload,
        )
        for cid in (case_id, MADE_UP)
    ]
    assert [a.status_code for a in answers] == [404, 404]
    assert lost(answers[0].text, case_id) == lost(answers[1].text, MADE_UP)
    assert web.get("/cases/not a case!").status_code == 404
    assert case_id not in web.get("/cases").text
    sign_in(web, "ana")
    assert "A stranger" not in web.get(f"/cases/{case_id}/tasks").text


def test_the_lead_changes_the_status_and_the_members(web: TestClient, case_id: str) -> None:
    token = sign_in(web, "ana")
    page = web.get(f"/cases/{case_id}").text
    assert BASIS in page and "Activate" in page and "Add a member" in page
    short = post_form(
        web, f"/cases/{case_id}/status", token, status="active", reason="go", version="1"
    )
    assert short.status_code == 400 and "a reason is required" in short.text
    done = post_form(
        web,
        f"/cases/{case_id}/status",
        token,
        status="active",
        reason="Bank records arrived, the work starts",
        version="1",
    )
    assert done.status_code == 303
    active = web.get(done.headers["location"]).text
    assert 'class="badge status-active"' in active and "Suspend" in active
    stale = post_form(
        web, f"/cases/{case_id}/status", token, status="closed", reason="x" * 20, version="1"
    )
    assert stale.status_code == 409 and "Someone else changed this meanwhile" in stale.text
    added = post_form(web, f"/cases/{case_id}/members", token, username="eve", role="member")
    assert added.status_code == 303
    assert "eve" in web.get(f"/cases/{case_id}").text
    unknown = post_form(web, f"/cases/{case_id}/members", token, username="zed", role="member")
    assert unknown.status_code == 400 and "no user" in unknown.text
    removed = post_form(
        web,
        f"/cases/{case_id}/members/remove",
        token,
        username="eve",
        reason="Added to the wrong case by mistake",
    )
    assert removed.status_code == 303
    token = sign_in(web, "ben")  # a member: no lifecycle buttons, no member forms
    page = web.get(f"/cases/{case_id}").text
    assert "Suspend" not in page and "Add a member" not in page
    refused = post_form(
        web, f"/cases/{case_id}/status", token, status="suspended", reason="x" * 20, version="2"
    )
    assert refused.status_code == 403 and "only a lead" in refused.text


def test_tasks_are_added_and_a_stale_version_changes_nothing(
    web: TestClient, loaded: Workspace, case_id: str
) -> None:
    token = sign_in(web, "ben")
    assert "Trace the flow of funds" in web.get(f"/cases/{case_id}/tasks").text
    due = (date.today() + timedelta(days=7)).isoformat()
    added = post_form(
        web,
        f"/cases/{case_id}/tasks",
        token,
        title="Call the notary",
        description="About the share transfer",
        assignee="ana",
        due_on=due,
        checklist="Find the deed\n\nAsk for the minutes\n",
    )
    assert added.status_code == 303
    tasks = web.get(added.headers["location"]).text
    assert "Call the notary" in tasks and f"due {due}" in tasks
    assert "Find the deed" in tasks and "Ask for the minutes" in tasks
    assert "0 of 2 done" in tasks
    number = task_id(loaded, case_id, "Call the notary")
    url = f"/cases/{case_id}/tasks/{number}"
    moved = post_form(web, url, token, status="in-progress", version="1")
    assert moved.status_code == 303 and moved.headers["location"].endswith(f"#task-{number}")
    stale = post_form(web, url, token, status="done", version="1")
    assert stale.status_code == 409
    assert "Someone else changed this meanwhile" in stale.text and "reload the page" in stale.text
    assert versions(loaded, case_id)["Call the notary"] == ("in-progress", 2)
    ticked = post_form(
        web,
        f"{url}/checklist",
        token,
        version="2",
        **{"item-0": "Find the deed", "item-1": "Ask for the minutes", "done-1": "1"},
    )
    assert ticked.status_code == 303
    assert "1 of 2 done" in web.get(f"/cases/{case_id}/tasks").text
    stale_ticks = post_form(web, f"{url}/checklist", token, version="2", **{"item-0": "x"})
    assert stale_ticks.status_code == 409
    bad = post_form(web, f"/cases/{case_id}/tasks", token, title="Xy", due_on="soon")
    assert bad.status_code == 400 and "is not a date" in bad.text
    stranger = post_form(web, f"/cases/{case_id}/tasks", token, title="Ask eve", assignee="eve")
    assert stranger.status_code == 400 and "not a member" in stranger.text
    assert versions(loaded, case_id)["Call the notary"] == ("in-progress", 3)


def test_notes_are_previewed_and_rendered_with_markup_escaped(
    web: TestClient, loaded: Workspace, case_id: str
) -> None:
    token = sign_in(web, "ana")
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        mueller = subject_id(s, "Jürgen Müller")
    body = f"Met **the notary**.\n\n<script>alert(1)</script>\n\nSee @{mueller}"
    notes = web.get(f"/cases/{case_id}/notes").text
    assert "No notes yet." in notes
    assert f'hx-post="/cases/{case_id}/notes/preview"' in notes
    assert 'hx-trigger="keyup changed delay:400ms"' in notes
    preview = web.post(
        f"/cases/{case_id}/notes/preview", data={"body": body}, headers={"X-CSRF-Token": token}
    )
    assert preview.status_code == 200
    assert "<strong>the notary</strong>" in preview.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview.text
    assert "<script>" not in preview.text
    assert f'href="/subjects/{mueller}"' in preview.text
    added = post_form(web, f"/cases/{case_id}/notes", token, title="Notary visit", body=body)
    assert added.status_code == 303
    notes = web.get(f"/cases/{case_id}/notes").text
    assert "<strong>the notary</strong>" in notes and "<script>alert" not in notes
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in notes
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        note = s.cases.notes(case_id)[0]
    url = f"/cases/{case_id}/notes/{note['id']}"
    edited = post_form(
        web, url, token, title="Notary visit", body="Met *the notary* again.", version="1"
    )
    assert edited.status_code == 303
    stale = post_form(
        web,
        url,
        token,
        form=f"edit-{note['id']}",
        title="Notary visit",
        body="Lost change",
        version="1",
    )
    assert stale.status_code == 409 and "Someone else changed this meanwhile" in stale.text
    assert "Lost change" in stale.text  # the text typed is still in the form
    notes = web.get(f"/cases/{case_id}/notes").text
    assert "<em>the notary</em>" in notes and "Revisions (2)" in notes
    assert "version 2" in notes and "Lost change" not in notes


def test_evidence_is_uploaded_through_the_form_and_downloaded(
    web: TestClient, loaded: Workspace, case_id: str
) -> None:
    token = sign_in(web, "ben")
    assert "No evidence yet." in web.get(f"/cases/{case_id}/evidence").text
    content = b"date,amount\n2026-01-02,90000\n" * 50_000  # over a MiB: several chunks
    fields = {
        "csrf": token,
        "form": "upload",
        "received_from": "Sparkasse Berlin, compliance office",
        "reason": "Production order of 2026-11-03",
        "description": "Account statements 2025",
    }
    stored = web.post(
        f"/cases/{case_id}/evidence",
        data=fields,
        files={"file": ("statements.csv", content, "text/csv")},
        follow_redirects=False,
    )
    assert stored.status_code == 303, stored.text
    page = web.get(stored.headers["location"]).text
    digest = hashlib.sha256(content).hexdigest()
    assert "statements.csv" in page and f'<dd class="mono">{digest}</dd>' in page
    assert "Sparkasse Berlin, compliance office" in page and "text/csv" in page
    assert f"{len(content):,} bytes" in page
    missing = web.post(
        f"/cases/{case_id}/evidence",
        data=fields,
        files={"file": ("", b"", "application/octet-stream")},
    )
    assert missing.status_code == 400 and "choose the file" in missing.text
    assert "Sparkasse Berlin, compliance office" in missing.text  # kept in the form
    verified = post_form(web, f"/cases/{case_id}/evidence/verify", token)
    assert verified.status_code == 303
    assert "integrity check: intact" in web.get(f"/cases/{case_id}/evidence").text
    number = re.search(rf"/api/v1/cases/{case_id}/evidence/(\d+)/download", page).group(1)  # type: ignore[union-attr]
    custody = post_form(
        web,
        f"/cases/{case_id}/evidence/{number}/custody",
        token,
        action="examined",
        party="Forensic accounting unit",
        reason="Reconcile the transfers with the ledger",
    )
    assert custody.status_code == 303
    assert "Forensic accounting unit" in web.get(f"/cases/{case_id}/evidence").text
    query = urlencode({"recipient": "myself, for the interview"})
    download = web.get(f"/api/v1/cases/{case_id}/evidence/{number}/download?{query}")
    assert download.status_code == 200 and download.content == content
    with loaded.engine.connect() as conn:
        actions = [e.action for e in ledger.iter_entries(conn)]
    assert "case.evidence.download" in actions and "case.evidence.verify" in actions


def test_subjects_timeline_and_the_case_file(
    web: TestClient, loaded: Workspace, case_id: str
) -> None:
    token = sign_in(web, "ana")
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        mueller = subject_id(s, "Jürgen Müller")
    assert "No subjects linked yet." in web.get(f"/cases/{case_id}/subjects").text
    wrong = post_form(
        web,
        f"/cases/{case_id}/subjects",
        token,
        subject_id="cg-nobody",
        role="suspect",
        note="Director of ACME during the transfers",
    )
    assert wrong.status_code == 400 and "no subject" in wrong.text
    linked = post_form(
        web,
        f"/cases/{case_id}/subjects",
        token,
        subject_id=mueller,
        role="suspect",
        note="Director of ACME during the transfers",
    )
    assert linked.status_code == 303
    page = web.get(f"/cases/{case_id}/subjects").text
    assert f'href="/subjects/{mueller}">Jürgen Müller</a>' in page
    assert 'class="badge role-suspect">suspect<' in page
    changed = post_form(
        web,
        f"/cases/{case_id}/subjects/change",
        token,
        subject_id=mueller,
        role="witness",
        note="Director of ACME during the transfers",
        version="1",
    )
    assert changed.status_code == 303
    assert 'class="badge role-witness">witness<' in web.get(f"/cases/{case_id}/subjects").text
    timeline = web.get(f"/cases/{case_id}/timeline").text
    assert "Case opened: Operation Kaltenbrunn" in timeline
    assert "Subject linked as suspect" in timeline and "1971-04-02" in timeline
    only_tasks = web.get(f"/cases/{case_id}/timeline?kind=task").text
    assert "Task created: Trace the flow of funds" in only_tasks
    assert "Case opened" not in only_tasks and "1971-04-02" not in only_tasks
    his = web.get(f"/cases/{case_id}/timeline", params={"subject": mueller}).text
    assert "1971-04-02" in his and "Case opened" not in his
    assert f'<option value="{mueller}" selected>' in his
    report = web.get(f"/cases/{case_id}/report").text
    form = re.search(r'<form method="get" action="([^"]+)"', report).group(1)  # type: ignore[union-attr]
    assert form == f"/api/v1/cases/{case_id}/report"
    assert 'name="recipient"' in report and 'name="format" value="pdf"' in report
    query = urlencode({"recipient": "Public prosecutor's office", "format": "pdf"})
    pdf = web.get(f"{form}?{query}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    unlinked = post_form(
        web,
        f"/cases/{case_id}/subjects/unlink",
        token,
        subject_id=mueller,
        reason="Not involved after all",
        version="1",
    )
    assert unlinked.status_code == 409  # the role change made it version 2
    unlinked = post_form(
        web,
        f"/cases/{case_id}/subjects/unlink",
        token,
        subject_id=mueller,
        reason="Not involved after all",
        version="2",
    )
    assert unlinked.status_code == 303
    assert "No subjects linked yet." in web.get(f"/cases/{case_id}/subjects").text


def test_a_supervisor_records_a_review(web: TestClient, loaded: Workspace, case_id: str) -> None:
    with loaded.engine.begin() as conn:
        yesterday = date.today() - timedelta(days=1)
        conn.execute(update(cases).where(cases.c.id == case_id).values(review_on=yesterday))
    token = sign_in(web, "sam")
    assert web.get(f"/cases/{case_id}").status_code == 404  # not a member
    form = web.get(f"/cases/{case_id}/review")
    assert form.status_code == 200
    assert "Operation Kaltenbrunn" in form.text and "overdue" in form.text
    assert 'name="decision" value="retain"' in form.text
    short = post_form(web, f"/cases/{case_id}/review", token, decision="retain", reason="ok")
    assert short.status_code == 400 and "a reason is required" in short.text
    next_review = (date.today() + timedelta(days=90)).isoformat()
    done = post_form(
        web,
        f"/cases/{case_id}/review",
        token,
        decision="retain",
        reason="The bank records are still being analysed",
        next_review=next_review,
    )
    assert done.status_code == 303
    assert "Your review is recorded." in web.get(done.headers["location"]).text
    invented = post_form(web, f"/cases/{MADE_UP}/review", token, decision="close", reason="x" * 20)
    assert invented.status_code == 404
    token = sign_in(web, "ana")  # the lead sees the review, and records none
    overview = web.get(f"/cases/{case_id}").text
    assert "retain" in overview and "The bank records are still being analysed" in overview
    assert next_review in overview
    lead = web.get(f"/cases/{case_id}/review")
    assert lead.status_code == 200 and 'name="decision"' not in lead.text
    refused = post_form(web, f"/cases/{case_id}/review", token, decision="close", reason="x" * 20)
    assert refused.status_code == 403 and "does not supervise" in refused.text


def test_a_read_only_member_sees_no_edit_forms(
    web: TestClient, loaded: Workspace, case_id: str
) -> None:
    token = sign_in(web, "ana")
    web.post(
        f"/cases/{case_id}/evidence",
        data={"csrf": token, "received_from": "a bank", "reason": "Production order 17"},
        files={"file": ("a.txt", b"abc", "text/plain")},
    )
    post_form(web, f"/cases/{case_id}/notes", token, title="First", body="*hello*")
    token = sign_in(web, "rita")
    for tab in TABS[:-1]:
        shown = web.get(f"/cases/{case_id}{tab}")
        assert shown.status_code == 200, tab
        forms = re.findall(r'<form method="post" action="(/cases/[^"]+)"', shown.text)
        # not even the integrity check: it adds to each file's chain of custody
        assert forms == [], tab
        assert "read-only member" in shown.text
    evidence = web.get(f"/cases/{case_id}/evidence").text
    assert "a.txt" in evidence and "Download the file" in evidence  # reading is allowed
    assert "<em>hello</em>" in web.get(f"/cases/{case_id}/notes").text
    refused = post_form(web, f"/cases/{case_id}/tasks", token, title="A read-only task")
    assert refused.status_code == 403 and "read-only member" in refused.text
    assert "A read-only task" not in web.get(f"/cases/{case_id}/tasks").text
    check = post_form(web, f"/cases/{case_id}/evidence/verify", token)
    assert check.status_code == 403 and "read-only member" in check.text
    assert "integrity check" not in web.get(f"/cases/{case_id}/evidence").text
