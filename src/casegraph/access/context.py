"""The caller of a session: who acts, for which purpose, from which request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AccessContext:
    """Who is asking (``actor``), why (a case or a written justification), and the
    request it belongs to. ``local`` marks the command line on the store's own host."""

    actor: str
    case_id: str | None = None
    justification: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    local: bool = False

    def __post_init__(self) -> None:
        if not self.actor or not self.actor.strip():
            raise ValueError("an access context needs a named actor")

    @property
    def purpose(self) -> str:
        if self.case_id:
            return f"case {self.case_id}"
        return self.justification or "no purpose given"
