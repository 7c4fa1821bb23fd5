"""Reads answered from covering indexes alone: the edges among a set of subjects
(every column a reader sees, in the ``src`` index) and the subjects' cards (caption,
schema, coming of age, in the search documents' index on PostgreSQL); the display
strings cut to fit an index entry, and the upgrade that cuts stored ones."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import event, insert, select
from sqlalchemy.engine import Connection

from casegraph.config import Settings
from casegraph.model.display import DISPLAY_MAX
from casegraph.model.edges import Edge
from casegraph.model.search_documents import Document
from casegraph.service import Workspace
from casegraph.store import graph_store, migrate, search_index
from casegraph.store.engine import make_engine
from casegraph.store.graph_store import EdgeFilter
from casegraph.store.tables import edges, search_docs, statements
from tests.conftest import granted

SOURCES = granted("registry")


def noise(length: int, seed: int) -> str:
    """Text that does not compress: an index entry cannot shrink it below its size."""
    rng = random.Random(seed)
    return "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(length))


def cut(text: str) -> str:
    return text[: DISPLAY_MAX - 1] + "\u2026"


def edge(i: int, src: str, dst: str, label: str | None) -> Edge:
    return Edge(src, dst, "Associate", f"rel{i}", f"rel{i}", None, None, "registry",
                "registry", False, "2020-01-01", None, 12.5, None, label)  # fmt: skip


def before_units(e: Edge) -> dict[str, object]:
    """An edge's row as the table held it before revision 0012 (no ``unit``)."""
    return {k: v for k, v in e.row().items() if k != "unit"}


def doc(cid: str, caption: str) -> Document:
    return Document(cid, "registry", "Person", caption, [caption], [], "", "", "2030-01-01")


def test_long_labels_are_cut_and_edges_among_subjects_come_whole(workspace: Workspace) -> None:
    long = noise(3 * DISPLAY_MAX, 1)
    items = [edge(1, "a", "b", long), edge(2, "b", "c", "partner"), edge(3, "c", "x", None)]
    assert items[0].label == cut(long) and items[1].label == "partner"
    with workspace.engine.begin() as conn:
        graph_store.insert_edges(conn, items)  # PostgreSQL refuses an index entry too big
        rows = graph_store.among(conn, ["a", "b", "c"], EdgeFilter(SOURCES))
    assert [(r.src, r.dst, r.origin, r.label, r.amount) for r in rows] == [
        ("a", "b", "rel1", cut(long), 12.5),
        ("b", "c", "rel2", "partner", 12.5),
    ]


def test_long_captions_are_cut_and_cards_come_whole(workspace: Workspace) -> None:
    long = noise(3 * DISPLAY_MAX, 2)
    docs = [doc("p1", long), doc("p2", "Ana Lima")]
    assert docs[0].caption == cut(long)
    with workspace.engine.begin() as conn:
        search_index.insert_docs(conn, docs)  # PostgreSQL refuses an index entry too big
        cards = graph_store.cards(conn, ["p1", "p2", "p3"], SOURCES, "2026-01-01")
    assert cards == {"p1": (cut(long), "Person", True), "p2": ("Ana Lima", "Person", True)}


def test_upgrade_cuts_stored_labels_and_captions(store: Settings) -> None:
    store.data_dir.mkdir(parents=True)
    engine = make_engine(store.store_url)
    long = noise(3 * DISPLAY_MAX, 3)
    try:
        migrate.upgrade(engine, "0008")
        with engine.begin() as conn:
            conn.execute(
                insert(edges),
                [{**before_units(edge(i, "a", "b", None)), "label": label}
                 for i, label in enumerate((long, "x" * DISPLAY_MAX, None))],
            )  # fmt: skip
            search_index.insert_docs(conn, [doc("p1", "Ana Lima"), doc("p2", "x")])
            conn.execute(search_docs.update().where(search_docs.c.canonical_id == "p2"),
                         {"caption": long})  # fmt: skip
        migrate.upgrade(engine)  # on PostgreSQL, fails if a long text was kept
        with engine.connect() as conn:
            labels = list(conn.execute(select(edges.c.label).order_by(edges.c.id)).scalars())
            captions = list(
                conn.execute(select(search_docs.c.caption).order_by(search_docs.c.canonical_id))
                .scalars()
            )
        assert labels == [cut(long), "x" * DISPLAY_MAX, None]
        assert captions == ["Ana Lima", cut(long)]
    finally:
        engine.dispose()
    Workspace.open(store).close()


