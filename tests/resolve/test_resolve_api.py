"""The review queue of possible matches, their explanations, decisions, merges and
splits over HTTP."""

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
from tests.resolve import items, people
from tests.resolve.test_resolve import by_row, load

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
        a, b = items.pick(s)
        item = items.between(s, a, b)
    headers = sign_in(api, "ana")
    assert api.get("/api/v1/review").status_code == 403  # no purpose given
    queue = api.get("/api/v1/review", headers=headers).json()
    found = next(i for i in queue["items"] if i["id"] == item)
    assert found["pairs"] == 2 and queue["total"] >= 1 and queue["pairs"] >= 2
    assert api.get("/api/v1/review", params={"subject": a}, headers=headers).json()[
        "items"][0]["id"] == item  # fmt: skip
    shown = api.get(f"/api/v1/review/{item}", headers=headers).json()
    steps = shown["strongest"]["explanation"]["steps"]
    assert steps and all({"label", "words", "comparison", "level"} <= set(st) for st in steps)
    assert {shown["left"]["subject"], shown["right"]["subject"]} == {a, b}
    assert shown["left"]["record_list"] and shown["left"]["facts"]
    bad = api.post(f"/api/v1/review/{item}", headers=headers,
                   json={"decision": "maybe", "reason": "not sure at all"})  # fmt: skip
    assert bad.status_code == 422
    done = api.post(f"/api/v1/review/{item}", headers=headers,
                    json={"decision": "positive", "reason": "same passport number"})  # fmt: skip
    assert done.status_code == 200, done.text
    assert done.json()["pairs"] == 2
    subject = done.json()["subject"]
    profile = api.get(f"/api/v1/subjects/{subject}", headers=headers).json()
    records = {r["id"] for side in ("left", "right") for r in shown[side]["record_list"]}
    assert {f["entity_id"] for f in profile["facts"]} >= records
    assert api.get(f"/api/v1/review/{item}", headers=headers).status_code == 404  # decided
    assert api.get("/api/v1/review/nope", headers=headers).status_code == 404
    with workspace.engine.connect() as conn:
        entries = [(e.actor, e.action) for e in ledger.iter_entries(conn)]
    assert {("ana", "review.list"), ("ana", "review.show"), ("ana", "review.decide"),
            ("ana", "review.decided")} <= set(entries)  # fmt: skip


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
        item = items.between(s, *items.pick(s))
    headers = sign_in(api, "vic")
    assert api.get("/api/v1/review", headers=headers).status_code == 403
    refused = api.post(f"/api/v1/review/{item}", headers=headers,
                       json={"decision": "positive", "reason": "looks the same to me"})
    assert refused.status_code == 403
