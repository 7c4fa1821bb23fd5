"""The policy: who may do what, see which sources, and for which purpose.

A ``Principal`` is resolved once per session from the caller's ``AccessContext``.
Statement reads are filtered to the sources whose marking one of the principal's
teams is cleared for; that filter is applied where statements are read (the
session), never by each feature.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from casegraph.access.context import AccessContext
from casegraph.access.identities import get_user, markings_of
from casegraph.access.roles import LOCAL_OPERATOR, MIN_JUSTIFICATION, ROLES, justified
from casegraph.errors import Forbidden
from casegraph.model.written import visible_length
from casegraph.store.tables import case_members, sources


class AccessDenied(Forbidden):
    """The caller may not do this; the message says what is missing, never what exists."""


class PurposeRequired(AccessDenied):
    """Reading subject data needs a case the reader belongs to, or a justification."""

    title = "Purpose required"


@dataclass(frozen=True)
class Principal:
    username: str
    role: str
    permissions: frozenset[str]
    markings: frozenset[str] | None  # None: every marking (the local operator)
    local: bool = False

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def require(self, permission: str, doing: str) -> None:
        if not self.can(permission):
            raise AccessDenied(f"{self.username} ({self.role}) may not {doing}")


def resolve(conn: Connection, ctx: AccessContext, local: bool) -> Principal:
    """The principal behind ``ctx``.

    Over the command line, an actor that is not a registered user is the local
    operator: whoever can run the CLI against the store already holds the database
    credentials, so it is treated as an administrator cleared for every marking
    (and audited by name). A registered user is held to their role and clearances
    on every interface.
    """
    user = get_user(conn, ctx.actor)
    if user is None:
        if local:
            return Principal(ctx.actor, "operator", LOCAL_OPERATOR, None, local=True)
        raise AccessDenied("unknown user")
    if user.disabled:
        raise AccessDenied(f"user {user.username} is disabled")
    return Principal(user.username, user.role, ROLES[user.role], markings_of(conn, user.username))


def visible_sources(conn: Connection, principal: Principal) -> list[str]:
    query = select(sources.c.name).order_by(sources.c.name)
    if principal.markings is not None:
        query = query.where(sources.c.marking.in_(sorted(principal.markings)))
    return list(conn.execute(query).scalars())


def check_purpose(
    conn: Connection, principal: Principal, ctx: AccessContext, case: str | None = None
) -> None:
    """Subject data is read under a case the reader belongs to (the context's, or
    ``case`` when the read is part of that case's own pages), or a written
    justification."""
    case_id = ctx.case_id or case
    if case_id:
        member = conn.execute(
            select(case_members.c.role).where(
                case_members.c.case_id == case_id,
                case_members.c.username == principal.username,
            )
        ).first()
        if member is None:
            # the same answer whether the case exists or not: no case is revealed
            raise AccessDenied(f"{principal.username} is not a member of case {case_id!r}")
        return
    if justified(ctx.justification):
        return
    if ctx.justification:
        raise PurposeRequired(
            f"a justification needs at least {MIN_JUSTIFICATION} characters that show "
            f"(got {visible_length(ctx.justification)})"
        )
    raise PurposeRequired(
        "reading subject data needs a purpose: a case you are a member of (--case ID) "
        f"or a written justification of at least {MIN_JUSTIFICATION} characters "
        "(--justification TEXT)"
    )
