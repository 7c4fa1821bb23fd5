"""Entity-resolution commands: ``resolve``, ``review ...``, ``subject merge|split``,
``clusters export``. Registered on the main ``casegraph`` app by ``cli/__init__.py``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from casegraph.cli.common import CASE, JUSTIFICATION, app, err, guarded, session, subject_app
from casegraph.resolve.engine import EngineError

review_app = typer.Typer(no_args_is_help=True, help="Pairs waiting for a person's judgement.")
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
    table = Table("records", "new or changed", "pairs kept", "trained")
    for group, count in summary.entities.items():
        table.add_row(f"{group}: {count:,}", f"{summary.new.get(group, 0):,}",
                      f"{summary.scored.get(group, 0):,}",
                      "yes" if group in summary.trained else "")  # fmt: skip
    err.print(table)
    err.print(
        f"{summary.subjects:,} subjects; {summary.merged:,} records in merged subjects; "
        f"{summary.changed:,} canonical ids changed; {summary.review:,} pairs for review; "
        f"{summary.skipped:,} records skipped (nothing to compare: no name)."
    )


def _fail(message: str) -> int:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    return 2


@review_app.command("list")
def review_list(
    limit: int = typer.Option(20, help="How many pairs."),
    offset: int = typer.Option(0, help="Skip this many."),
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Pairs between the thresholds that no person has decided, most likely first."""
    with session(case, justification) as s:
        queue = guarded(lambda: s.resolve.queue(limit, offset))
    table = Table("pair", "probability", "left", "right")
    for item in queue["items"]:
        table.add_row(item["pair"], f"{item['probability']:.3f}", _side(item["left"]),
                      _side(item["right"]))  # fmt: skip
    err.print(table)
    err.print(f"{queue['total']:,} pairs waiting for review")


def _side(side: dict[str, Any]) -> str:
    return f"{side['name'] or side['id']} ({side['source']})"


@review_app.command("show")
def review_show(
    pair: str, case: str | None = CASE, justification: str | None = JUSTIFICATION
) -> None:
    """Both records side by side and the waterfall of the model's score."""
    with session(case, justification) as s:
        shown = guarded(lambda: s.resolve.show(pair))
    left, right = shown["left"] or {}, shown["right"] or {}
    records = Table("property", left.get("source", "left"), right.get("source", "right"))
    lp, rp = left.get("properties", {}), right.get("properties", {})
    for prop in sorted(set(lp) | set(rp)):
        records.add_row(prop, "; ".join(lp.get(prop, [])), "; ".join(rp.get(prop, [])))
    err.print(records)
    explanation = shown["explanation"]
    if explanation:
        waterfall = Table("comparison", "level", "match weight")
        waterfall.add_row("prior", "", f"{explanation['prior']:+.2f}")
        for step in explanation["steps"]:
            tf = f" (term frequency {step['tf_adjustment']:+.2f})" if step["tf_adjustment"] \
                else ""  # fmt: skip
            waterfall.add_row(step["comparison"], step["level"], f"{step['weight']:+.2f}{tf}")
        waterfall.add_row("total", f"probability {explanation['probability']:.4f}",
                          f"{explanation['match_weight']:+.2f}")  # fmt: skip
        err.print(waterfall)
    for j in shown["judgements"]:
        err.print(f"{j['origin']} {j['judgement']} by {j['actor']}: {j['reason']}")


def _decide(decision: str, pair: str, reason: str, case: str | None,
            justification: str | None) -> None:  # fmt: skip
    with session(case, justification) as s:
        result = guarded(lambda: s.resolve.decide(pair, decision, reason))
    err.print(f"Pair {pair}: {decision}. Subject now {result['subject']}.")


@review_app.command("accept")
def review_accept(pair: str, reason: str = REASON, case: str | None = CASE,
                  justification: str | None = JUSTIFICATION) -> None:  # fmt: skip
    """The two records are the same entity."""
    _decide("positive", pair, reason, case, justification)


@review_app.command("reject")
def review_reject(pair: str, reason: str = REASON, case: str | None = CASE,
                  justification: str | None = JUSTIFICATION) -> None:  # fmt: skip
    """The two records are different entities."""
    _decide("negative", pair, reason, case, justification)


@review_app.command("unsure")
def review_unsure(pair: str, reason: str = REASON, case: str | None = CASE,
                  justification: str | None = JUSTIFICATION) -> None:  # fmt: skip
    """Cannot tell: the pair leaves the queue and the model no longer merges it."""
    _decide("unsure", pair, reason, case, justification)


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
