"""Writing to the ledger, in the caller's transaction: no work commits without its entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from casegraph.access.context import AccessContext
from casegraph.model.audit import OK, Entry, kind_of
from casegraph.model.clock import utcnow
from casegraph.store import ledger


class AuditWriter:
    """Appends entries for one session; every entry carries the session's purpose."""

    def __init__(self, conn: Connection, ctx: AccessContext) -> None:
        self.conn = conn
        self.ctx = ctx
        self.written = 0

    def record(
        self,
        action: str,
        refs: dict[str, Any] | None = None,
        outcome: str = OK,
        actor: str | None = None,
    ) -> Entry:
        kind_of(action)  # only registered actions: the reports classify by the registry
        ledger.lock(self.conn)
        seq, prev = ledger.head(self.conn)
        entry = Entry(
            seq=seq + 1,
            at=utcnow(),
            actor=actor or self.ctx.actor,
            action=action,
            case_id=self.ctx.case_id,
            justification=self.ctx.justification,
            refs=refs or {},
            outcome=outcome,
            request_id=self.ctx.request_id,
            prev_hash=prev,
        ).sealed()
        ledger.insert(self.conn, entry)
        self.written += 1
        return entry
