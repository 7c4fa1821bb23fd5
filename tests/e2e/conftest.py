"""The demo workspace as production runs it: built by ``casegraph demo`` and served by
the real ``casegraph serve`` (the console script beside this Python, in a process of its
own, with the graph held in memory as the server holds it by default), once per test run
and store, on a free port. The browser tests, the walk over every route and schemathesis
all use it. A test that fails shows what the server wrote to its stderr meanwhile. Below
the fixtures: signing in as a demo user and finding the demo's ids, over HTTP."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from casegraph.config import normalise_database_url
from casegraph.demo_case import CASE_TITLE, USERS
from tests.conftest import DEMO, POSTGRES_URL, require_postgres
from tests.e2e.browsing import CHROMIUM

CASEGRAPH = Path(sys.executable).with_name("casegraph")  # the installed console script
STARTUP_SECONDS = 120.0


@dataclass
class Server:
    """A running ``casegraph serve`` on the demo workspace."""

    store: str  # "sqlite" or "postgresql"
    base: str  # http://127.0.0.1:PORT
    process: subprocess.Popen[bytes]
    log: Path  # the server's stderr (and stdout)
    options: list[str]  # the command line's options that choose the store

    def cli(self, *args: str) -> str:
        """Run another ``casegraph`` command on the served store; its stderr."""
        done = subprocess.run([str(CASEGRAPH), *self.options, *args], env=_env(),
                              capture_output=True, text=True, timeout=300)  # fmt: skip
        assert done.returncode == 0, done.stderr
        return done.stderr

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")


LOG_START = pytest.StashKey[tuple[Server, int]]()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env() -> dict[str, str]:
    """This environment without anything that would choose another store or keep the
    graph out of memory: the options on the command line say which store."""
    env = dict(os.environ)
    for key in ("CASEGRAPH_DATA_DIR", "CASEGRAPH_DATABASE_URL", "CASEGRAPH_GRAPH_IN_MEMORY"):
        env.pop(key, None)
    return env


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(
                f"casegraph serve exited with {server.process.returncode}:\n" + server.log_since(0)
            )
        try:
            if httpx.get(f"{server.base}/api/v1/health", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"casegraph serve did not answer in {STARTUP_SECONDS:.0f} s:\n"
                + server.log_since(0))  # fmt: skip


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # as Ctrl-C stops it
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def demo_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                ) -> Iterator[Server]:  # fmt: skip
    """``casegraph demo`` into a fresh store, then ``casegraph serve`` on it."""
    folder = tmp_path_factory.mktemp(f"demo-{request.param}")
    options = ["--data-dir", str(folder / "ws")]
    schema = None
    if request.param == "postgresql":
        require_postgres()
        schema = f"e2e_{uuid.uuid4().hex[:12]}"
        engine = create_engine(normalise_database_url(POSTGRES_URL))
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        sep = "&" if "?" in POSTGRES_URL else "?"
        options += ["--database-url", f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"]
    try:
        built = subprocess.run(
            [str(CASEGRAPH), *options, "demo", "--path", str(DEMO)],
            env=_env(), cwd=folder, capture_output=True, text=True, timeout=900,
        )  # fmt: skip
        if built.returncode != 0:
            pytest.fail(f"casegraph demo exited with {built.returncode}:\n{built.stderr}")
        port = _free_port()
        log = folder / "serve.log"
        with log.open("wb") as sink:
            process = subprocess.Popen(
                [str(CASEGRAPH), *options, "serve", "--host", "127.0.0.1", "--port", str(port)],
                env=_env(), cwd=folder, stdout=sink, stderr=subprocess.STDOUT,
            )  # fmt: skip
        server = Server(request.param, f"http://127.0.0.1:{port}", process, log, options)
        try:
            _wait_until_up(server)
            yield server
        finally:
            _stop(process)
    finally:
        if schema is not None:
            engine = create_engine(normalise_database_url(POSTGRES_URL))
            with engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
            engine.dispose()


@pytest.fixture
def served(demo_server: Server, request: pytest.FixtureRequest) -> Server:
    """The served demo, for one test: its failure report shows the server's output."""
    request.node.stash[LOG_START] = (demo_server, demo_server.log_size())
    return demo_server


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    started = item.stash.get(LOG_START, None)
    if started is not None and report.failed:
        server, offset = started
        output = server.log_since(offset).strip() or "(nothing)"
        report.sections.append((f"casegraph serve ({server.store}): stderr", output))
    return report


# --- the demo's users and ids, over HTTP ---


@dataclass(frozen=True)
class Ids:
    """Real ids of the demo."""

    case: str
    person: str  # a subject of the case
    company: str  # a subject of the case
    other: str  # a subject two steps from the person
    sealed: str | None  # a sealed subject near the person, if there is one
    item: str  # a possible match waiting for review
    evidence: str
    note: str
    task: str
    document: str | None  # a document, if one was loaded beside the demo (its own test)
    lead: str | None  # a lead the demo's screening of its case found


def demo_ids(base: str) -> Ids:
    """Read as anna, the lead of the demo case."""
    with signed_in(base, "anna") as (http, _):
        why = {"X-Casegraph-Justification": "finding the ids of the demo for the tests"}
        cases = http.get("/api/v1/cases").json()["items"]
        case = next(c["id"] for c in cases if c["title"] == CASE_TITLE)
        linked = http.get(f"/api/v1/cases/{case}").json()["subjects"]
        person = next(s["canonical_id"] for s in linked if s["schema"] == "Person")
        company = next(s["canonical_id"] for s in linked if s["schema"] == "Company")
        near = http.get(f"/api/v1/graph/expand/{person}", params={"hops": 2}, headers=why)
        nodes = near.json()["nodes"]
        other = next(n["id"] for n in reversed(nodes) if n["hop"] == 2 and not n["sealed"])
        sealed = next((n["id"] for n in nodes if n["sealed"]), None)
        waiting = http.get("/api/v1/review", params={"limit": 1}, headers=why).json()["items"]

        def first(kind: str) -> str:
            return str(http.get(f"/api/v1/cases/{case}/{kind}").json()["items"][0]["id"])

        found = http.get("/api/v1/documents/search", params={"q": "Valdrenko"},
                         headers=why).json()  # fmt: skip
        leads = http.get("/api/v1/leads", headers={"X-Casegraph-Case": case}).json()["leads"]
        return Ids(case, person, company, other, sealed, waiting[0]["id"],
                   first("evidence"), first("notes"), first("tasks"),
                   found[0]["id"] if found else None,
                   leads[0]["id"] if leads else None)  # fmt: skip


@contextmanager
def signed_in(base: str, user: str) -> Iterator[tuple[httpx.Client, str]]:
    """An HTTP client signed in as a demo user (the session cookie), and its CSRF token."""
    with httpx.Client(base_url=base, timeout=300) as http:
        password = USERS[user][2]
        answer = http.post("/api/v1/auth/login", json={"username": user, "password": password})
        assert answer.status_code == 200, answer.text
        yield http, str(answer.json()["csrf_token"])


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium, headless, for one test."""
    sync_api = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is needed for the browser tests (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        instance = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield instance
        finally:
            instance.close()
