"""Build the fictional demo investigation (``make demo``) into a workspace."""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml
from rich.console import Console
from rich.table import Table

from casegraph import demo_case
from casegraph.access.context import AccessContext
from casegraph.config import Settings
from casegraph.service import Workspace, WorkspaceError

# the demo's files, beside the package in the source tree it is installed from
SHIPPED = Path(__file__).resolve().parents[2] / "demo"


def demo_folder(given: Path | None) -> Path:
    """The demo folder: ``given``, else ``./demo`` when it holds the demo, else the one
    beside the installed package."""
    if given is not None:
        return given
    here = Path("demo")
    return here if (here / "sources.yml").is_file() else SHIPPED


def _sources(folder: Path, name: str = "sources.yml") -> list[dict[str, Any]]:
    index = folder / name
    if not index.is_file():
        if name != "sources.yml":
            return []  # a demo without documents
        raise WorkspaceError(f"{index}: not found; give the demo folder with --path")
    data = yaml.safe_load(index.read_text(encoding="utf-8"))
    items = data.get("sources", data) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise WorkspaceError(f"{index}: expected a list of sources")
    return items


def _add_source(workspace: Workspace, ctx: AccessContext, item: dict[str, Any]) -> None:
    with workspace.session(ctx) as s:
        if s.sources.get(str(item["name"])) is None:
            s.sources.add(
                str(item["name"]),
                title=str(item["title"]),
                team=str(item["team"]),
                marking=str(item["marking"]),
                legal_basis=str(item["legal_basis"]),
                retention_days=int(item["retention_days"]),
            )


def _documents(workspace: Workspace, ctx: AccessContext, folder: Path,
               item: dict[str, Any]) -> str:  # fmt: skip
    """Load one folder of documents into its source; what was read, in a line."""
    _add_source(workspace, ctx, item)
    with workspace.session(ctx) as s:
        done = s.documents.ingest([folder / str(item["folder"])], str(item["name"]), None,
                                  country=item.get("country"))  # fmt: skip
    return (f"{item['name']} ({item['marking']}): {done.read:,} documents read, "
            f"{done.mentions:,} mentions, {done.parties:,} e-mail parties")


def _screen(workspace: Workspace, ctx: AccessContext, folder: Path,
            item: dict[str, Any]) -> str:  # fmt: skip
    """Load one list and screen the demo case's subjects against it, as the case's lead
    would (``casegraph screen --against LIST --scope case:ID``); what it found, in a line."""
    name = str(item["name"])
    _add_source(workspace, ctx, item)
    with workspace.session(ctx) as s:
        s.ingest.mapping(folder / str(item["mapping"]), name)
    case_id = demo_case.case_id(workspace)
    with workspace.session(AccessContext(actor="anna", case_id=case_id)) as s:
        run = s.leads.screen(name, f"case:{case_id}")
    return (f"{name}: {run['entries']:,} list entries; the subjects of case {case_id} "
            f"screened, {run['found']:,} lead(s)")


def build_demo(settings: Settings, folder: Path, console: Console) -> None:
    items = _sources(folder)
    workspace, _before, _after = Workspace.init(settings)
    ctx = AccessContext(actor=settings.operator, local=True)
    table = Table(title="demo investigation loaded")
    for column in ("source", "marking", "records", "statements", "new", "rejected"):
        table.add_column(column, justify="left" if column in ("source", "marking") else "right")
    try:
        for item in items:
            name = str(item["name"])
            _add_source(workspace, ctx, item)
            with workspace.session(ctx) as s:
                summary = s.ingest.mapping(folder / str(item["mapping"]), name)
            table.add_row(
                name,
                str(item["marking"]),
                f"{summary.records_read:,}",
                f"{summary.statements:,}",
                f"{summary.new_statements:,}",
                f"{summary.rejected:,}",
            )
        # documents before resolution: their e-mail parties are resolved with the rest
        read = [_documents(workspace, ctx, folder / "documents", item)
                for item in _sources(folder / "documents", "documents.yml")]  # fmt: skip
        with workspace.session(ctx) as s:
            resolved = s.resolve.run()
            waiting = s.review.pending()
        people = demo_case.stage(workspace, settings.operator, folder)
        # lists after resolution: their entries are screened against, not merged
        screened = [_screen(workspace, ctx, folder / "lists", item)
                    for item in _sources(folder / "lists", "lists.yml")]  # fmt: skip
    finally:
        workspace.close()
    console.print(table)
    for line in read:
        console.print(f"documents: {line}", soft_wrap=True, highlight=False)
    console.print(
        f"resolved: {resolved.subjects:,} subjects; {resolved.merged:,} records in merged "
        f"subjects; {waiting['items']:,} possible matches waiting for review "
        f"({waiting['pairs']:,} pairs)",
        soft_wrap=True,
    )
    for line in screened:
        console.print(f"screening: {line}", soft_wrap=True, highlight=False)
    users = Table(title="demo users (passwords for the demo only)")
    for column in ("user", "role", "password"):
        users.add_column(column)
    for row in people:
        users.add_row(*row)
    console.print(users)
    console.print(
        f"demo case: {demo_case.CASE_TITLE} (lead anna; ben member; sven read-only). "
        "Sign in at http://127.0.0.1:8000/ (make demo serves it; or run casegraph serve)"
    )
    run = command_here(settings)
    console.print(
        "\nNext:\n"
        f"  {run} serve\n"
        f"  {run} source list\n"
        f"  {run} runs\n"
        f"  {run} search Valdrenko --justification \"exploring the demo investigation\"\n"
        f"  {run} search 'Veltrada schema:Email' --justification \"reading the seized mail\"\n"
        f"  {run} review list --justification \"reviewing the demo matches\"\n"
        f"  {run} audit verify\n",
        soft_wrap=True,
        highlight=False,
    )


def command_here(settings: Settings) -> str:
    """The command that reaches this workspace from the folder the user is in: the
    console script by its name when the shell finds it, else by its whole path; the
    workspace by its whole path (or the store URL's variable, for PostgreSQL)."""
    script = Path(sys.argv[0]).resolve()
    found = shutil.which("casegraph")
    program = "casegraph" if found and Path(found).resolve() == script else shlex.quote(str(script))
    if settings.database_url:
        return f"CASEGRAPH_DATABASE_URL={shlex.quote(settings.database_url)} {program}"
    return f"{program} --data-dir {shlex.quote(str(settings.data_dir.resolve()))}"
