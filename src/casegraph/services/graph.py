"""Link analysis through the audited session: every call is a recorded consultation
that sees only edges whose sources the caller is cleared for."""

from __future__ import annotations

import itertools
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter
from typing import IO, TYPE_CHECKING, Any

import networkx as nx
from sqlalchemy.engine import Connection

from casegraph.access import roles
from casegraph.errors import NotFound, WorkspaceError
from casegraph.graph import analysis
from casegraph.model.visible import Visible
from casegraph.store import graph_store
from casegraph.store.adjacency import Adjacency
from casegraph.store.graph_store import EdgeFilter

if TYPE_CHECKING:
    from casegraph.service import Session

SEALED = "sealed record"
MAX_HOPS = 8
PATH_SLICE = 250  # subjects whose edges a shortest-path search reads at a time
MAX_LOADED_EDGES = 2_000_000  # whole-graph metrics beyond this need a starting subject
EXPORT_FORMATS = ("graphml", "gexf", "cytoscape", "ftm")
ACTIVITY_KINDS = ("Call", "Payment")


@dataclass
class Subgraph:
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    edges: list[dict[str, Any]] = field(default_factory=list)
    left_out: int = 0  # neighbours found but not added (the cap)
    more: bool = False  # the cap stopped the search before all neighbours were counted

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": list(self.nodes.values()),
            "edges": self.edges,
            "left_out": self.left_out,
            "truncated": self.left_out > 0 or self.more,
        }

    def unlabel_sealed(self) -> Subgraph:
        """No label on an edge at a sealed subject: a shared value's edge is labelled
        with the value (a sealed person's address, say)."""
        sealed = {cid for cid, n in self.nodes.items() if n["sealed"]}
        for e in self.edges if sealed else []:
            if e["src"] in sealed or e["dst"] in sealed:
                e["label"] = None
        return self

    def networkx(self) -> nx.MultiDiGraph:
        g = nx.MultiDiGraph()
        for node in self.nodes.values():
            g.add_node(node["id"], label=node["caption"], schema=node["schema"])
        for e in self.edges:
            g.add_edge(
                e["src"],
                e["dst"],
                key=e["id"],
                kind=e["kind"],
                source=e["source"],
                directed=e["directed"],
                start=e["start_date"] or "",
                end=e["end_date"] or "",
                amount=e["amount"] if e["amount"] is not None else float("nan"),
                label=e["label"] or "",
            )
        return g


def edge_dict(row: Any) -> dict[str, Any]:
    """An edge as ``graph_store`` reads it (``EDGE_VIEW``), for the API."""
    # unpacked by position: a Row's attributes cost ten times as much, for every edge
    (id_, src, dst, kind, origin, source, source2, directed, start, end, amount, share,
     label) = row  # fmt: skip
    return {
        "id": int(id_),
        "src": src,
        "dst": dst,
        "kind": kind,
        "origin": origin,
        "sources": sorted({source, source2}),
        "source": source,
        "directed": bool(directed),
        "start_date": start,
        "end_date": end,
        "amount": amount,
        "share": share,
        "label": label,
    }


def subject_nodes(
    conn: Connection, ids: Iterable[str], visible: Visible
) -> dict[str, dict[str, Any]]:
    """How a reader who sees ``visible`` is shown these subjects: caption and schema
    from their first visible document (the id and "Thing" without one), and "sealed
    record" for sealed subjects and minors."""
    wanted = list(dict.fromkeys(ids))
    known = graph_store.cards(conn, wanted, visible, date.today().isoformat())
    out = {}
    for cid in wanted:
        caption, schema, sealed = known.get(cid, (None, None, False))
        out[cid] = {
            "id": cid,
            "caption": SEALED if sealed else caption or cid,
            "schema": schema or "Thing",
            "sealed": sealed,
        }
    return out


