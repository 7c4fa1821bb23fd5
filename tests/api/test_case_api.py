"""The case API on both stores: a case is a compartment that only its members see,
over HTTP as in the service (404 for anyone else, never 403)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from casegraph.access.context import AccessContext
from casegraph.service import Workspace
from casegraph.services.cases import CaseService
from casegraph.store import ledger
from casegraph.store.tables import cases
from tests.api.test_api import add_users, serve, sign_in
from tests.cases.test_cases import BASIS, PREDICATE, USERS, as_user, open_case, subject_id
from tests.search import data

V1 = "/api/v1"
MADE_UP = "C-1999-0001"


@pytest.fixture
def loaded(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> Workspace:
    """The search test data, users (ana, ben, rita, eve, sam, vic) and team fincrime."""
    with workspace.session(ctx) as s:
        data.load(s, tmp_path)
        add_users(s, USERS, cleared=("ana", "ben", "rita", "eve", "sam", "vic"))
        s.identities.add_team("fincrime", "Financial crime")
        for user in ("ana", "ben", "sam"):
            s.identities.add_member("fincrime", user)
        s.identities.grant("fincrime", "SECRET")
    return workspace


@pytest.fixture
def api(loaded: Workspace) -> Iterator[TestClient]:
    yield from serve(loaded)


def as_(api: TestClient, user: str) -> dict[str, str]:
    """Sign in as ``user`` (signing out whoever was signed in); the CSRF header."""
    api.cookies.clear()
    return sign_in(api, user)


def mueller(ws: Workspace) -> str:
    with ws.session(as_user(ws, "ana")) as s:
        return subject_id(s, "Jürgen Müller")


def new_case(**changes: Any) -> dict[str, Any]:
    body = {
        "title": "Operation Kaltenbrunn",
        "case_type": "money-laundering",
        "legal_basis": BASIS,
        "predicate": PREDICATE,
        "purpose": "Trace the proceeds",
        "team": "fincrime",
        "members": [{"username": "ben", "role": "member"}],
    }
    return {**body, **changes}


def upload(
    api: TestClient, csrf: dict[str, str], case_id: str, content: bytes, name: str = "a.txt"
) -> Any:
    return api.post(
        f"{V1}/cases/{case_id}/evidence",
        files={"file": (name, content, "text/plain")},
        data={
            "received_from": "Sparkasse Berlin, compliance office",
            "reason": "Production order of 2026-11-03",
        },
        headers=csrf,
    )


def test_open_a_case_and_find_it_in_my_cases_and_dashboard(api: TestClient) -> None:
    csrf = as_(api, "ana")
    made = api.post(f"{V1}/cases", json=new_case(), headers=csrf)
    assert made.status_code == 201, made.text
    case = made.json()
    case_id = case["id"]
    assert (case["status"], case["lead"], case["my_role"], case["version"]) == (
        "open",
        "ana",
        "lead",
        1,
    )
    assert {m["username"]: m["role"] for m in case["members"]} == {"ana": "lead", "ben": "member"}
    assert len(case["tasks"]) == 3  # from the money-laundering template
    assert [c["id"] for c in api.get(f"{V1}/cases").json()["items"]] == [case_id]
    dashboard = api.get(f"{V1}/me/dashboard").json()
    assert [c["id"] for c in dashboard["cases"]] == [case_id]
    assert api.get(f"{V1}/cases/{case_id}").json()["legal_basis"] == BASIS
    as_(api, "ben")
    assert [c["my_role"] for c in api.get(f"{V1}/cases").json()["items"]] == ["member"]
    assert api.post(f"{V1}/cases", json=new_case()).status_code == 403  # no CSRF header


def test_a_missing_legal_basis_is_a_bad_request_naming_it(api: TestClient) -> None:
    csrf = as_(api, "ana")
    body = new_case()
    del body["legal_basis"]
    refused = api.post(f"{V1}/cases", json=body, headers=csrf)
    assert refused.status_code == 400, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "legal basis" in refused.json()["detail"]
    short = api.post(f"{V1}/cases", json=new_case(predicate="fraud"), headers=csrf)
    assert short.status_code == 400 and "predicate" in short.json()["detail"]
    assert api.get(f"{V1}/cases").json()["items"] == []
    viewer = as_(api, "rita")  # a viewer opens no cases
    assert api.post(f"{V1}/cases", json=new_case(), headers=viewer).status_code == 403


def case_requests(case_id: str, evidence: int, note: int, task: int, subject: str) -> list[Any]:
    """One valid request for every route under /cases/{case_id}."""
    base = f"{V1}/cases/{case_id}"
    reason = {"reason": "No longer needed on this case"}
    return [
        ("GET", "/cases/{case_id}", base, {}),
        ("PATCH", "/cases/{case_id}", base, {"json": {"version": 1, "priority": "high"}}),
        (
            "POST",
            "/cases/{case_id}/status",
            f"{base}/status",
            {"json": {"status": "active", "reason": "Bank records arrived", "version": 1}},
        ),
        ("POST", "/cases/{case_id}/members", f"{base}/members", {"json": {"username": "vic"}}),
        (
            "DELETE",
            "/cases/{case_id}/members/{username}",
            f"{base}/members/ben",
            {"params": reason},
        ),
        (
            "POST",
            "/cases/{case_id}/subjects",
            f"{base}/subjects",
            {"json": {"subject_id": subject, "role": "suspect", "note": "Director of ACME"}},
        ),
        (
            "PATCH",
            "/cases/{case_id}/subjects/{subject_id}",
            f"{base}/subjects/{subject}",
            {"json": {"role": "witness", "version": 1}},
        ),
        (
            "DELETE",
            "/cases/{case_id}/subjects/{subject_id}",
            f"{base}/subjects/{subject}",
            {"params": {**reason, "version": 1}},
        ),
        ("GET", "/cases/{case_id}/tasks", f"{base}/tasks", {}),
        ("POST", "/cases/{case_id}/tasks", f"{base}/tasks", {"json": {"title": "Sneaky"}}),
        (
            "PATCH",
            "/cases/{case_id}/tasks/{task_id}",
            f"{base}/tasks/{task}",
            {"json": {"version": 1, "status": "done"}},
        ),
        ("GET", "/cases/{case_id}/notes", f"{base}/notes", {}),
        ("POST", "/cases/{case_id}/notes", f"{base}/notes", {"json": {"title": "x", "body": "y"}}),
        ("GET", "/cases/{case_id}/notes/{note_id}", f"{base}/notes/{note}", {}),
        (
            "PUT",
            "/cases/{case_id}/notes/{note_id}",
            f"{base}/notes/{note}",
            {"json": {"body": "changed", "version": 1}},
        ),
        ("GET", "/cases/{case_id}/comments", f"{base}/comments", {"params": {"target": "case"}}),
        ("POST", "/cases/{case_id}/comments", f"{base}/comments", {"json": {"body": "Hello"}}),
        (
            "POST",
            "/cases/{case_id}/evidence",
            f"{base}/evidence",
            {
                "files": {"file": ("x.txt", b"x", "text/plain")},
                "data": {"received_from": "An informant", "reason": "Handed over in person"},
            },
        ),
        ("GET", "/cases/{case_id}/evidence", f"{base}/evidence", {}),
        ("POST", "/cases/{case_id}/evidence/verify", f"{base}/evidence/verify", {}),
        ("GET", "/cases/{case_id}/evidence/{evidence_id}", f"{base}/evidence/{evidence}", {}),
        (
            "POST",
            "/cases/{case_id}/evidence/{evidence_id}/custody",
            f"{base}/evidence/{evidence}/custody",
            {"json": {"action": "examined", "party": "Forensic lab", "reason": "Check it now"}},
        ),
        (
            "GET",
            "/cases/{case_id}/evidence/{evidence_id}/download",
            f"{base}/evidence/{evidence}/download",
            {"params": {"recipient": "Dr. Lang"}},
        ),
        ("GET", "/cases/{case_id}/timeline", f"{base}/timeline", {}),
        (
            "GET",
            "/cases/{case_id}/report",
            f"{base}/report",
            {"params": {"format": "html", "recipient": "Prosecutor Lang"}},
        ),
        (
            "POST",
            "/cases/{case_id}/reviews",
            f"{base}/reviews",
            {"json": {"decision": "close", "reason": "Not my case to close"}},
        ),
    ]


def test_a_non_member_gets_404_on_every_case_route(api: TestClient, loaded: Workspace) -> None:
    case_id = open_case(loaded)
    subject = mueller(loaded)
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        s.cases.link_subject(case_id, subject, "suspect", "Director of ACME during transfers")
        note = s.cases.add_note(case_id, "Plan", "Interview the director")["id"]
        task = s.cases.tasks(case_id)[0]["id"]
        item = s.cases.add_evidence(
            case_id, [b"page"], "page.txt", "An informant", "Handed over in person"
        )["id"]
    csrf = as_(api, "eve")
    schema = api.get("/api/openapi.json").json()["paths"]
    routes = {
        (method.upper(), path.removeprefix(V1))
        for path, methods in schema.items()
        if path.startswith(f"{V1}/cases/{{case_id}}")
        for method in methods
    }
    details = set()
    for cid in (case_id, MADE_UP, "not a case id!"):
        requests = case_requests(cid, item, note, task, subject)
        assert {(method, route) for method, route, _, _ in requests} == routes  # all covered
        for method, route, url, kwargs in requests:
            response = api.request(method, url, headers=csrf, **kwargs)
            assert response.status_code == 404, (cid, method, route, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            details.add(response.json()["detail"].replace(repr(cid), "X"))
    # the same answer for a real and an invented case
    assert details == {"no case X among your cases (a case shows to its members only)"}
    assert api.get(f"{V1}/cases").json()["items"] == []
    assert api.get(f"{V1}/me/dashboard").json()["cases"] == []
    assert api.get(f"{V1}/reviews").json()["items"] == []
    with loaded.engine.connect() as conn:
        eve = [e for e in ledger.iter_entries(conn) if e.actor == "eve"]
    assert not [e for e in eve if e.action.startswith("case.")]  # nothing read or done
    refused = [e for e in eve if e.action == "access.denied" and "case" in e.refs]
    assert {e.refs["case"] for e in refused} == {case_id, MADE_UP}  # (and no valid id)
    # every probe is on the record, the same entry for a real and an invented case
    assert {e.refs["reason"].replace(repr(e.refs["case"]), "X") for e in refused} == {
        "no case X among your cases (a case shows to its members only)"
    }
    with loaded.session(as_user(loaded, "ana", case_id)) as s:  # nothing changed meanwhile
        case = s.cases.show(case_id)
    assert (case["version"], case["status"], len(case["evidence"])) == (1, "open", 1)
    assert [m["username"] for m in case["members"]] == ["ana", "ben", "rita"]


def test_a_stale_version_is_a_conflict(api: TestClient, loaded: Workspace) -> None:
    case_id = open_case(loaded)
    csrf = as_(api, "ana")
    url = f"{V1}/cases/{case_id}"
    changed = api.patch(url, json={"version": 1, "priority": "high"}, headers=csrf)
    assert changed.status_code == 200, changed.text
    assert (changed.json()["priority"], changed.json()["version"]) == ("high", 2)
    stale = api.patch(url, json={"version": 1, "title": "Stale edit"}, headers=csrf)
    assert stale.status_code == 409, stale.text
    problem = stale.json()
    assert problem["title"] == "Conflict"
    assert "version 1" in problem["detail"] and "now version 2" in problem["detail"]
    assert api.get(url).json()["title"] == "Operation Kaltenbrunn"
    no_version = api.patch(url, json={"title": "No version given"}, headers=csrf)
    assert no_version.status_code == 422 and "version" in no_version.json()["detail"]
    status = api.post(
        f"{url}/status",
        headers=csrf,
        json={"status": "active", "reason": "Work starts now", "version": 1},
    )
    assert status.status_code == 409
    rita = as_(api, "rita")  # a read-only member: forbidden, not hidden
    refused = api.patch(url, json={"version": 2, "priority": "low"}, headers=rita)
    assert refused.status_code == 403


def test_evidence_upload_streams_and_download_is_a_recorded_disclosure(
    api: TestClient, loaded: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = open_case(loaded)
    received: list[int] = []
    original = CaseService.add_evidence

    def spy(self: CaseService, case: str, chunks: Iterable[bytes], *args: Any, **kw: Any) -> Any:
        assert not isinstance(chunks, bytes | list)  # an iterator, read as it goes

        def counted() -> Iterator[bytes]:
            for chunk in chunks:
                received.append(len(chunk))
                yield chunk

        return original(self, case, counted(), *args, **kw)

    monkeypatch.setattr(CaseService, "add_evidence", spy)
    content = b"statement of account 2019, page 1\n" * 9000  # ~300 KB
    csrf = as_(api, "ben")
    made = upload(api, csrf, case_id, content, "C:\\exports\\Konto März €.txt")
    assert made.status_code == 201, made.text
    item = made.json()
    assert item["sha256"] == hashlib.sha256(content).hexdigest()
    assert (item["size"], item["filename"], item["media_type"]) == (
        len(content),
        "Konto März €.txt",
        "text/plain",
    )
    assert sum(received) == len(content)
    big = b"0123456789abcdef" * (160 * 1024)  # 2.5 MiB: read in chunks of at most 1 MiB
    received.clear()
    assert upload(api, csrf, case_id, big, "big.bin").status_code == 201
    assert received == [1 << 20, 1 << 20, len(big) - 2 * (1 << 20)]

    url = f"{V1}/cases/{case_id}/evidence/{item['id']}"
    custody = api.post(
        f"{url}/custody",
        headers=csrf,
        json={
            "action": "examined",
            "party": "Forensic lab, J. Weber",
            "reason": "Check for alterations",
        },
    )
    assert custody.status_code == 201, custody.text
    shown = api.get(url).json()
    assert [c["action"] for c in shown["custody"]] == ["received", "examined"]
    assert len(api.get(f"{V1}/cases/{case_id}/evidence").json()["items"]) == 2

    rita = as_(api, "rita")  # read-only members may download; the recipient is on the record
    assert api.get(f"{url}/download").status_code == 422  # no recipient
    with api.stream("GET", f"{url}/download", params={"recipient": "Prosecutor Dr. Lang"}) as r:
        assert r.status_code == 200, r.read()
        body = b"".join(r.iter_bytes())
        headers = r.headers
    assert body == content
    assert headers["content-type"].startswith("text/plain")
    assert headers["x-content-sha256"] == item["sha256"]
    assert headers["content-disposition"] == (  # ASCII, and the exact name (RFC 6266)
        'attachment; filename="Konto M_rz _.txt"; '
        "filename*=UTF-8''Konto%20M%C3%A4rz%20%E2%82%AC.txt"
    )
    with loaded.engine.connect() as conn:
        downloads = [e for e in ledger.iter_entries(conn) if e.action == "case.evidence.download"]
    assert [(d.actor, d.case_id, d.refs["recipient"], d.refs["sha256"]) for d in downloads] == [
        ("rita", case_id, "Prosecutor Dr. Lang", item["sha256"])
    ]
    refused = api.post(f"{V1}/cases/{case_id}/evidence/verify", headers=rita)
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    verified = api.post(f"{V1}/cases/{case_id}/evidence/verify", headers=as_(api, "ben"))
    assert [v["integrity"] for v in verified.json()["items"]] == ["intact", "intact"]
    with loaded.session(as_user(loaded, "ben", case_id)) as s:  # nothing from rita in it
        chain = s.cases.evidence_item(case_id, item["id"])["custody"]
    assert [(c["action"], c["actor"]) for c in chain][-1] == ("verified", "ben")
    assert "rita" not in {c["actor"] for c in chain}
    with loaded.session(as_user(loaded, "ana", case_id)) as s:  # a name no browser sends
        odd = s.cases.add_evidence(
            case_id, iter([b"x"]), 'a"b\r\n.txt', "An informant", "Handed over in person"
        )["id"]
    sent = api.get(f"{V1}/cases/{case_id}/evidence/{odd}/download", params={"recipient": "Lab"})
    assert sent.headers["content-disposition"] == (
        "attachment; filename=\"a_b__.txt\"; filename*=UTF-8''a%22b%0D%0A.txt"
    )


def test_notes_are_escaped_and_comments_attach_to_them(api: TestClient, loaded: Workspace) -> None:
    case_id = open_case(loaded)
    subject = mueller(loaded)
    csrf = as_(api, "ben")
    base = f"{V1}/cases/{case_id}"
    made = api.post(
        f"{base}/notes",
        headers=csrf,
        json={
            "title": "Interview plan",
            "body": f"Ask @{subject} about **ACME**.\n\n<script>alert(1)</script>",
        },
    )
    assert made.status_code == 201, made.text
    note = made.json()
    assert "<script>" not in note["html"] and "&lt;script&gt;" in note["html"]
    assert "<strong>ACME</strong>" in note["html"] and note["mentions"] == [subject]
    url = f"{base}/notes/{note['id']}"
    edited = api.put(url, json={"body": "Second <b>draft</b>", "version": 1}, headers=csrf)
    assert edited.status_code == 200 and edited.json()["version"] == 2
    assert "<b>" not in edited.json()["html"]
    assert api.put(url, json={"body": "Lost", "version": 1}, headers=csrf).status_code == 409
    assert [r["version"] for r in api.get(url).json()["revisions"]] == [1, 2]
    assert [n["title"] for n in api.get(f"{base}/notes").json()["items"]] == ["Interview plan"]
    target = f"note:{note['id']}"
    said = api.post(f"{base}/comments", json={"target": target, "body": "Add 2019"}, headers=csrf)
    assert said.status_code == 201, said.text
    listed = api.get(f"{base}/comments", params={"target": target}).json()["items"]
    assert [(c["author"], c["body"]) for c in listed] == [("ben", "Add 2019")]
    assert api.get(f"{base}/comments").json()["items"] == []  # on the case itself: none
    nowhere = api.post(f"{base}/comments", json={"target": "note:999", "body": "x"}, headers=csrf)
    assert nowhere.status_code == 404
    bad = api.get(f"{base}/comments", params={"target": "page:1"})
    assert bad.status_code == 400 and "comment on" in bad.json()["detail"]


def test_subjects_and_the_timeline_with_their_facts(api: TestClient, loaded: Workspace) -> None:
    case_id = open_case(loaded)
    subject = mueller(loaded)
    csrf = as_(api, "ana")
    base = f"{V1}/cases/{case_id}"
    link = api.post(
        f"{base}/subjects",
        headers=csrf,
        json={
            "subject_id": subject,
            "role": "suspect",
            "note": "Director of ACME during transfers",
        },
    )
    assert link.status_code == 201, link.text
    assert (link.json()["caption"], link.json()["role"], link.json()["version"]) == (
        "Jürgen Müller",
        "suspect",
        1,
    )
    everything = api.get(f"{base}/timeline").json()["items"]
    kinds = {e["kind"] for e in everything}
    assert {"case.opened", "case.task.created", "case.subject.linked"} <= kinds
    facts = api.get(f"{base}/timeline", params={"subject": subject, "kind": "fact"}).json()
    birth = [e for e in facts["items"] if e["kind"] == "fact:birthDate"]
    assert birth and birth[0]["at"] == "1971-04-02" and birth[0]["sources"] == ["registry"]
    assert all(e["subject"] == subject for e in facts["items"])
    kinds_wanted = [("kind", "task"), ("kind", "subject")]
    some = api.get(f"{base}/timeline", params=kinds_wanted).json()["items"]
    assert some and {e["kind"].split(".")[1] for e in some} == {"task", "subject"}
    with loaded.engine.connect() as conn:
        reads = [e for e in ledger.iter_entries(conn) if e.action == "case.timeline"]
    assert reads and all(e.case_id == case_id and e.actor == "ana" for e in reads)

    changed = api.patch(
        f"{base}/subjects/{subject}", json={"role": "witness", "version": 1}, headers=csrf
    )
    assert changed.status_code == 200 and changed.json()["role"] == "witness"
    stale = api.patch(
        f"{base}/subjects/{subject}", json={"role": "victim", "version": 1}, headers=csrf
    )
    assert stale.status_code == 409
    gone = api.delete(
        f"{base}/subjects/{subject}",
        headers=csrf,
        params={"reason": "Turned out to be a bystander", "version": 2},
    )
    assert gone.status_code == 200, gone.text
    assert api.get(base).json()["subjects"] == []


def test_a_header_naming_another_case_is_refused(api: TestClient, loaded: Workspace) -> None:
    first, second = open_case(loaded), open_case(loaded)
    csrf = as_(api, "ana")
    url = f"{V1}/cases/{first}"
    other = api.get(url, headers={"X-Casegraph-Case": second})
    assert other.status_code == 400, other.text
    assert second in other.json()["detail"] and first in other.json()["detail"]
    assert api.get(f"{url}/tasks", params={"case": second}).status_code == 400
    refused = api.post(
        f"{url}/notes",
        json={"title": "x", "body": "y"},
        headers={**csrf, "X-Casegraph-Case": second},
    )
    assert refused.status_code == 400
    assert api.get(url, headers={"X-Casegraph-Case": first}).status_code == 200
    assert api.get(f"{url}/notes").json()["items"] == []  # the refused note was not added


def test_tasks_members_status_and_reviews(api: TestClient, loaded: Workspace) -> None:
    case_id = open_case(loaded)
    base = f"{V1}/cases/{case_id}"
    csrf = as_(api, "ana")
    due = (date.today() + timedelta(days=7)).isoformat()
    made = api.post(
        f"{base}/tasks",
        headers=csrf,
        json={
            "title": "Request bank records",
            "assignee": "ben",
            "due_on": due,
            "checklist": [{"text": "Draft request"}, {"text": "Get sign-off"}],
        },
    )
    assert made.status_code == 201, made.text
    task = made.json()
    assert (task["due_on"], task["checklist"][1]) == (due, {"text": "Get sign-off", "done": False})
    done = api.patch(
        f"{base}/tasks/{task['id']}",
        headers=csrf,
        json={
            "version": 1,
            "status": "in-progress",
            "checklist": [{"text": "Draft request", "done": True}],
        },
    )
    assert done.status_code == 200 and done.json()["checklist"][0]["done"] is True
    assert len(api.get(f"{base}/tasks").json()["items"]) == 4
    assert api.patch(f"{base}/tasks/99999", json={"version": 1}, headers=csrf).status_code == 404

    added = api.post(f"{base}/members", json={"username": "vic", "role": "read-only"}, headers=csrf)
    assert added.status_code == 201, added.text
    assert api.delete(f"{base}/members/vic", headers=csrf).status_code == 422  # no reason
    removed = api.delete(
        f"{base}/members/vic", params={"reason": "Not needed after all"}, headers=csrf
    )
    assert removed.status_code == 200, removed.text

    version = api.get(base).json()["version"]
    active = api.post(
        f"{base}/status",
        headers=csrf,
        json={"status": "active", "reason": "Bank records arrived", "version": version},
    )
    assert active.status_code == 200 and active.json()["status"] == "active"
    wrong = api.post(
        f"{base}/status",
        headers=csrf,
        json={"status": "open", "reason": "Back to the start", "version": version + 1},
    )
    assert wrong.status_code == 400 and "cannot become open" in wrong.json()["detail"]

    with loaded.engine.begin() as conn:
        past = date.today() - timedelta(days=1)
        conn.execute(update(cases).where(cases.c.id == case_id).values(review_on=past))
    assert [c["id"] for c in api.get(f"{V1}/reviews").json()["items"]] == [case_id]  # the lead
    sam = as_(api, "sam")  # the team's supervisor reviews, without being a member
    assert [c["id"] for c in api.get(f"{V1}/reviews").json()["items"]] == [case_id]
    assert api.get(base).status_code == 404
    next_review = (date.today() + timedelta(days=180)).isoformat()
    kept = api.post(
        f"{base}/reviews",
        headers=sam,
        json={
            "decision": "retain",
            "reason": "Leads in Cyprus still open",
            "next_review": next_review,
        },
    )
    assert kept.status_code == 201, kept.text
    assert kept.json() == {"case": case_id, "decision": "retain", "next_review": next_review}
    assert api.get(f"{V1}/reviews").json()["items"] == []


def test_the_case_file_over_http_is_a_recorded_disclosure(
    api: TestClient, loaded: Workspace
) -> None:
    from casegraph.reports import render

    case_id = open_case(loaded)
    subject = mueller(loaded)
    csrf = as_(api, "ana")
    base = f"{V1}/cases/{case_id}"
    api.post(
        f"{base}/subjects",
        headers=csrf,
        json={"subject_id": subject, "role": "suspect", "note": "Director of ACME"},
    )
    pdf = api.get(f"{base}/report", params={"format": "pdf", "recipient": "Prosecutor Lang"})
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    text = render.pdf_text(pdf.content)
    assert "Jürgen Müller" in text and "1971-04-02" in text and "registry" in text
    page = api.get(f"{base}/report", params={"format": "html", "recipient": "Supervisor"})
    assert page.headers["content-type"].startswith("text/html") and "Prosecutor Lang" in page.text
    assert (
        api.get(f"{base}/report", params={"format": "doc", "recipient": "x y"}).status_code == 422
    )
    as_(api, "eve")
    assert api.get(f"{base}/report", params={"recipient": "Someone else"}).status_code == 404
    with loaded.engine.connect() as conn:
        sent = [e.refs["recipient"] for e in ledger.iter_entries(conn) if e.action == "case.report"]
    assert sent == ["Prosecutor Lang", "Supervisor"]
