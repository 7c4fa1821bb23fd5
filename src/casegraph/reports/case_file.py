"""The data of one case file. The case service fills it (every read audited); the
renderers in this package only lay it out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
