"""Sources, ingest and export, for one session."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from casegraph.access import roles
from casegraph.errors import NotFound, WorkspaceError, not_registered
from casegraph.export.ftm import write_entities
from casegraph.export.statements import write_statements
from casegraph.ingest.mapping import load_mapping
from casegraph.ingest.pipeline import Ingest, IngestSummary, Progress
from casegraph.ingest.readers import ReadOptions
from casegraph.model.clock import utcnow
from casegraph.model.sources import InvalidSource, Source
from casegraph.model.statements import StatementRow
from casegraph.store import runs
from casegraph.store import sources as source_rows
from casegraph.store.statements import count_by_source

if TYPE_CHECKING:
    from casegraph.service import Session


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
            created_at=utcnow(),
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
        if name not in self.s.visible_sources():
            raise not_registered(name)
        return source

    def list_visible(self) -> list[tuple[Source, int]]:
        """The sources the caller is cleared for (metadata only: no purpose needed)."""
        visible = set(self.s.visible_sources())
        return [(source, count) for source, count in self.list() if source.name in visible]

    def list(self) -> list[tuple[Source, int]]:
        counts = count_by_source(self.s.conn)
        return [
            (source, counts.get(source.name, 0)) for source in source_rows.list_sources(self.s.conn)
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
        summary = self._ingest(name, progress).mapping(plan)
        self._after(name, progress)
        return summary

    def ftm(self, path: Path, source: str, progress: Progress | None = None) -> IngestSummary:
        if not Path(path).is_file():
            raise WorkspaceError(f"{path}: file not found")
        summary = self._ingest(source, progress).ftm(Path(path))
        self._after(source, progress)
        return summary

    def _after(self, source: str, progress: Progress | None) -> None:
        """What follows new statements: the index, then the screenings against the
        source (a list loaded again screens its scopes again)."""
        self.s.index.after_change(progress)
        if progress is None:
            self.s.leads.after_ingest(source)
        else:
            self.s.leads.after_ingest(source, progress)

    def rejects(self, run_id: int) -> Iterator[runs.Reject]:
        """A run's rejected rows (they hold raw source values): same gate as ingest."""
        self.s.require(roles.INGEST, "read ingest rejects")
        run = runs.run_of(self.s.conn, run_id)
        if run is None or run["source"] not in self.s.visible_sources():
            raise NotFound(f"no ingest run {run_id}")
        # a consultation; who loaded the file reads their own rejects without a purpose
        visible = self.s.consult("rejects.read", {"run": run_id}, [run["source"]],
                                 permission=roles.INGEST,
                                 purpose=run["operator"] != self.s.ctx.actor)  # fmt: skip
        return runs.iter_rejects(self.s.conn, visible, run_id)

    def runs(self, source: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        visible = set(self.s.visible_sources())
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
