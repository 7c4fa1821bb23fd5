"""The review queue, pair explanations, decisions, merges and splits over HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from casegraph.access.context import AccessContext
from casegraph.service import Workspace
from casegraph.store import ledger
from casegraph.store import resolution as rstore
from tests.api.test_api import add_users, serve
from tests.api.test_api import sign_in as api_sign_in
from tests.conftest import everything
from tests.resolve import people
from tests.resolve.test_resolve import _unsure_pair, by_row, load

WHY = {"X-Casegraph-Justification": "reviewing candidate matches for case 17"}


@pytest.fixture
def api(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> Iterator[TestClient]:
    people.write(tmp_path, people=60)
    with workspace.session(ctx) as s:
        load(s, tmp_path, "registry", "bank")
        s.resolve.run()
        add_users(s, {"ana": "analyst", "vic": "viewer"}, cleared=("ana", "vic"))
    yield from serve(workspace)


def sign_in(client: TestClient, user: str) -> dict[str, str]:
    return {**api_sign_in(client, user), **WHY}


def test_review_over_http(api: TestClient, workspace: Workspace, ctx: AccessContext) -> None:
    with workspace.session(ctx) as s:
        pair = _unsure_pair(s)
    headers = sign_in(api, "ana")
    assert api.get("/api/v1/review").status_code == 403  # no purpose given
    queue = api.get("/api/v1/review", headers=headers).json()
    assert pair in [i["pair"] for i in queue["items"]]
    shown = api.get(f"/api/v1/review/{pair}", headers=headers).json()
    assert shown["explanation"]["steps"] and shown["left"]["properties"]
    bad = api.post(f"/api/v1/review/{pair}", headers=headers,
                   json={"decision": "maybe", "reason": "not sure at all"})  # fmt: skip
    assert bad.status_code == 422
    done = api.post(f"/api/v1/review/{pair}", headers=headers,
                    json={"decision": "positive", "reason": "same passport number"})  # fmt: skip
    assert done.status_code == 200, done.text
    subject = done.json()["subject"]
    profile = api.get(f"/api/v1/subjects/{subject}", headers=headers).json()
    assert {f["entity_id"] for f in profile["facts"]} >= {shown["left"]["id"],
                                                          shown["right"]["id"]}  # fmt: skip
    assert api.get("/api/v1/review/nope", headers=headers).status_code == 404
    with workspace.engine.connect() as conn:
        entries = [(e.actor, e.action) for e in ledger.iter_entries(conn)]
    assert {("ana", "review.list"), ("ana", "review.show"), ("ana", "review.decide")} <= set(
        entries)  # fmt: skip


def test_merge_and_split_over_http(api: TestClient, workspace: Workspace,
                                   ctx: AccessContext) -> None:  # fmt: skip
    with workspace.session(ctx) as s:
        found = by_row(s)
    a, b = found[("registry", "r1")], found[("registry", "r2")]
    headers = sign_in(api, "ana")
    merged = api.post("/api/v1/subjects/merge", headers=headers,
                      json={"subjects": [a, b], "reason": "one person, two registrations"})
    assert merged.status_code == 200, merged.text
    subject = merged.json()["subject"]
    with workspace.session(ctx) as s:
        members = [m.entity_id for m in rstore.members(s.conn, everything(s), subject)]
    split = api.post(f"/api/v1/subjects/{subject}/split", headers=headers,
                     json={"records": members[:1], "reason": "registration was a namesake"})
    assert split.status_code == 200, split.text
    assert len(split.json()["subjects"]) == 2
    unknown = api.post(f"/api/v1/subjects/{subject}/split", headers=headers,
                       json={"records": ["nope"], "reason": "this record is unknown"})
    assert unknown.status_code in (400, 404, 422)


def test_viewers_cannot_decide(api: TestClient, workspace: Workspace, ctx: AccessContext) -> None:
    with workspace.session(ctx) as s:
        pair = _unsure_pair(s)
    headers = sign_in(api, "vic")
    assert api.get("/api/v1/review", headers=headers).status_code == 403
    refused = api.post(f"/api/v1/review/{pair}", headers=headers,
                       json={"decision": "positive", "reason": "looks the same to me"})
    assert refused.status_code == 403
