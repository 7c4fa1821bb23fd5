"""Link analysis through the audited session: every call is a recorded consultation
that sees only edges whose sources the caller is cleared for. The walks, paths,
ownership chains and activity summaries themselves live in ``graph/``."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from casegraph.access import roles
from casegraph.errors import NotFound, WorkspaceError
from casegraph.graph import analysis, counterparts, ownership, walks
from casegraph.graph.counterparts import ACTIVITY_KINDS
from casegraph.graph.subgraph import (
    EXPORT_FORMATS,
    Subgraph,
    Walks,
    edge_dict,
    subject_nodes,
    write,
)
from casegraph.store import edge_totals, graph_store
from casegraph.store.graph_store import EdgeFilter

if TYPE_CHECKING:
    from casegraph.service import Session

MAX_LOADED_EDGES = 2_000_000  # whole-graph metrics beyond this need a starting subject


def walks_of(session: Session) -> Walks:
    """The walks of one session: over the structure held in memory when this process
    holds it at the epoch the session sees, over the store otherwise."""
    return Walks(session.conn, session.workspace.adjacency.current(session.conn))


class GraphService:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _filter(
        self,
        action: str,
        refs: dict[str, Any],
        kinds: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        sources: Sequence[str] | None = None,
    ) -> EdgeFilter:
        visible = self.s.consult(
            action, {k: v for k, v in refs.items() if v not in (None, [], ())}, sources or None
        )
        return EdgeFilter(visible, tuple(kinds), since, until)

    def _nodes(self, ids: Sequence[str], where: EdgeFilter) -> dict[str, dict[str, Any]]:
        return subject_nodes(self.s.conn, ids, where.visible)

    def _require_subject(self, subject: str, where: EdgeFilter) -> None:
        card = graph_store.cards(self.s.conn, [subject], where.visible, None).get(subject)
        if (card is None or card[0] is None) and not (
            graph_store.touching(self.s.conn, [subject], where, limit=1)
        ):
            raise NotFound(f"no subject {subject!r}")

    # --- neighbourhoods ------------------------------------------------------------------

    def expand(
        self,
        subject: str,
        hops: int = 2,
        limit: int = 500,
        kinds: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        sources: Sequence[str] | None = None,
    ) -> Subgraph:
        """The subjects within ``hops`` of ``subject`` (at most ``limit``, nearest first)
        and the edges among them; what the cap left out is counted."""
        if not 1 <= hops <= walks.MAX_HOPS or limit < 1:
            raise WorkspaceError(f"hops is between 1 and {walks.MAX_HOPS}; limit is at least 1")
        where = self._filter(
            "graph.expand",
            {"subject": subject, "hops": hops, "kinds": list(kinds)},
            kinds,
            since,
            until,
            sources,
        )
        walk = walks_of(self.s)
        found, left_out = walks.neighbourhood(
            walk, subject, hops, limit, where, lambda: self._require_subject(subject, where)
        )
        graph = Subgraph(self._nodes(list(found), where), left_out=len(left_out))
        for cid, hop in found.items():
            graph.nodes[cid]["hop"] = hop
        graph.edges = [edge_dict(e) for e in walk.among(found, where, cap=limit * 20)]
        return graph.unlabel_sealed()

    def common(self, a: str, b: str, kinds: Sequence[str] = ()) -> list[dict[str, Any]]:
        where = self._filter("graph.common", {"subjects": [a, b]}, kinds)
        near: dict[str, set[str]] = defaultdict(set)
        for _, here, there in walks_of(self.s).steps([a, b], where):
            near[here].add(there)
        shared = sorted((near[a] & near[b]) - {a, b})
        return list(self._nodes(shared, where).values())

    # --- paths ------------------------------------------------------------------------------

    def paths(
        self,
        a: str,
        b: str,
        k: int = 1,
        max_hops: int = 6,
        kinds: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        time_ordered: bool = False,
    ) -> list[dict[str, Any]]:
        """Shortest paths between two subjects (k of them, shortest first), each step
        with its edges and their sources. ``time_ordered`` keeps only paths whose dated
        steps follow one another in time."""
        if not 1 <= max_hops <= walks.MAX_HOPS or not 1 <= k <= 20:
            raise WorkspaceError(
                f"max hops is between 1 and {walks.MAX_HOPS}; k between 1 and 20"
            )
        where = self._filter(
            "graph.path",
            {"subjects": [a, b], "k": k, "max_hops": max_hops, "time_ordered": time_ordered},
            kinds,
            since,
            until,
        )
        for subject in (a, b):
            self._require_subject(subject, where)
        found, edges = walks.paths(walks_of(self.s), a, b, k, max_hops, where, time_ordered)
        nodes = self._nodes(sorted({n for p in found for n in p}), where)
        edges = Subgraph(nodes, edges).unlabel_sealed().edges
        return [
            {"hops": len(p) - 1, "nodes": [nodes[n] for n in p], "steps": walks.steps_of(p, edges)}
            for p in found
        ]

    # --- whole-graph analysis -------------------------------------------------------------

    def load(
        self,
        action: str,
        subject: str | None = None,
        hops: int = 2,
        kinds: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        limit: int = 100_000,
    ) -> Subgraph:
        """The subgraph around ``subject``, or every visible edge."""
        if subject is not None:
            graph = self.expand(subject, hops, limit, kinds, since, until)
            self.s.record(action, {"subject": subject})
            return graph
        where = self._filter(action, {"kinds": list(kinds)}, kinds, since, until)
        graph = Subgraph()
        for row in graph_store.iter_edges(self.s.conn, where):
            if len(graph.edges) >= MAX_LOADED_EDGES:
                raise WorkspaceError(
                    f"more than {MAX_LOADED_EDGES:,} edges: start from a subject (--subject)"
                )
            graph.edges.append(edge_dict(row))
        ids = sorted({e["src"] for e in graph.edges} | {e["dst"] for e in graph.edges})
        graph.nodes = self._nodes(ids, where)
        return graph.unlabel_sealed()

    def metrics(
        self,
        measures: Sequence[str] = ("degree", "betweenness", "pagerank"),
        top: int = 10,
        subject: str | None = None,
        hops: int = 2,
        kinds: Sequence[str] = (),
    ) -> dict[str, Any]:
        graph = self.load("graph.metrics", subject, hops, kinds)
        g = graph.networkx()
        ranked = analysis.centrality(g, measures, top)
        return {
            "nodes": g.number_of_nodes(),
            "edges": g.number_of_edges(),
            "measures": {
                m: [{**graph.nodes[n], "value": v} for n, v in vals] for m, vals in ranked.items()
            },
        }

    def communities(
        self,
        subject: str | None = None,
        hops: int = 2,
        kinds: Sequence[str] = (),
        resolution: float = 1.0,
        seed: int = 7,
    ) -> dict[str, Any]:
        graph = self.load("graph.communities", subject, hops, kinds)
        g = graph.networkx()
        found = analysis.communities(g, resolution, seed)
        return {
            "nodes": g.number_of_nodes(),
            "edges": g.number_of_edges(),
            "modularity": round(analysis.modularity(g, found), 4) if found else 0.0,
            "communities": [
                {"size": len(c), "members": [graph.nodes[n] for n in c]} for c in found
            ],
        }

    def components(self, kinds: Sequence[str] = ()) -> list[dict[str, Any]]:
        graph = self.load("graph.components", None, kinds=kinds)
        return [
            {"size": len(c), "members": [graph.nodes[n] for n in c]}
            for c in analysis.components(graph.networkx())
        ]

    # --- ownership, calls and money ---------------------------------------------------------

    # --- ownership, calls and money ---------------------------------------------------------

    def ownership(
        self, subject: str, direction: str = "owned", max_depth: int = 6, min_share: float = 0.0
    ) -> dict[str, Any]:
        """Indirect ownership through chains of Ownership edges, percentages multiplied
        along each chain and summed over chains. ``owned``: what ``subject`` holds;
        ``owners``: who holds ``subject``."""
        if direction not in ownership.DIRECTIONS:
            raise WorkspaceError("direction is 'owned' or 'owners'")
        where = self._filter(
            "graph.ownership", {"subject": subject, "direction": direction}, ("Ownership",)
        )
        self._require_subject(subject, where)
        chains, totals = ownership.chains(
            self.s.conn, subject, direction, max_depth, min_share, where
        )
        nodes = self._nodes(sorted({n for c in chains for n in c["path"]} | {subject}), where)
        return {
            "subject": nodes[subject],
            "direction": direction,
            "chains": [{**c, "path": [nodes[n] for n in c["path"]]} for c in chains],
            "effective": [
                {**nodes[n], "share": round(v, 6)}
                for n, v in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
            ],
        }

    def activity(
        self, subject: str, kinds: Sequence[str] = ACTIVITY_KINDS, top: int = 10
    ) -> dict[str, Any]:
        """Calls and payments of a subject (or edges of other ``kinds``): counts, totals
        per kind and unit, first and last date, events by month, and the ``top``
        counterparts with their own counts, directions and totals."""
        where = self._filter("graph.activity", {"subject": subject}, kinds)
        self._require_subject(subject, where)
        rows = edge_totals.totals(self.s.conn, subject, where, kinds)
        months = edge_totals.months(self.s.conn, subject, where, kinds)
        summary = counterparts.summary(subject, counterparts.combine(rows), months, top)
        nodes = self._nodes([t["id"] for t in summary["top"]], where)
        summary["top"] = [{**nodes[t["id"]], **t} for t in summary["top"]]
        return summary

    def relations(self, subject: str, structure_limit: int = 200) -> dict[str, Any]:
        """What a profile shows of a subject's edges, in one consultation: its
        structural relationships (ownership, directorships, family, employment, court
        cases, shared values ...) one by one, its activity (calls, payments) by
        counterpart, kind and direction with totals, and its events by month."""
        where = self._filter("graph.relations", {"subject": subject})
        self._require_subject(subject, where)
        conn = self.s.conn
        structure = edge_totals.structure(conn, subject, where, ACTIVITY_KINDS,
                                          structure_limit + 1)  # fmt: skip
        groups = counterparts.combine(edge_totals.totals(conn, subject, where, ACTIVITY_KINDS))
        months = edge_totals.months(conn, subject, where, ACTIVITY_KINDS)
        others = [row.dst if row.src == subject else row.src for row in structure]
        nodes = self._nodes([*others, *(g.other for g in groups)], where)
        return {
            "structure": counterparts.structural(subject, [edge_dict(r) for r in structure],
                                                 nodes)[:structure_limit],
            "more_structure": len(structure) > structure_limit,
            "activity": [{**g.to_dict(), "node": nodes[g.other]} for g in groups],
            "histogram": counterparts.histogram(months),
        }  # fmt: skip

    def events(
        self,
        subject: str,
        other: str | None = None,
        kinds: Sequence[str] = ACTIVITY_KINDS,
        limit: int = 50,
        offset: int = 0,
        since: str | None = None,
        until: str | None = None,
    ) -> dict[str, Any]:
        """The single events behind a total: the subject's edges of ``kinds`` (with
        ``other``, if given), newest first, a page at a time."""
        if not 1 <= limit <= 500 or offset < 0:
            raise WorkspaceError("limit is between 1 and 500; offset is not negative")
        refs = {"subject": subject, "other": other, "kinds": list(kinds)}
        where = self._filter("graph.events", refs, kinds, since, until)
        self._require_subject(subject, where)
        rows, total = edge_totals.events(self.s.conn, subject, where, kinds, other, limit, offset)
        items = [edge_dict(r) for r in rows]
        nodes = self._nodes([e["dst"] if e["src"] == subject else e["src"] for e in items],
                            where)  # fmt: skip
        return {"total": total, "offset": offset,
                "events": counterparts.single_events(subject, items, nodes)}  # fmt: skip

    # --- exports --------------------------------------------------------------------------

    def export(
        self,
        out: IO[bytes],
        fmt: str,
        subject: str | None = None,
        hops: int = 2,
        kinds: Sequence[str] = (),
        recipient: str | None = None,
    ) -> dict[str, int]:
        """Write the graph (around ``subject``, or all of it) as GraphML, GEXF, Cytoscape
        JSON or FtM entities. A disclosure: recorded with its recipient first."""
        if fmt not in EXPORT_FORMATS:
            raise WorkspaceError(f"format is one of: {', '.join(EXPORT_FORMATS)}")
        self.s.require(roles.EXPORT, "export subject data")
        graph = self.load("graph.export", subject, hops, kinds)
        self.s.record(
            "export",
            {
                "format": f"graph-{fmt}",
                "subject": subject,
                "recipient": recipient or self.s.ctx.actor,
                "nodes": len(graph.nodes),
                "edges": len(graph.edges),
            },
        )
        self.s.commit()
        write(out, graph, fmt)
        return {"nodes": len(graph.nodes), "edges": len(graph.edges)}
