"""Case commands: ``casegraph case ...``. Every command about one case runs under that
case (the purpose of what it reads). Registered on the main app by ``cli/__init__.py``."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Column, Table

from casegraph.cases.rules import CASE_ROLES, SUBJECT_ROLES, TEMPLATES
from casegraph.cli.common import JSON, app, err, fail, guarded, print_json, session, write_file
from casegraph.errors import InvalidInput

case_app = typer.Typer(no_args_is_help=True, help="Cases: open, work and close investigations.")
task_app = typer.Typer(no_args_is_help=True, help="A case's tasks.")
note_app = typer.Typer(no_args_is_help=True, help="A case's notes (Markdown, with revisions).")
evidence_app = typer.Typer(no_args_is_help=True, help="Evidence files and their custody.")
member_app = typer.Typer(no_args_is_help=True, help="Who works on a case.")
app.add_typer(case_app, name="case")
case_app.add_typer(task_app, name="task")
case_app.add_typer(note_app, name="note")
case_app.add_typer(evidence_app, name="evidence")
case_app.add_typer(member_app, name="member")
VERSION = typer.Option(
    None, "--version", help="The version you edited (a newer one is refused, not overwritten)."
)
REASON = typer.Option(..., "--reason", help="Why (recorded with the change).")


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise fail(f"{option}: not a date (YYYY-MM-DD): {value!r}") from None


def _text(body: str | None, file: Path | None) -> str:
    if file is not None:
        return guarded(lambda: file.read_text(encoding="utf-8"))
    if body is None:
        raise fail("give the text with --body or --file")
    return body


def _show_case(case: dict[str, Any]) -> None:
    err.print(
        f"[bold]{escape(case['id'])}[/] {escape(case['title'])} — {case['status']}, "
        f"{case['case_type']}, priority {case['priority']}, review on {case['review_on']}, "
        f"version {case['version']}",
        highlight=False,
    )


@case_app.command("open")
def open_case(
    title: str = typer.Argument(..., help="A short title."),
    case_type: str = typer.Option(..., "--type", help=f"One of: {', '.join(TEMPLATES)}."),
    legal_basis: str = typer.Option(..., "--legal-basis", help="The written legal basis."),
    predicate: str = typer.Option(..., "--predicate", help="The suspected conduct."),
    purpose: str = typer.Option("", "--purpose", help="What the case sets out to establish."),
    lead: str | None = typer.Option(None, "--lead", help="The lead investigator (default: you)."),
    team: str | None = typer.Option(None, "--team", help="The team whose supervisors review it."),
    priority: str = typer.Option("normal", "--priority", help="low, normal, high or urgent."),
    review_on: str | None = typer.Option(
        None, "--review-on", help="Next review (default a year from now; at most five)."
    ),
    members: list[str] = typer.Option(
        [], "--member", help=f"USER or USER:ROLE ({', '.join(CASE_ROLES)}); repeatable."
    ),
    as_json: bool = JSON,
) -> None:
    """Open a case (its type's template adds the first tasks)."""
    chosen = [(m.partition(":")[0], m.partition(":")[2] or "member") for m in members]
    with session() as s:
        case = guarded(
            lambda: s.cases.open(
                title,
                case_type,
                legal_basis,
                predicate,
                purpose,
                lead,
                team,
                priority,
                _date(review_on, "--review-on"),
                chosen,
            )
        )
    if as_json:
        print_json(case)
        return
    _show_case(case)
    sys.stdout.write(case["id"] + "\n")


@case_app.command("list")
def list_cases(as_json: bool = JSON) -> None:
    """Your cases."""
    with session() as s:
        mine = s.cases.mine()
    if as_json:
        print_json(mine)
        return
    table = Table(
        "case", "title", "status", "priority", "my role", "review on", title=f"{len(mine)} cases"
    )
    for c in mine:
        table.add_row(
            c["id"],
            escape(c["title"]),
            c["status"],
            c["priority"],
            c["my_role"],
            str(c["review_on"]),
        )
    err.print(table)


@case_app.command("show")
def show(case_id: str, as_json: bool = JSON) -> None:
    """A case: summary, members, subjects, tasks, notes and evidence."""
    with session(case_id) as s:
        case = guarded(lambda: s.cases.show(case_id))
    if as_json:
        print_json(case)
        return
    _show_case(case)
    err.print(f"[bold]legal basis[/]: {escape(case['legal_basis'])}", highlight=False)
    err.print(f"[bold]predicate[/]: {escape(case['predicate'])}", highlight=False)
    err.print(
        "[bold]members[/]: " + ", ".join(f"{m['username']} ({m['role']})" for m in case["members"])
    )
    table = Table(Column("subject", overflow="fold"), "name", "role", "why", title="subjects")
    for link in case["subjects"]:
        table.add_row(
            link["canonical_id"], escape(link["caption"]), link["role"], escape(link["note"])
        )
    err.print(table)
    _task_table(case["tasks"])
    for note in case["notes"]:
        err.print(f"note {note['id']}: {escape(note['title'])} (v{note['version']})")
    for item in case["evidence"]:
        err.print(f"evidence {item['id']}: {escape(item['filename'])} {item['sha256']}")


@case_app.command("update")
def update(
    case_id: str,
    title: str | None = typer.Option(None, "--title"),
    purpose: str | None = typer.Option(None, "--purpose"),
    priority: str | None = typer.Option(None, "--priority"),
    review_on: str | None = typer.Option(None, "--review-on"),
    team: str | None = typer.Option(None, "--team"),
    version: int | None = VERSION,
) -> None:
    """Change a case's title, purpose, priority, review date or team (leads only)."""
    with session(case_id) as s:
        case = guarded(
            lambda: s.cases.update(
                case_id,
                version,
                title=title,
                purpose=purpose,
                priority=priority,
                review_on=_date(review_on, "--review-on"),
                team=team,
            )
        )
    _show_case(case)


@case_app.command("status")
def status(
    case_id: str,
    new_status: str = typer.Argument(..., metavar="STATUS", help="active, suspended, closed."),
    reason: str = REASON,
    version: int | None = VERSION,
) -> None:
    """Move a case along its lifecycle (reopen a closed one with 'active')."""
    with session(case_id) as s:
        case = guarded(lambda: s.cases.set_status(case_id, new_status, reason, version))
    _show_case(case)


@member_app.command("add")
def member_add(
    case_id: str, username: str, role: str = typer.Option("member", help=", ".join(CASE_ROLES))
) -> None:
    """Add a member to a case (leads only)."""
    with session(case_id) as s:
        guarded(lambda: s.cases.add_member(case_id, username, role))
    err.print(f"{username} is now {role} of {case_id}")


@member_app.command("remove")
def member_remove(case_id: str, username: str, reason: str = REASON) -> None:
    """Remove a member from a case (leads only)."""
    with session(case_id) as s:
        guarded(lambda: s.cases.remove_member(case_id, username, reason))
    err.print(f"{username} removed from {case_id}")


@case_app.command("link")
def link(
    case_id: str,
    subject_id: str,
    role: str = typer.Option(..., "--role", help=", ".join(SUBJECT_ROLES)),
    note: str = typer.Option(..., "--note", help="Why the subject is in the case."),
) -> None:
    """Link a subject to a case with a role."""
    with session(case_id) as s:
        guarded(lambda: s.cases.link_subject(case_id, subject_id, role, note))
    err.print(f"{subject_id} linked to {case_id} as {role}")


@case_app.command("unlink")
def unlink(
    case_id: str, subject_id: str, reason: str = REASON, version: int | None = VERSION
) -> None:
    """Remove a subject from a case."""
    with session(case_id) as s:
        guarded(lambda: s.cases.unlink_subject(case_id, subject_id, reason, version))
    err.print(f"{subject_id} removed from {case_id}")


def _task_table(tasks: list[dict[str, Any]]) -> None:
    table = Table(
        "task", "title", "status", "assignee", "due", "checklist", "version", title="tasks"
    )
    for t in tasks:
        done = sum(1 for item in t["checklist"] if item["done"])
        table.add_row(
            str(t["id"]),
            escape(t["title"]),
            t["status"],
            t["assignee"] or "",
            str(t["due_on"] or ""),
            f"{done}/{len(t['checklist'])}",
            str(t["version"]),
        )
    err.print(table)


@task_app.command("add")
def task_add(
    case_id: str,
    title: str,
    description: str = typer.Option("", "--description"),
    assignee: str | None = typer.Option(None, "--assignee"),
    due: str | None = typer.Option(None, "--due", help="YYYY-MM-DD"),
    check: list[str] = typer.Option([], "--check", help="A checklist item; repeatable."),
) -> None:
    """Add a task to a case."""
    with session(case_id) as s:
        task = guarded(
            lambda: s.cases.add_task(
                case_id, title, description, assignee, _date(due, "--due"), check
            )
        )
    _task_table([task])


@task_app.command("update")
def task_update(
    case_id: str,
    task_id: int,
    task_status: str | None = typer.Option(None, "--status", help="open, in-progress, done..."),
    assignee: str | None = typer.Option(None, "--assignee"),
    due: str | None = typer.Option(None, "--due"),
    done: list[int] = typer.Option([], "--done", help="Tick checklist item N (from 1)."),
    version: int | None = VERSION,
) -> None:
    """Change a task's status, assignee or due date, or tick checklist items."""
    with session(case_id) as s:

        def change() -> dict[str, Any]:
            checklist = None
            if done:
                task = next(t for t in s.cases.tasks(case_id) if t["id"] == task_id)
                checklist = task["checklist"]
                for n in done:
                    if not 1 <= n <= len(checklist):
                        raise InvalidInput(f"--done {n}: the checklist has {len(checklist)} items")
                    checklist[n - 1]["done"] = True
            return s.cases.update_task(
                case_id,
                task_id,
                version,
                status=task_status,
                assignee=assignee,
                due_on=_date(due, "--due"),
                checklist=checklist,
            )

        task = guarded(change)
    _task_table([task])


@task_app.command("list")
def task_list(case_id: str, as_json: bool = JSON) -> None:
    """A case's tasks."""
    with session(case_id) as s:
        tasks = guarded(lambda: s.cases.tasks(case_id))
    if as_json:
        print_json(tasks)
        return
    _task_table(tasks)


@note_app.command("add")
def note_add(
    case_id: str,
    title: str,
    body: str | None = typer.Option(None, "--body", help="Markdown; @ID mentions a subject."),
    file: Path | None = typer.Option(None, "--file", help="Read the Markdown from a file."),
) -> None:
    """Add a note to a case."""
    with session(case_id) as s:
        note = guarded(lambda: s.cases.add_note(case_id, title, _text(body, file)))
    err.print(f"note {note['id']} added (version {note['version']})")


@note_app.command("edit")
def note_edit(
    case_id: str,
    note_id: int,
    body: str | None = typer.Option(None, "--body"),
    file: Path | None = typer.Option(None, "--file"),
    title: str | None = typer.Option(None, "--title"),
    version: int | None = VERSION,
) -> None:
    """Replace a note's text (the old text stays as a revision)."""
    with session(case_id) as s:
        note = guarded(
            lambda: s.cases.edit_note(case_id, note_id, _text(body, file), title, version)
        )
    err.print(f"note {note['id']} is now version {note['version']}")


@note_app.command("list")
def note_list(case_id: str, as_json: bool = JSON) -> None:
    """A case's notes, in full."""
    with session(case_id) as s:
        notes = guarded(lambda: s.cases.notes(case_id))
    if as_json:
        print_json(notes)
        return
    for note in notes:
        err.print(
            f"[bold]{note['id']}. {escape(note['title'])}[/] (v{note['version']}, "
            f"{note['updated_by']}, {note['updated_at']})",
            highlight=False,
        )
        err.print(escape(note["body"]), highlight=False)


@case_app.command("comment")
def comment(
    case_id: str,
    target: str = typer.Argument(..., help="case, task:N, note:N or evidence:N"),
    body: str = typer.Argument(...),
) -> None:
    """Comment on a case, a task, a note or an evidence item."""
    with session(case_id) as s:
        guarded(lambda: s.cases.comment(case_id, target, body))
    err.print(f"comment added to {target}")


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            yield chunk


@evidence_app.command("add")
def evidence_add(
    case_id: str,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, readable=True),
    received_from: str = typer.Option(..., "--from", help="Who handed it over."),
    reason: str = REASON,
    description: str = typer.Option("", "--description"),
) -> None:
    """Store a file as evidence (hashed with SHA-256) and open its chain of custody."""
    with session(case_id) as s:
        item = guarded(
            lambda: s.cases.add_evidence(
                case_id, _chunks(file), file.name, received_from, reason, description
            )
        )
    err.print(
        f"evidence {item['id']}: {escape(item['filename'])}, {item['size']:,} bytes, "
        f"sha256 {item['sha256']}",
        highlight=False,
    )


