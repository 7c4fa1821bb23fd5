"""Sources: named datasets with an owning team, a marking, a legal basis and retention."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from casegraph.errors import InvalidInput

NAME_RE = re.compile(r"^[a-z][a-z0-9_]{1,62}$")
MARKING_RE = re.compile(r"^[A-Z][A-Z0-9_-]{1,39}$")
MAX_RETENTION_DAYS = 365 * 30


def case_compartment(case_id: str) -> str:
    """The compartment of a case's evidence read as documents: where its documents are
    kept in place of a source, seen by the case's members only (never a source's name:
    those have no colon)."""
    return f"case:{case_id}"


def is_case_compartment(name: str) -> bool:
    return name.startswith("case:")


def where_kept(source: str) -> str:
    """A document's source as people read it: a case's evidence says so."""
    case = source.removeprefix("case:")
    return f"evidence of case {case}" if case != source else source


class InvalidSource(InvalidInput):
    """A source definition a user gave is not acceptable; the message says why."""


@dataclass(frozen=True)
class Source:
    name: str
    title: str
    team: str
    marking: str
    legal_basis: str
    retention_days: int
    created_at: datetime | None = None
    created_by: str | None = None

    def validate(self) -> Source:
        if not NAME_RE.match(self.name):
            raise InvalidSource(
                f"source name {self.name!r} must be 2-63 lower-case letters, digits or "
                "underscores, starting with a letter (e.g. 'company_registry')"
            )
        if not MARKING_RE.match(self.marking):
            raise InvalidSource(
                f"marking {self.marking!r} must be upper-case letters, digits, '-' or '_' "
                "(e.g. 'PUBLIC', 'FIU-RESTRICTED')"
            )
        if not self.title.strip():
            raise InvalidSource("a source needs a title")
        if not self.team.strip():
            raise InvalidSource("a source needs an owning team")
        if len(self.legal_basis.strip()) < 5:
            raise InvalidSource("a source needs a written legal basis (--legal-basis)")
        if not 1 <= self.retention_days <= MAX_RETENTION_DAYS:
            raise InvalidSource(
                f"retention must be between 1 and {MAX_RETENTION_DAYS} days, "
                f"not {self.retention_days}"
            )
        return self
