"""What a reader is shown of the graph: subjects as nodes (caption, schema, sealed), edges
as the store reads them, the subgraph of one answer and its exports, and where the
walks read the structure (memory or store)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

import networkx as nx
from sqlalchemy.engine import Connection

from casegraph.errors import InvalidInput
from casegraph.model.visible import Visible
from casegraph.store import graph_store
from casegraph.store.adjacency import Adjacency
from casegraph.store.graph_store import EdgeFilter

SEALED = "sealed record"
EXPORT_FORMATS = ("graphml", "gexf", "cytoscape", "ftm")


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
     label, unit) = row  # fmt: skip
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
        "unit": unit,
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


def write(out: IO[bytes], graph: Subgraph, fmt: str) -> None:
    """Write ``graph`` as GraphML, GEXF, Cytoscape JSON or FtM entities."""
    if fmt not in EXPORT_FORMATS:
        raise InvalidInput(f"format is one of: {', '.join(EXPORT_FORMATS)}")
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
        out.write(ftm_lines(graph).encode())


def ftm_lines(graph: Subgraph) -> str:
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