def test_upgrade_gives_stored_amounts_their_units(store: Settings) -> None:
    """Revision 0012 reads each stored amount's unit from its relationship's statements:
    the currency a payment states, ``EUR`` for ``amountEur``, seconds for a call."""
    store.data_dir.mkdir(parents=True)
    engine = make_engine(store.store_url)
    now = datetime(2026, 1, 1)

    def stated(entity: str, schema: str, prop: str, value: str) -> dict[str, object]:
        return {"id": f"{entity}.{prop}", "source": "bank", "entity_id": entity,
                "canonical_id": entity, "schema": schema, "prop": prop, "prop_type": "string",
                "value": value, "first_seen": now, "last_seen": now}  # fmt: skip

    try:
        migrate.upgrade(engine, "0011")
        with engine.begin() as conn:
            conn.execute(insert(statements), [
                stated("pay1", "Payment", "amount", "10.5"),
                stated("pay1", "Payment", "currency", " chf "),
                stated("pay2", "Payment", "amountEur", "7"),
                stated("call1", "Call", "duration", "300"),
                stated("pay3", "Payment", "amount", "3"),
            ])  # fmt: skip
            rows = [
                Edge("a", "b", kind, origin, origin, None, None, "bank", "bank", True,
                     amount=amount)
                for kind, origin, amount in (("Payment", "pay1", 10.5), ("Payment", "pay2", 7.0),
                                             ("Call", "call1", 300.0), ("Payment", "pay3", 3.0),
                                             ("Associate", "rel", None))
            ]  # fmt: skip
            conn.execute(insert(edges), [before_units(e) for e in rows])
        migrate.upgrade(engine)
        with engine.connect() as conn:
            units = dict(conn.execute(select(edges.c.origin, edges.c.unit)).all())
        assert units == {"pay1": "CHF", "pay2": "EUR", "call1": "s", "pay3": None, "rel": None}
    finally:
        engine.dispose()


def plan(conn: Connection, read: Callable[[], Any]) -> str:
    """The plan of the one SELECT statement ``read`` runs, as the database makes it for
    that statement and its parameters (table scans ruled out on PostgreSQL, whose
    planner prefers them on a small table)."""
    seen: list[tuple[str, Any]] = []

    def capture(conn: Any, cursor: Any, statement: str, params: Any, *_: Any) -> None:
        seen.append((statement, params))

    postgres = conn.dialect.name == "postgresql"
    if postgres:
        conn.commit()
        autocommit = conn.execution_options(isolation_level="AUTOCOMMIT")
        autocommit.exec_driver_sql("VACUUM ANALYZE")  # visibility map and statistics
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET enable_bitmapscan = off")
    event.listen(conn, "before_cursor_execute", capture)
    try:
        read()
    finally:
        event.remove(conn, "before_cursor_execute", capture)
    [(statement, params)] = [(q, p) for q, p in seen if q.startswith("SELECT")]
    raw = conn.connection.dbapi_connection
    assert raw is not None
    cursor = raw.cursor()
    cursor.execute(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + statement, params)
    return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_edges_among_subjects_are_read_from_the_index_alone(workspace: Workspace) -> None:
    items = [edge(i, f"s{i % 1000}", f"s{(i * 7) % 1000}", "colleague") for i in range(1, 3000)]
    wanted = [f"s{i}" for i in range(0, 1000, 100)]
    with workspace.engine.connect() as conn:
        graph_store.insert_edges(conn, [e for e in items if e.src != e.dst])
        rows: list[Any] = []
        where = EdgeFilter(SOURCES)
        found = plan(conn, lambda: rows.extend(graph_store.among(conn, wanted, where)))
    assert rows and all(r.src in wanted and r.dst in wanted for r in rows)
    if workspace.engine.dialect.name == "postgresql":
        assert "Index Only Scan using ix_edges_src_whole" in found, found
    else:
        assert "USING COVERING INDEX ix_edges_src_whole" in found, found


def test_cards_are_read_from_the_index_alone_on_postgresql(workspace: Workspace) -> None:
    wanted = [f"p{i}" for i in range(0, 3000, 100)]
    with workspace.engine.connect() as conn:
        search_index.insert_docs(conn, [doc(f"p{i}", f"Person {i}") for i in range(3000)])
        cards: dict[str, Any] = {}
        found = plan(conn, lambda: cards.update(graph_store.cards(conn, wanted, SOURCES, None)))
    assert cards == {p: (f"Person {p[1:]}", "Person", False) for p in wanted}
    if workspace.engine.dialect.name == "postgresql":
        assert "Index Only Scan using ix_search_docs_subject" in found, found
    else:  # SQLite reads the table rows cheaply: its index is left as it was
        assert "USING INDEX ix_search_docs_subject" in found, found
