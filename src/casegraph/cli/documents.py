"""Document commands: ``ingest-docs`` and ``docs status | retry | work | show | get |
image | search | mention | rescan | mentioning``.
Registered on the main ``casegraph`` app by ``cli/__init__.py``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    session,
    write_file,
)
from casegraph.documents.pipeline import RunSummary

if TYPE_CHECKING:
    from casegraph.service import Session

docs_app = typer.Typer(no_args_is_help=True, help="Documents: their state, retries, reading.")
app.add_typer(docs_app, name="docs")
OCR = typer.Option(
    "", "--ocr-languages",
    help="Tesseract languages for pages without text, joined by '+' (default: "
    "CASEGRAPH_OCR_LANGUAGES, eng+deu).",
)  # fmt: skip
NO_OCR = typer.Option(False, "--no-ocr", help="Do not OCR scans and pages without text.")
COUNTRY = typer.Option(
    None, "--country",
    help="Where phone numbers written without a country code are (two letters, e.g. DE); "
    "without it only numbers written with their code (+49 ...) are mentions.",
)  # fmt: skip


@app.command("ingest-docs")
def ingest_docs(
    paths: list[Path] = typer.Argument(..., help="Files and folders (read recursively)."),
    source: str = typer.Option(..., "--source", help="The source the documents belong to."),
    ocr_languages: str = OCR,
    no_ocr: bool = NO_OCR,
    country: str | None = COUNTRY,
    as_json: bool = JSON,
) -> None:
    """Load e-mails, PDFs, office files, web pages, archives and scans: their text becomes
    searchable, with the files inside them (attachments, archive members) as documents of
    their own, and the e-mail addresses, phone numbers, IBANs and known subjects' names
    in it as mentions. Interrupted, the same command goes on where it stopped."""
    with session() as s, progress_bar() as progress:
        summary = guarded(lambda: s.documents.ingest(
            paths, source, None if no_ocr else ocr_languages, progress, country))  # fmt: skip
    _report(summary, as_json)


@docs_app.command("work")
def work(as_json: bool = JSON) -> None:
    """Finish the documents waiting in your sources (after an interruption)."""
    with session() as s, progress_bar() as progress:
        summary = guarded(lambda: s.documents.work(progress))
    _report(summary, as_json)


@docs_app.command("retry")
def retry(
    failed: bool = typer.Option(True, "--failed/--all", help="Failed documents only, or all."),
    kind: str | None = typer.Option(None, "--type", help="Only this kind: pdf, email, docx ..."),
    stage: str | None = typer.Option(None, "--stage", help="Only this stage: extract or ocr."),
    as_json: bool = JSON,
) -> None:
    """Read documents again: those that failed (or all), of a kind, or their OCR only."""
    with session() as s, progress_bar() as progress:
        queued, summary = guarded(lambda: s.documents.retry(failed, kind, stage, progress))
    if not as_json:
        err.print(f"{queued:,} document(s) queued again.")
    _report(summary, as_json, {"queued": queued})


@docs_app.command("status")
def status(
    limit: int = typer.Option(200, help="List at most this many problems."),
    as_json: bool = JSON,
) -> None:
    """Documents by stage and kind, OCR pages, and every document that failed, with why."""
    with session() as s:
        found = guarded(lambda: s.documents.status(limit))
    if as_json:
        print_json(found)
        return
    stages = ", ".join(f"{k} {v:,}" for k, v in sorted(found["stages"].items())) or "none"
    kinds = ", ".join(f"{k} {v:,}" for k, v in sorted(found["kinds"].items()))
    err.print(f"[bold]documents[/]: {stages}; waiting {found['waiting']:,}", highlight=False)
    if kinds:
        err.print(f"[bold]kinds[/]: {kinds}", highlight=False)
    if found["ocr_pages"]:
        pages = ", ".join(f"{k} {v:,}" for k, v in sorted(found["ocr_pages"].items()))
        err.print(f"[bold]OCR pages[/]: {pages}", highlight=False)
    if found["problems"]:
        table = Table(Column("document", overflow="fold"), "kind", "stage",
                      Column("reason", overflow="fold"), title="problems")  # fmt: skip
        for p in found["problems"]:
            table.add_row(escape(f"{p['source']}: {p['path']}"), p["kind"] or "?", p["stage"],
                          escape(p["reason"]))  # fmt: skip
        err.print(table)


@docs_app.command("search")
def search(
    query: str = typer.Argument(..., help='Words (all of them) or a "quoted phrase".'),
    limit: int = typer.Option(20, help="At most this many documents."),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Documents whose text has the words, best first, with the page and a snippet."""
    _list(lambda s: s.documents.search(query, limit), case, justification, as_json)


