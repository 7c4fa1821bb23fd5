"""The caller of a session: who acts, for which purpose, from which request."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class AccessContext:
    actor: str
    purpose: str | None = None
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    def __post_init__(self) -> None:
        if not self.actor or not self.actor.strip():
            raise ValueError("an access context needs a named actor")