@evidence_app.command("list")
def evidence_list(case_id: str, as_json: bool = JSON) -> None:
    """Evidence items with their chain of custody."""
    with session(case_id) as s:
        items = guarded(lambda: s.cases.evidence(case_id))
    if as_json:
        print_json(items)
        return
    for item in items:
        err.print(
            f"[bold]{item['id']}. {escape(item['filename'])}[/] {item['size']:,} bytes "
            f"{item['media_type']} sha256 {item['sha256']}",
            highlight=False,
        )
        for c in item["custody"]:
            err.print(
                f"   {c['at']} {c['action']} {escape(c['party'])} by {c['actor']}: "
                f"{escape(c['reason'])}",
                highlight=False,
            )


@evidence_app.command("custody")
def evidence_custody(
    case_id: str,
    evidence_id: int,
    action: str = typer.Option(..., "--action", help="transferred, examined, returned ..."),
    party: str = typer.Option(..., "--party", help="The other person or office."),
    reason: str = REASON,
) -> None:
    """Add an entry to an evidence item's chain of custody."""
    with session(case_id) as s:
        guarded(lambda: s.cases.custody(case_id, evidence_id, action, party, reason))
    err.print(f"custody of evidence {evidence_id}: {action} ({party})")


@evidence_app.command("get")
def evidence_get(
    case_id: str,
    evidence_id: int,
    recipient: str = typer.Option(..., "--recipient", help="Who the file is for (recorded)."),
    out: Path = typer.Option(..., "--out", help="Where to write the file."),
) -> None:
    """Write an evidence file out: a disclosure, recorded with its recipient."""
    with session(case_id) as s:
        meta, body = guarded(lambda: s.cases.download(case_id, evidence_id, recipient))
        write_file(out, body)
    err.print(f"wrote {out} ({meta['size']:,} bytes, sha256 {meta['sha256']})")


