"""Search and link analysis from the command line and over HTTP, on both stores."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from casegraph.access.context import AccessContext
from casegraph.config import Settings
from casegraph.service import Workspace
from tests.api.test_api import add_users, serve, sign_in
from tests.search import data
from tests.test_cli import SOURCE, run

WHY = ["--justification", "tracing the owners of ACME for case 12"]
HEADERS = {"X-Casegraph-Justification": "tracing the owners of ACME for case 12"}


def test_search_and_graph_from_the_cli(store: Settings, tmp_path: Path) -> None:
    assert run(store, "init").returncode == 0
    for source in ("registry", "phones"):
        assert run(store, "source", "add", source, *SOURCE).returncode == 0
        loaded = run(
            store, "ingest", "--ftm", str(data.write(tmp_path, source)), "--source", source
        )
        assert loaded.returncode == 0, loaded.stderr
    found = run(store, "search", "jurgen muller", "--json", *WHY)
    assert found.returncode == 0, found.stderr
    answer = json.loads(found.stdout)
    assert answer["results"][0]["id"] == "p-mueller" and answer["facets"]["schema"]
    table = run(store, "search", "acme", *WHY)
    assert "ACME Holding GmbH" in table.stderr and "2 subjects" in table.stderr
    refused = run(store, "search", "acme")
    assert refused.returncode == 3 and "justification" in refused.stderr
    bad = run(store, "search", "religion:x", *WHY)
    assert bad.returncode == 2 and "protected" in bad.stderr and "Traceback" not in bad.stderr
    syntax = run(store, "search", '"open', *WHY)
    assert syntax.returncode == 2 and "unclosed quote" in syntax.stderr
    path = run(store, "graph", "path", "p-smith1", "c-sub2", *WHY)
    assert path.returncode == 0 and "Ownership" in path.stderr and "registry" in path.stderr
    owned = run(store, "graph", "ownership", "p-mueller", "--json", *WHY)
    assert {c["share"] for c in json.loads(owned.stdout)["chains"]} == {50.0, 20.0}
    calls = run(store, "graph", "activity", "ph-a", "--json", *WHY)
    assert json.loads(calls.stdout)["count"] == 3
    expand = run(store, "graph", "expand", "p-mueller", "--hops", "1", "--limit", "1", *WHY)
    assert expand.returncode == 0 and "left out" in expand.stderr
    metrics = run(store, "graph", "metrics", "--measure", "degree", "--top", "1", "--json", *WHY)
    assert json.loads(metrics.stdout)["measures"]["degree"][0]["id"] == "c-acme"
    assert run(store, "graph", "communities", *WHY).returncode == 0
    assert run(store, "graph", "components", *WHY).returncode == 0
    out = tmp_path / "g.graphml"
    exported = run(store, "graph", "export", "--out", str(out), "--recipient", "prosecutor", *WHY)
    assert exported.returncode == 0 and nx.read_graphml(out).number_of_nodes() == 8
    missing = run(store, "graph", "expand", "nobody", *WHY)
    assert missing.returncode == 2 and "no subject 'nobody'" in missing.stderr
    status = run(store, "index", "status")
    assert "0 subjects wait" in status.stderr
    rebuilt = run(store, "index", "rebuild")
    assert rebuilt.returncode == 0 and "re-indexed" in rebuilt.stderr


@pytest.fixture
def api(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> Iterator[TestClient]:
    with workspace.session(ctx) as s:
        data.load(s, tmp_path)
        add_users(s, {"ana": "analyst", "aud": "auditor"}, cleared=("ana",))
    yield from serve(workspace)


def test_search_and_graph_over_http(api: TestClient) -> None:
    headers = {**sign_in(api, "ana"), **HEADERS}
    found = api.get("/api/v1/search", params={"q": "muller", "limit": 5}, headers=headers)
    assert found.status_code == 200, found.text
    body = found.json()
    assert [r["id"] for r in body["results"]] == ["p-mueller"]  # ana is not cleared for bank
    assert body["facets"]["source"] == [{"value": "registry", "label": "registry", "count": 1}]
    assert body["facets"]["country"] == [{"value": "de", "label": "Germany", "count": 1}]
    assert body["facet_labels"]["schema"] == "Kind of subject"
    assert body["results"][0]["particulars"] == {
        "date_label": "Born",
        "dates": ["1971-04-02"],
        "countries": ["de"],
        "identifier": {"prop": "passportNumber", "label": "Passport number", "value": "C01X00T47"},
        "sources": 1,
    }
    assert api.get("/api/v1/search", params={"q": "religion:x"}, headers=headers).status_code == 400
    assert api.get("/api/v1/search", params={"q": "(acme"}, headers=headers).status_code == 400
    no_purpose = {k: v for k, v in headers.items() if k != "X-Casegraph-Justification"}
    assert api.get("/api/v1/search", params={"q": "acme"}, headers=no_purpose).status_code == 403
    expand = api.get(
        "/api/v1/graph/expand/p-mueller", params={"hops": 2, "limit": 2}, headers=headers
    )
    assert expand.status_code == 200 and expand.json()["truncated"] is True
    path = api.get("/api/v1/graph/path", params={"a": "p-smith1", "b": "c-sub2"}, headers=headers)
    assert path.json()["paths"][0]["hops"] == 3
    assert api.get("/api/v1/graph/expand/b-secret", headers=headers).status_code == 404
    owners = api.get(
        "/api/v1/graph/ownership/c-sub2", params={"direction": "owners"}, headers=headers
    )
    assert {n["id"]: n["share"] for n in owners.json()["effective"]}["p-mueller"] == 20.0
    for route in ("metrics", "communities", "components"):
        assert api.get(f"/api/v1/graph/{route}", headers=headers).status_code == 200
    activity = api.get("/api/v1/graph/activity/ph-a", headers=headers)
    assert activity.json()["count"] == 3
    export = api.get("/api/v1/graph/export", params={"format": "cytoscape"}, headers=headers)
    assert export.status_code == 200 and export.json()["elements"]["nodes"]
    auditor = {**sign_in(api, "aud"), **HEADERS}
    assert api.get("/api/v1/search", params={"q": "acme"}, headers=auditor).status_code == 403