def _list(read: Callable[[Session], list[dict[str, Any]]], case: str | None,
          justification: str | None, as_json: bool) -> None:  # fmt: skip
    with session(case, justification) as s:
        hits = guarded(lambda: read(s))
    if as_json:
        print_json(hits)
        return
    print_document_hits(hits)


def print_document_hits(hits: list[dict[str, Any]], total: int | None = None) -> None:
    total = len(hits) if total is None else total
    title = f"{total:,} document{'' if total == 1 else 's'}"
    if total > len(hits):
        title += f"; the best {len(hits)} shown"
    table = Table(Column("document", overflow="fold"), "schema", "page",
                  Column("snippet", overflow="fold"), title=title)  # fmt: skip
    for hit in hits:
        where = f"{hit['path']}\n[dim]{hit['source']} · {hit['id']}[/]"
        if hit["places"] > 1:
            where += f"\n[dim]and {hit['places'] - 1} other place(s)[/]"
        told = [t for t in ((hit.get("dated") or "")[:10], hit.get("language") or "") if t]
        if told:
            where += f"\n[dim]{' · '.join(told)}[/]"
        page = str(hit["page"]) if hit["page"] and hit["paged"] else ""
        table.add_row(where, hit["schema"] or "", page, marked(hit["snippet"], hit["highlights"]))
    err.print(table)


def marked(text: str, marks: list[tuple[int, int]]) -> str:
    """A snippet with its matches highlighted, as terminal markup."""
    out, at = [], 0
    for start, end in marks:
        out.append(escape(text[at:start]) + "[bold yellow]" + escape(text[start:end]) + "[/]")
        at = end
    return "".join(out) + escape(text[at:])


