"""Link analysis on both stores: neighbourhoods with caps, paths with their sources,
ownership chains, calls and money, metrics, exports, and what a reader may not see."""

from __future__ import annotations

import io
import itertools
import json
import random
from pathlib import Path

import networkx as nx
import pytest

from casegraph.access.context import AccessContext
from casegraph.errors import NotFound
from casegraph.model.edges import Edge
from casegraph.service import Workspace
from casegraph.store import graph_store, ledger
from tests.conftest import add_source
from tests.search import data

pytestmark = pytest.mark.usefixtures("walks")


def test_expand_with_filters_and_a_cap(loaded: Workspace, ctx: AccessContext) -> None:
    with loaded.session(ctx) as s:
        graph = s.graph.expand("p-mueller", hops=2)
        assert set(graph.nodes) == {
            "p-mueller",
            "c-acme",
            "b-mueller",
            "p-smith1",
            "c-sub",
            "b-secret",
        }
        kinds = {e["kind"] for e in graph.edges}
        assert kinds == {"Ownership", "same:phone", "Payment"}
        shared = next(e for e in graph.edges if e["kind"] == "same:phone")
        assert shared["sources"] == ["bank", "registry"] and shared["label"] == "+49301234567"
        only = s.graph.expand("p-mueller", hops=3, kinds=["Ownership"])
        assert set(only.nodes) == {"p-mueller", "c-acme", "p-smith1", "c-sub", "c-sub2"}
        capped = s.graph.expand("p-mueller", hops=2, limit=3)
        assert len(capped.nodes) == 3 and capped.left_out == 3 and capped.to_dict()["truncated"]
        dated = s.graph.expand("ph-a", hops=1, since="2021-03-01")
        assert [e["origin"] for e in dated.edges] == ["call4"]
        with pytest.raises(NotFound):
            s.graph.expand("nobody")


def test_expand_returns_every_edge_among_its_subjects(
    loaded: Workspace, ctx: AccessContext
) -> None:
    """Whatever stops the walk (hops, the cap mid-hop, the cap before a hop), the edges
    are exactly the visible ones with both ends among the subjects found."""
    with loaded.session(ctx) as s:
        every = s.graph.load("graph.metrics").edges
        for start in ("p-mueller", "ph-a", "c-acme"):
            for hops in (1, 2, 3):
                for limit in (1, 2, 3, 4, 6, 500):
                    graph = s.graph.expand(start, hops=hops, limit=limit)
                    nodes = set(graph.nodes)
                    expected = sorted(
                        e["id"] for e in every if e["src"] in nodes and e["dst"] in nodes
                    )
                    assert [e["id"] for e in graph.edges] == expected, (start, hops, limit)
                    assert len(nodes) <= limit


def test_shortest_paths_agree_with_networkx(loaded: Workspace, ctx: AccessContext) -> None:
    """Every pair of subjects: the path found has networkx's length on the same edges,
    and each of its steps is an edge."""
    with loaded.session(ctx) as s:
        every = s.graph.load("graph.metrics").edges
        g = nx.Graph((e["src"], e["dst"]) for e in every)
        nodes = sorted(g)
        for a in nodes:
            for b in nodes:
                if a == b:
                    continue
                found = s.graph.paths(a, b, max_hops=8)
                try:
                    length = nx.shortest_path_length(g, a, b)
                except nx.NetworkXNoPath:
                    assert found == [], (a, b)
                    continue
                [path] = found
                ids = [n["id"] for n in path["nodes"]]
                assert path["hops"] == length, (a, b)
                assert all(g.has_edge(x, y) for x, y in itertools.pairwise(ids))
                assert all(step["edges"] for step in path["steps"])


def test_paths_explain_their_steps(loaded: Workspace, ctx: AccessContext) -> None:
    with loaded.session(ctx) as s:
        [path] = s.graph.paths("p-smith1", "b-secret")
        assert [n["id"] for n in path["nodes"]] == [
            "p-smith1",
            "c-acme",
            "p-mueller",
            "b-mueller",
            "b-secret",
        ]
        step = path["steps"][2]
        assert step["edges"][0]["kind"] == "same:phone"
        assert step["edges"][0]["sources"] == ["bank", "registry"]
        assert {e["origin"] for e in path["steps"][3]["edges"]} == {"pay1", "pay2"}
        two = s.graph.paths("ph-a", "ph-c", k=2)
        assert [p["hops"] for p in two] == [1, 2]
        # time-ordered paths follow calls in their direction, each no earlier than the last:
        # c called a (2020-12), then a called b (2021-01); b called c only later (2021-02)
        ordered = s.graph.paths("ph-c", "ph-b", k=3, time_ordered=True)
        assert [[n["id"] for n in p["nodes"]] for p in ordered] == [["ph-c", "ph-a", "ph-b"]]
        assert s.graph.paths("ph-b", "ph-a", k=3, time_ordered=True) == []
        assert s.graph.paths("ph-a", "c-acme") == []
        common = s.graph.common("ph-a", "ph-b")
        assert [n["id"] for n in common] == ["ph-c"]


