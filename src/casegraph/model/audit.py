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
