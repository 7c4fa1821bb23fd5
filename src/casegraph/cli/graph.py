"""Search and link-analysis commands: ``search``, ``index ...``, ``graph ...``.
Registered on the main ``casegraph`` app by ``cli/__init__.py``."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Column, Table

from casegraph.cli.common import (
    CASE,
    JSON,
    JUSTIFICATION,
    app,
    err,
    fail,
    guarded,
    print_json,
    progress_bar,
    session,
)
from casegraph.cli.documents import print_document_hits
from casegraph.graph.analysis import MEASURES
from casegraph.graph.subgraph import EXPORT_FORMATS
from casegraph.model.amounts import measure
from casegraph.search.engine import FACETS
from casegraph.search.labels import (
    DOCUMENT_FACET_LABELS,
    document_value_label,
    facet_label,
    value_label,
)

index_app = typer.Typer(no_args_is_help=True, help="The search index and graph edges.")
graph_app = typer.Typer(no_args_is_help=True, help="Link analysis: neighbourhoods, paths, metrics.")
app.add_typer(index_app, name="index")
app.add_typer(graph_app, name="graph")
KINDS = typer.Option(
    [], "--kind", help="Only edges of this kind (Call, Payment, Ownership, same ...); repeatable."
)
SINCE = typer.Option(None, "--since", help="Only edges lasting until this date or later.")
UNTIL = typer.Option(None, "--until", help="Only edges starting on or before this date.")


def _marked(text: str) -> str:
    """Highlight HTML (<mark>) as terminal markup."""
    parts = re.split(r"(</?mark>)", text)
    styles = {"<mark>": "[bold yellow]", "</mark>": "[/]"}
    return "".join(styles.get(p) or escape(html.unescape(p)) for p in parts)


@app.command()
def search(
    query: str = typer.Argument(
        ..., help="e.g. 'maria \"banca rossi\" country:it -schema:Company'"
    ),
    page: int = typer.Option(1, help="Page of results (from 1)."),
    limit: int = typer.Option(20, help="Results per page (up to 100)."),
    facets: bool = typer.Option(True, "--facets/--no-facets", help="Show facet counts."),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Find subjects by name, identifier, phone, e-mail or address (typos forgiven)."""
    with session(case, justification) as s:
        results = guarded(lambda: s.search.search(query, page, limit, FACETS if facets else ()))
    if as_json:
        print_json(results.to_dict())
        return
    table = Table(
        Column("subject", overflow="fold"),
        "schema",
        Column("name, particulars", min_width=16),
        "sources",
        "matched",
        title=(f"{results.total:,} subjects; page {results.page}"),
    )
    for hit in results.hits:
        matched = "\n".join(_marked(h) for h in hit.highlights)
        told = "".join(f"\n[dim]{escape(line)}[/]" for line in hit.particulars.summary()[:-1])
        table.add_row(hit.id, hit.schema, escape(hit.caption) + told,
                      f"{len(hit.sources)}: " + ", ".join(hit.sources), matched)  # fmt: skip
    if results.hits:
        err.print(table)
    else:
        err.print("No subject matches.")
    for name, counts in results.facets.items():
        if counts:
            shown = ", ".join(f"{escape(value_label(name, v))} ({c:,})" for v, c in counts[:8])
            err.print(f"[bold]{escape(facet_label(name))}[/]: {shown}", highlight=False)
    if results.total > results.ranked:
        err.print(f"[dim]ranked the first {results.ranked:,} matches; narrow the query[/]")
    found = results.document_results
    if results.documents:
        print_document_hits(results.documents, found.total)
    for name, counts in found.facets.items():
        if counts:
            shown = ", ".join(f"{escape(document_value_label(name, v, found.labels))} ({c:,})"
                              + (f" [dim]{v}[/]" if name == "mentions" else "")
                              for v, c in counts[:8])  # fmt: skip
            err.print(f"[bold]Documents · {escape(DOCUMENT_FACET_LABELS[name])}[/]: {shown}",
                      highlight=False)  # fmt: skip
    if found.more:
        err.print("[dim]documents: counted among the first matches only; narrow the query[/]")


@index_app.command("refresh")
def index_refresh() -> None:
    """Re-index the subjects that ingest, resolution or erasure changed."""
    with session() as s, progress_bar() as progress:
        counts = guarded(lambda: s.index.refresh(progress))
    err.print(
        f"{counts['subjects']:,} subjects re-indexed: {counts['documents']:,} documents, "
        f"{counts['edges']:,} edges"
    )


@index_app.command("rebuild")
def index_rebuild() -> None:
    """Re-index every subject (safe to interrupt: run refresh to finish)."""
    with session() as s, progress_bar() as progress:
        counts = guarded(lambda: s.index.rebuild(progress))
    err.print(
        f"{counts['subjects']:,} subjects re-indexed: {counts['documents']:,} documents, "
        f"{counts['edges']:,} edges"
    )


@index_app.command("status")
def index_status() -> None:
    """How many subjects wait for re-indexing."""
    with session() as s:
        err.print(f"{s.index.pending():,} subjects wait for re-indexing")


