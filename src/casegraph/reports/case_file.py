"""The data of one case file. The case service fills it (every read audited); the
renderers in this package only lay it out."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from followthemoney import model as ftm

from casegraph.graph import counterparts
from casegraph.graph.counterparts import ACTIVITY_KINDS
from casegraph.model.amounts import measure
from casegraph.model.statements import StatementRow
from casegraph.subjects.profile import assemble

EVENTS_IN_FILE = 150  # single calls and payments in the appendix (the newest)


@dataclass
class Fact:
    prop: str  # FtM property name, e.g. "birthDate"
    label: str  # its label, e.g. "Birth date"
    value: str
    sources: list[str]  # the sources that state it


@dataclass
class CaseSubject:
    canonical_id: str
    caption: str
    schema: str
    role: str  # suspect, victim, witness, informant, other
    note: str
    sealed: bool
    facts: list[Fact]


@dataclass
class CaseFile:
    case: dict[str, Any]  # id, title, case_type, status, priority, legal_basis, predicate,
    #                       purpose, lead, team, review_on, created_at, created_by, closed_at
    members: list[dict[str, Any]]  # username, role
    subjects: list[CaseSubject]
    graph_nodes: list[dict[str, Any]]  # id, caption, schema, role (None if not linked)
    graph_edges: list[dict[str, Any]]  # src, dst, kind, label, sources
    timeline: list[dict[str, Any]]  # at, kind, summary, subject, sources
    evidence: list[dict[str, Any]]  # id, filename, sha256, size, media_type, added_at,
    #   added_by, integrity (intact|changed|missing), custody: [{at, actor, action, party, reason}]
    disclosures: list[dict[str, Any]]  # seq, at, actor, action, recipient
    recipient: str
    produced_by: str
    produced_at: datetime
    # title, html (already sanitised), updated_at, updated_by
    notes: list[dict[str, Any]] = field(default_factory=list)
    graph_left_out: int = 0  # subjects tied to the case's subjects but not in the graph
    # the graph's edges summed up by the store: one per pair of subjects, kind and
    # direction (see ``relationships``)
    relationships: list[dict[str, Any]] = field(default_factory=list)
    # the single calls and payments among the graph's subjects (see ``single_events``)
    events: list[dict[str, Any]] = field(default_factory=list)
    events_total: int = 0  # how many there are in all


def subjects_with_facts(
    links: Sequence[dict[str, Any]], rows: Sequence[StatementRow]
) -> list[CaseSubject]:
    """The case's subjects (its links: id, caption, schema, role, note, sealed) with their
    facts from ``rows``, each value once with every source that states it; a sealed
    subject shows none."""
    subjects = []
    for link in links:
        cid = link["canonical_id"]
        profile = assemble(cid, [r for r in rows if r.canonical_id == cid])
        facts: dict[tuple[str, str], Fact] = {}
        for fact in profile.facts if profile and not link["sealed"] else []:
            schema = ftm.get(profile.schema) if profile else None
            prop = schema.get(fact.prop) if schema else None
            key = (fact.prop, fact.value)
            if key not in facts:
                facts[key] = Fact(fact.prop, prop.label if prop else fact.prop, fact.value, [])
            if fact.source not in facts[key].sources:
                facts[key].sources.append(fact.source)
        subjects.append(
            CaseSubject(cid, link["caption"], link["schema"], link["role"], link["note"],
                        link["sealed"], list(facts.values()))
        )  # fmt: skip
    return subjects


def file_edges(edges: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The case graph's edges as the case file lists them."""
    return [
        {"src": e["src"], "dst": e["dst"], "kind": e["kind"], "label": e["label"] or "",
         "sources": e["sources"]}
        for e in edges
    ]  # fmt: skip


