"""The ``casegraph`` command line (typer + rich)."""

from __future__ import annotations

import csv
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from casegraph.access.context import AccessContext
from casegraph.config import Settings
from casegraph.ingest.mapping import MappingError
from casegraph.ingest.pipeline import IngestInterrupted, IngestSummary
from casegraph.ingest.readers import ReadOptions
from casegraph.model.sources import InvalidSource
from casegraph.service import Session, Workspace, WorkspaceError

app = typer.Typer(no_args_is_help=True, add_completion=False, help=__doc__)
db_app = typer.Typer(no_args_is_help=True, help="Store schema migrations.")
source_app = typer.Typer(no_args_is_help=True, help="Register and list sources.")
app.add_typer(db_app, name="db")
app.add_typer(source_app, name="source")

err = Console(stderr=True, soft_wrap=True)
USER_ERRORS = (MappingError, WorkspaceError, InvalidSource, ValueError, OSError)
T = TypeVar("T")


class State:
    settings: Settings = Settings()


state = State()


@app.callback()
def main_options(
    data_dir: Path | None = typer.Option(
        None, "--data-dir", help="Workspace folder (default ./casegraph-data)."
    ),
    database_url: str | None = typer.Option(
        None, "--database-url", help="Store URL; env CASEGRAPH_DATABASE_URL. Default: SQLite."
    ),
    operator: str | None = typer.Option(
        None, "--operator", help="Name recorded as the actor (default: your login)."
    ),
) -> None:
    """casegraph: investigative case management with an accountable audit trail."""
    overrides: dict[str, Any] = {}
    if data_dir is not None:
        overrides["data_dir"] = data_dir
    if database_url is not None:
        overrides["database_url"] = database_url
    if operator is not None:
        overrides["operator"] = operator
    state.settings = Settings(**overrides)


def fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


def guarded(fn: Callable[[], T]) -> T:
    """Run ``fn``; errors a user can cause become a message and an exit code."""
    try:
        return fn()
    except typer.Exit:
        raise
    except USER_ERRORS as exc:
        raise fail(str(exc)) from None


@contextmanager
def session() -> Iterator[Session]:
    workspace = guarded(lambda: Workspace.open(state.settings))
    try:
        ctx = AccessContext(actor=state.settings.operator, purpose="local operator (CLI)")
        with workspace.session(ctx) as s:
            yield s
    finally:
        workspace.close()


