"""The app as ``casegraph serve`` runs it (uvicorn on a real port), on both stores: whose
forwarded headers are believed, the sign-in throttle, request body limits."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
import uvicorn

from casegraph.access.context import AccessContext
from casegraph.http.throttle import LoginThrottle, throttle
from casegraph.server import server_config
from casegraph.service import Workspace
from tests.api.test_api import PASSWORD, add_users

LOGIN = "/api/v1/auth/login"
WRONG = {"username": "ana", "password": "not the password"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def served(workspace: Workspace) -> Iterator[httpx.Client]:
    """``workspace`` served as ``casegraph serve`` serves it, on a free port."""
    throttle.failures.clear()
    port = _free_port()
    server = uvicorn.Server(server_config(workspace, "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            yield client
    finally:
        server.should_exit = True
        thread.join(10)
        throttle.failures.clear()


@pytest.fixture
def users(workspace: Workspace, ctx: AccessContext) -> Workspace:
    with workspace.session(ctx) as s:
        add_users(s, {"ana": "analyst", "adm": "admin"}, cleared=("ana",))
    return workspace


@pytest.fixture
def http(users: Workspace) -> Iterator[httpx.Client]:
    with served(users) as client:
        yield client


def test_forwarded_addresses_do_not_reset_the_sign_in_throttle(http: httpx.Client) -> None:
    codes = [
        http.post(LOGIN, json=WRONG, headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code
        for n in range(1, 8)
    ]
    assert codes == [401] * 5 + [429] * 2
    # the throttle counted the connection's address, not the forged ones
    assert {key[1] for key in throttle.failures if key[0] == "client"} == {"127.0.0.1"}
    right = http.post(LOGIN, json={"username": "adm", "password": PASSWORD})
    assert right.status_code == 200  # another account from the same address still may


def test_forwarded_addresses_are_believed_from_configured_proxies(users: Workspace) -> None:
    users.settings.trusted_proxies = "127.0.0.1"
    with served(users) as http:
        forged = {"X-Forwarded-For": "203.0.113.9"}
        assert http.post(LOGIN, json=WRONG, headers=forged).status_code == 401
        assert {key[1] for key in throttle.failures if key[0] == "client"} == {"203.0.113.9"}


def test_one_account_has_a_limit_over_all_client_addresses() -> None:
    guard = LoginThrottle(limit=5)
    for n in range(20):  # four tries from each of five addresses: under the pair limit
        client = f"198.51.100.{n // 4}"
        guard.check(client, "ana")
        guard.failed(client, "ana")
    with pytest.raises(Exception, match="too many failed sign-ins") as refused:
        guard.check("192.0.2.1", "ana")  # a new address gets no fresh guesses
    assert getattr(refused.value, "status_code", None) == 429
    guard.check("192.0.2.1", "ben")  # other accounts are not locked
    guard.succeeded("198.51.100.0", "ana")  # a good sign-in elsewhere resets no guesser
    with pytest.raises(Exception, match="too many failed sign-ins"):
        guard.check("192.0.2.1", "ana")


def test_large_bodies_are_refused_before_they_are_read(users: Workspace) -> None:
    users.settings.max_body_bytes = 64 * 1024
    with served(users) as http:
        body = b'{"username": "ana", "password": "' + b"x" * 200_000 + b'"}'
        declared = http.post(LOGIN, content=body, headers={"Content-Type": "application/json"})
        assert declared.status_code == 413, declared.text
        assert declared.headers["content-type"].startswith("application/problem+json")
        assert declared.headers["X-Content-Type-Options"] == "nosniff"

        def chunks() -> Iterator[bytes]:  # no Content-Length: the bytes are counted
            yield b'{"username": "ana", "password": "'
            for _ in range(20):
                yield b"x" * 16_384
            yield b'"}'

        streamed = http.post(LOGIN, content=chunks(), headers={"Content-Type": "application/json"})
        assert streamed.status_code == 413, streamed.text
        page = http.post("/login", content=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
        # small bodies pass; evidence uploads have the evidence limit
        assert http.post(LOGIN, json=WRONG).status_code == 401
        upload = http.post(
            "/api/v1/cases/C-2026-0001/evidence",
            files={"file": ("a.bin", b"x" * 200_000, "application/octet-stream")},
        )
        assert upload.status_code == 401  # read in full, then refused: nobody signed in
