"""A NUL character in a request's path, query or text body is refused with 422 by the API
and the pages, on both stores (PostgreSQL's driver refused such statements: a server
error there); files still carry any byte."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from casegraph.access.context import AccessContext
from casegraph.service import Workspace
from tests.api.test_api import PASSWORD, WHY, add_users, serve, sign_in


@pytest.fixture
def client(workspace: Workspace, ctx: AccessContext) -> Iterator[TestClient]:
    with workspace.session(ctx) as s:
        add_users(s, {"ana": "analyst"}, cleared=("ana",))
    yield from serve(workspace)


def refused(response: object, page: bool = False) -> None:
    status, headers, text = (getattr(response, k) for k in ("status_code", "headers", "text"))
    assert status == 422, text
    assert headers["content-type"].startswith("text/html" if page else "application/problem")
    assert "NUL" in text


def test_nul_characters_are_refused_alike_on_both_stores(client: TestClient) -> None:
    csrf = sign_in(client, "ana")
    headers = {**WHY, **csrf}
    assert client.get("/api/v1/search", params={"q": "Anna"}, headers=headers).status_code == 200
    refused(client.get("/api/v1/subjects/cg-a%00b", headers=headers))  # path
    refused(client.get("/api/v1/search?q=Anna%00", headers=headers))  # query
    refused(client.get("/api/v1/graph/path?a=x&b=y&since=2020%00", headers=headers))
    decision = {"decision": "unsure", "reason": "same person?\x00"}
    refused(client.post("/api/v1/review/0123456789abcdef", json=decision, headers=headers))
    refused(client.post("/api/v1/auth/login", json={"username": "ana\x00", "password": "x"}))
    # the pages answer with a page
    refused(client.get("/subjects/cg-a%00b"), page=True)
    form = {"username": "ana", "password": PASSWORD + "\x00"}
    refused(client.post("/login", data=form, follow_redirects=False), page=True)
    # a file may hold NUL bytes: refused here for the case only (there is none)
    upload = client.post(
        "/api/v1/cases/C-2026-0001/evidence",
        data={"received_from": "Bank", "reason": "Production order"},
        files={"file": ("scan.bin", b"\x00\x01\x00binary", "application/octet-stream")},
        headers=headers,
    )
    assert upload.status_code == 404, upload.text