def relationships(
    rows: Iterable[Any], edges: Iterable[dict[str, Any]], captions: Mapping[str, str]
) -> list[dict[str, Any]]:
    """``store.edge_totals.among`` rows as one entry per pair of subjects, kind and
    direction: ``src`` (the payer, caller, owner; for an undirected kind either end),
    ``dst``, kind, way (``out`` from src to dst, ``both``), count, totals per unit
    (``{unit, amount, text}``: money per currency, call time), first and last date,
    sources, whether it is activity (calls, payments) and, for the other kinds, the
    labels of its edges (``edges``: the graph's edges, labels already withheld at sealed
    subjects). Relationships first (ownership, directorships, ... shared values last),
    then activity, most events first."""
    labels: dict[tuple[Any, ...], list[str]] = {}
    for edge in edges:
        if edge["kind"] in ACTIVITY_KINDS or not edge.get("label"):
            continue
        key = _pair(edge["src"], edge["dst"], edge["kind"], bool(edge.get("directed", True)))
        if edge["label"] not in labels.setdefault(key, []):
            labels[key].append(edge["label"])
    by_subject: dict[str, list[tuple[Any, ...]]] = {}
    for row in rows:
        by_subject.setdefault(str(row[0]), []).append(tuple(row[1:]))
    out = []
    for subject, items in by_subject.items():
        for group in counterparts.combine(items):
            item = {"src": subject, "dst": group.other, **group.to_dict()}
            del item["other"]
            activity = group.kind in ACTIVITY_KINDS
            key = _pair(subject, group.other, group.kind, group.way != "both")
            item["activity"] = activity
            item["labels"] = [] if activity else sorted(labels.get(key, []))
            out.append(item)

    def name(cid: str) -> str:
        return captions.get(cid, cid).casefold()

    def rank(item: dict[str, Any]) -> tuple[Any, ...]:
        kind = item["kind"]
        if item["activity"]:
            money = sum(t["amount"] for t in item["totals"] if t["unit"] not in (None, "s"))
            return (1, 0, "", -item["count"], -money, name(item["src"]), name(item["dst"]))
        place = counterparts.structure_place(kind)
        return (0, place, kind, 0, 0, name(item["src"]), name(item["dst"]))

    return sorted(out, key=rank)


def appendix(
    relations: Sequence[dict[str, Any]], events: Sequence[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The single ``events`` under the activity row of ``relations`` they add up to, in
    the order of those rows: ``{"rel": row, "events": [...]}``, groups without events
    left out."""
    groups: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for event in events:
        key = _pair(event["src"], event["dst"], event["kind"], event["directed"])
        groups.setdefault(key, []).append(event)
    out = []
    for rel in relations:
        if rel["activity"]:
            key = _pair(rel["src"], rel["dst"], rel["kind"], rel["way"] != "both")
            if groups.get(key):
                out.append({"rel": rel, "events": groups.pop(key)})
    for rest in groups.values():  # not summed up (cannot be, but never lose an event)
        first = rest[0]
        rel = {"src": first["src"], "dst": first["dst"], "kind": first["kind"],
               "way": "out" if first["directed"] else "both", "count": len(rest),
               "totals": [], "activity": True}  # fmt: skip
        out.append({"rel": rel, "events": rest})
    return out


def _pair(a: str, b: str, kind: str, directed: bool) -> tuple[Any, ...]:
    return (a, b, kind) if directed else (frozenset((a, b)), kind)


def single_events(
    edges: Iterable[dict[str, Any]], limit: int = EVENTS_IN_FILE
) -> tuple[list[dict[str, Any]], int]:
    """The calls and payments among ``edges`` (the graph's, as ``subgraph.edge_dict``
    gives them), the newest ``limit`` oldest first, each with its date, its ends as
    stored (payer to payee, caller to called), its amount as it reads (money with its
    currency, call time) and its sources; and how many there are in all."""
    found = [e for e in edges if e["kind"] in ACTIVITY_KINDS]
    found.sort(key=lambda e: (e.get("start_date") or "", e.get("id") or 0))
    chosen = found[-limit:] if limit > 0 else []
    return [
        {"at": e.get("start_date"), "src": e["src"], "dst": e["dst"], "kind": e["kind"],
         "directed": bool(e.get("directed", True)),
         "amount": measure(e.get("amount"), e.get("unit")), "label": e.get("label") or "",
         "sources": e["sources"]}
        for e in chosen
    ], len(found)  # fmt: skip
