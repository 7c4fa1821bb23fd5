"""The workspace's own commands: ``init``, ``db``, ``source``, ``ingest``, ``runs``,
``export``, ``demo``, ``user``, ``team``, ``grant``, ``token``, ``audit``, ``subject``,
``retention`` and ``serve``."""

from __future__ import annotations

import csv
import json
import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from casegraph.cli.common import (
    CASE,
    JUSTIFICATION,
    app,
    audit_app,
    db_app,
    err,
    fail,
    guarded,
    progress_bar,
    retention_app,
    session,
    source_app,
    state,
    subject_app,
    team_app,
    token_app,
    user_app,
)
from casegraph.ingest.pipeline import IngestInterrupted, IngestSummary
from casegraph.ingest.readers import ReadOptions
from casegraph.model.clock import utcnow
from casegraph.service import Session, Workspace


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
        rows = s.sources.list_visible()
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
    recipient: str | None = typer.Option(None, help="Who receives the export (recorded)."),
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Stream FtM entities or statements out of the store (a recorded disclosure)."""
    with session(case, justification) as s:
        handle = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        try:
            if fmt is ExportFormat.ftm:
                count = guarded(lambda: s.export.ftm(handle, source, recipient))
            else:
                count = guarded(lambda: s.export.statements(handle, source, recipient))
        finally:
            if out:
                handle.close()
    err.print(f"{count:,} {'entities' if fmt is ExportFormat.ftm else 'statements'} exported")


@app.command()
def demo(
    path: Path | None = typer.Option(
        None, help="The demo folder with sources.yml (default: the demo that ships with casegraph)."
    ),
) -> None:
    """Build the demo investigation into the workspace and say what to run next."""
    from casegraph.demo import build_demo, demo_folder

    guarded(lambda: build_demo(state.settings, demo_folder(path), err))


@user_app.command("add")
def user_add(
    username: str,
    role: str = typer.Option(..., help="viewer, analyst, supervisor, auditor or admin."),
    name: str = typer.Option("", "--name", help="Display name."),
    password: str = typer.Option(
        ...,
        prompt=True,
        hide_input=True,
        confirmation_prompt=True,
        envvar="CASEGRAPH_PASSWORD",
        help="At least 12 characters (prompted when not given).",
    ),
) -> None:
    """Add a user."""
    with session() as s:
        guarded(lambda: s.identities.add_user(username, name, role, password))
    err.print(f"User [bold]{username}[/] added as {role}.")


@user_app.command("list")
def user_list() -> None:
    """List users, roles and teams."""
    with session() as s:
        users = s.identities.list_users()
    table = Table("user", "name", "role", "teams", "status")
    for u in users:
        table.add_row(u.username, u.display_name, u.role, ", ".join(u.teams),
                      "disabled" if u.disabled else "active")  # fmt: skip
    Console().print(table)


@user_app.command("disable")
def user_disable(username: str) -> None:
    """Disable a user and revoke their tokens."""
    with session() as s:
        guarded(lambda: s.identities.disable_user(username))
    err.print(f"User {username} disabled; their tokens are revoked.")


@team_app.command("add")
def team_add(name: str, title: str = typer.Option("", help="Human-readable title.")) -> None:
    """Add a team."""
    with session() as s:
        guarded(lambda: s.identities.add_team(name, title))
    err.print(f"Team [bold]{name}[/] added.")


@team_app.command("add-member")
def team_add_member(team: str, username: str) -> None:
    """Put a user in a team."""
    with session() as s:
        guarded(lambda: s.identities.add_member(team, username))
    err.print(f"{username} is now in team {team}.")


@app.command()
def grant(team: str, marking: str) -> None:
    """Clear a team for a marking: its members see the sources so marked."""
    with session() as s:
        changed = guarded(lambda: s.identities.grant(team, marking))
    err.print(f"Team {team} {'is now' if changed else 'was already'} cleared for {marking}.")


@token_app.command("create")
def token_create(
    username: str, days: int = typer.Option(90, help="Days until the token expires.")
) -> None:
    """Create an API token (shown once; only its hash is kept)."""
    with session() as s:
        token, expires = guarded(lambda: s.identities.create_token(username, days))
    print(token)
    err.print(f"Token for {username}, valid until {expires:%Y-%m-%d}. It is not shown again.")


@token_app.command("list")
def token_list(
    user: str | None = typer.Option(None, "--user", help="Only this user's tokens."),
) -> None:
    """List API tokens: ids, owners, dates and state (the tokens themselves are not kept)."""
    with session() as s:
        tokens = guarded(lambda: s.identities.list_tokens(user))
    now = utcnow()
    table = Table("id", "user", "created", "expires", "state")
    for t in tokens:
        table.add_row(t.id, t.username, f"{t.created_at:%Y-%m-%d %H:%M}",
                      f"{t.expires_at:%Y-%m-%d}", t.state(now))  # fmt: skip
    Console().print(table)


@token_app.command("revoke")
def token_revoke(
    token_id: str = typer.Argument(..., help="The token's id (see 'token list'), or the token."),
) -> None:
    """Revoke one API token for good (recorded in the audit ledger)."""
    with session() as s:
        token = guarded(lambda: s.identities.revoke_token(token_id))
    err.print(f"Token {token.id} of {token.username} is revoked.")


@audit_app.command("checkpoint")
def audit_checkpoint(
    out: Path = typer.Option(..., "--out", "-o", help="Where to write the signed checkpoint."),
) -> None:
    """Sign the current head of the ledger (Ed25519) and write it to a file."""
    with session() as s:
        checkpoint = guarded(lambda: s.ledger.checkpoint(out))
    err.print(f"Checkpoint of entry {checkpoint.seq} ({checkpoint.hash[:16]}...) written to {out}")


@audit_app.command("verify")
def audit_verify(
    checkpoint: list[Path] | None = typer.Option(
        None, "--checkpoint", help="Signed checkpoint files to check against (repeatable)."
    ),
) -> None:
    """Recompute the hash chain; report the first bad entry."""
    with session() as s:
        verdict = guarded(lambda: s.ledger.verify(checkpoint or []))
    if verdict.ok:
        err.print(f"[green]Ledger intact:[/] {verdict.entries:,} entries, head {verdict.head_seq}.")
        return
    raise fail(f"ledger damaged at entry {verdict.first_bad_seq}: {verdict.problem}", code=4)


class ReportFormat(StrEnum):
    csv = "csv"
    json = "json"


@audit_app.command("report")
def audit_report(
    user: str | None = typer.Option(None, help="Only this user's actions."),
    subject: str | None = typer.Option(None, help="Only entries about this subject id."),
    case: str | None = typer.Option(None, help="Only entries under this case."),
    kind: str = typer.Option(
        "all", help="all, consultations, unseal, justification-only or denied."
    ),
    fmt: ReportFormat = typer.Option(ReportFormat.csv, "--format", help="csv or json lines."),
    out: Path | None = typer.Option(None, "--out", "-o", help="Output file (default stdout)."),
) -> None:
    """Oversight report: who consulted what, when, under which case or justification."""
    with session() as s:
        handle = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
        try:
            count = guarded(
                lambda: s.ledger.report(
                    handle, fmt.value, user=user, subject=subject, case_id=case, kind=kind
                )
            )
        finally:
            if out:
                handle.close()
    err.print(f"{count:,} entries")


@subject_app.command("show")
def subject_show(
    subject_id: str,
    unseal: bool = typer.Option(False, help="Show a sealed record (needs the permission)."),
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """A subject's facts, each with its source, record and first/last seen (JSON)."""
    with session(case, justification) as s:
        profile = guarded(lambda: s.subjects.profile(subject_id, unseal=unseal))
    print(json.dumps(profile.to_dict(), indent=2, ensure_ascii=False))


