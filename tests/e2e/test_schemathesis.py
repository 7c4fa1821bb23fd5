"""schemathesis over every API operation of the demo as ``casegraph serve`` serves it
(tests/e2e/conftest.py), signed in as an administrator and as an analyst (the demo case's
lead) with a justification: no server errors, and problems as problem+json. Half of the
examples of an operation with ids in its path get the demo's real ids there, so that the
generated queries and bodies reach past the lookups."""

from __future__ import annotations

import itertools
import time
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from casegraph.demo_case import USERS
from tests.e2e.conftest import Server, demo_ids, signed_in

JUSTIFICATION = "schemathesis run against the served demo"
EXAMPLES = 6  # per operation and user: the run stays within a minute or two per store


def token(base: str, user: str) -> str:
    with signed_in(base, user) as (http, csrf):
        made = http.post("/api/v1/tokens", json={"days": 1}, headers={"X-CSRF-Token": csrf})
        assert made.status_code == 201, made.text
        return str(made.json()["token"])


Failures = dict[tuple[str, str, str, str], str]  # the first of each kind


def fuzz(served: Server, operation: Any, user: str, headers: dict[str, str],
         real: dict[str, str], failures: Failures) -> None:  # fmt: skip
    turn = itertools.count()

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    def check(case: schemathesis.Case) -> None:
        if case.path_parameters and next(turn) % 2:
            for name in case.path_parameters.keys() & real.keys():
                case.path_parameters[name] = real[name]
        offset = served.log_size()
        kind = (user, case.method, operation.path)
        try:
            response = case.call(headers=headers, timeout=300)
        except Exception as exc:  # a response cut off: an error in a stream
            failures.setdefault((*kind, "no answer"), f"{case.as_curl_command()}: {exc!r}")
            return
        where = f"{response.status_code} as {user}: {case.as_curl_command()}"
        if response.status_code >= 500:
            time.sleep(0.3)  # (what the server logs after the response)
            log = served.log_since(offset).strip().splitlines()
            failures.setdefault((*kind, "5xx"), "\n".join([where, *log[-30:]]))
        elif response.status_code >= 400:
            content_type = str(response.headers.get("content-type"))
            if "application/problem+json" not in content_type:
                failures.setdefault((*kind, "type"), f"{content_type} {where}")

    check()


def test_no_server_errors(served: Server) -> None:
    ids = demo_ids(served.base)
    real = {"case_id": ids.case, "subject_id": ids.person, "subject": ids.person,
            "item": ids.item, "evidence_id": ids.evidence, "note_id": ids.note,
            "task_id": ids.task}  # fmt: skip
    schema = schemathesis.openapi.from_url(f"{served.base}/api/openapi.json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40
    assert USERS["adam"][1] == "admin" and USERS["anna"][1] == "analyst"
    failures: Failures = {}
    for user in ("adam", "anna"):
        headers = {
            "Authorization": f"Bearer {token(served.base, user)}",
            "X-Casegraph-Justification": JUSTIFICATION,
        }
        for operation in operations:
            fuzz(served, operation, user, headers, real, failures)
    assert not failures, "\n\n".join(failures.values())
    assert httpx.get(f"{served.base}/api/v1/health").status_code == 200