@evidence_app.command("verify")
def evidence_verify(case_id: str) -> None:
    """Hash every evidence file again and report any that changed or went missing."""
    with session(case_id) as s:
        results = guarded(lambda: s.cases.verify(case_id))
    bad = [r for r in results if r["integrity"] != "intact"]
    for r in results:
        colour = "green" if r["integrity"] == "intact" else "bold red"
        err.print(f"{r['id']}. {escape(r['filename'])}: [{colour}]{r['integrity']}[/]")
    if bad:
        raise typer.Exit(1)


@case_app.command("timeline")
def timeline(
    case_id: str,
    subject: str | None = typer.Option(None, "--subject", help="Only this subject's facts."),
    kinds: list[str] = typer.Option([], "--kind", help="task, note, evidence, fact, ..."),
    as_json: bool = JSON,
) -> None:
    """Case events and the dated facts of the case's subjects, oldest first."""
    with session(case_id) as s:
        events = guarded(lambda: s.cases.timeline(case_id, subject, kinds))
    if as_json:
        print_json(events)
        return
    table = Table(
        "when", "what", Column("summary", overflow="fold"), "sources", title=f"{len(events)} events"
    )
    for e in events:
        table.add_row(str(e["at"])[:16], e["kind"], escape(e["summary"]), ", ".join(e["sources"]))
    err.print(table)


