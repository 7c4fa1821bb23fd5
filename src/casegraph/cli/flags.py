"""Red-flag commands: ``flags rules | run | list | show | dismiss | reopen | link``.
Registered on the main ``casegraph`` app by ``cli/__init__.py``."""

from __future__ import annotations

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
    scope_purpose,
    session,
)

flags_app = typer.Typer(no_args_is_help=True, help="Red flags: patterns over the graph.")
app.add_typer(flags_app, name="flags")
HIT = typer.Argument(..., help="The hit's id (from flags list).")


@flags_app.command("rules")
def rules(as_json: bool = JSON) -> None:
    """The rules (the package's and the workspace's rules/ folder): what each reads."""
    with session() as s:
        rules_ = guarded(lambda: list(s.flags.rules().values()))
    found = [r.to_dict() for r in rules_]
    if as_json:
        print_json(found)
        return
    table = Table(
        "rule",
        Column("what it finds", overflow="fold"),
        "reads",
        "parameters",
        title=f"{len(found)} rules",
    )
    for r in rules_:
        table.add_row(
            r.name,
            escape(f"{r.title}\n[dim]{r.description}[/]"),
            ", ".join(r.edges),
            escape("\n".join(r.described_params())),
        )
    err.print(table)


@flags_app.command("run")
def run(
    scope: str = typer.Option(..., "--scope", help="case:ID or source:NAME."),
    rule: str | None = typer.Option(None, "--rule", help="Only this rule (default: all)."),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Run the rules over a scope; each hit names its subjects and the edges (with their
    sources) that make it. Run again, decisions on earlier hits stay."""
    case = scope_purpose(scope, case, justification)
    with session(case, justification) as s:
        done = guarded(lambda: s.flags.run(scope, rule))
        hits = guarded(lambda: [h for h in s.flags.hits(rule) if h["scope"] == scope])
    if as_json:
        print_json({**done, "hits": hits})
        return
    found = ", ".join(f"{k} {v}" for k, v in done["found"].items())
    err.print(f"{scope}: {found}", highlight=False)
    print_hits(hits)


def print_hits(hits: list[dict[str, Any]]) -> None:
    table = Table(
        "rule",
        Column("what", overflow="fold"),
        Column("edges", overflow="fold"),
        "status",
        title=f"{len(hits)} hit(s)",
    )
    for h in hits:
        edges = "\n".join(
            f"{e['kind']} {(e.get('start_date') or '')[:10]} "
            + (f"{e['amount']:,.2f} {e.get('unit') or ''} " if e.get("amount") else "")
            + f"[dim]({e['source']})[/]"
            for e in h["edges"][:8]
        )
        if len(h["edges"]) > 8:
            edges += f"\n… and {len(h['edges']) - 8} more"
        status = h["status"] + (f"\n[dim]{escape(h['reason'])}[/]" if h["reason"] else "")
        table.add_row(h["rule"], escape(h["words"]), edges, f"{status}\n[dim]hit {h['id']}[/]")
    err.print(table)


@flags_app.command("list")
def list_hits(
    rule: str | None = typer.Option(None, "--rule", help="Of this rule only."),
    status: str | None = typer.Option(None, "--status", help="open or dismissed."),
    every: bool = typer.Option(False, "--all", help="Also hits no longer found."),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """The hits found so far, strongest first within each rule."""
    with session(case, justification) as s:
        hits = guarded(lambda: s.flags.hits(rule, status, include_inactive=every))
    if as_json:
        print_json(hits)
        return
    print_hits(hits)


@flags_app.command("dismiss")
def dismiss(
    hit: str = HIT,
    reason: str = typer.Option(..., "--reason", help="Why not."),
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Not a concern: stays dismissed on every later run."""
    with session(case, justification) as s:
        guarded(lambda: s.flags.decide(hit, "dismiss", reason))
    err.print(f"hit {hit}: dismissed", highlight=False)


@flags_app.command("reopen")
def reopen(
    hit: str = HIT, case: str | None = CASE, justification: str | None = JUSTIFICATION
) -> None:
    """Undo a dismissal."""
    with session(case, justification) as s:
        guarded(lambda: s.flags.decide(hit, "reopen"))
    err.print(f"hit {hit}: open", highlight=False)


@flags_app.command("link")
def link(hit: str = HIT, to_case: str = typer.Option(..., "--to-case", help="The case.")) -> None:
    """Add a hit to a case: its subjects join the case if not in it yet."""
    with session(to_case) as s:
        guarded(lambda: s.flags.link(hit, to_case))
    err.print(f"hit {hit} linked to case {to_case}", highlight=False)
