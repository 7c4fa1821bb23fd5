"""Entity-resolution commands: ``resolve``, ``review ...``, ``subject merge|split``,
``clusters export``. Registered on the main ``casegraph`` app by ``cli/__init__.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from casegraph.cli.common import (
    CASE,
    JSON,
    JUSTIFICATION,
    app,
    err,
    guarded,
    print_json,
    session,
    subject_app,
)
from casegraph.resolve.engine import EngineError
from casegraph.resolve.explain import KIND_LABELS

review_app = typer.Typer(no_args_is_help=True,
                         help="Possible matches waiting for a person's judgement.")  # fmt: skip
clusters_app = typer.Typer(no_args_is_help=True, help="Resolved clusters.")
app.add_typer(review_app, name="review")
app.add_typer(clusters_app, name="clusters")
REASON = typer.Option(..., "--reason", help="Why (recorded with the judgement and audited).")


@app.command()
def resolve(
    schema: str | None = typer.Option(
        None, help="Only Person, Company, Organization or LegalEntity records."
    ),
    engine: str = typer.Option("duckdb", help="Splink engine: duckdb or spark."),
    full: bool = typer.Option(False, "--full", help="Rebuild: score every pair again."),
    retrain: bool = typer.Option(False, "--retrain", help="Train the model again first."),
) -> None:
    """Find who is who: score candidate pairs, merge the sure ones, queue the rest."""
    with session() as s, err.status("resolving") as status:

        def progress(message: str) -> None:
            status.update(message)
            err.print(f"[dim]{message}[/]", highlight=False)

        try:
            summary = guarded(lambda: s.resolve.run(schema, engine, full, retrain, progress))
        except EngineError as exc:
            raise typer.Exit(_fail(str(exc))) from None
        waiting = s.review.pending()
    table = Table("records", "new or changed", "pairs kept", "trained")
    for group, count in summary.entities.items():
        table.add_row(f"{group}: {count:,}", f"{summary.new.get(group, 0):,}",
                      f"{summary.scored.get(group, 0):,}",
                      "yes" if group in summary.trained else "")  # fmt: skip
    err.print(table)
    err.print(
        f"{summary.subjects:,} subjects; {summary.merged:,} records in merged subjects; "
        f"{summary.changed:,} canonical ids changed; "
        f"{_count(waiting['items'], 'possible match', 'es')} for review "
        f"({_count(waiting['pairs'], 'pair')}); "
        f"{summary.skipped:,} records skipped (nothing to compare: no name)."
    )
    records = sum(summary.entities.values())
    entities = f"{summary.read:,} {'entity' if summary.read == 1 else 'entities'}"
    err.print(f"Read the statements of all {entities}." if summary.read_every else
              f"Read the statements of {entities} written or erased since the last run; "
              "the rest as that run kept them.")  # fmt: skip
    err.print(f"{summary.standardised:,} records standardised, "
              f"{max(records - summary.standardised, 0):,} unchanged since the last run "
              "and taken as they were.")  # fmt: skip
    err.print(f"Search index: {_count(summary.reindexed, 'document')} rebuilt, "
              f"{summary.renamed:,} renamed to their new subject.")  # fmt: skip
    spent = "; ".join(f"{name} {seconds:,.1f} s" for name, seconds in summary.phases.items())
    err.print(f"[dim]time: {spent}[/]", highlight=False)


def _fail(message: str) -> int:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return 2


@review_app.command("list")
def review_list(
    limit: int = typer.Option(20, help="How many items."),
    offset: int = typer.Option(0, help="Skip this many."),
    subject: str | None = typer.Option(None, "--subject", help="Only items of this subject."),
    case: str | None = typer.Option(
        None, "--case", help="Only items of this case's subjects (you must be a member; the "
        "case is the purpose of the read)."
    ),
    justification: str | None = JUSTIFICATION,
    as_json: bool = JSON,
) -> None:
    """Possible matches waiting for a person, the most worth deciding first: each item is
    two subjects whose records the model could not settle, with every pending pair
    between them."""
    with session(case, justification) as s:
        queue = guarded(lambda: s.review.queue(limit, offset, case=case, subject=subject))
    if as_json:
        print_json(queue)
        return
    table = Table("item", "subject (records)", "may be the same as", "pairs", "score")
    for item in queue["items"]:
        table.add_row(item["id"], _short(item["left"]), _short(item["right"]),
                      str(item["pairs"]), f"{item['probability']:.0%}")  # fmt: skip
    err.print(table)
    where = f" in case {case}" if case else ""
    err.print(f"{_count(queue['total'], 'possible match', 'es')} waiting for review "
              f"({_count(queue['pairs'], 'pair')}){where}")  # fmt: skip


def _count(n: int, noun: str, plural: str = "s") -> str:
    return f"{n:,} {noun}{'' if n == 1 else plural}"


def _short(side: dict[str, Any]) -> str:
    return f"{side['name']} ({side['records']})"


def _side(side: dict[str, Any]) -> str:
    records = side["records"]
    return f"{side['name']} ({records} record{'' if records == 1 else 's'}: " \
        f"{', '.join(side['sources'])})"  # fmt: skip


@review_app.command("show")
def review_show(
    item: str,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
    as_json: bool = JSON,
) -> None:
    """Both subjects whole, why they may be one, and the waterfall of the strongest pair."""
    with session(case, justification) as s:
        shown = guarded(lambda: s.review.show(item))
    if as_json:
        print_json(shown)
        return
    left, right = shown["left"], shown["right"]
    err.print(f"[bold]Item {shown['id']}[/]: is {left['name']} the same as {right['name']}?",
              highlight=False)  # fmt: skip
    for reason in shown["reasons"]:
        err.print(f"  + {reason['text']}", highlight=False)
    for reason in shown["against"]:
        err.print(f"  - {reason['text']}", highlight=False)
    facts = Table("", _side(left), _side(right))
    by_kind = [{f["kind"]: f for f in side["facts"]} for side in (left, right)]
    for kind, label in KIND_LABELS.items():
        if kind in by_kind[0] or kind in by_kind[1]:
            facts.add_row(label, *(_values(found.get(kind)) for found in by_kind))
    facts.add_row("Connections", *(_connections(side) for side in (left, right)))
    facts.add_row("Records", *("\n".join(f"{r['name']} ({r['source']}, {r['id'][:12]})"
                                           for r in side["record_list"])
                               for side in (left, right)))  # fmt: skip
    err.print(facts)
    strongest = shown["strongest"]
    explanation = strongest["explanation"]
    if explanation:
        err.print(f"The strongest pair: {strongest['left']['name']} ({strongest['left']['source']})"
                  f" and {strongest['right']['name']} ({strongest['right']['source']})",
                  highlight=False)  # fmt: skip
        waterfall = Table("comparison", "in words", "match weight", "level (model's terms)")
        waterfall.add_row("prior", "before any comparison", f"{explanation['prior']:+.2f}", "")
        for step in explanation["steps"]:
            tf = f" (term frequency {step['tf_adjustment']:+.2f})" if step["tf_adjustment"] \
                else ""  # fmt: skip
            waterfall.add_row(step["label"], step["words"], f"{step['weight']:+.2f}{tf}",
                              f"{step['comparison']}: {step['level']}")  # fmt: skip
        waterfall.add_row("total", f"probability {explanation['probability']:.4f}",
                          f"{explanation['match_weight']:+.2f}", "")  # fmt: skip
        err.print(waterfall)
    err.print(f"{len(shown['pending_pairs'])} pending pair(s); one decision settles them all.")
    for j in shown["judgements"]:
        err.print(f"earlier: {j['judgement']} by {j['actor']}: {j['reason']}", highlight=False)


def _values(fact: dict[str, Any] | None) -> str:
    if fact is None:
        return ""
    return "\n".join(("= " if v["shared"] else "") + f"{v['value']} ({', '.join(v['sources'])})"
                     for v in fact["values"])  # fmt: skip


def _connections(side: dict[str, Any]) -> str:
    shown = side["connections"][:12]
    more = len(side["connections"]) - len(shown)
    lines = [("= " if c["shared"] else "") + f"{c['name']} ({c['kind']})" for c in shown]
    return "\n".join(lines + ([f"and {more} more"] if more > 0 else []))


def _decide(decision: str, item: str, reason: str, case: str | None,
            justification: str | None) -> None:  # fmt: skip
    with session(case, justification) as s:
        result = guarded(lambda: s.review.decide(item, decision, reason))
    done = {"positive": f"accepted: one subject now, {result['subject']}",
            "negative": "rejected: the two subjects stay apart",
            "unsure": "marked unsure: it leaves the queue"}[decision]  # fmt: skip
    err.print(f"Item {item} {done} ({result['pairs']} pair(s) judged).")


@review_app.command("accept")
def review_accept(item: str, reason: str = REASON, case: str | None = CASE,
                  justification: str | None = JUSTIFICATION) -> None:  # fmt: skip
    """The two subjects are one: they become one subject."""
    _decide("positive", item, reason, case, justification)


@review_app.command("reject")
def review_reject(item: str, reason: str = REASON, case: str | None = CASE,
                  justification: str | None = JUSTIFICATION) -> None:  # fmt: skip
    """The two subjects are different: they stay apart on every later run."""
    _decide("negative", item, reason, case, justification)


@review_app.command("unsure")
def review_unsure(item: str, reason: str = REASON, case: str | None = CASE,
                  justification: str | None = JUSTIFICATION) -> None:  # fmt: skip
    """Cannot tell: the item leaves the queue and the model no longer merges its pairs."""
    _decide("unsure", item, reason, case, justification)


@subject_app.command("merge")
def subject_merge(a: str, b: str, reason: str = REASON, case: str | None = CASE,
                  justification: str | None = JUSTIFICATION) -> None:  # fmt: skip
    """Two subjects are one entity (a person's judgement; the model never undoes it)."""
    with session(case, justification) as s:
        result = guarded(lambda: s.resolve.merge(a, b, reason))
    err.print(f"Merged into {result['subject']}.")


@subject_app.command("split")
def subject_split(
    subject_id: str,
    records: str = typer.Option(..., "--records", help="Comma-separated entity ids to move."),
    reason: str = REASON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Take records out of a subject into a subject of their own."""
    ids = [r.strip() for r in records.split(",") if r.strip()]
    with session(case, justification) as s:
        result = guarded(lambda: s.resolve.split(subject_id, ids, reason))
    err.print(f"Now: {', '.join(result['subjects'])}.")


@clusters_app.command("export")
def clusters_export(
    out: Path = typer.Argument(..., help="CSV file to write."),
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Write ``source, record_key, entity_id, canonical_id`` for every resolved record you
    may see (sealed subjects left out): a consultation, so it needs a purpose."""
    with session(case, justification) as s:
        count = guarded(lambda: s.resolve.export_clusters(out))
    err.print(f"{count:,} records written to {out}")