@dataclass(frozen=True)
class Walks:
    """Where one call's walks read the graph's structure: from memory when this process
    holds it for the edges the session sees (store.adjacency), from the store otherwise.
    Both answer alike (tests/graph run every walk both ways)."""

    conn: Connection
    held: Adjacency | None

    @classmethod
    def of(cls, session: Session) -> Walks:
        return cls(session.conn, session.workspace.adjacency.current(session.conn))

    def steps(self, ids: Sequence[str], where: EdgeFilter) -> list[tuple[int, str, str]]:
        """(edge id, subject, neighbour) for every edge at ``ids``, both ways."""
        if self.held is not None:
            return self.held.steps(ids, where)
        return graph_store.adjacency(self.conn, ids, where)

    def among(self, ids: Iterable[str], where: EdgeFilter, cap: int | None = None) -> list[Any]:
        """The edges with both ends among ``ids``, as ``graph_store.EDGE_VIEW`` rows in
        id order (the first ``cap``)."""
        if self.held is not None:
            return self.held.among(ids, where, cap)
        return graph_store.among(self.conn, ids, where, cap)


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
        if not 1 <= hops <= MAX_HOPS or limit < 1:
            raise WorkspaceError(f"hops is between 1 and {MAX_HOPS}; limit is at least 1")
        where = self._filter(
            "graph.expand",
            {"subject": subject, "hops": hops, "kinds": list(kinds)},
            kinds,
            since,
            until,
            sources,
        )
        walks = Walks.of(self.s)
        found = {subject: 0}
        frontier = [subject]
        left_out: set[str] = set()
        for hop in range(1, hops + 1):
            steps = walks.steps(frontier, where)
            if hop == 1 and not steps:  # no edge seen: the subject must be known at least
                self._require_subject(subject, where)
            if len(found) >= limit:  # full: this hop is only counted
                left_out.update(there for _, _, there in steps if there not in found)
                break
            frontier = []
            for _, _, there in sorted(steps, key=itemgetter(1, 2)):
                if there in found or there in left_out:
                    continue
                if len(found) >= limit:
                    left_out.add(there)
                    continue
                found[there] = hop
                frontier.append(there)
            if not frontier:
                break
        graph = Subgraph(self._nodes(list(found), where), left_out=len(left_out))
        for cid, hop in found.items():
            graph.nodes[cid]["hop"] = hop
        graph.edges = [edge_dict(e) for e in walks.among(found, where, cap=limit * 20)]
        return graph.unlabel_sealed()

    def common(self, a: str, b: str, kinds: Sequence[str] = ()) -> list[dict[str, Any]]:
        where = self._filter("graph.common", {"subjects": [a, b]}, kinds)
        near: dict[str, set[str]] = defaultdict(set)
        for _, here, there in Walks.of(self.s).steps([a, b], where):
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
        if not 1 <= max_hops <= MAX_HOPS or not 1 <= k <= 20:
            raise WorkspaceError(f"max hops is between 1 and {MAX_HOPS}; k between 1 and 20")
        where = self._filter(
            "graph.path",
            {"subjects": [a, b], "k": k, "max_hops": max_hops, "time_ordered": time_ordered},
            kinds,
            since,
            until,
        )
        for subject in (a, b):
            self._require_subject(subject, where)
        walks = Walks.of(self.s)
        explored, shortest = self._explore(walks, a, b, max_hops, where, k > 1 or time_ordered)
        if time_ordered:
            dated = self._dated(walks, explored, where)
            found = analysis.time_ordered_paths(dated, a, b, k, max_hops)
        elif k > 1:
            found = analysis.k_shortest(explored, a, b, k, max_hops)
        else:
            found = [shortest] if shortest else []
        on_paths = {n for p in found for n in p}
        nodes = self._nodes(sorted(on_paths), where)
        steps_edges = Subgraph(nodes, [edge_dict(e) for e in walks.among(
            on_paths, where, cap=100_000)]).unlabel_sealed().edges  # fmt: skip
        out = []
        for path in found:
            steps = []
            for x, y in itertools.pairwise(path):
                joined = [e for e in steps_edges if {e["src"], e["dst"]} == {x, y}]
                steps.append({"from": x, "to": y, "edges": joined})
            out.append({"hops": len(path) - 1, "nodes": [nodes[n] for n in path], "steps": steps})
        return out

    def _explore(
        self,
        walks: Walks,
        a: str,
        b: str,
        max_hops: int,
        where: EdgeFilter,
        keep_graph: bool,
    ) -> tuple[nx.Graph, list[str]]:
        """Bidirectional breadth-first search: a shortest path, and, with ``keep_graph``,
        the explored part as an undirected graph with one level more on each side, for
        the paths after it.

        Without ``keep_graph`` a level is read in slices of ``PATH_SLICE`` subjects (in
        id order, so the answer does not vary) and the search stops at the first slice
        that meets the other side: every meeting in one level makes a path of the same
        length (a shorter one would have met a level earlier), so the rest of the level,
        often most of the edges a search would read, cannot give a shorter path."""
        g = nx.Graph()
        g.add_nodes_from([a, b])
        reached: dict[str, dict[str, tuple[int, str]]] = {a: {a: (0, a)}, b: {b: (0, b)}}
        frontier = {a: [a], b: [b]}
        depth = {a: 0, b: 0}
        meets = [a] if a == b else []
        rounds_after = 1 if keep_graph else 0
        while frontier[a] and frontier[b] and depth[a] + depth[b] < max_hops:
            side = a if len(frontier[a]) <= len(frontier[b]) else b
            other = b if side == a else a
            level = frontier[side]
            size = len(level) if keep_graph else PATH_SLICE
            new: dict[str, str] = {}  # node -> the smallest node it was reached from
            for start in range(0, len(level), size):
                steps = walks.steps(level[start : start + size], where)
                if keep_graph:
                    g.add_edges_from((here, there) for _, here, there in steps)
                for _, here, there in steps:
                    if there not in reached[side] and (there not in new or here < new[there]):
                        new[there] = here
                if not keep_graph and any(n in reached[other] for n in new):
                    break
            depth[side] += 1
            reached[side].update((n, (depth[side], via)) for n, via in new.items())
            frontier[side] = sorted(new)
            meets = meets or [n for n in frontier[side] if n in reached[other]]
            if meets:
                if rounds_after == 0:
                    break
                rounds_after -= 1
        if not meets:
            return g, []
        m = min(meets, key=lambda n: (reached[a][n][0] + reached[b][n][0], n))
        path = [m]
        while path[0] != a:
            path.insert(0, reached[a][path[0]][1])
        while path[-1] != b:
            path.append(reached[b][path[-1]][1])
        return g, path

    def _dated(
        self, walks: Walks, explored: nx.Graph, where: EdgeFilter
    ) -> dict[tuple[str, str], list[str]]:
        """The start dates of the edges among the explored subjects, by (from, to)."""
        dated: dict[tuple[str, str], list[str]] = defaultdict(list)
        for row in walks.among(explored.nodes(), where):
            (_, src, dst, _, _, _, _, directed, start, *_) = row  # graph_store.EDGE_VIEW
            if start:
                dated[(src, dst)].append(start)
                if not directed:
                    dated[(dst, src)].append(start)
        return dated

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

    def ownership(
        self, subject: str, direction: str = "owned", max_depth: int = 6, min_share: float = 0.0
    ) -> dict[str, Any]:
        """Indirect ownership through chains of Ownership edges, percentages multiplied
        along each chain and summed over chains. ``owned``: what ``subject`` holds;
        ``owners``: who holds ``subject``."""
        if direction not in ("owned", "owners"):
            raise WorkspaceError("direction is 'owned' or 'owners'")
        where = self._filter(
            "graph.ownership", {"subject": subject, "direction": direction}, ("Ownership",)
        )
        self._require_subject(subject, where)
        chains: list[dict[str, Any]] = []
        stack: list[tuple[list[str], list[float | None], list[int]]] = [([subject], [], [])]
        while stack:
            path, shares, edge_ids = stack.pop()
            if len(path) > max_depth:
                continue
            here = path[-1]
            for row in graph_store.touching(self.s.conn, [here], where):
                near, far = (row.src, row.dst) if direction == "owned" else (row.dst, row.src)
                if near != here or far in path:
                    continue
                nxt = ([*path, far], [*shares, row.share], [*edge_ids, int(row.id)])
                product = _product(nxt[1])
                if product is not None and product * 100 < min_share:
                    continue
                chains.append(
                    {
                        "path": nxt[0],
                        "shares": nxt[1],
                        "edges": nxt[2],
                        "share": None if product is None else round(product * 100, 6),
                    }
                )
                stack.append(nxt)
        chains.sort(key=lambda c: (len(c["path"]), c["path"]))
        totals: dict[str, float] = defaultdict(float)
        for chain in chains:
            if chain["share"] is not None:
                totals[chain["path"][-1]] += chain["share"]
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
        """Calls and payments of a subject: counts, volume, first and last contact,
        activity by month, and the top counterparts."""
        where = self._filter("graph.activity", {"subject": subject}, kinds)
        self._require_subject(subject, where)
        rows = [r for r in graph_store.touching(self.s.conn, [subject], where)]
        per: dict[str, dict[str, Any]] = {}
        months: Counter[str] = Counter()
        for row in rows:
            other = row.dst if row.src == subject else row.src
            way = "out" if row.src == subject else "in"
            item = per.setdefault(
                other,
                {
                    "count": 0,
                    "in": 0,
                    "out": 0,
                    "volume": 0.0,
                    "first": None,
                    "last": None,
                    "kinds": set(),
                },
            )
            item["count"] += 1
            item[way] += 1
            item["volume"] += row.amount or 0.0
            item["kinds"].add(row.kind)
            when = row.start_date
            if when:
                months[when[:7]] += 1
                item["first"] = min(filter(None, [item["first"], when]))
                item["last"] = max(filter(None, [item["last"], when]))
        dates = sorted(r.start_date for r in rows if r.start_date)
        counterparts = sorted(
            per.items(), key=lambda kv: (-kv[1]["count"], -kv[1]["volume"], kv[0])
        )
        nodes = self._nodes([c for c, _ in counterparts[:top]], where)
        return {
            "subject": subject,
            "count": len(rows),
            "by_kind": dict(Counter(r.kind for r in rows)),
            "volume": round(sum(r.amount or 0.0 for r in rows), 2),
            "first": dates[0] if dates else None,
            "last": dates[-1] if dates else None,
            "by_month": dict(sorted(months.items())),
            "top": [
                {**nodes[c], **{k: (sorted(v) if k == "kinds" else v) for k, v in i.items()}}
                for c, i in counterparts[:top]
            ],
        }

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
        g = graph.networkx()
        if fmt == "graphml":
            nx.write_graphml(g, out)
        elif fmt == "gexf":
            nx.write_gexf(g, out)
        elif fmt == "cytoscape":
            data = {
                "elements": {
                    "nodes": [{"data": n} for n in graph.nodes.values()],
                    "edges": [
                        {"data": {**e, "id": f"e{e['id']}", "source": e["src"], "target": e["dst"]}}
                        for e in graph.edges
                    ],
                }
            }
            out.write(json.dumps(data, indent=1, sort_keys=True).encode())
        else:
            out.write(_ftm_lines(graph).encode())
        return {"nodes": len(graph.nodes), "edges": len(graph.edges)}


