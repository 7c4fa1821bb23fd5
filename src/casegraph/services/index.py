"""Keeping the derived data (search documents, edges) in step with the statements.

Ingest, resolution and erasure queue the (subject, source) pairs they touch; a
refresh rebuilds those, a batch per transaction, so an interrupted refresh loses
nothing and the next one carries on. The shared values of the documents it writes
(phones, addresses, identifiers) are queued too, and their edges rebuilt once at the
end, when every holder is indexed. A rebuild queues everything first.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from casegraph.access import roles
from casegraph.graph.edges import is_relationship, relationship_edges, shared_edges
from casegraph.model.edges import SHARED_FIELDS, Edge
from casegraph.model.search_documents import Document
from casegraph.model.statements import StatementRow
from casegraph.search.documents import build
from casegraph.store import graph_store, search_index, statistics
from casegraph.subjects.profile import MENTIONS, scrub_all

if TYPE_CHECKING:
    from casegraph.service import Session

BATCH = 20000
Progress = Callable[[str, int, int], None]


class IndexService:
    def __init__(self, session: Session) -> None:
        self.s = session

    def pending(self) -> int:
        """How many subjects wait for indexing (a count: no purpose needed)."""
        return search_index.dirty_count(self.s.conn)

    def rebuild(self, progress: Progress | None = None) -> dict[str, int]:
        """Re-index every subject of every source."""
        visible = self.s.process("index.rebuild", roles.INGEST, every_source=True)
        search_index.mark_all_dirty(self.s.conn, visible)
        self.s.commit()
        return self.refresh(progress)

    def refresh(self, progress: Progress | None = None) -> dict[str, int]:
        """Rebuild the documents and edges of every queued subject."""
        self.s.require(roles.INGEST, "refresh the index")
        return self.after_change(progress)

    def after_change(
        self, progress: Progress | None = None, permission: str = roles.INGEST
    ) -> dict[str, int]:
        """The refresh that ingest, resolution, review decisions and erasure run when
        they finish, with the ``permission`` of the work that changed the data: it is
        processing, not a consultation, and covers every source (the index and the edges
        are derived data, read only through the gate)."""
        conn = self.s.conn
        total = search_index.dirty_count(conn)
        counts = {"subjects": 0, "documents": 0, "edges": 0}
        if total == 0 and graph_store.shared_dirty_count(conn) == 0:
            return counts
        visible = self.s.process("index.read", permission, {"queued": total}, every_source=True)
        statistics.refresh(conn)
        while batch := search_index.dirty_batch(conn, visible, BATCH):
            ids = sorted({c for c, _ in batch})
            rows = self._scrubbed(
                list(self.s.statements(visible, canonical_ids=ids, redact_sealed=False))
            )
            docs, edges = self._derive(batch, rows)
            counts["subjects"] += len(batch)
            counts["documents"] += len(docs)
            counts["edges"] += len(edges)
            search_index.clear_dirty(conn, batch)
            self.s.commit()  # each batch stands on its own: Ctrl-C loses no finished work
            statistics.refresh(conn)  # what the batch wrote, for the next one's plans
            if progress is not None:
                progress("indexing", counts["subjects"], total)
        # then the edges between holders of one value, once per value: its holders are
        # all indexed now, whichever batches they were in
        while values := graph_store.dirty_shared_batch(conn, BATCH):
            holders = graph_store.value_holders(conn, values)
            shared = shared_edges(holders)
            graph_store.delete_shared(conn, [f"{f}:{v}" for f, v in values])
            graph_store.insert_edges(conn, shared)
            counts["edges"] += len(shared)
            graph_store.clear_shared_dirty(conn, values)
            self.s.commit()
        self.s.record("index.refresh", counts)
        return counts

    def _scrubbed(self, rows: list[StatementRow]) -> list[StatementRow]:
        """A sealed subject keeps its own document (search and the graph show it as a
        sealed record), but its name leaves the ``namesMentioned`` of its relations: one
        look-up of the sealed among everything a batch links to."""
        named = {r.entity_id for r in rows if r.prop == MENTIONS}
        linked = {r.value for r in rows if r.prop_type == "entity" and r.entity_id in named}
        sealed = frozenset(self.s.sealed_among(linked))
        return list(scrub_all(rows, lambda ids: ids & sealed)) if sealed else rows

    def _derive(
        self, batch: list[tuple[str, str]], rows: list[StatementRow]
    ) -> tuple[list[Document], list[Edge]]:
        conn = self.s.conn
        protected = frozenset(self.s.workspace.settings.protected_attributes)
        wanted = set(batch)
        by_key = {
            key: list(group)
            for key, group in itertools.groupby(
                sorted(
                    (r for r in rows if (r.canonical_id, r.source) in wanted),
                    key=lambda r: (r.canonical_id, r.source, r.entity_id),
                ),
                key=lambda r: (r.canonical_id, r.source),
            )
        }
        docs: list[Document] = []
        relations: list[list[StatementRow]] = []
        for group in by_key.values():
            for _, entity_rows in itertools.groupby(group, key=lambda r: r.entity_id):
                items = list(entity_rows)
                if is_relationship(items[0].schema):
                    relations.append(items)
            doc = (
                build([r for r in group if not is_relationship(r.schema)], protected)
                if any(not is_relationship(r.schema) for r in group)
                else None
            )
            if doc is not None:
                docs.append(doc)
        search_index.delete_docs(conn, batch)
        search_index.insert_docs(conn, docs)
        graph_store.delete_edges_of(conn, batch)
        ends = {
            (r.source, v)
            for items in relations
            for r in items
            if r.prop_type == "entity"
            for v in [r.value]
        }
        lookup = graph_store.canonical_lookup(conn, ends)
        edges = [
            e
            for items in relations
            for e in relationship_edges(items, lambda s, e: lookup.get((s, e)))
        ]
        graph_store.mark_shared_dirty(
            conn, ((f, v) for d in docs for f, v in d.values if f in SHARED_FIELDS)
        )
        graph_store.insert_edges(conn, edges)
        graph_store.repoint(
            conn,
            sorted(
                {
                    (r.source, r.entity_id, r.canonical_id)
                    for r in rows
                    if (r.canonical_id, r.source) in wanted
                }
            ),
        )
        return docs, edges

    def stats(self) -> dict[str, Any]:
        return {"pending": self.pending()}
