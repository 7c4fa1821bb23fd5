"""Roles and what they permit."""

from __future__ import annotations

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


def check_role(role: str) -> str:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of: {', '.join(ROLES)}")
    return role
