"""Administration (users, teams, clearances, tokens) and the audit ledger."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    from casegraph.service import Session

from sqlalchemy.engine import Connection

from casegraph.access import identities, roles
from casegraph.access.identities import User
from casegraph.access.policy import AccessDenied
from casegraph.audit.checkpoint import Checkpoint, read_checkpoint, signing_key, write_checkpoint
from casegraph.audit.report import select_entries, write_report
from casegraph.audit.verify import Verdict, verify
from casegraph.errors import NotFound, Unseen
from casegraph.graph.subgraph import SEALED
from casegraph.model.audit import Entry
from casegraph.store import graph_store
from casegraph.store import ledger as ledger_rows


class IdentityService:
    """Users, teams, clearances and tokens: administrators only, every change recorded."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def _admin(self, doing: str) -> Connection:
        self.s.require(roles.ADMIN, doing)
        return self.s.conn

    def add_user(self, username: str, display_name: str, role: str, password: str) -> User:
        user = identities.add_user(self._admin("add users"), username, display_name, role, password)
        self.s.record("user.add", {"user": username, "role": role})
        return user

    def list_users(self) -> list[User]:
        return identities.list_users(self._admin("list users"))

    def disable_user(self, username: str) -> None:
        identities.disable_user(self._admin("disable users"), username)
        self.s.record("user.disable", {"user": username})

    def list_teams(self) -> list[dict[str, Any]]:
        """Teams with their members and clearances."""
        return identities.list_teams(self._admin("list teams"))

    def add_team(self, name: str, title: str) -> None:
        identities.add_team(self._admin("add teams"), name, title)
        self.s.record("team.add", {"team": name})

    def add_member(self, team: str, username: str) -> None:
        identities.add_member(self._admin("change team members"), team, username)
        self.s.record("team.add_member", {"team": team, "user": username})

    def grant(self, team: str, marking: str) -> bool:
        changed = identities.grant(self._admin("grant clearances"), team, marking, self.s.ctx.actor)
        self.s.record("grant", {"team": team, "marking": marking, "changed": changed})
        return changed

    def create_token(self, username: str, days: int) -> tuple[str, datetime]:
        """Users create their own tokens; only the local operator (who holds the store's
        credentials anyway) may create one for somebody else, e.g. to bootstrap."""
        if username != self.s.ctx.actor and not self.s.principal.local:
            raise AccessDenied("a token can only be created by the user it belongs to")
        token, expires = identities.create_token(self.s.conn, username, days)
        self.s.record("token.create", {"user": username, "expires": expires.isoformat()})
        return token, expires

    def list_tokens(self, username: str | None = None) -> list[identities.Token]:
        """Administrators see every token (or one user's), anyone else their own: ids,
        owners and dates, never a token itself (only its hash is kept)."""
        if not self.s.principal.can(roles.ADMIN):
            if username not in (None, self.s.ctx.actor):
                raise AccessDenied("only an administrator lists other users' tokens")
            username = self.s.ctx.actor
        return identities.list_tokens(self.s.conn, username)

    def revoke_token(self, token_id: str) -> identities.Token:
        """Revoke one token (by its id, or the whole token): administrators any, users
        their own. A token that is not the caller's is answered like one that does not
        exist, and the attempt recorded as a refusal."""
        token = identities.get_token(self.s.conn, token_id)
        mine = token is not None and token.username == self.s.ctx.actor
        if not (mine or self.s.principal.can(roles.ADMIN)):
            shown = identities.token_id_of(token_id)[:16]
            raise Unseen(f"no token {shown!r}", {"token": shown})
        if token is None:
            raise NotFound(f"no token {identities.token_id_of(token_id)[:16]!r}; "
                           "'casegraph token list' shows them")  # fmt: skip
        changed = identities.revoke_token(self.s.conn, token.id)
        self.s.record("token.revoke", {"token": token.id, "user": token.username,
                                       "changed": changed})  # fmt: skip
        return identities.get_token(self.s.conn, token.id) or token


class LedgerService:
    """Reading the ledger is itself recorded; only auditors (and the operator) may."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def _read(self, action: str, refs: dict[str, Any]) -> Iterator[Entry]:
        self.s.require(roles.READ_AUDIT, "read the audit log")
        self.s.record(action, refs)
        return ledger_rows.iter_entries(self.s.conn)

    def verify(self, checkpoint_files: Sequence[Path] = ()) -> Verdict:
        key = signing_key(self.s.workspace.key_dir)
        checkpoints = [read_checkpoint(path, key) for path in checkpoint_files]
        refs = {"checkpoints": [c.seq for c in checkpoints]}
        return verify(self._read("audit.verify", refs), checkpoints)

    def checkpoint(self, out: Path) -> Checkpoint:
        self.s.require(roles.READ_AUDIT, "checkpoint the audit log")
        seq, head_hash = ledger_rows.head(self.s.conn)
        checkpoint = write_checkpoint(signing_key(self.s.workspace.key_dir), seq, head_hash, out)
        self.s.record("audit.checkpoint", {"seq": seq, "hash": head_hash})
        return checkpoint

    def subject_names(self, ids: Sequence[str]) -> dict[str, str]:
        """The names of subjects that ledger entries hold by id, for a reader of the
        ledger who may read them (docs/security.md, "Oversight and names"): only under
        a purpose (a written justification, or a case) and only from the sources the
        reader's teams are cleared for; "sealed record" for a sealed subject. Nothing
        (and no look-up) without both; otherwise one look-up, recorded as a
        consultation of those subjects (``oversight.names``)."""
        self.s.require(roles.READ_AUDIT, "read the audit log")
        wanted = sorted(set(ids))
        ctx = self.s.ctx
        if not wanted or not (ctx.case_id or roles.justified(ctx.justification)):
            return {}
        if not self.s.visible_sources():
            return {}
        visible = self.s.consult("oversight.names", {"subjects": wanted},
                                 permission=roles.READ_AUDIT)  # fmt: skip
        known = graph_store.cards(self.s.conn, wanted, visible, date.today().isoformat())
        names = {}
        for cid, (caption, _, sealed) in known.items():
            if sealed or caption is not None:
                names[cid] = SEALED if sealed else str(caption)
        return names

    def report(
        self,
        out: TextIO,
        fmt: str = "csv",
        *,
        user: str | None = None,
        subject: str | None = None,
        case_id: str | None = None,
        kind: str = "all",
    ) -> int:
        refs = {"user": user, "subject": subject, "case": case_id, "kind": kind}
        entries = self._read("audit.report", {k: v for k, v in refs.items() if v})
        chosen = select_entries(entries, user=user, subject=subject, case_id=case_id, kind=kind)
        return write_report(chosen, out, fmt)
