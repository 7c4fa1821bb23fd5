"""The HTTP API on both stores: authentication, CSRF, purposes, profiles, problems, audit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casegraph.access.context import AccessContext
from casegraph.api.routes import PUBLIC_ROUTES
from casegraph.http.throttle import throttle
from casegraph.server import create_app
from casegraph.service import Session, Workspace
from casegraph.store import ledger
from tests.conftest import add_source, person_mapping

PASSWORD = "correct horse battery"
WHY = {"X-Casegraph-Justification": "following up the tip-line report 17"}


@pytest.fixture
def api(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> Iterator[TestClient]:
    (tmp_path / "p.csv").write_text(
        "id,name,born\n1,Anna Maier,1970-05-01\n2,Kim Young,2015-03-02\n3,Lee Minor,\n"
    )
    (tmp_path / "s.csv").write_text("id,name\n1,Anna Secret-Alias\n")
    (tmp_path / "p.yml").write_text(
        person_mapping("people", "p.csv", name="name", birthDate="born")
    )
    (tmp_path / "s.yml").write_text(person_mapping("secret", "s.csv", alias="name"))
    with workspace.session(ctx) as s:
        add_source(s, "people", "PUBLIC")
        add_source(s, "secret", "SECRET")
        s.ingest.mapping(tmp_path / "p.yml")
        s.ingest.mapping(tmp_path / "s.yml")
        add_users(s, {"ana": "analyst", "sup": "supervisor", "aud": "auditor", "adm": "admin"},
                  cleared=("ana", "sup"))  # fmt: skip
    yield from serve(workspace)


def add_users(s: Session, roles: dict[str, str], cleared: tuple[str, ...]) -> None:
    """Users with ``PASSWORD``; the ``cleared`` ones in team intel, cleared for PUBLIC."""
    for user, role in roles.items():
        s.identities.add_user(user, user, role, PASSWORD)
    s.identities.add_team("intel", "Intel")
    for user in cleared:
        s.identities.add_member("intel", user)
    s.identities.grant("intel", "PUBLIC")


def serve(workspace: Workspace) -> Iterator[TestClient]:
    """A test client of the API on ``workspace``, with a fresh sign-in throttle."""
    throttle.failures.clear()
    with TestClient(create_app(workspace)) as client:
        yield client


def sign_in(client: TestClient, user: str) -> dict[str, str]:
    response = client.post("/api/v1/auth/login", json={"username": user, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"X-CSRF-Token": response.json()["csrf_token"]}


def entity_id(workspace: Workspace, name: str) -> str:
    with workspace.engine.connect() as conn:
        return str(
            conn.exec_driver_sql(
                "SELECT entity_id FROM statements WHERE prop = 'name' AND value = ?"
                if conn.dialect.name == "sqlite"
                else "SELECT entity_id FROM statements WHERE prop = 'name' AND value = %s",
                (name,),
            ).scalar_one()
        )


def test_every_route_refuses_anonymous_callers(api: TestClient) -> None:
    api.cookies.clear()
    paths = api.get("/api/openapi.json").json()["paths"]
    checked = 0
    for path, methods in paths.items():
        for method in methods:
            if (method.upper(), path) in PUBLIC_ROUTES:
                continue
            url = path.replace("{", "").replace("}", "")
            response = api.request(method.upper(), url, json={})
            assert response.status_code == 401, (method, path, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            checked += 1
    assert checked >= 10


def test_profile_with_sources_purpose_and_audit(api: TestClient, workspace: Workspace) -> None:
    sign_in(api, "ana")
    anna = entity_id(workspace, "Anna Maier")
    no_purpose = api.get(f"/api/v1/subjects/{anna}")
    assert no_purpose.status_code == 403
    assert "justification" in no_purpose.json()["detail"]
    response = api.get(f"/api/v1/subjects/{anna}", headers=WHY)
    assert response.status_code == 200
    profile = response.json()
    facts = {(f["prop"], f["value"]): f for f in profile["facts"]}
    assert ("name", "Anna Maier") in facts
    assert ("alias", "Anna Secret-Alias") not in facts  # SECRET source: not cleared
    fact = facts[("name", "Anna Maier")]
    assert fact["source"] == "people" and fact["record_key"] == "p.csv:2"
    assert fact["first_seen"] and fact["last_seen"]
    with workspace.engine.connect() as conn:
        entry = list(ledger.iter_entries(conn))[-1]
    assert entry.action == "profile.view" and entry.actor == "ana"
    assert entry.refs["subject"] == anna and entry.justification == WHY["X-Casegraph-Justification"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    # a subject that does not exist and one that is invisible answer alike
    missing = api.get("/api/v1/subjects/nope", headers=WHY)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")


def test_minors_are_sealed_and_unsealing_is_recorded(api: TestClient, workspace: Workspace) -> None:
    kim = entity_id(workspace, "Kim Young")
    sign_in(api, "ana")
    sealed = api.get(f"/api/v1/subjects/{kim}", headers=WHY).json()
    assert sealed == {
        "id": kim, "schema": "Person", "sealed": True, "reason": "minor",
        "caption": "K. Y.", "facts": [],
    }  # fmt: skip
    refused = api.get(f"/api/v1/subjects/{kim}?unseal=true", headers=WHY)
    assert refused.status_code == 403 and "unseal" in refused.json()["detail"]
    api.cookies.clear()
    sign_in(api, "sup")
    opened = api.get(f"/api/v1/subjects/{kim}?unseal=true", headers=WHY).json()
    assert opened["unsealed"] and any(f["value"] == "Kim Young" for f in opened["facts"])
    with workspace.engine.connect() as conn:
        actions = [(e.actor, e.action, e.outcome) for e in ledger.iter_entries(conn)]
    assert ("sup", "unseal", "ok") in actions
    assert ("ana", "access.denied", "denied") in actions


def test_csrf_tokens_and_admin_routes(api: TestClient) -> None:
    csrf = sign_in(api, "adm")
    body = {"username": "neo", "role": "viewer", "password": PASSWORD}
    assert api.post("/api/v1/users", json=body).status_code == 403  # no CSRF header
    assert api.post("/api/v1/users", json=body, headers=csrf).status_code == 201
    api.cookies.clear()
    neo = sign_in(api, "neo")
    made = api.post("/api/v1/tokens", json={"days": 5}, headers=neo)  # one's own token only
    token = made.json()["token"]
    api.cookies.clear()
    bearer = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/me", headers=bearer).json()["username"] == "neo"
    # scripts with tokens need no CSRF token; viewers may not administer
    refused = api.post("/api/v1/teams", json={"name": "x1"}, headers=bearer)
    assert refused.status_code == 403
    assert api.get("/api/v1/me", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_sign_in_is_rate_limited_and_recorded(api: TestClient, workspace: Workspace) -> None:
    wrong = {"username": "ana", "password": "not the password"}
    codes = [api.post("/api/v1/auth/login", json=wrong).status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    with workspace.engine.connect() as conn:
        logins = [e for e in ledger.iter_entries(conn) if e.action == "auth.login"]
    assert len(logins) == 5 and all(e.outcome == "denied" for e in logins)


def test_auditor_reads_the_ledger_not_subjects(api: TestClient, workspace: Workspace) -> None:
    sign_in(api, "aud")
    verdict = api.get("/api/v1/audit/verify").json()
    assert verdict["ok"] and verdict["entries"] > 5
    report = api.get("/api/v1/audit/report?kind=denied")
    assert report.status_code == 200
    anna = entity_id(workspace, "Anna Maier")
    assert api.get(f"/api/v1/subjects/{anna}", headers=WHY).status_code == 403
    sources = api.get("/api/v1/sources").json()
    assert sources == []  # auditors are in no cleared team


def test_an_admin_lists_and_revokes_one_token(api: TestClient, workspace: Workspace) -> None:
    ana = sign_in(api, "ana")
    first = api.post("/api/v1/tokens", json={"days": 5}, headers=ana).json()["token"]
    second = api.post("/api/v1/tokens", json={"days": 5}, headers=ana).json()["token"]
    mine = api.get("/api/v1/tokens").json()
    assert {(t["username"], t["state"]) for t in mine} == {("ana", "active")}
    assert first not in str(mine) and len(mine) == 2  # ids and dates, never the token
    assert api.get("/api/v1/tokens?user=adm").status_code == 403
    api.cookies.clear()
    adm = sign_in(api, "adm")
    listed = api.get("/api/v1/tokens", params={"user": "ana"}).json()
    assert {t["id"] for t in listed} == {first.split("_")[1], second.split("_")[1]}
    url = f"/api/v1/tokens/{first.split('_')[1]}"
    assert api.delete(url).status_code == 403  # no CSRF header
    revoked = api.delete(url, headers=adm)
    assert revoked.status_code == 200 and revoked.json()["state"] == "revoked"
    assert api.delete("/api/v1/tokens/0badc0de", headers=adm).status_code == 404
    api.cookies.clear()
    bearer = {"Authorization": f"Bearer {first}"}
    assert api.get("/api/v1/me", headers=bearer).status_code == 401
    assert api.get("/api/v1/me", headers={"Authorization": f"Bearer {second}"}).status_code == 200
    with workspace.engine.connect() as conn:
        entry = [e for e in ledger.iter_entries(conn) if e.action == "token.revoke"][-1]
    assert (entry.actor, entry.refs["user"], entry.refs["token"]) == ("adm", "ana", url[15:])