def _print_graph(data: dict[str, Any]) -> None:
    nodes = {n["id"]: n for n in data["nodes"]}
    table = Table(
        "hop", Column("subject", overflow="fold"), "schema", "name", title=f"{len(nodes)} subjects"
    )
    for node in sorted(nodes.values(), key=lambda n: (n.get("hop", 0), n["caption"])):
        table.add_row(str(node.get("hop", "")), node["id"], node["schema"], escape(node["caption"]))
    err.print(table)
    edges = Table("from", "edge", "to", "date", "sources", title=f"{len(data['edges'])} edges")
    for e in data["edges"][:200]:
        edges.add_row(
            escape(nodes[e["src"]]["caption"]),
            e["kind"] + (f" ({e['label']})" if e["label"] else ""),
            escape(nodes[e["dst"]]["caption"]),
            e["start_date"] or "",
            ", ".join(e["sources"]),
        )
    err.print(edges)
    if data.get("truncated"):
        err.print(f"[yellow]capped: {data['left_out']:,} more neighbours left out[/]")


@graph_app.command("expand")
def graph_expand(
    subject: str,
    hops: int = typer.Option(2, help="How many steps out."),
    limit: int = typer.Option(500, help="At most this many subjects (nearest first)."),
    kind: list[str] = KINDS,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    source: list[str] = typer.Option([], "--source", help="Only edges from this source."),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """The neighbourhood of a subject, with the sources of every edge."""
    with session(case, justification) as s:
        graph = guarded(
            lambda: s.graph.expand(subject, hops, limit, kind, since, until, source or None)
        )
    data = graph.to_dict()
    print_json(data) if as_json else _print_graph(data)


@graph_app.command("path")
def graph_path(
    subject_a: str,
    subject_b: str,
    k: int = typer.Option(1, "-k", help="How many paths (shortest first)."),
    max_hops: int = typer.Option(6, help="Longest path to consider."),
    kind: list[str] = KINDS,
    since: str | None = SINCE,
    until: str | None = UNTIL,
    time_ordered: bool = typer.Option(
        False, "--time-ordered", help="Only paths whose dated steps follow one another in time."
    ),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """How two subjects connect: each step with its edges, dates and sources."""
    with session(case, justification) as s:
        found = guarded(
            lambda: s.graph.paths(
                subject_a, subject_b, k, max_hops, kind, since, until, time_ordered
            )
        )
    if as_json:
        print_json(found)
        return
    if not found:
        err.print(f"no path within {max_hops} hops")
        return
    for number, path in enumerate(found, 1):
        names = {n["id"]: n["caption"] for n in path["nodes"]}
        err.print(f"[bold]path {number}[/] ({path['hops']} hops)")
        for step in path["steps"]:
            err.print(f"  {escape(names[step['from']])} — {escape(names[step['to']])}",
                      highlight=False)  # fmt: skip
            for e in step["edges"][:5]:
                err.print("      " + escape(_edge_line(e, names)), highlight=False)
            if len(step["edges"]) > 5:
                err.print(f"      and {len(step['edges']) - 5:,} more", highlight=False)


def _edge_line(edge: dict[str, Any], names: dict[str, str]) -> str:
    """One edge as it happened: its kind, the direction as stored (payer -> beneficiary,
    caller -> receiver), its dates, amount and sources."""
    arrow = "->" if edge["directed"] else "—"
    dates = edge["start_date"] or ""
    if edge["end_date"] and edge["end_date"] != edge["start_date"]:
        dates += f" to {edge['end_date']}"
    parts = [edge["kind"] + (f" ({edge['label']})" if edge.get("label") else ""),
             f"{names.get(edge['src'], edge['src'])} {arrow} {names.get(edge['dst'], edge['dst'])}",
             dates, measure(edge["amount"], edge.get("unit")),
             f"[{', '.join(edge['sources'])}]"]  # fmt: skip
    return "  ".join(p for p in parts if p)


@graph_app.command("common")
def graph_common(
    subject_a: str,
    subject_b: str,
    kind: list[str] = KINDS,
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Subjects connected to both."""
    with session(case, justification) as s:
        found = guarded(lambda: s.graph.common(subject_a, subject_b, kind))
    if as_json:
        print_json(found)
        return
    for node in found:
        err.print(f"{node['id']}  {node['schema']}  {escape(node['caption'])}", highlight=False)
    err.print(f"{len(found)} in common")


def _scope(subject: str | None) -> dict[str, Any]:
    return {"subject": subject}


@graph_app.command("metrics")
def graph_metrics(
    measure: list[str] = typer.Option(
        ["degree", "betweenness", "pagerank"], "--measure", help=f"One of {', '.join(MEASURES)}."
    ),
    top: int = typer.Option(10, help="How many per measure."),
    subject: str | None = typer.Option(None, help="Around this subject (default: everything)."),
    hops: int = typer.Option(2, help="Steps out from --subject."),
    kind: list[str] = KINDS,
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """The most central subjects: degree, betweenness, eigenvector, PageRank."""
    with session(case, justification) as s:
        result = guarded(lambda: s.graph.metrics(measure, top, subject, hops, kind))
    if as_json:
        print_json(result)
        return
    err.print(f"{result['nodes']:,} subjects, {result['edges']:,} edges")
    for name, ranked in result["measures"].items():
        table = Table("subject", "name", name, title=name)
        for node in ranked:
            table.add_row(node["id"], escape(node["caption"]), f"{node['value']:.4g}")
        err.print(table)


@graph_app.command("communities")
def graph_communities(
    subject: str | None = typer.Option(None, help="Around this subject (default: everything)."),
    hops: int = typer.Option(2, help="Steps out from --subject."),
    kind: list[str] = KINDS,
    resolution: float = typer.Option(1.0, help="Louvain resolution: higher, smaller groups."),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Groups of subjects more connected among themselves than to the rest (Louvain)."""
    with session(case, justification) as s:
        result = guarded(lambda: s.graph.communities(subject, hops, kind, resolution))
    if as_json:
        print_json(result)
        return
    err.print(f"{len(result['communities'])} communities, modularity {result['modularity']}")
    for number, group in enumerate(result["communities"][:20], 1):
        names = ", ".join(escape(m["caption"]) for m in group["members"][:8])
        err.print(f"{number:>3}. {group['size']:>5}  {names}", highlight=False)


@graph_app.command("components")
def graph_components(
    kind: list[str] = KINDS,
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Connected groups of subjects, largest first."""
    with session(case, justification) as s:
        found = guarded(lambda: s.graph.components(kind))
    if as_json:
        print_json(found)
        return
    for number, group in enumerate(found[:20], 1):
        names = ", ".join(escape(m["caption"]) for m in group["members"][:8])
        err.print(f"{number:>3}. {group['size']:>5}  {names}", highlight=False)
    err.print(f"{len(found):,} components")


@graph_app.command("ownership")
def graph_ownership(
    subject: str,
    owners: bool = typer.Option(False, "--owners", help="Who owns it (default: what it owns)."),
    depth: int = typer.Option(6, help="Longest chain."),
    min_share: float = typer.Option(0.0, help="Leave out chains below this percentage."),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Indirect ownership: chains of holdings with their percentages multiplied."""
    direction = "owners" if owners else "owned"
    with session(case, justification) as s:
        result = guarded(lambda: s.graph.ownership(subject, direction, depth, min_share))
    if as_json:
        print_json(result)
        return
    table = Table("chain", "share %", title=f"{direction} by {result['subject']['caption']}")
    for chain in result["chains"]:
        names = " -> ".join(escape(n["caption"]) for n in chain["path"])
        table.add_row(names, "?" if chain["share"] is None else f"{chain['share']:.4g}")
    err.print(table)


@graph_app.command("activity")
def graph_activity(
    subject: str,
    kind: list[str] = typer.Option(["Call", "Payment"], "--kind", help="Edge kinds to count."),
    top: int = typer.Option(10, help="How many counterparts."),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Calls and payments: counts, totals (money per currency, call time), first and
    last contact, top counterparts."""
    with session(case, justification) as s:
        result = guarded(lambda: s.graph.activity(subject, kind, top))
    if as_json:
        print_json(result)
        return
    kinds = ", ".join(f"{c:,} {k}" for k, c in sorted(result["by_kind"].items()))
    totals = "; ".join(f"{t['kind']} {t['text']}" for t in result["totals"])
    err.print(f"{kinds or 'no events'}" + (f"; total {totals}" if totals else "")
              + (f"; from {result['first']} to {result['last']}" if result["first"] else ""),
              highlight=False)  # fmt: skip
    table = Table("counterpart", "name", "events", "in", "out", "total", "first", "last")
    for t in result["top"]:
        table.add_row(
            t["id"],
            escape(t["caption"]),
            f"{t['count']:,}",
            f"{t['in']:,}",
            f"{t['out']:,}",
            "\n".join(x["text"] for x in t["totals"]),
            t["first"] or "",
            t["last"] or "",
        )
    err.print(table)
    months = result["by_month"]
    if months:
        err.print("by month: " + ", ".join(f"{m} {c}" for m, c in months.items()))


@graph_app.command("export")
def graph_export(
    out: Path = typer.Option(..., "--out", help="File to write."),
    fmt: str = typer.Option("graphml", "--format", help=f"One of {', '.join(EXPORT_FORMATS)}."),
    subject: str | None = typer.Option(None, help="Around this subject (default: everything)."),
    hops: int = typer.Option(2, help="Steps out from --subject."),
    kind: list[str] = KINDS,
    recipient: str | None = typer.Option(None, help="Who receives the export (audited)."),
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Write the graph as GraphML, GEXF, Cytoscape JSON or FtM entities (a disclosure)."""
    if fmt not in EXPORT_FORMATS:
        raise fail(f"--format is one of: {', '.join(EXPORT_FORMATS)}")
    with session(case, justification) as s, out.open("wb") as handle:
        counts = guarded(lambda: s.graph.export(handle, fmt, subject, hops, kind, recipient))
    err.print(f"wrote {counts['nodes']:,} subjects and {counts['edges']:,} edges to {out}")
