"""Roles and what they permit; how much a justification must say."""

from __future__ import annotations

from casegraph.errors import InvalidInput
from casegraph.model.written import visible_length

READ_SUBJECTS = "read_subjects"
INGEST = "ingest"
EXPORT = "export"
RESOLVE = "resolve"
UNSEAL = "unseal"
READ_AUDIT = "read_audit"
ADMIN = "admin"
MANAGE_CASES = "manage_cases"

ROLES: dict[str, frozenset[str]] = {
    "viewer": frozenset({READ_SUBJECTS}),
    "analyst": frozenset({READ_SUBJECTS, INGEST, EXPORT, RESOLVE, MANAGE_CASES}),
    "supervisor": frozenset({READ_SUBJECTS, INGEST, EXPORT, RESOLVE, UNSEAL, MANAGE_CASES}),
    "auditor": frozenset({READ_AUDIT}),
    "admin": frozenset({ADMIN, INGEST, READ_AUDIT}),
}
LOCAL_OPERATOR = frozenset(
    {READ_SUBJECTS, INGEST, EXPORT, RESOLVE, UNSEAL, READ_AUDIT, ADMIN, MANAGE_CASES}
)
MIN_JUSTIFICATION = 20


def justified(text: str | None) -> bool:
    """Whether ``text`` is a written justification: ``MIN_JUSTIFICATION`` characters
    that show (twenty zero-width spaces are not one). Every check of a justification
    (purpose, unsealing, the web's purpose prompt) asks this."""
    return visible_length(text) >= MIN_JUSTIFICATION


def check_role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    return role
