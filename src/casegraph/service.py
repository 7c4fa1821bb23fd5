"""The only entry point to subject data: ``Workspace.open(settings).session(ctx)``.

A session is one transaction bound to the caller's ``AccessContext``. Interfaces
(CLI, API, web) call the domain services that hang off it and never touch tables.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError

from casegraph.access import identities, policy, roles
from casegraph.access.context import AccessContext
from casegraph.access.identities import User
from casegraph.access.policy import AccessDenied
from casegraph.access.protected import check_fields
from casegraph.audit.ledger import AuditWriter
from casegraph.config import Settings
from casegraph.errors import NotFound, Unseen, WorkspaceError, not_registered
from casegraph.model.audit import DENIED
from casegraph.model.sources import case_compartment
from casegraph.model.statements import StatementRow, StatementValue
from casegraph.model.visible import Visible, gate
from casegraph.store import adjacency, migrate, sealing, search_bitmaps
from casegraph.store import cases as case_rows
from casegraph.store import sources as source_rows
from casegraph.store.engine import make_engine
from casegraph.store.private import private_sqlite_file
from casegraph.store.statements import iter_statements, iter_values
from casegraph.subjects.profile import is_minor, redact


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
        self.bitmaps = search_bitmaps.Cache()  # facet bitmaps read so far, by version
        # the graph's structure, once read (each read in the background is recorded)
        self.adjacency = adjacency.Held(engine, on_read=self._record_graph_read)

    def _record_graph_read(self, held: adjacency.Adjacency) -> None:
        """The graph read into memory is processing of subject data: on the record."""
        ctx = AccessContext(actor=self.settings.operator, local=True)
        with self._connect() as conn:
            AuditWriter(conn, ctx).record(
                "graph.load", {"epoch": held.epoch, "edges": held.edge_count, "processing": True}
            )
            conn.commit()

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
                private_sqlite_file(path)  # the folder 0700, the store 0600
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
            except (AccessDenied, Unseen) as exc:
                conn.rollback()
                refs = {"reason": str(exc), **(exc.refs if isinstance(exc, Unseen) else {})}
                AuditWriter(conn, ctx).record("access.denied", refs, DENIED)
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
        entity_ids: Sequence[str] | None = None,
        canonical_ids: Sequence[str] | None = None,
    ) -> Iterator[StatementRow]:
        """A person's read of statements: ``consult`` (purpose, clearances, the ledger
        entry), then ``statements``. Sealed subjects are reduced to the fact that they
        exist (only their id statements pass; names of sealed people are dropped from
        the ``namesMentioned`` of their relations). Profiles read with
        ``redact_sealed=False`` and redact (or unseal) themselves.

        ``disclose`` commits the audit entry before the first row leaves: a disclosure
        that fails half-way (a closed pipe, a full disk) stays on the record."""
        visible = self.consult(action, refs, sources)
        if redact_sealed and visible:
            visible.sealed  # noqa: B018 (read before the commit below, under the same view)
        if disclose:
            self.commit()
        return self.statements(
            visible, canonical_id, entity_ids, canonical_ids, redact_sealed=redact_sealed
        )

    def statements(
        self,
        visible: Visible,
        canonical_id: str | None = None,
        entity_ids: Sequence[str] | None = None,
        canonical_ids: Sequence[str] | None = None,
        redact_sealed: bool = True,
    ) -> Iterator[StatementRow]:
        """The statements ``visible`` grants (of the subjects or entities asked for)."""
        if not visible:
            return iter(())
        rows = iter_statements(self.conn, visible, canonical_id=canonical_id,
                               entity_ids=entity_ids, canonical_ids=canonical_ids)  # fmt: skip
        return redact(rows, visible.sealed) if redact_sealed else rows

    def statement_values(
        self, visible: Visible, entity_ids: Sequence[str] | None = None
    ) -> Iterator[StatementValue]:
        """The values of the statements ``visible`` grants (of ``entity_ids``, ordered by
        entity), without their provenance and unredacted: what processing that reads
        every statement (resolution) needs of them."""
        if not visible:
            return iter(())
        return iter_values(self.conn, visible, entity_ids)

    def consult(
        self,
        action: str,
        refs: dict[str, Any] | None = None,
        sources: Sequence[str] | None = None,
        case: str | None = None,
        permission: str = roles.READ_SUBJECTS,
        purpose: bool = True,
    ) -> Visible:
        """The gate of every read (or write) of subject data by a person, statements or
        what is derived from them (search index, edges, resolved entities, judgements):
        checks the permission and the purpose, records the consultation, and returns
        what the reader may see (of ``sources``, if given; naming an invisible one fails
        as if it did not exist). ``case``: the read is part of that case's own pages,
        whose membership is its purpose. ``permission`` and ``purpose`` are for the
        few reads of raw source values that are not subject data as such (an ingest's
        own rejected rows, read back by who loaded them)."""
        self.require(permission, "read subject data")
        if purpose:
            policy.check_purpose(self.conn, self.principal, self.ctx, case)
        return self._grant(action, refs, sources, self.visible_sources(), processing=False)

    def process(
        self,
        action: str,
        permission: str,
        refs: dict[str, Any] | None = None,
        every_source: bool = False,
    ) -> Visible:
        """The gate of background work whose output no person reads here (indexing,
        resolution, retention, the graph read into memory): needs the job's own
        ``permission``, not a purpose, and is recorded as processing. It sees the
        caller's cleared sources, or with ``every_source`` all of them (derived data
        that must follow every change: the index and the edges, read only through
        ``consult`` later)."""
        self.require(permission, f"run {action}")
        every = (source_rows.source_names(self.conn) if every_source
                 else self.visible_sources())  # fmt: skip
        return self._grant(action, refs, None, every, processing=True, complete=every_source)

    def _grant(
        self,
        action: str,
        refs: dict[str, Any] | None,
        sources: Sequence[str] | None,
        visible: Sequence[str],
        processing: bool,
        complete: bool = False,
    ) -> Visible:
        wanted = [name for name in (sources or visible) if name in visible]
        for name in sources or []:
            if name not in visible:
                raise not_registered(name)  # the same answer as for a missing source
        note = {**(refs or {}), "sources": wanted}
        if processing:
            note["processing"] = True
        entry = self.audit.record(action, note)
        return Visible(wanted, entry.seq, processing, self._sealed_now, gate(), complete)

    def with_cases(self, visible: Visible) -> Visible:
        """``visible`` and the compartments of the caller's cases (their evidence read
        as documents: ``model.sources.case_compartment``), under the same entry: for the
        reads and writes of documents, which case members see as they see the case."""
        cases = case_rows.case_ids_of(self.conn, self.principal.username)
        mine = [case_compartment(c) for c in cases]
        if not mine:
            return visible
        return self._regranted(visible, [*visible.sources, *mine])

    def narrowed(self, visible: Visible, sources: Iterable[str]) -> Visible:
        """What ``visible`` grants of ``sources`` alone, under the same entry (work kept
        to a part of what the gate granted, such as one case's evidence)."""
        wanted = set(sources)
        return self._regranted(visible, [s for s in visible.sources if s in wanted])

    def _regranted(self, visible: Visible, sources: list[str]) -> Visible:
        """``sources`` under the entry ``visible`` was granted with."""
        return Visible(sources, visible.entry, visible.processing, self._sealed_now, gate())

    def _sealed_now(self) -> frozenset[str]:
        sealed = self.sealed_ids()
        return frozenset(sealed | sealing.entity_ids_of(self.conn, sealed))

    def visible_sources(self) -> list[str]:
        """The sources whose statements this caller's clearances let them see."""
        return policy.visible_sources(self.conn, self.principal)

    def check_filter_fields(self, fields: Sequence[str]) -> None:
        """Refuse filters or facets on the configured protected attributes (search and
        every other feature that filters or groups subjects calls this)."""
        check_fields(fields, self.workspace.settings.protected_attributes)

    def sealed_among(self, ids: set[str]) -> set[str]:
        """Those of ``ids`` (source entities, as links name them, or subjects) whose
        subject is sealed: flagged, or under 18 today by any recorded birth date. For a
        few ids at a time; ``sealed_ids`` reads every subject's."""
        if not ids:
            return set()
        subject_of = dict(sealing.links_of(self.conn, ids))
        subjects = set(subject_of.values()) | (ids - subject_of.keys())
        today = date.today()
        sealed = sealing.flagged_among(self.conn, subjects) | {
            cid for cid, births in sealing.birth_dates_of(self.conn, subjects).items()
            if is_minor(births, today)
        }  # fmt: skip
        return {i for i in ids if subject_of.get(i, i) in sealed}

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
    def resolve(self) -> ResolveService:
        return ResolveService(self)

    @cached_property
    def review(self) -> ReviewService:
        return ReviewService(self)

    @cached_property
    def index(self) -> IndexService:
        return IndexService(self)

    @cached_property
    def search(self) -> SearchService:
        return SearchService(self)

    @cached_property
    def graph(self) -> GraphService:
        return GraphService(self)

    @cached_property
    def cases(self) -> CaseService:
        return CaseService(self)

    @cached_property
    def identities(self) -> IdentityService:
        return IdentityService(self)

    @cached_property
    def ledger(self) -> LedgerService:
        return LedgerService(self)

    @cached_property
    def documents(self) -> DocumentService:
        return DocumentService(self)

    @property
    def mentions(self) -> MentionService:
        return MentionService(self)

    @cached_property
    def leads(self) -> LeadService:
        return LeadService(self)

    @cached_property
    def flags(self) -> FlagService:
        return FlagService(self)


# the services import this module only for type checking, so they can come last
from casegraph.services.cases import CaseService  # noqa: E402
from casegraph.services.data import ExportService, IngestService, SourceService  # noqa: E402
from casegraph.services.documents import DocumentService  # noqa: E402
from casegraph.services.flags import FlagService  # noqa: E402
from casegraph.services.graph import GraphService  # noqa: E402
from casegraph.services.index import IndexService  # noqa: E402
from casegraph.services.leads import LeadService  # noqa: E402
from casegraph.services.mentions import MentionService  # noqa: E402
from casegraph.services.oversight import IdentityService, LedgerService  # noqa: E402
from casegraph.services.resolution import ResolveService  # noqa: E402
from casegraph.services.review import ReviewService  # noqa: E402
from casegraph.services.search import SearchService  # noqa: E402
from casegraph.services.subjects import RetentionService, SubjectService  # noqa: E402

__all__ = ["NotFound", "Session", "Workspace", "WorkspaceError", "not_registered"]
