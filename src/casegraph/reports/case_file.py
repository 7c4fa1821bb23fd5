"""The data of one case file. The case service fills it (every read audited); the
renderers in this package only lay it out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from followthemoney import model as ftm

from casegraph.model.statements import StatementRow
from casegraph.subjects.profile import assemble


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
