"""Whole edges from the ``src`` index: labels cut to fit an index entry, the upgrade
that cuts stored ones, and the edges among subjects read without the table."""

from __future__ import annotations

import random
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.engine import Connection

from casegraph.config import Settings
from casegraph.graph.edges import LABEL_MAX, Edge
from casegraph.service import Workspace
from casegraph.store import graph_store, migrate
from casegraph.store.engine import make_engine
from casegraph.store.graph_store import EdgeFilter
from casegraph.store.tables import edges

SOURCES = ("registry",)


def noise(length: int, seed: int) -> str:
    """Text that does not compress: an index entry cannot shrink it below its size."""
    rng = random.Random(seed)
    return "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(length))


def edge(i: int, src: str, dst: str, label: str | None) -> Edge:
    return Edge(src, dst, "Associate", f"rel{i}", f"rel{i}", None, None, "registry",
                "registry", False, "2020-01-01", None, 12.5, None, label)  # fmt: skip


def test_long_labels_are_cut_and_edges_among_subjects_come_whole(workspace: Workspace) -> None:
    long = noise(3 * LABEL_MAX, 1)
    items = [edge(1, "a", "b", long), edge(2, "b", "c", "partner"), edge(3, "c", "x", None)]
    assert items[0].label == long[: LABEL_MAX - 1] + "\u2026"
    assert items[1].label == "partner"
    with workspace.engine.begin() as conn:
        graph_store.insert_edges(conn, items)  # PostgreSQL refuses an index entry too big
        rows = graph_store.among(conn, ["a", "b", "c"], EdgeFilter(SOURCES))
    assert [(r.src, r.dst, r.origin, r.label, r.amount) for r in rows] == [
        ("a", "b", "rel1", items[0].label, 12.5),
        ("b", "c", "rel2", "partner", 12.5),
    ]


def test_upgrade_cuts_stored_labels(store: Settings) -> None:
    store.data_dir.mkdir(parents=True)
    engine = make_engine(store.store_url)
    try:
        migrate.upgrade(engine, "0008")
        long = noise(3 * LABEL_MAX, 2)
        with engine.begin() as conn:
            conn.execute(
                insert(edges),
                [{**edge(i, "a", "b", None).row(), "label": label}
                 for i, label in enumerate((long, "x" * LABEL_MAX, None))],
            )  # fmt: skip
        migrate.upgrade(engine)  # on PostgreSQL, fails if the long label was kept
        with engine.connect() as conn:
            labels = list(conn.execute(select(edges.c.label).order_by(edges.c.id)).scalars())
        assert labels == [long[: LABEL_MAX - 1] + "\u2026", "x" * LABEL_MAX, None]
    finally:
        engine.dispose()
    Workspace.open(store).close()


def test_edges_among_subjects_are_read_from_the_index_alone(workspace: Workspace) -> None:
    """The plan of ``graph_store.among``'s own statement: an index-only read (with
    table scans ruled out on PostgreSQL, whose planner prefers them on a small table)."""
    items = [edge(i, f"s{i % 1000}", f"s{(i * 7) % 1000}", "colleague") for i in range(1, 3000)]
    wanted = [f"s{i}" for i in range(0, 1000, 100)]
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    with workspace.engine.connect() as conn:
        graph_store.insert_edges(conn, [e for e in items if e.src != e.dst])
        conn.commit()
        postgres = conn.dialect.name == "postgresql"
        if postgres:
            autocommit = conn.execution_options(isolation_level="AUTOCOMMIT")
            autocommit.exec_driver_sql("VACUUM ANALYZE edges")
            conn.exec_driver_sql("SET enable_seqscan = off")
            conn.exec_driver_sql("SET enable_bitmapscan = off")
        event.listen(conn, "before_cursor_execute", capture)
        rows = graph_store.among(conn, wanted, EdgeFilter(SOURCES))
        event.remove(conn, "before_cursor_execute", capture)
        assert rows and all(r.src in wanted and r.dst in wanted for r in rows)
        [(statement, params)] = [(q, p) for q, p in seen if q.startswith("SELECT")]
        plan = explain(conn, statement, params, postgres)
    if postgres:
        assert "Index Only Scan using ix_edges_src_whole" in plan, plan
    else:
        assert "USING COVERING INDEX ix_edges_src_whole" in plan, plan


def explain(conn: Connection, statement: str, params: Any, postgres: bool) -> str:
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    cursor.execute(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement, params)
    return "\n".join(str(row[-1]) for row in cursor.fetchall())