@case_app.command("dashboard")
def dashboard(as_json: bool = JSON) -> None:
    """Your cases, your tasks, reviews due and matches waiting for review."""
    with session() as s:
        board = s.cases.dashboard()
    if as_json:
        print_json(board)
        return
    waiting = board["review_waiting"]
    err.print(
        f"[bold]{len(board['cases'])}[/] cases, [bold]{len(board['tasks'])}[/] open "
        f"tasks, [bold]{len(board['reviews_due'])}[/] reviews due, matches waiting for "
        f"review: {waiting['items'] if waiting is not None else '-'}"
    )
    if board["tasks"]:
        _task_table(board["tasks"])


@case_app.command("reviews")
def reviews() -> None:
    """Cases past their review date that you supervise or lead."""
    with session() as s:
        due = s.cases.reviews_due()
    table = Table("case", "title", "lead", "team", "review on", title=f"{len(due)} reviews due")
    for c in due:
        table.add_row(
            c["id"], escape(c["title"]), c["lead"] or "", c["team"] or "", str(c["review_on"])
        )
    err.print(table)


@case_app.command("review")
def review(
    case_id: str,
    decision: str = typer.Option(..., "--decision", help="retain or close"),
    reason: str = REASON,
    next_review: str | None = typer.Option(None, "--next-review", help="YYYY-MM-DD (retain)."),
) -> None:
    """Record a supervisor's review: retain the case (with the next date) or close it."""
    with session() as s:
        done = guarded(
            lambda: s.cases.review(case_id, decision, reason, _date(next_review, "--next-review"))
        )
    err.print(
        f"{case_id}: {done['decision']}"
        + (f", next review {done['next_review']}" if done["next_review"] else "")
    )


@case_app.command("report")
def report(
    case_id: str,
    fmt: str = typer.Option("pdf", "--format", help="html or pdf"),
    recipient: str = typer.Option(..., "--recipient", help="Who the case file is for."),
    out: Path | None = typer.Option(None, "--out", help="Where to write it (default: CASE.fmt)."),
) -> None:
    """The case file: summary, legal basis, subjects with their sourced facts, graph,
    timeline, evidence with hashes, disclosure log. A disclosure, recorded."""
    target = out or Path(f"{case_id}.{fmt}")
    with session(case_id) as s:
        document = guarded(lambda: s.cases.report(case_id, fmt, recipient))
    guarded(lambda: target.write_bytes(document))
    err.print(f"wrote {target} ({len(document):,} bytes) for {escape(recipient)}")
