"""Errors a user can fix, shared by the service layer and the interfaces."""

from __future__ import annotations


class WorkspaceError(Exception):
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


class Unseen(NotFound):
    """Not there, or not the caller's to see (a case they are not a member of): answered
    as not found, and recorded as a refusal, the same entry either way."""

    def __init__(self, message: str, refs: dict[str, str]) -> None:
        super().__init__(message)
        self.refs = refs
