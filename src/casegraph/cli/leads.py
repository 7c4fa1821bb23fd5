"""Lead commands: ``screen`` and ``leads list | show | confirm | dismiss | reopen | link |
export | screenings``. Registered on the main ``casegraph`` app by ``cli/__init__.py``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape
from rich.table import Column, Table

from casegraph.cli.common import (
    CASE,
    JSON,
    JUSTIFICATION,
    app,
    err,
    guarded,
    print_json,
    progress_bar,
    scope_purpose,
    session,
)
from casegraph.services.leads import DEFAULT_THRESHOLD

leads_app = typer.Typer(no_args_is_help=True, help="Leads: screening hits to review.")
app.add_typer(leads_app, name="leads")
LEAD = typer.Argument(..., help="The lead's id (from screen or leads list).")


@app.command("screen")
def screen(
    against: str = typer.Option(..., "--against", help="The list source (sanctions, PEPs ...)."),
    scope: str = typer.Option(
        ..., "--scope", help="Whose subjects: case:ID (a case's) or source:NAME (a source's)."
    ),
    threshold: float = typer.Option(
        DEFAULT_THRESHOLD, "--threshold", help="Keep candidates scoring at least this (0..1)."
    ),
    as_json: bool = typer.Option(
        False, "--json", help="One JSON line per candidate (subject, list entry, score, why)."
    ),
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Compare every subject of a scope with every entry of a list: names (reordered,
    transliterated, aliases), birth dates, countries, identifiers and addresses. The
    candidates become leads to confirm or dismiss. Run again, only what changed since is
    compared; interrupted, the same command goes on where it stopped."""
    case = scope_purpose(scope, case, justification)
    with session(case, justification) as s:
        with progress_bar() as progress:
            run = guarded(lambda: s.leads.screen(against, scope, threshold, progress))
        found, total = guarded(
            lambda: s.leads.listed(
                against=against, screening=run["screening"], limit=None if as_json else 50
            )
        )
    if as_json:
        for lead in found:
            sys.stdout.write(json.dumps(_line(lead), ensure_ascii=False) + "\n")
        return
    err.print(
        f"screened {run['subjects']:,} subject(s) of {scope} against {run['entries']:,} "
        f"entries of {against}: {run['changed_subjects']:,} subject(s) and "
        f"{run['changed_entries']:,} entr{'y' if run['changed_entries'] == 1 else 'ies'} "
        f"new or changed, {run['compared']:,} pair(s) compared, {run['found']:,} at or above "
        f"{threshold:g}",
        highlight=False,
    )
    print_leads(found, total)


def _line(lead: dict[str, Any]) -> dict[str, Any]:
    return {
        "lead": lead["id"],
        "subject": lead["subject"]["id"],
        "subject_entities": lead["subject"]["entities"],
        "subject_name": lead["subject"]["caption"],
        "entry": lead["entry"]["id"],
        "entry_entities": lead["entry"]["entities"],
        "entry_name": lead["entry"]["caption"],
        "list": lead["against"],
        "score": lead["score"],
        "status": lead["status"],
        "explanation": lead["explanation"],
    }


def print_leads(found: list[dict[str, Any]], total: int) -> None:
    title = f"{total:,} lead{'' if total == 1 else 's'}"
    if total > len(found):
        title += f"; the best {len(found)} shown"
    table = Table(
        "score",
        Column("subject", overflow="fold"),
        Column("list entry", overflow="fold"),
        Column("why", overflow="fold"),
        "status",
        title=title,
    )
    for lead in found:
        why = "\n".join(f"{e['weight']:+.1f} {e['words']}" for e in lead["explanation"])
        status = lead["status"] + (f"\n[dim]{escape(lead['reason'])}[/]" if lead["reason"] else "")
        table.add_row(
            f"{lead['score']:.3f}",
            f"{escape(lead['subject']['caption'])}\n[dim]{lead['subject']['id']}[/]",
            f"{escape(lead['entry']['caption'])}\n[dim]{lead['against']}: {lead['entry']['id']}[/]",
            escape(why),
            f"{status}\n[dim]lead {lead['id']}[/]",
        )
    err.print(table)