@app.command()
def init() -> None:
    """Create a workspace (or bring an existing one up to date)."""
    workspace, before, after = guarded(lambda: Workspace.init(state.settings))
    workspace.close()
    where = (state.settings.database_url and "the configured database") or state.settings.data_dir
    if before == after:
        err.print(f"Workspace in {where} is up to date (revision {after}).")
    else:
        err.print(f"Workspace ready in {where} (revision {before or 'none'} -> {after}).")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply pending migrations to the store."""
    init()


@source_app.command("add")
def source_add(
    name: str = typer.Argument(..., help="Short name, e.g. company_registry."),
    title: str = typer.Option(..., help="Human-readable title."),
    team: str = typer.Option(..., help="Owning team."),
    marking: str = typer.Option(..., help="Sensitivity marking, e.g. PUBLIC, FIU-RESTRICTED."),
    legal_basis: str = typer.Option(..., help="Legal basis for holding this data."),
    retention_days: int = typer.Option(..., help="Review/retention period in days."),
) -> None:
    """Register a source."""
    with session() as s:
        source = guarded(
            lambda: s.sources.add(
                name,
                title=title,
                team=team,
                marking=marking,
                legal_basis=legal_basis,
                retention_days=retention_days,
            )
        )
    err.print(f"Source [bold]{source.name}[/] added ({source.marking}, team {source.team}).")


@source_app.command("list")
def source_list() -> None:
    """List sources with their marking and statement counts."""
    with session() as s:
        rows = s.sources.list()
    table = Table("name", "title", "team", "marking", "retention", "statements")
    for source, count in rows:
        table.add_row(
            source.name,
            source.title,
            source.team,
            source.marking,
            f"{source.retention_days} d",
            f"{count:,}",
        )
    Console().print(table)


@contextmanager
def progress_bar() -> Iterator[Callable[[str, int, int], None]]:
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=False,
        disable=not err.is_terminal and not os.environ.get("CASEGRAPH_PROGRESS"),
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def update(label: str, position: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = bar.add_task(label, total=max(total, 1))
            bar.update(tasks[label], completed=position, total=max(total, 1))

        yield update


def print_summary(summary: IngestSummary) -> None:
    table = Table(title=f"ingest run {summary.run_id}: {summary.source} ({summary.status})")
    for column in ("records read", "entities", "statements written", "new", "rejected"):
        table.add_column(column, justify="right")
    table.add_row(
        f"{summary.records_read:,}",
        f"{summary.entities:,}",
        f"{summary.statements:,}",
        f"{summary.new_statements:,}",
        f"{summary.rejected:,}",
    )
    err.print(table)


def write_rejects(s: Session, run_id: int, out: Path) -> int:
    count = 0
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "line", "field", "value", "reason"])
        for r in s.ingest.rejects(run_id):
            writer.writerow([r.file, r.line, r.field or "", r.value or "", r.reason])
            count += 1
    return count


class Format(StrEnum):
    csv = "csv"
    tsv = "tsv"
    xlsx = "xlsx"
    jsonl = "jsonl"


@app.command()
def ingest(
    mapping: Path | None = typer.Argument(None, help="FollowTheMoney mapping (YAML)."),
    source: str | None = typer.Option(None, help="Source name (default: the mapping's dataset)."),
    ftm: Path | None = typer.Option(None, "--ftm", help="Load FtM entities (JSON lines)."),
    encoding: str | None = typer.Option(None, help="Text encoding of the input (default: detect)."),
    delimiter: str | None = typer.Option(None, help="Column delimiter (default: detect)."),
    file_format: Format | None = typer.Option(None, "--format", help="Override the file format."),
    rejects: Path | None = typer.Option(None, "--rejects", help="Write rejected rows to CSV."),
) -> None:
    """Load a source through a mapping (or FtM entities) into the statement store."""
    if (mapping is None) == (ftm is None):
        raise fail("give either a MAPPING.yml or --ftm FILE")
    if ftm is not None and source is None:
        raise fail("--ftm needs --source NAME")
    options = ReadOptions(
        format=file_format.value if file_format else None, encoding=encoding, delimiter=delimiter
    )
    with session() as s:
        try:
            with progress_bar() as progress:
                if ftm is not None:
                    assert source is not None
                    summary = guarded(lambda: s.ingest.ftm(ftm, source, progress))
                else:
                    assert mapping is not None
                    summary = guarded(lambda: s.ingest.mapping(mapping, source, options, progress))
        except IngestInterrupted as stop:
            print_summary(stop.summary)
            err.print(
                "[yellow]Interrupted.[/] Everything committed so far is consistent; "
                "run the same command again to complete the ingest."
            )
            raise typer.Exit(130) from None
        print_summary(summary)
        if rejects is not None:
            count = write_rejects(s, summary.run_id, rejects)
            err.print(f"{count:,} rejects written to {rejects}")
        elif summary.rejected:
            err.print(f"{summary.rejected:,} rejects recorded; write them out with --rejects FILE")
    if summary.records_read == 0:
        raise fail("nothing could be read", code=1)


@app.command()
def runs(source: str | None = typer.Option(None, help="Only runs of this source.")) -> None:
    """List ingest runs: who loaded what, when, with which result."""
    with session() as s:
        rows = s.ingest.runs(source)
    table = Table("run", "source", "status", "operator", "started", "records", "stmts", "rejects")
    for r in rows:
        table.add_row(
            str(r["id"]),
            r["source"],
            r["status"],
            r["operator"],
            r["started_at"].isoformat(timespec="seconds"),
            f"{r['records_read']:,}",
            f"{r['statements']:,}",
            f"{r['rejected']:,}",
        )
    Console().print(table)


class ExportFormat(StrEnum):
    ftm = "ftm"
    statements = "statements"


@app.command()
def export(
    fmt: ExportFormat = typer.Option(..., "--format", help="ftm (JSON lines) or statements (CSV)."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output file (default stdout)."),
    source: list[str] | None = typer.Option(None, help="Only these sources (repeatable)."),
) -> None:
    """Stream FtM entities or statements out of the store."""
    with session() as s:
        handle = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        try:
            if fmt is ExportFormat.ftm:
                count = guarded(lambda: s.export.ftm(handle, source))
            else:
                count = guarded(lambda: s.export.statements(handle, source))
        finally:
            if out:
                handle.close()
    err.print(f"{count:,} {'entities' if fmt is ExportFormat.ftm else 'statements'} exported")


@app.command()
def demo(
    path: Path = typer.Option(Path("demo"), help="The demo folder with sources.yml."),
) -> None:
    """Build the demo investigation into the workspace and say what to run next."""
    from casegraph.demo import build_demo

    guarded(lambda: build_demo(state.settings, path, err))


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        err.print("[yellow]Interrupted.[/]")
        sys.exit(130)


if __name__ == "__main__":
    main()