@docs_app.command("get")
def get(
    doc_id: str = typer.Argument(..., help="The document's id (from search or status)."),
    recipient: str = typer.Option(..., "--recipient", help="Who the file is for (recorded)."),
    out: Path = typer.Option(..., "--out", help="Where to write the file."),
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Write a document's file out as it was found: a disclosure, recorded with its
    recipient before any byte is written."""
    with session(case, justification) as s:
        meta, body = guarded(lambda: s.documents.download(doc_id, recipient))
        write_file(out, body)
    err.print(f"wrote {out} ({meta['size'] or 0:,} bytes, sha256 {meta['sha256']})")


@docs_app.command("image")
def image(
    doc_id: str = typer.Argument(..., help="The document's id (a PDF or a scan)."),
    page: int = typer.Argument(..., help="The page, from 1."),
    out: Path = typer.Option(..., "--out", help="Where to write the PNG."),
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """A page of a PDF or a scan as a PNG, to read beside its text (a consultation)."""
    with session(case, justification) as s:
        png = guarded(lambda: s.documents.page_image(doc_id, page))
    guarded(lambda: out.write_bytes(png))
    err.print(f"wrote {out} (page {page}, {len(png):,} bytes)")


@docs_app.command("show")
def show(
    doc_id: str = typer.Argument(..., help="The document's id (from search or status)."),
    page: int | None = typer.Option(None, help="Only this page."),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """A document: where it is, its metadata and its text (a consultation, recorded)."""
    with session(case, justification) as s:
        doc = guarded(lambda: s.documents.read(doc_id))
    if page is not None:
        doc["pages"] = [p for p in doc["pages"] if p["page"] == page]
    if as_json:
        print_json(doc)
        return
    about = f"{doc['schema']}, {doc['kind']}, {doc['size'] or 0:,} bytes, source {doc['source']}"
    err.print(f"[bold]{escape(doc['path'])}[/]  ({escape(about)})", highlight=False)
    for place in doc["within"]:
        err.print(f"  in {escape(place['path'])} [dim]{place['id']}[/]", highlight=False)
    if doc["error"]:
        err.print(f"[red]not read:[/] {escape(doc['error'])}", highlight=False)
    print(doc["properties"])
    for item in doc["pages"]:
        label = f"page {item['page']}" if doc["paged"] else f"part {item['page']}"
        if item["ocr"]:
            label += f" (OCR: {item['ocr']}{': ' + item['error'] if item['error'] else ''})"
        whole = len(doc["pages"]) == 1 and not doc["paged"] and not item["ocr"]
        print(f"\n{item['text']}" if whole else f"\n--- {label} ---\n{item['text']}")
    for title, key in (("inside", "inside"), ("same file also at", "also_at"),
                       ("thread", "thread")):  # fmt: skip
        if doc[key]:
            err.print(f"[bold]{title}[/]:", highlight=False)
            for place in doc[key]:
                err.print(f"  {escape(place['path'])} [dim]{place['id']}[/]", highlight=False)
    print_mentions(doc["mentions"])


def print_mentions(found: list[dict[str, Any]]) -> None:
    if not found:
        return
    table = Table("place", Column("mention", overflow="fold"), "rule",
                  Column("subjects", overflow="fold"), "decision", title="mentions")  # fmt: skip
    for m in found:
        who = "\n".join(f"{escape(x['caption'])} [dim]{x['id']}[/]" for x in m["subjects"])
        decided = f"{m['decision']} by {m['decided_by']}" if m["decision"] else ""
        table.add_row(m["place"], escape(m["text"]), m["what"], who or "[dim]none known[/]",
                      escape(decided))  # fmt: skip
    err.print(table)


@docs_app.command("mention")
def mention(
    doc_id: str = typer.Argument(..., help="The document's id."),
    place: str = typer.Argument(..., help="The mention's place, page:start-end (docs show)."),
    decision: str = typer.Argument(..., help="accept, reject or link (with --subject)."),
    subject: str | None = typer.Option(None, "--subject", help="link: the subject meant."),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """Accept, reject or re-link a mention (recorded); the decision outlives re-reading.

    The place is the mention's page:start-end, as docs show lists it."""
    with session(case, justification) as s:
        done = guarded(lambda: s.mentions.decide(doc_id, place, decision, subject))
    if as_json:
        print_json(done)
        return
    print_mentions([done])


@docs_app.command("rescan")
def rescan(as_json: bool = JSON) -> None:
    """Find mentions again in your sources' documents (new subjects' names too).

    Decisions on mentions stay."""
    with session() as s, progress_bar() as progress:
        queued = guarded(lambda: s.mentions.rescan())
        summary = guarded(lambda: s.documents.work(progress))
    if not as_json:
        err.print(f"{queued:,} document(s) scanned again.")
    _report(summary, as_json, {"queued": queued})


@docs_app.command("mentioning")
def mentioning(
    subject_id: str = typer.Argument(..., help="The subject's id."),
    limit: int = typer.Option(20, help="At most this many documents."),
    as_json: bool = JSON,
    case: str | None = CASE,
    justification: str | None = JUSTIFICATION,
) -> None:
    """The documents that mention a subject, with the place of the first mention."""
    _list(lambda s: s.mentions.mentioning(subject_id, limit), case, justification, as_json)


def _report(summary: RunSummary, as_json: bool, extra: dict[str, Any] | None = None) -> None:
    if as_json:
        print_json({**(extra or {}), **summary.to_dict()})
        return
    err.print(
        f"{summary.files:,} file(s) given ({summary.new_files:,} new); {summary.read:,} "
        f"read, {summary.failed:,} failed, {summary.linked:,} found inside others, "
        f"{summary.refused:,} refused for depth; OCR {summary.ocr_pages:,} page(s), "
        f"{summary.ocr_failed:,} failed; {summary.mentions:,} mention(s) in "
        f"{summary.scanned:,} document(s); {summary.parties:,} e-mail "
        f"parties as subjects; {summary.seconds:.1f} s. "
        "'casegraph docs status' lists every problem.",
        highlight=False,
    )
    for path, reason in summary.unreadable_paths:
        err.print(f"[red]not read:[/] {escape(path)}: {escape(reason)}", highlight=False)