def test_ownership_chains_multiply_percentages(loaded: Workspace, ctx: AccessContext) -> None:
    with loaded.session(ctx) as s:
        result = s.graph.ownership("p-mueller")
        chains = {tuple(n["id"] for n in c["path"]): c["share"] for c in result["chains"]}
        assert chains == {
            ("p-mueller", "c-acme"): 50.0,
            ("p-mueller", "c-acme", "c-sub"): 20.0,
            ("p-mueller", "c-acme", "c-sub", "c-sub2"): 20.0,
        }
        owners = s.graph.ownership("c-sub2", direction="owners")
        effective = {n["id"]: n["share"] for n in owners["effective"]}
        assert effective == {"c-sub": 100.0, "c-acme": 40.0, "p-mueller": 20.0, "p-smith1": 20.0}
        assert len(s.graph.ownership("p-mueller", min_share=30)["chains"]) == 1


def test_calls_and_money(loaded: Workspace, ctx: AccessContext) -> None:
    with loaded.session(ctx) as s:
        calls = s.graph.activity("ph-a")
        assert calls["count"] == 3 and calls["by_kind"] == {"Call": 3}
        assert calls["first"] == "2020-12-01" and calls["last"] == "2021-05-01"
        # call time in seconds, never added to money
        assert calls["totals"] == [{"kind": "Call", "unit": "s", "amount": 90.0,
                                    "text": "1 min 30 s"}]  # fmt: skip
        top = calls["top"][0]
        assert top["id"] == "ph-b" and top["count"] == 2 and top["out"] == 2
        assert calls["by_month"] == {"2020-12": 1, "2021-01": 1, "2021-05": 1}
        money = s.graph.activity("b-secret")
        assert [t["amount"] for t in money["totals"]] == [1500.0]
        assert money["top"][0]["in"] == 1 and money["top"][0]["totals"][0]["amount"] == 1500.0


def test_metrics_communities_components(loaded: Workspace, ctx: AccessContext) -> None:
    with loaded.session(ctx) as s:
        metrics = s.graph.metrics(["degree", "betweenness", "pagerank", "eigenvector"], top=3)
        assert metrics["measures"]["degree"][0]["id"] == "c-acme"
        assert metrics["measures"]["betweenness"][0]["id"] in {"c-acme", "p-mueller"}
        components = s.graph.components()
        assert [c["size"] for c in components] == [7, 3]  # subjects with edges
        found = s.graph.communities()
        members = [{m["id"] for m in c["members"]} for c in found["communities"]]
        assert {"ph-a", "ph-b", "ph-c"} in members
        local = s.graph.metrics(["degree"], subject="ph-a", hops=1)
        assert local["nodes"] == 3


def test_exports_read_back(loaded: Workspace, ctx: AccessContext) -> None:
    with loaded.session(ctx) as s:
        for fmt in ("graphml", "gexf", "cytoscape", "ftm"):
            out = io.BytesIO()
            counts = s.graph.export(out, fmt, subject="p-mueller", hops=1, recipient="prosecutor")
            text = out.getvalue()
            if fmt == "graphml":
                g = nx.read_graphml(io.BytesIO(text))
                assert set(g.nodes) == {"p-mueller", "c-acme", "b-mueller"}
                assert g.nodes["c-acme"]["label"] == "ACME Holding GmbH"
            elif fmt == "gexf":
                assert nx.read_gexf(io.BytesIO(text)).number_of_edges() == counts["edges"]
            elif fmt == "cytoscape":
                elements = json.loads(text)["elements"]
                assert len(elements["nodes"]) == 3 and len(elements["edges"]) == counts["edges"]
            else:
                lines = [json.loads(line) for line in text.decode().splitlines()]
                assert {e["schema"] for e in lines} == {
                    "Person",
                    "Company",
                    "Ownership",
                    "UnknownLink",
                }
    with loaded.engine.connect() as conn:
        exports = [e for e in ledger.iter_entries(conn) if e.action == "export"]
    assert len(exports) == 4 and exports[0].refs["recipient"] == "prosecutor"


