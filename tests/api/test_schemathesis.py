"""schemathesis against the API, signed in as an administrator: no server errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from casegraph.access.context import AccessContext
from casegraph.config import Settings
from casegraph.server import create_app
from casegraph.service import Workspace
from tests.conftest import add_source, person_mapping

TOKEN: dict[str, str] = {}


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> schemathesis.BaseSchema:
    folder: Path = tmp_path_factory.mktemp("schemathesis")
    (folder / "p.csv").write_text("id,name,born\n1,Anna Maier,1970-01-01\n2,Kim Young,2016\n")
    (folder / "p.yml").write_text(person_mapping("people", "p.csv", name="name", birthDate="born"))
    workspace, _, _ = Workspace.init(Settings(data_dir=folder / "ws", operator="setup"))
    with workspace.session(AccessContext("setup", local=True)) as s:
        add_source(s, "people")
        s.ingest.mapping(folder / "p.yml")
        s.identities.add_user("root", "Root", "admin", "schemathesis password")
        TOKEN["value"], _ = s.identities.create_token("root", 1)
    return schemathesis.openapi.from_asgi("/api/openapi.json", create_app(workspace))


def test_no_server_errors(api_schema: schemathesis.BaseSchema) -> None:
    headers = {
        "Authorization": f"Bearer {TOKEN['value']}",
        "X-Casegraph-Justification": "schemathesis run against the API",
    }
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 12
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))  # fmt: skip
        def check(case: schemathesis.Case) -> None:
            response = case.call(headers=headers)
            where = (case.method, case.path, response.text)
            assert response.status_code < 500, where
            if response.status_code >= 400:
                content_type = response.headers["content-type"]
                assert "application/problem+json" in str(content_type), where

        check()