@leads_app.command("list")
def list_leads(
    against: str | None = typer.Option(None, "--against", help="Of this list only."),
    status: str | None = typer.Option(None, "--status", help="open, confirmed or dismissed."),
    for_case: str | None = typer.Option(None, "--linked-to", help="Linked to this case."),
    subject: str | None = typer.Option(None, "--subject", help="Of this subject."),
    every: bool = typer.Option(False, "--all", help="Also leads that no longer match."),
    limit: int = typer.Option(50, help="Show at most this many."),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Leads, best first (ties: the strongest evidence besides the name)."""
    with session(case, justification) as s:
        found, total = guarded(
            lambda: s.leads.listed(
                against, status, for_case, subject, include_inactive=every, limit=limit
            )
        )
    if as_json:
        print_json({"total": total, "leads": found})
        return
    print_leads(found, total)


@leads_app.command("show")
def show(
    lead: str = LEAD,
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """One lead: the subject, the list entry, the score and why."""
    with session(case, justification) as s:
        found = guarded(lambda: s.leads.get(lead))
    if as_json:
        print_json(found)
        return
    print_leads([found], 1)


def _decide(
    lead: str, decision: str, reason: str, case: str | None, justification: str | None
) -> None:
    with session(case, justification) as s:
        found = guarded(lambda: s.leads.decide(lead, decision, reason))
    err.print(f"lead {lead}: {found['status']}", highlight=False)


@leads_app.command("confirm")
def confirm(
    lead: str = LEAD,
    reason: str = typer.Option("", "--reason", help="Why (optional)."),
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """The subject is the listed party: the decision stays across re-runs."""
    _decide(lead, "confirm", reason, case, justification)


@leads_app.command("dismiss")
def dismiss(
    lead: str = LEAD,
    reason: str = typer.Option(..., "--reason", help="Why not."),
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """The subject is not the listed party: stays dismissed across re-runs."""
    _decide(lead, "dismiss", reason, case, justification)


@leads_app.command("reopen")
def reopen(
    lead: str = LEAD, case: str | None = CASE, justification: str | None = JUSTIFICATION
) -> None:
    """Undo a decision."""
    _decide(lead, "reopen", "", case, justification)


@leads_app.command("link")
def link(
    lead: str = LEAD,
    to_case: str = typer.Option(..., "--to-case", help="The case."),
    note: str = typer.Option("", "--note", help="Why the subject is in the case."),
) -> None:
    """Add a lead to a case (its subject too, if not in it yet)."""
    with session(to_case) as s:
        guarded(lambda: s.leads.link(lead, to_case, note))
    err.print(f"lead {lead} linked to case {to_case}", highlight=False)


@leads_app.command("export")
def export(
    against: str | None = typer.Option(None, "--against", help="Of this list only."),
    status: str | None = typer.Option(None, "--status", help="open, confirmed or dismissed."),
    out: Path | None = typer.Option(None, "--out", help="Write here (default: stdout)."),
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Every lead as JSON lines, with the ids of both sides and of their source entities:
    no cap (a consultation on the record)."""
    with session(case, justification) as s:
        rows = guarded(lambda: list(s.leads.export(against=against, status=status)))
    lines = "".join(json.dumps(_line(r), ensure_ascii=False) + "\n" for r in rows)
    if out is None:
        sys.stdout.write(lines)
        return
    guarded(lambda: out.write_text(lines, encoding="utf-8"))
    err.print(f"wrote {len(rows):,} lead(s) to {out}")


@leads_app.command("screenings")
def screenings(as_json: bool = JSON) -> None:
    """The screenings kept (list, scope, threshold, purpose) and their latest run."""
    with session() as s:
        found = guarded(lambda: s.leads.screenings())
    if as_json:
        print_json(found)
        return
    table = Table(
        "list",
        "scope",
        "threshold",
        Column("purpose", overflow="fold"),
        "last run",
        title=f"{len(found)} screening(s)",
    )
    for row in found:
        run = row["run"] or {}
        last = (
            f"{run.get('status')} {str(run.get('finished_at') or run.get('started_at'))[:16]}"
            f"\n{run.get('compared', 0):,} compared, {run.get('found', 0):,} found"
        )
        purpose = f"case {row['case_id']}" if row["case_id"] else (row["justification"] or "")
        table.add_row(row["against"], row["scope"], f"{row['threshold']:g}", escape(purpose), last)
    err.print(table)
