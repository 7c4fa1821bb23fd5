"""Users (argon2-hashed passwords), teams, clearances and API tokens."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from casegraph.access.roles import check_role
from casegraph.errors import InvalidInput
from casegraph.model.clock import utcnow
from casegraph.model.sources import MARKING_RE
from casegraph.model.written import visible_length
from casegraph.store.tables import (
    api_tokens,
    team_grants,
    team_members,
    teams,
    users,
    web_sessions,
)

NAME_RE = re.compile(r"^[a-z][a-z0-9_.-]{1,63}$")
MIN_PASSWORD = 12
# The test suite alone sets this variable, to this value, to hash at argon2's cheapest
# (tests/conftest.py; docs/operations.md). Any other value, or none, is the default cost.
CHEAP_PASSWORD_HASHING = "CASEGRAPH_TEST_CHEAP_PASSWORD_HASHING"
CHEAP_PASSWORD_HASHING_VALUE = "insecure-for-tests-only"


def make_hasher(environ: Mapping[str, str]) -> PasswordHasher:
    """argon2 at its default cost, unless ``environ`` asks for the tests' cheap one.
    Either checks every hash, whatever the cost it was made at: argon2 writes its
    parameters into the hash."""
    if environ.get(CHEAP_PASSWORD_HASHING) == CHEAP_PASSWORD_HASHING_VALUE:
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


@cache
def _hasher() -> PasswordHasher:
    """The process's hasher, chosen from the environment at its first use."""
    return make_hasher(os.environ)


class IdentityError(InvalidInput):
    """A request about users, teams or tokens that cannot be done; says why."""


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    disabled: bool
    teams: tuple[str, ...] = ()


def _check_name(kind: str, name: str) -> str:
    if not NAME_RE.match(name):
        raise IdentityError(
            f"{kind} name {name!r} must be 2-64 lower-case letters, digits, '.', '_' or '-'"
        )
    return name


def add_user(conn: Connection, username: str, display_name: str, role: str, password: str) -> User:
    _check_name("user", username)
    try:
        check_role(role)
    except ValueError as exc:
        raise IdentityError(str(exc)) from exc
    if visible_length(password) < MIN_PASSWORD:  # twelve spaces are no password
        raise IdentityError(
            f"a password needs at least {MIN_PASSWORD} characters other than spaces "
            "(and other characters that do not show)"
        )
    if get_user(conn, username) is not None:
        raise IdentityError(f"user {username!r} already exists")
    conn.execute(
        insert(users).values(
            username=username,
            display_name=display_name or username,
            role=role,
            password_hash=_hasher().hash(password),
            disabled=0,
            created_at=utcnow(),
        )
    )
    return User(username, display_name or username, role, False)


def get_user(conn: Connection, username: str) -> User | None:
    row = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    if row is None:
        return None
    member_of = conn.execute(
        select(team_members.c.team).where(team_members.c.username == username).order_by("team")
    ).scalars()
    return User(row["username"], row["display_name"], row["role"], bool(row["disabled"]),
                tuple(member_of))  # fmt: skip


def list_users(conn: Connection) -> list[User]:
    names = conn.execute(select(users.c.username).order_by(users.c.username)).scalars().all()
    return [u for u in (get_user(conn, n) for n in names) if u is not None]


def disable_user(conn: Connection, username: str) -> None:
    if get_user(conn, username) is None:
        raise IdentityError(f"no user {username!r}")
    conn.execute(update(users).where(users.c.username == username).values(disabled=1))
    conn.execute(update(api_tokens).where(api_tokens.c.username == username).values(revoked=1))


def check_password(conn: Connection, username: str, password: str) -> User | None:
    """The user if the password is right and the account active, else None."""
    if not verify_password(password_hash(conn, username), password):
        return None
    return get_user(conn, username)


def password_hash(conn: Connection, username: str) -> str | None:
    """The stored hash of an active user (None for unknown or disabled users)."""
    row = conn.execute(
        select(users.c.password_hash, users.c.disabled).where(users.c.username == username)
    ).first()
    return None if row is None or row.disabled else row.password_hash