def test_a_viewer_sees_only_cleared_edges(loaded: Workspace) -> None:
    viewer = AccessContext(actor="vic", justification="checking what a viewer can see")
    with loaded.session(viewer) as s:
        graph = s.graph.expand("p-mueller", hops=3)
        assert "b-mueller" not in graph.nodes and "b-secret" not in graph.nodes
        assert all("bank" not in e["sources"] for e in graph.edges)
        with pytest.raises(NotFound):
            s.graph.expand("b-secret")
        assert s.graph.paths("p-smith1", "p-mueller")[0]["hops"] == 2
        with pytest.raises(NotFound):
            s.graph.paths("p-smith1", "b-secret")
        assert s.graph.components()[0]["size"] == 5
    with loaded.engine.connect() as conn:
        entries = [e for e in ledger.iter_entries(conn) if e.action.startswith("graph.")]
    assert entries and all(
        e.refs["sources"] == ["phones", "registry"] for e in entries if e.actor == "vic"
    )


def test_sealed_subjects_are_redacted_in_the_graph(
    loaded: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    family = [
        {
            "id": "fam",
            "schema": "Family",
            "properties": {
                "person": ["p-mueller"],
                "relative": ["p-child"],
                "relationship": ["daughter"],
            },
        }
    ]
    with loaded.session(ctx) as s:
        s.ingest.ftm(data.write(tmp_path, "registry", family), "registry")
        graph = s.graph.expand("p-mueller", hops=1)
        child = graph.nodes["p-child"]
        assert child["sealed"] and child["caption"] == "sealed record"
        assert "Lena" not in json.dumps(graph.to_dict())


def _random_graph(workspace: Workspace, ctx: AccessContext, seed: int) -> nx.MultiGraph:
    """A random heavy-tailed graph (a few hubs) written straight into the edges table."""
    rng = random.Random(seed)
    weights = [1.0 / (i + 1) ** 0.8 for i in range(300)]
    nodes = [f"r-{i:03d}" for i in range(300)]
    g = nx.MultiGraph()
    edges = []
    for i in range(700):
        a, b = rng.choices(nodes, weights, k=2)
        if a != b:
            edges.append(Edge(a, b, "Associate", f"e{i}", None, None, None, "reg", "reg", False))
            g.add_edge(a, b, key=len(edges))
    with workspace.session(ctx) as s:
        add_source(s, "reg")
        graph_store.insert_edges(s.conn, edges)
    return g


def test_walks_agree_with_networkx_on_a_random_graph(
    workspace: Workspace, ctx: AccessContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Expansion (same capped breadth-first order: per hop, the smallest subject first
    reached from the smallest one) and shortest paths, however a level is sliced."""
    g = _random_graph(workspace, ctx, seed=3)
    rng = random.Random(4)
    nodes = sorted(g)
    with workspace.session(ctx) as s:
        for start in rng.sample(nodes, 15):
            for hops, limit in ((1, 500), (2, 40), (2, 500), (3, 120)):
                found = {start: 0}
                frontier = [start]
                for hop in range(1, hops + 1):
                    pairs = sorted((x, y) for x in frontier for y in g.adj[x] if y not in found)
                    frontier = []
                    for _, y in pairs:
                        if y not in found and len(found) < limit:
                            found[y] = hop
                            frontier.append(y)
                graph = s.graph.expand(start, hops=hops, limit=limit)
                assert {n: v["hop"] for n, v in graph.nodes.items()} == found, (start, hops)
                inside = g.subgraph(found)
                assert len(graph.edges) == inside.number_of_edges()
        for size in (1, 7, 250):
            monkeypatch.setattr("casegraph.graph.walks.PATH_SLICE", size)
            for a, b in zip(rng.sample(nodes, 30), rng.sample(nodes, 30), strict=True):
                try:
                    length: int | None = nx.shortest_path_length(g, a, b)
                except nx.NetworkXNoPath:
                    length = None
                found_paths = s.graph.paths(a, b, max_hops=8)
                if length is None or length > 8:
                    assert found_paths == []
                    continue
                [path] = found_paths
                ids = [n["id"] for n in path["nodes"]]
                assert path["hops"] == length, (a, b, size)
                assert all(g.has_edge(x, y) for x, y in itertools.pairwise(ids))