@subject_app.command("report")
def subject_report(
    subject_id: str, case: str | None = CASE, justification: str | None = JUSTIFICATION
) -> None:
    """Everything held on one subject and every consultation of it (JSON)."""
    with session(case, justification) as s:
        report = guarded(lambda: s.subjects.report(subject_id))
    print(json.dumps(report, indent=2, ensure_ascii=False))


@retention_app.command("run")
def retention_run(
    dry_run: bool = typer.Option(False, "--dry-run", help="Only say what would be erased."),
) -> None:
    """Erase statements and documents past their source's retention period, and closed
    cases past theirs (recorded in the ledger)."""
    with session() as s:
        done = guarded(lambda: s.retention.run(dry_run=dry_run))
    table = Table("source or case", "before", "what")
    for item in done:
        if "case" in item:
            what = f"the case ({item['retention_days']} days after closing)"
            table.add_row(str(item["case"]), str(item["closed_at"]), what)
        elif "documents" in item:
            files = f", {item['files']:,} files" if "files" in item else ""
            table.add_row(str(item["source"]), str(item["before"]),
                          f"{item['documents']:,} documents{files}")  # fmt: skip
        else:
            what = f"{item['statements']:,} statements of {item['entities']:,} entities"
            table.add_row(str(item["source"]), str(item["before"]), what)
    err.print(table)
    verb = "would be erased" if dry_run else "erased"
    statements = sum(int(i.get("statements", 0)) for i in done)
    documents = sum(int(i.get("documents", 0)) for i in done)
    cases = sum(1 for i in done if "case" in i)
    err.print(f"{statements:,} statements, {documents:,} documents and {cases:,} cases {verb}.")


@subject_app.command("seal")
def subject_seal(
    subject_id: str, reason: str = typer.Option(..., help="Why the record is sealed.")
) -> None:
    """Flag a subject as sealed: shown redacted until someone allowed unseals it."""
    with session() as s:
        guarded(lambda: s.subjects.seal(subject_id, reason))
    err.print(f"Subject {subject_id} sealed.")


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port."),
) -> None:
    """Serve the web pages and the HTTP API (OpenAPI at /api/docs)."""
    import uvicorn

    from casegraph.server import server_config

    workspace = guarded(lambda: Workspace.open(state.settings))
    if state.settings.graph_in_memory:  # walks read the store until it is read
        workspace.adjacency.keep_warm()
    try:
        err.print(f"casegraph on http://{host}:{port}/ (API docs: /api/docs); Ctrl-C stops it")
        uvicorn.Server(server_config(workspace, host, port)).run()
    finally:
        workspace.close()