def _product(shares: Sequence[float | None]) -> float | None:
    result = 1.0
    for share in shares:
        if share is None:
            return None
        result *= share / 100
    return result


def _ftm_lines(graph: Subgraph) -> str:
    """Nodes as their FtM schema with a name, edges as their relationship schema (or
    UnknownLink for shared values), one JSON object per line."""
    from followthemoney import model as ftm

    lines = []
    for node in graph.nodes.values():
        schema = node["schema"] if ftm.get(node["schema"]) else "Thing"
        names = {} if node["sealed"] else {"name": [node["caption"]]}
        lines.append({"id": node["id"], "schema": schema, "properties": names})
    for e in graph.edges:
        kind = e["kind"]
        schema = ftm.get(kind)
        if schema is not None and schema.edge_source:
            ends = (schema.edge_source, schema.edge_target)
        elif kind == "Call":
            ends = ("caller", "receiver")
        else:
            kind, ends = "UnknownLink", ("subject", "object")
        props: dict[str, list[Any]] = {str(ends[0]): [e["src"]], str(ends[1]): [e["dst"]]}
        if e["start_date"]:
            props["date"] = [e["start_date"]]
        if e["label"] and kind == "UnknownLink":
            props["role"] = [e["label"]]
        lines.append({"id": f"edge-{e['id']}", "schema": kind, "properties": props})
    return "".join(json.dumps(line, sort_keys=True) + "\n" for line in lines)
