"""The caller of a session: who acts, for which purpose, from which request."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field

from casegraph.errors import InvalidInput

CASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")
MAX_JUSTIFICATION = 2000


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
        if not self.actor or not self.actor.strip() or len(self.actor) > 128:
            raise InvalidInput("an access context needs a named actor (at most 128 characters)")
        if self.case_id is not None and not CASE_ID.match(self.case_id):
            raise InvalidInput(
                f"not a case id: {self.case_id[:40]!r} (letters, digits, '-', '_', '.'; "
                "at most 32 characters)"
            )
        if self.justification is not None and len(self.justification) > MAX_JUSTIFICATION:
            raise InvalidInput(f"a justification has at most {MAX_JUSTIFICATION} characters")
