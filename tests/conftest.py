"""Shared fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``CASEGRAPH_TEST_POSTGRES_URL`` (default: the local ``test``
database). Each test gets its own schema, dropped afterwards. Under ``CI=true`` an
unreachable PostgreSQL fails the run; elsewhere those tests skip with the reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from casegraph.access.context import AccessContext
from casegraph.access.identities import CHEAP_PASSWORD_HASHING, CHEAP_PASSWORD_HASHING_VALUE
from casegraph.config import Settings, normalise_database_url
from casegraph.model.visible import Visible, gate
from casegraph.service import Session, Workspace
from tests.template_store import Templates

# argon2 at its cheapest for every hash the tests make, in this process and in the
# ``casegraph`` processes the tests start (they inherit it); docs/operations.md
os.environ[CHEAP_PASSWORD_HASHING] = CHEAP_PASSWORD_HASHING_VALUE

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()
DEMO = ROOT / "demo"
POSTGRES_URL = os.environ.get(
    "CASEGRAPH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

_pg_problem: str | None = None
_pg_checked = False


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used (None when it can); checked once per run."""
    global _pg_checked, _pg_problem
    if not _pg_checked:
        _pg_checked = True
        try:
            engine = create_engine(normalise_database_url(POSTGRES_URL))
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
        except OperationalError as exc:
            _pg_problem = f"PostgreSQL at {POSTGRES_URL} unreachable: {exc.orig}"
    return _pg_problem


def require_postgres() -> None:
    problem = postgres_problem()
    if problem is None:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{problem} (CI=true: PostgreSQL tests must run)")
    pytest.skip(problem)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"third-party test data not found at {SHARED_DATA}")
    os.environ["CASEGRAPH_SHARED_DATA"] = str(SHARED_DATA)
    return SHARED_DATA


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """Settings for an empty store of each kind (not yet initialised)."""
    if request.param == "sqlite":
        yield Settings(data_dir=tmp_path / "ws", operator="tester")
        return
    require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_database_url(POSTGRES_URL))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in POSTGRES_URL else "?"
    url = f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        yield Settings(data_dir=tmp_path / "ws", database_url=url, operator="tester")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    """Stores migrated once per run, copied for each test (tests/template_store.py)."""
    return Templates(tmp_path_factory.mktemp("template") / "ws", POSTGRES_URL)


@pytest.fixture
def workspace(store: Settings, templates: Templates) -> Iterator[Workspace]:
    """A migrated store of this test's own: a copy of the run's template (migrating
    is tested where ``casegraph init``, ``db upgrade`` or ``Workspace.init`` run)."""
    templates.make(store)
    ws = Workspace.open(store)
    try:
        yield ws
    finally:
        ws.close()


@pytest.fixture
def ctx() -> AccessContext:
    return AccessContext(
        actor="tester", justification="automated test of casegraph's own behaviour", local=True
    )


def add_source(s: Session, name: str, marking: str = "PUBLIC") -> None:
    s.sources.add(
        name,
        title=f"{name} test source",
        team="testers",
        marking=marking,
        legal_basis="automated test fixture",
        retention_days=365,
    )


def env_for(settings: Settings) -> dict[str, str]:
    """Environment for a ``casegraph`` subprocess on the same store."""
    env = dict(os.environ)
    env["CASEGRAPH_DATA_DIR"] = str(settings.data_dir)
    env["CASEGRAPH_OPERATOR"] = settings.operator
    env.pop("CASEGRAPH_DATABASE_URL", None)
    if settings.database_url:
        env["CASEGRAPH_DATABASE_URL"] = settings.database_url
    return env


def person_mapping(dataset: str, csv_file: str, **columns: str) -> str:
    """A one-query FtM mapping of ``csv_file`` to Person entities keyed by ``id``.

    ``columns`` maps property names to column names; ``phone`` columns are read
    as German numbers (``format: de``).
    """
    lines = [
        f"{dataset}:", "  queries:", f"    - csv_url: {csv_file}", "      entities:",
        "        person:", "          schema: Person", "          key: id", "          properties:",
    ]  # fmt: skip
    for prop, column in columns.items():
        lines += [f"            {prop}:", f"              column: {column}"]
        if prop == "phone":
            lines.append("              format: de")
    return "\n".join(lines) + "\n"


def granted(*sources: str) -> Visible:
    """What the session's gate would grant for ``sources``, for store-level tests that
    run below the session (the product makes a Visible in service.py only)."""
    return Visible(sources, None, True, frozenset, gate())


def everything(s: Session) -> Visible:
    """Every source, as the gate grants it to background processing (recorded)."""
    return s.process("index.read", "ingest", every_source=True)
