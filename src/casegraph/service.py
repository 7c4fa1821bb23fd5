"""The only entry point to subject data: ``Workspace.open(settings).session(ctx)``.

A session is one transaction bound to the caller's ``AccessContext``. Interfaces
(CLI, API, web) call the domain services that hang off it and never touch tables.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError

from casegraph.access import identities, policy, roles
from casegraph.access.context import AccessContext
from casegraph.access.identities import User
from casegraph.access.policy import AccessDenied, PurposeRequired
from casegraph.audit.checkpoint import Checkpoint, read_checkpoint, signing_key, write_checkpoint
from casegraph.audit.ledger import AuditWriter
from casegraph.audit.report import select_entries, write_report
from casegraph.audit.verify import Verdict, verify
from casegraph.config import Settings
from casegraph.export.ftm import write_entities
from casegraph.export.statements import write_statements
from casegraph.ingest.mapping import load_mapping
from casegraph.ingest.pipeline import Ingest, IngestSummary, Progress
from casegraph.ingest.readers import ReadOptions
from casegraph.model.audit import DENIED, Entry
from casegraph.model.sources import InvalidSource, Source
from casegraph.model.statements import StatementRow
from casegraph.store import ledger as ledger_rows
from casegraph.store import migrate, retention, runs, sealing
from casegraph.store import sources as source_rows
from casegraph.store.engine import make_engine
from casegraph.store.statements import count_statements, iter_statements
from casegraph.subjects.profile import Profile, assemble, is_minor, redact, scrub_mentions


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


def _describe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


class Workspace:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        # SQLite has one writer at a time and every session writes (its audit entries).
        # Threads of one process queue on this lock and wake as soon as it is free,
        # instead of polling SQLite's busy handler with growing sleeps.
        self._writer = threading.Lock() if engine.dialect.name == "sqlite" else None

    @contextmanager
    def _connect(self) -> Iterator[Connection]:
        if self._writer is None:
            with self.engine.connect() as conn:
                yield conn
            return
        with self._writer, self.engine.connect() as conn:
            yield conn

    @classmethod
    def _engine(cls, settings: Settings, create: bool) -> Engine:
        url = settings.store_url
        if make_url(url).get_backend_name() == "sqlite":
            path = Path(make_url(url).database or "")
            if create:
                path.parent.mkdir(parents=True, exist_ok=True)
            elif not path.exists():
                raise WorkspaceError(
                    f"no workspace in {settings.data_dir}; create one with 'casegraph init'"
                )
        return make_engine(url)

    @classmethod
    def init(cls, settings: Settings) -> tuple[Workspace, str | None, str | None]:
        """Create (or migrate) the workspace; returns it with the revisions before/after."""
        engine = cls._engine(settings, create=True)
        try:
            before, after = migrate.upgrade(engine)
        except OperationalError as exc:
            raise WorkspaceError(
                f"cannot reach the store at {_describe(settings.store_url)}: {exc.orig}"
            ) from exc
        return cls(settings, engine), before, after

    @classmethod
    def open(cls, settings: Settings) -> Workspace:
        engine = cls._engine(settings, create=False)
        try:
            current = migrate.current_revision(engine)
        except OperationalError as exc:
            raise WorkspaceError(
                f"cannot reach the store at {_describe(settings.store_url)}: {exc.orig}"
            ) from exc
        head = migrate.head_revision()
        if current is None:
            raise WorkspaceError("the store has no casegraph tables; run 'casegraph init'")
        if current != head:
            raise WorkspaceError(
                f"the store is at revision {current}, this casegraph needs {head}; "
                "run 'casegraph db upgrade'"
            )
        return cls(settings, engine)

    # --- authentication, for the HTTP interface -------------------------------------

    def sign_in(self, username: str, password: str, request_id: str) -> tuple[str, str] | None:
        """Check a password; (session secret, CSRF token) on success. Both outcomes are
        recorded; a failure says nothing about whether the user exists."""
        ctx = AccessContext(actor=username or "-", request_id=request_id)
        with self.engine.connect() as conn:  # a short read; argon2 runs outside it
            stored = identities.password_hash(conn, username)
            conn.rollback()
        valid = identities.verify_password(stored, password)
        with self._connect() as conn:
            user = identities.get_user(conn, username) if valid else None
            writer = AuditWriter(conn, ctx)
            if user is None or user.disabled:
                writer.record("auth.login", {"user": username}, DENIED)
                conn.commit()
                return None
            secret, csrf = identities.open_web_session(conn, user.username)
            writer.record("auth.login", {"user": user.username})
            conn.commit()
            return secret, csrf

    def sign_out(self, secret: str, username: str, request_id: str) -> None:
        with self._connect() as conn:
            identities.close_web_session(conn, secret)
            AuditWriter(conn, AccessContext(actor=username, request_id=request_id)).record(
                "auth.logout"
            )
            conn.commit()

    def user_for_session(self, secret: str) -> tuple[User, str] | None:
        with self._connect() as conn:
            return identities.web_session(conn, secret)

    def user_for_token(self, token: str) -> User | None:
        with self._connect() as conn:
            return identities.user_for_token(conn, token)

    @property
    def key_dir(self) -> Path:
        """Where workspace secrets live (the checkpoint signing key)."""
        return self.settings.data_dir

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self, ctx: AccessContext) -> Iterator[Session]:
        """One transaction for ``ctx``: policy and audit writer bound to the caller.

        A refusal is itself recorded: the work rolls back, and a ``denied`` entry
        is committed on its own before the error reaches the caller.
        """
        with self._connect() as conn:
            try:
                session = Session(self, conn, ctx)
                yield session
                conn.commit()
            except AccessDenied as exc:
                conn.rollback()
                AuditWriter(conn, ctx).record("access.denied", {"reason": str(exc)}, DENIED)
                conn.commit()
                raise
            except BaseException:
                conn.rollback()
                raise


class Session:
    """One transaction on behalf of one caller; domain services hang off it."""

    def __init__(self, workspace: Workspace, conn: Connection, ctx: AccessContext) -> None:
        self.workspace = workspace
        self.conn = conn
        self.ctx = ctx
        self.audit = AuditWriter(conn, ctx)
        self.principal = policy.resolve(conn, ctx, local=ctx.local)

    def commit(self) -> None:
        """Commit the work so far and go on in a new transaction (long jobs)."""
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    def record(self, action: str, refs: dict[str, Any] | None = None) -> None:
        """Add an audit entry to the current transaction."""
        self.audit.record(action, refs)

    def require(self, permission: str, doing: str) -> None:
        self.principal.require(permission, doing)

    def subject_statements(
        self,
        sources: Sequence[str] | None = None,
        action: str = "statements.read",
        refs: dict[str, Any] | None = None,
        canonical_id: str | None = None,
        redact_sealed: bool = True,
        disclose: bool = False,
    ) -> Iterator[StatementRow]:
        """The one read path for statements: needs a purpose, sees cleared sources only,
        records the consultation before any row is returned, and reduces sealed
        subjects to the fact that they exist (only their id statements pass; names of
        sealed people are dropped from the ``namesMentioned`` of their relations).
        Profiles read with ``redact_sealed=False`` and redact (or unseal) themselves.

        ``disclose`` commits the audit entry before the first row leaves: a disclosure
        that fails half-way (a closed pipe, a full disk) stays on the record."""
        self.require(roles.READ_SUBJECTS, "read subject data")
        policy.check_purpose(self.conn, self.principal, self.ctx)
        visible = policy.visible_sources(self.conn, self.principal)
        wanted = [name for name in (sources or visible) if name in visible]
        for name in sources or []:
            if name not in visible:
                raise not_registered(name)  # the same answer as for a missing source
        self.record(action, {**(refs or {}), "sources": wanted})
        sealed = self.sealed_ids() if redact_sealed else set()
        if disclose:
            self.commit()
        if not wanted:
            return iter(())
        rows = iter_statements(self.conn, wanted, canonical_id=canonical_id)
        return redact(rows, sealed) if redact_sealed else rows

    def sealed_ids(self) -> set[str]:
        """Canonical ids of flagged subjects and of anyone under 18 today by any record."""
        today = date.today()
        minors = {cid for cid, births in sealing.birth_dates_by_subject(self.conn)
                  if is_minor(births, today)}  # fmt: skip
        return sealing.flagged_ids(self.conn) | minors

    @cached_property
    def sources(self) -> SourceService:
        return SourceService(self)

    @cached_property
    def ingest(self) -> IngestService:
        return IngestService(self)

    @cached_property
    def export(self) -> ExportService:
        return ExportService(self)

    @cached_property
    def subjects(self) -> SubjectService:
        return SubjectService(self)

    @cached_property
    def retention(self) -> RetentionService:
        return RetentionService(self)

    @cached_property
    def identities(self) -> IdentityService:
        return IdentityService(self)

    @cached_property
    def ledger(self) -> LedgerService:
        return LedgerService(self)


class SourceService:
    def __init__(self, session: Session) -> None:
        self.s = session

    def add(
        self,
        name: str,
        *,
        title: str,
        team: str,
        marking: str,
        legal_basis: str,
        retention_days: int,
    ) -> Source:
        source = Source(
            name=name,
            title=title,
            team=team,
            marking=marking,
            legal_basis=legal_basis,
            retention_days=retention_days,
            created_at=datetime.now(UTC).replace(tzinfo=None),
            created_by=self.s.ctx.actor,
        ).validate()
        self.s.require(roles.ADMIN, "register sources")
        if source_rows.get_source(self.s.conn, name) is not None:
            raise InvalidSource(f"source {name!r} already exists")
        source_rows.insert_source(self.s.conn, source)
        self.s.record("source.add", {"source": name, "marking": source.marking})
        return source

    def get(self, name: str) -> Source | None:
        return source_rows.get_source(self.s.conn, name)

    def require(self, name: str) -> Source:
        source = self.get(name)
        if source is None:
            raise not_registered(name)
        return source

    def require_visible(self, name: str) -> Source:
        """A registered source the caller is cleared for; otherwise the same error as
        for a source that does not exist."""
        source = self.require(name)
        if name not in policy.visible_sources(self.s.conn, self.s.principal):
            raise not_registered(name)
        return source

    def list_visible(self) -> list[tuple[Source, int]]:
        """The sources the caller is cleared for (metadata only: no purpose needed)."""
        visible = set(policy.visible_sources(self.s.conn, self.s.principal))
        return [(source, count) for source, count in self.list() if source.name in visible]

    def list(self) -> list[tuple[Source, int]]:
        return [
            (source, count_statements(self.s.conn, source.name))
            for source in source_rows.list_sources(self.s.conn)
        ]


class IngestService:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _ingest(self, source: str, progress: Progress | None) -> Ingest:
        self.s.require(roles.INGEST, "ingest data")
        self.s.sources.require_visible(source)
        return Ingest(
            self.s,
            source=source,
            operator=self.s.ctx.actor,
            batch_size=self.s.workspace.settings.ingest_batch_size,
            progress=progress,
        )

    def mapping(
        self,
        path: Path,
        source: str | None = None,
        options: ReadOptions | None = None,
        progress: Progress | None = None,
    ) -> IngestSummary:
        plan = load_mapping(path, source, options)
        name = source or plan.dataset
        if name is None:
            raise WorkspaceError(
                f"{path} is a bare query without a dataset name; say which source with --source"
            )
        return self._ingest(name, progress).mapping(plan)

    def ftm(self, path: Path, source: str, progress: Progress | None = None) -> IngestSummary:
        if not Path(path).is_file():
            raise WorkspaceError(f"{path}: file not found")
        return self._ingest(source, progress).ftm(Path(path))

    def rejects(self, run_id: int) -> Iterator[runs.Reject]:
        """A run's rejected rows (they hold raw source values): same gate as ingest."""
        self.s.require(roles.INGEST, "read ingest rejects")
        source = runs.source_of(self.s.conn, run_id)
        if source is None:
            raise NotFound(f"no ingest run {run_id}")
        self.s.sources.require_visible(source)
        self.s.record("rejects.read", {"run": run_id, "source": source})
        return runs.iter_rejects(self.s.conn, run_id)

    def runs(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        visible = set(policy.visible_sources(self.s.conn, self.s.principal))
        return [r for r in runs.list_runs(self.s.conn, source, limit) if r["source"] in visible]


class ExportService:
    """Exports are disclosures: recorded with their recipient before any data leaves."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def _rows(
        self, fmt: str, sources: Sequence[str] | None, recipient: str | None
    ) -> Iterator[StatementRow]:
        self.s.require(roles.EXPORT, "export subject data")
        refs = {"format": fmt, "recipient": recipient or self.s.ctx.actor}
        return self.s.subject_statements(sources, action="export", refs=refs, disclose=True)

    def ftm(
        self, out: TextIO, sources: Sequence[str] | None = None, recipient: str | None = None
    ) -> int:
        return write_entities(self._rows("ftm", sources, recipient), out)

    def statements(
        self, out: TextIO, sources: Sequence[str] | None = None, recipient: str | None = None
    ) -> int:
        return write_statements(self._rows("statements", sources, recipient), out)


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


class SubjectService:
    """Profiles: every value with its source; sealed records redacted unless unsealed."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def profile(self, subject_id: str, unseal: bool = False) -> Profile:
        rows = self.s.subject_statements(
            action="profile.view",
            refs={"subject": subject_id},
            canonical_id=subject_id,
            redact_sealed=False,  # the profile shows initials, or unseals, itself
        )
        profile = assemble(subject_id, scrub_mentions(rows, self._sealed_among))
        if profile is None:
            raise NotFound(f"no subject {subject_id!r}")
        profile.sealed = self._sealed(profile)
        if profile.sealed and unseal:
            self.s.require(roles.UNSEAL, "unseal records")
            why = (self.s.ctx.justification or "").strip()
            if len(why) < roles.MIN_JUSTIFICATION:
                raise PurposeRequired(
                    f"unsealing needs a written justification of at least "
                    f"{roles.MIN_JUSTIFICATION} characters, even under a case"
                )
            self.s.record("unseal", {"subject": subject_id, "reason": profile.sealed})
            profile.unsealed = True
        return profile

    def _sealed_among(self, ids: set[str]) -> set[str]:
        return {i for i in ids if self._sealed_reason(i)}

    def _sealed(self, profile: Profile) -> str | None:
        return self._sealed_reason(profile.id)

    def _sealed_reason(self, subject_id: str) -> str | None:
        if sealing.flag_of(self.s.conn, subject_id) is not None:
            return "flagged"
        # judged on every recorded birth date, including ones the reader cannot see
        if is_minor(sealing.birth_dates(self.s.conn, subject_id), date.today()):
            return "minor"
        return None

    def report(self, subject_id: str) -> dict[str, Any]:
        """Everything held on one subject and every consultation of it (subject access)."""
        self.s.require(roles.UNSEAL, "report on a subject")
        profile = self.profile(subject_id)
        if profile.sealed:  # the full report of a sealed record is an unsealing
            profile = self.profile(subject_id, unseal=True)
        consultations = [
            {"seq": e.seq, "at": e.at.isoformat(timespec="seconds"), "actor": e.actor,
             "action": e.action, "case_id": e.case_id, "justification": e.justification,
             "outcome": e.outcome}
            for e in ledger_rows.iter_entries(self.s.conn)
            if e.refs.get("subject") == subject_id
        ]  # fmt: skip
        self.s.record("subject.report", {"subject": subject_id})
        return {"subject": profile.to_dict(), "consultations": consultations}

    def seal(self, subject_id: str, reason: str) -> None:
        self.s.require(roles.UNSEAL, "seal records")
        if len(reason.strip()) < 5:
            raise WorkspaceError("say why the record is sealed (--reason)")
        sealing.flag(self.s.conn, subject_id, reason, self.s.ctx.actor)
        self.s.record("seal", {"subject": subject_id})


class RetentionService:
    """Erase statements past their source's retention; the erasure is recorded with
    counts and a digest, never the erased ids or values."""

    def __init__(self, session: Session) -> None:
        self.s = session

    def run(self, dry_run: bool = False) -> list[dict[str, Any]]:
        self.s.require(roles.ADMIN, "erase data")
        now = datetime.now(UTC).replace(tzinfo=None)
        done = []
        for source, cutoff, count, entities in retention.expired(self.s.conn, now):
            item = {"source": source, "before": cutoff.isoformat(timespec="seconds"),
                    "statements": count, "entities": entities}  # fmt: skip
            if not dry_run:
                item["statements"] = retention.erase(self.s.conn, source, cutoff)
                self.s.record("erasure", item)
            done.append(item)
        if dry_run:
            self.s.record("erasure.dry_run", {"sources": [d["source"] for d in done]})
        return done
