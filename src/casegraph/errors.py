"""Errors a user can cause, shared by every layer and the interfaces.

One root, ``CasegraphError``: each kind carries its HTTP status, its title and the
command line's exit code, so the API, the pages and the command line answer alike from
one table (an error that is not a ``CasegraphError`` is a defect: HTTP 500, logged).
"""

from __future__ import annotations


class CasegraphError(Exception):
    """An error the caller can fix; the message says what, and how."""

    status = 400
    title = "Bad request"
    exit_code = 2


class InvalidInput(CasegraphError, ValueError):
    """A value the caller gave cannot be used (a bad option, id, format or file)."""


class WorkspaceError(CasegraphError):
    """A problem the operator can fix (no workspace, old schema, unknown source...)."""


def not_registered(name: str) -> WorkspaceError:
    """One message for a source that does not exist and one the caller may not see."""
    return WorkspaceError(
        f"source {name!r} is not registered; add it first with "
        f"'casegraph source add {name} --title ... --team ... --marking ... "
        "--legal-basis ... --retention-days N'"
    )


class NotFound(WorkspaceError):
    """Nothing there, or nothing the caller may see: the two look the same."""

    status = 404
    title = "Not found"


class Unseen(NotFound):
    """Not there, or not the caller's to see (a case they are not a member of): answered
    as not found, and recorded as a refusal, the same entry either way."""

    def __init__(self, message: str, refs: dict[str, str]) -> None:
        super().__init__(message)
        self.refs = refs


def no_case(case_id: str) -> Unseen:
    """One answer, and one ledger entry, for a case that does not exist and a case the
    caller is not a member of."""
    return Unseen(
        f"no case {case_id!r} among your cases (a case shows to its members only)",
        {"case": case_id},
    )


class Forbidden(CasegraphError, PermissionError):
    """The caller may not do this (the access policy's refusals derive from it)."""

    status = 403
    title = "Forbidden"
    exit_code = 3


class Conflict(WorkspaceError):
    """A write based on a version someone else has changed since."""

    status = 409
    title = "Conflict"


class TooLarge(CasegraphError):
    """A request or file over the configured limit."""

    status = 413
    title = "Too large"