def verify_password(stored: str | None, password: str) -> bool:
    """Check a password against a stored hash; as slow for a missing hash as for a
    wrong password, so timing does not tell which user names exist."""
    if not stored:
        _hasher().hash(password)
        return False
    try:
        return bool(_hasher().verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


def add_team(conn: Connection, name: str, title: str) -> None:
    _check_name("team", name)
    if conn.execute(select(teams.c.name).where(teams.c.name == name)).first():
        raise IdentityError(f"team {name!r} already exists")
    conn.execute(insert(teams).values(name=name, title=title or name, created_at=utcnow()))


def _require_team(conn: Connection, name: str) -> None:
    if not conn.execute(select(teams.c.name).where(teams.c.name == name)).first():
        raise IdentityError(f"no team {name!r}; create it with 'casegraph team add {name}'")


def add_member(conn: Connection, team: str, username: str) -> None:
    _require_team(conn, team)
    if get_user(conn, username) is None:
        raise IdentityError(f"no user {username!r}")
    exists = conn.execute(
        select(team_members).where(team_members.c.team == team, team_members.c.username == username)
    ).first()
    if not exists:
        conn.execute(insert(team_members).values(team=team, username=username))


def grant(conn: Connection, team: str, marking: str, by: str) -> bool:
    """Clear ``team`` for ``marking``; False when it already was."""
    if not MARKING_RE.match(marking):
        raise IdentityError(
            f"marking {marking[:50]!r} must be upper-case letters, digits, '-' or '_' "
            "(at most 40), e.g. FIU-RESTRICTED"
        )
    _require_team(conn, team)
    exists = conn.execute(
        select(team_grants).where(team_grants.c.team == team, team_grants.c.marking == marking)
    ).first()
    if exists:
        return False
    conn.execute(insert(team_grants).values(team=team, marking=marking, granted_by=by,
                                            granted_at=utcnow()))  # fmt: skip
    return True


def list_teams(conn: Connection) -> list[dict[str, Any]]:
    """Every team with its title, members and the markings it is cleared for."""
    members: dict[str, list[str]] = {}
    for team, username in conn.execute(select(team_members.c.team, team_members.c.username)):
        members.setdefault(str(team), []).append(str(username))
    cleared: dict[str, list[str]] = {}
    for team, marking in conn.execute(select(team_grants.c.team, team_grants.c.marking)):
        cleared.setdefault(str(team), []).append(str(marking))
    return [
        {"name": str(name), "title": str(title), "members": sorted(members.get(name, [])),
         "markings": sorted(cleared.get(name, []))}
        for name, title in conn.execute(select(teams.c.name, teams.c.title).order_by(teams.c.name))
    ]  # fmt: skip


def markings_of(conn: Connection, username: str) -> frozenset[str]:
    query = (
        select(team_grants.c.marking)
        .join(team_members, team_members.c.team == team_grants.c.team)
        .where(team_members.c.username == username)
    )
    return frozenset(conn.execute(query).scalars())


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(conn: Connection, username: str, days: int) -> tuple[str, datetime]:
    """A new API token; only its hash is stored, so it is shown once."""
    user = get_user(conn, username)
    if user is None or user.disabled:
        raise IdentityError(f"no active user {username!r}")
    if not 1 <= days <= 366:
        raise IdentityError("a token lives between 1 and 366 days")
    token_id = secrets.token_hex(4)
    token = f"cg_{token_id}_{secrets.token_urlsafe(32)}"
    expires = utcnow() + timedelta(days=days)
    conn.execute(
        insert(api_tokens).values(id=token_id, username=username, token_hash=_token_hash(token),
                                  created_at=utcnow(), expires_at=expires, revoked=0)
    )  # fmt: skip
    return token, expires


@dataclass(frozen=True)
class Token:
    """What is kept of an API token: never the token itself."""

    id: str
    username: str
    created_at: datetime
    expires_at: datetime
    revoked: bool

    def state(self, now: datetime) -> str:
        return "revoked" if self.revoked else "expired" if self.expires_at < now else "active"


def token_id_of(value: str) -> str:
    """A token's id, from the id itself or from the whole token (``cg_<id>_<secret>``),
    so that a token found where it should not be can be revoked as it is."""
    value = value.strip()
    if value.startswith("cg_") and value.count("_") >= 2:
        return value.split("_", 2)[1]
    return value


def list_tokens(conn: Connection, username: str | None = None) -> list[Token]:
    """Tokens (of ``username``, or everyone's), the newest first."""
    query = select(api_tokens.c.id, api_tokens.c.username, api_tokens.c.created_at,
                   api_tokens.c.expires_at, api_tokens.c.revoked)  # fmt: skip
    if username is not None:
        query = query.where(api_tokens.c.username == username)
    rows = conn.execute(query.order_by(api_tokens.c.created_at.desc(), api_tokens.c.id))
    return [Token(r.id, r.username, r.created_at, r.expires_at, bool(r.revoked)) for r in rows]


def get_token(conn: Connection, token_id: str) -> Token | None:
    row = conn.execute(
        select(api_tokens.c.id, api_tokens.c.username, api_tokens.c.created_at,
               api_tokens.c.expires_at, api_tokens.c.revoked)
        .where(api_tokens.c.id == token_id_of(token_id))
    ).first()  # fmt: skip
    return None if row is None else Token(row.id, row.username, row.created_at,
                                          row.expires_at, bool(row.revoked))  # fmt: skip


def revoke_token(conn: Connection, token_id: str) -> bool:
    """Revoke one token for good; False when it already was."""
    changed = conn.execute(
        update(api_tokens)
        .where(api_tokens.c.id == token_id_of(token_id), api_tokens.c.revoked == 0)
        .values(revoked=1)
    ).rowcount
    return bool(changed)


def user_for_token(conn: Connection, token: str) -> User | None:
    row = conn.execute(
        select(api_tokens.c.username, api_tokens.c.expires_at, api_tokens.c.revoked).where(
            api_tokens.c.token_hash == _token_hash(token)
        )
    ).first()
    if row is None or row.revoked or row.expires_at < utcnow():
        return None
    user = get_user(conn, row.username)
    return user if user is not None and not user.disabled else None


SESSION_HOURS = 12


def open_web_session(conn: Connection, username: str) -> tuple[str, str]:
    """A new sign-in session: (session secret for the cookie, CSRF token)."""
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
    conn.execute(
        insert(web_sessions).values(
            id_hash=_token_hash(secret), username=username, csrf=csrf, created_at=utcnow(),
            expires_at=utcnow() + timedelta(hours=SESSION_HOURS),
        )
    )  # fmt: skip
    return secret, csrf


def web_session(conn: Connection, secret: str) -> tuple[User, str] | None:
    """The user and CSRF token of a live session, or None."""
    row = (
        conn.execute(select(web_sessions).where(web_sessions.c.id_hash == _token_hash(secret)))
        .mappings()
        .first()
    )
    if row is None or row["expires_at"] < utcnow():
        return None
    user = get_user(conn, row["username"])
    if user is None or user.disabled:
        return None
    return user, str(row["csrf"])


def close_web_session(conn: Connection, secret: str) -> None:
    conn.execute(delete(web_sessions).where(web_sessions.c.id_hash == _token_hash(secret)))
