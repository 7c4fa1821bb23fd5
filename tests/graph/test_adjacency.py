"""The graph's structure held in memory (store.adjacency): it answers every walk as the
store does, for every reader and filter; it is used only for the edges a session sees;
a change to the edges, committed while it is read, gets it read again."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from casegraph.access.context import AccessContext
from casegraph.errors import NotFound
from casegraph.model.edges import Edge
from casegraph.service import Workspace
from casegraph.store import adjacency, graph_store
from casegraph.store.adjacency import Adjacency
from tests.conftest import add_source
from tests.search import data

VIEWER = AccessContext(actor="vic", justification="checking what a viewer can see")
FILTERS: list[dict[str, Any]] = [
    {},
    {"kinds": ["Ownership"]},
    {"kinds": ["same", "Payment"]},
    {"since": "2021-03-01"},
    {"until": "2020-12"},
    {"since": "2020", "until": "2021-02-15"},
]


def _subjects(workspace: Workspace, ctx: AccessContext) -> list[str]:
    with workspace.session(ctx) as s:
        every = s.graph.load("graph.metrics").edges
    return sorted({e["src"] for e in every} | {e["dst"] for e in every})


def _answers(workspace: Workspace, ctx: AccessContext, subjects: list[str]) -> list[Any]:
    out: list[Any] = []

    def answer(call: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        try:
            found = call(*args, **kwargs)
        except NotFound as exc:  # a subject this reader may not see
            found = str(exc)
        out.append(found.to_dict() if hasattr(found, "to_dict") else found)

    with workspace.session(ctx) as s:
        for subject in subjects:
            for hops, limit in ((1, 500), (2, 3), (3, 500)):
                for where in FILTERS:
                    answer(s.graph.expand, subject, hops, limit, **where)
        for a, b in zip(subjects, reversed(subjects), strict=True):
            if a != b:
                answer(s.graph.paths, a, b, k=3)
                answer(s.graph.paths, a, b, time_ordered=True)
                answer(s.graph.common, a, b)
    return out


def _store_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any) -> None:
        raise AssertionError("walked the structure in memory")

    monkeypatch.setattr(Adjacency, "steps", refuse)
    monkeypatch.setattr(Adjacency, "among", refuse)


def _memory_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("walked the store")

    monkeypatch.setattr(graph_store, "adjacency", refuse)
    monkeypatch.setattr(graph_store, "among", refuse)


def test_memory_answers_as_the_store_for_every_reader(
    loaded: Workspace, ctx: AccessContext
) -> None:
    subjects = _subjects(loaded, ctx)
    for reader in (ctx, VIEWER):  # the viewer may not see the bank's edges
        with pytest.MonkeyPatch.context() as patch:
            _store_only(patch)
            from_store = _answers(loaded, reader, subjects)
        assert loaded.adjacency.read() is not None
        with pytest.MonkeyPatch.context() as patch:
            _memory_only(patch)
            from_memory = _answers(loaded, reader, subjects)
        assert from_memory == from_store
        loaded.adjacency = adjacency.Held(loaded.engine)
    hidden = [e for g in from_memory if isinstance(g, dict) for e in g["edges"]]
    assert hidden and all("bank" not in e["sources"] for e in hidden)


def test_a_random_graph_walks_the_same_in_memory(workspace: Workspace, ctx: AccessContext) -> None:
    rng = random.Random(5)
    nodes = [f"r-{i:03d}" for i in range(200)]
    weights = [1.0 / (i + 1) ** 0.8 for i in range(200)]
    kinds = ["Associate", "Payment", "same:phone"]
    edges = []
    for i in range(600):
        a, b = rng.choices(nodes, weights, k=2)
        source, directed = rng.choice(["reg", "hid"]), rng.random() < 0.5
        start = rng.choice([None, "2019", "2020-06", "2021-01-02"])
        end = rng.choice([None, "2020", "2022-03"])
        kind, amount = rng.choice(kinds), rng.choice([None, 0.0, 12.5, 1e9])
        share, label = rng.choice([None, 25.0]), rng.choice([None, "", "Überweisung", "☎ x"])
        edges.append(
            Edge(
                a,
                b,
                kind,
                f"e{i}-ö" * (i % 3),
                None,
                None,
                None,
                source,
                "reg",
                directed,
                start,
                end,
                amount,
                share,
                label,
            )
        )
    with workspace.session(ctx) as s:
        add_source(s, "reg")
        add_source(s, "hid")
        graph_store.insert_edges(s.conn, edges)
    starts = rng.sample(nodes, 12)
    with pytest.MonkeyPatch.context() as patch:
        _store_only(patch)
        from_store = _answers(workspace, ctx, starts)
    workspace.adjacency.wait = True
    with pytest.MonkeyPatch.context() as patch:
        _memory_only(patch)
        assert _answers(workspace, ctx, starts) == from_store


def test_a_change_is_seen_at_once_and_the_structure_read_again(
    loaded: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    held = loaded.adjacency
    first = held.read()
    assert first is not None
    family = [
        {
            "id": "fam",
            "schema": "Family",
            "properties": {"person": ["p-mueller"], "relative": ["p-smith1"]},
        }
    ]
    with loaded.session(ctx) as s:
        assert held.current(s.conn) is first
        s.ingest.ftm(data.write(tmp_path, "registry", family), "registry")
        assert held.current(s.conn) is None  # this session's own change
        kinds = {e["kind"] for e in s.graph.expand("p-mueller", hops=1).edges}
        assert "Family" in kinds
    with loaded.engine.connect() as conn:
        assert held.current(conn) is None  # committed: the structure held is older
        held.keep_warm()  # a server's setting: read again in the background
        for _ in range(200):
            if held.current(conn) is not None:
                break
            time.sleep(0.05)
        fresh = held.current(conn)
        conn.rollback()
    assert fresh is not None and fresh.epoch > first.epoch
    assert fresh.edge_count == first.edge_count + 1


def test_a_read_overtaken_by_a_change_is_done_again(
    loaded: Workspace, ctx: AccessContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = Adjacency.build
    reads: list[int] = []

    def build_while_someone_writes(epoch: int, rows: Any) -> Adjacency:
        done = build(epoch, rows)
        reads.append(epoch)
        if len(reads) == 1:  # a change commits while the first read is still going
            writer = threading.Thread(target=_add_edge, args=(loaded, ctx))
            writer.start()
            writer.join()
        return done

    monkeypatch.setattr(Adjacency, "build", staticmethod(build_while_someone_writes))
    held = loaded.adjacency.read()
    assert held is not None and len(reads) == 2 and held.epoch > reads[0]
    with loaded.session(ctx) as s:
        assert loaded.adjacency.current(s.conn) is held
        assert "late" in {e["origin"] for e in s.graph.expand("p-mueller", hops=1).edges}


def _add_edge(workspace: Workspace, ctx: AccessContext) -> None:
    late = Edge("p-mueller", "c-acme", "Associate", "late", None, None, None,
                "registry", "registry", False)  # fmt: skip
    with workspace.session(ctx) as s:
        graph_store.insert_edges(s.conn, [late])


def test_the_case_graph_is_the_same_from_memory(loaded: Workspace, ctx: AccessContext) -> None:
    with loaded.session(ctx) as s:
        case_id = str(
            s.cases.open(
                "Op Walks",
                "fraud",
                "Section 100a StPO, order of the investigating judge",
                "Suspected fraud through the companies of the registry",
            )["id"]
        )
    under = AccessContext(actor=ctx.actor, case_id=case_id, local=True)
    with loaded.session(under) as s:
        for subject in ("p-mueller", "ph-a", "c-sub2"):
            s.cases.link_subject(case_id, subject, "suspect", "under test here")
    with pytest.MonkeyPatch.context() as patch, loaded.session(under) as s:
        _store_only(patch)
        from_store = s.cases.graph(case_id)
    loaded.adjacency.wait = True
    with pytest.MonkeyPatch.context() as patch, loaded.session(under) as s:
        _memory_only(patch)
        assert s.cases.graph(case_id) == from_store
    assert len(from_store["nodes"]) > 3 and from_store["edges"]
