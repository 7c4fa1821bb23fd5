"""The only entry point to subject data: ``Workspace.open(settings).session(ctx)``.

A session is one transaction bound to the caller's ``AccessContext``. Interfaces
(CLI, API, web) call the domain services that hang off it and never touch tables.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import OperationalError

from casegraph.access.context import AccessContext
from casegraph.config import Settings
from casegraph.export.ftm import write_entities
from casegraph.export.statements import write_statements
from casegraph.ingest.mapping import load_mapping
from casegraph.ingest.pipeline import Ingest, IngestSummary, Progress
from casegraph.ingest.readers import ReadOptions
from casegraph.model.sources import InvalidSource, Source
from casegraph.store import migrate, runs
from casegraph.store import sources as source_rows
from casegraph.store.engine import make_engine
from casegraph.store.statements import count_statements, iter_statements


class WorkspaceError(Exception):
    """A problem the operator can fix (no workspace, old schema, unknown source...)."""


def _describe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


class Workspace:
    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine

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

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def session(self, ctx: AccessContext) -> Iterator[Session]:
        with self.engine.connect() as conn:
            session = Session(self, conn, ctx)
            try:
                yield session
                conn.commit()
            except BaseException:
                conn.rollback()
                raise


class Session:
    """One transaction on behalf of one caller; domain services hang off it."""

    def __init__(self, workspace: Workspace, conn: Connection, ctx: AccessContext) -> None:
        self.workspace = workspace
        self.conn = conn
        self.ctx = ctx

    def commit(self) -> None:
        """Commit the work so far and go on in a new transaction (long jobs)."""
        self.conn.commit()

    def rollback(self) -> None:
        self.conn.rollback()

    @cached_property
    def sources(self) -> SourceService:
        return SourceService(self)

    @cached_property
    def ingest(self) -> IngestService:
        return IngestService(self)

    @cached_property
    def export(self) -> ExportService:
        return ExportService(self)


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
        if source_rows.get_source(self.s.conn, name) is not None:
            raise InvalidSource(f"source {name!r} already exists")
        source_rows.insert_source(self.s.conn, source)
        return source

    def get(self, name: str) -> Source | None:
        return source_rows.get_source(self.s.conn, name)

    def require(self, name: str) -> Source:
        source = self.get(name)
        if source is None:
            raise WorkspaceError(
                f"source {name!r} is not registered; add it first with "
                f"'casegraph source add {name} --title ... --team ... --marking ... "
                "--legal-basis ... --retention-days N'"
            )
        return source

    def list(self) -> list[tuple[Source, int]]:
        return [
            (source, count_statements(self.s.conn, source.name))
            for source in source_rows.list_sources(self.s.conn)
        ]


class IngestService:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _ingest(self, source: str, progress: Progress | None) -> Ingest:
        self.s.sources.require(source)
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
        return runs.iter_rejects(self.s.conn, run_id)

    def runs(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        return runs.list_runs(self.s.conn, source, limit)


class ExportService:
    def __init__(self, session: Session) -> None:
        self.s = session

    def _check(self, sources: Sequence[str] | None) -> None:
        for name in sources or []:
            self.s.sources.require(name)

    def ftm(self, out: TextIO, sources: Sequence[str] | None = None) -> int:
        self._check(sources)
        return write_entities(iter_statements(self.s.conn, sources), out)

    def statements(self, out: TextIO, sources: Sequence[str] | None = None) -> int:
        self._check(sources)
        return write_statements(iter_statements(self.s.conn, sources), out)
