"""An audit ledger entry and its hash: SHA-256 over a canonical encoding, chained to the last."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

GENESIS = "0" * 64

# outcomes
OK, DENIED, FAILED = "ok", "denied", "failed"


@dataclass(frozen=True)
class Entry:
    seq: int
    at: datetime
    actor: str
    action: str
    case_id: str | None
    justification: str | None
    refs: dict[str, Any] = field(default_factory=dict)
    outcome: str = OK
    request_id: str | None = None
    prev_hash: str = GENESIS
    hash: str = ""

    def canonical(self) -> bytes:
        """The bytes that are hashed: every field but the hash, in a fixed encoding."""
        body = {
            "seq": self.seq,
            "at": self.at.isoformat(timespec="microseconds"),
            "actor": self.actor,
            "action": self.action,
            "case_id": self.case_id,
            "justification": self.justification,
            "refs": self.refs,
            "outcome": self.outcome,
            "request_id": self.request_id,
            "prev_hash": self.prev_hash,
        }
        return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()

    def sealed(self) -> Entry:
        """This entry with its hash filled in."""
        return Entry(**{**self.__dict__, "hash": self.compute_hash()})


# --- the registry of audit actions -------------------------------------------------------
# Every action the ledger may hold, by kind. The writers refuse any other name and the
# oversight and subject reports classify by this table, so the two cannot drift apart.
CONSULTATION = "consultation"  # a person read (or disclosed) subject data, for a purpose
PROCESSING = "processing"  # background work read subject data; no person saw it
CHANGE = "change"  # subject data or a judgement changed
CASE_WORK = "case"  # a case's own records read or changed by its members
ACCESS = "access"  # sign-in and refusals
ADMINISTRATION = "administration"  # users, teams, sources, tokens, the ledger itself

_CASE_EVENTS = ("opened", "updated", "status", "reviewed", "member.added", "member.removed",
                "subject.linked", "subject.updated", "subject.unlinked", "task.created",
                "task.updated", "note.created", "note.edited", "comment.added",
                "evidence.added", "evidence.custody")  # fmt: skip

ACTIONS: dict[str, str] = {
    **dict.fromkeys(
        ("statements.read", "profile.view", "search", "export", "subject.report", "unseal",
         "review.list", "review.show", "review.decide", "subject.merge", "subject.split",
         "clusters.export", "rejects.read", "graph.expand", "graph.path", "graph.common",
         "graph.ownership", "graph.activity", "graph.relations", "graph.events",
         "graph.metrics", "graph.communities", "graph.components", "graph.export",
         "case.subjects", "case.subject.link", "case.mentions", "oversight.names",
         "case.timeline", "case.timeline.edges", "case.report", "case.report.read",
         "case.report.graph", "case.evidence.download", "documents.search", "document.read",
         "document.page", "document.download", "mention.decide",
         "subject.documents", "screen.run", "leads.list", "leads.export", "lead.show",
         "lead.decide", "lead.link", "flags.run", "flags.list", "flag.show", "flag.decide",
         "flag.link"),
        CONSULTATION,
    ),
    **dict.fromkeys(
        ("index.read", "index.rebuild", "index.refresh", "resolve.read", "resolve.recluster",
         "graph.load", "documents.status", "screen.rescreen",
         "erasure.dry_run"),
        PROCESSING,
    ),
    **dict.fromkeys(
        ("ingest.start", "ingest.batch", "ingest.finish", "resolve.run", "review.decided", "seal",
         "erasure", "case.erasure", "documents.ingest", "documents.ingested", "documents.work",
         "documents.worked", "documents.retry", "documents.rescan", "screen.done", "flags.done"),
        CHANGE,
    ),
    **dict.fromkeys(
        ("case.read", "case.evidence.verify", "case.evidence.orphans",
         *(f"case.{kind}" for kind in _CASE_EVENTS)),
        CASE_WORK,
    ),
    **dict.fromkeys(("auth.login", "auth.logout", "access.denied"), ACCESS),
    **dict.fromkeys(
        ("user.add", "user.disable", "team.add", "team.add_member", "grant", "source.add",
         "token.create", "token.revoke", "audit.checkpoint", "audit.verify", "audit.report"),
        ADMINISTRATION,
    ),
}  # fmt: skip


def kind_of(action: str) -> str:
    """The kind of a registered action; an unregistered name is a programming error."""
    try:
        return ACTIONS[action]
    except KeyError:
        raise ValueError(
            f"audit action {action!r} is not in the registry (model/audit.py)"
        ) from None
