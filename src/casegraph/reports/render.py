"""Lay out a :class:`CaseFile` as HTML, print it to PDF, and look at the pages.

Nothing here reads data or touches the network: the PDF renderer gets a URL fetcher
that refuses every URL, so a stray ``<img src="http://...">`` in a note is dropped.
"""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import jinja2
import pypdfium2 as pdfium
import weasyprint
from weasyprint.urls import URLFetcher

from casegraph.model.edges import kind_label
from casegraph.reports import graph_picture
from casegraph.reports.case_file import CaseFile, appendix

SEALED = "Sealed record"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment


def format_datetime(value: Any) -> str:
    """``YYYY-MM-DD HH:MM`` in UTC for date-times (naive ones are taken as UTC),
    ISO for dates; partial ISO dates ("1985", "2019-03") and other text unchanged."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        text = value.strip()
        if len(text) <= 10:  # a date, possibly partial: keep it as the source gave it
            return text
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return text
    if isinstance(value, datetime):
        return _utc(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def format_date(value: Any) -> str:
    """ISO date; a date-time is shown by its UTC date."""
    if isinstance(value, datetime):
        return _utc(value).date().isoformat()
    if isinstance(value, str) and len(value.strip()) > 10:
        return format_datetime(value)[:10]
    return format_datetime(value)


def format_size(value: Any) -> str:
    try:
        size = int(value)
    except (TypeError, ValueError):
        return "—"
    amount = float(size)
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if amount < 1024 or unit == "TB":
            if unit == "bytes":
                return f"{size:,} bytes"
            return f"{amount:.1f} {unit} ({size:,} bytes)"
        amount /= 1024
    return f"{size:,} bytes"  # pragma: no cover


@cache
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("casegraph.reports", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["dt"] = format_datetime
    env.filters["d"] = format_date
    env.filters["size"] = format_size
    env.filters["kind"] = kind_label
    env.filters["timeline_kind"] = timeline_kind
    return env


def timeline_kind(kind: Any) -> str:
    """A timeline entry's kind as it reads: "case.task.created" as "task created",
    "fact:birthDate" as "fact"."""
    text = str(kind or "")
    if text.startswith("fact:"):
        return "fact"
    return text.removeprefix("case.").replace(".", " ").replace("_", " ")


def captions_of(data: CaseFile) -> dict[str, str]:
    """How the case file names each subject: its display name (sealed ones redacted);
    two different subjects with the same name are told apart by the start of their ids."""
    sealed = {s.canonical_id for s in data.subjects if s.sealed}
    sealed |= {str(n["id"]) for n in data.graph_nodes if n.get("sealed")}
    captions = {str(n["id"]): str(n.get("caption") or n["id"]) for n in data.graph_nodes}
    for subject in data.subjects:
        captions[subject.canonical_id] = subject.caption
    for cid in sealed:
        captions[cid] = SEALED
    named: dict[str, list[str]] = {}
    for cid, caption in captions.items():
        named.setdefault(caption, []).append(cid)
    for caption, ids in named.items():
        if len(ids) > 1 and caption != SEALED:
            for cid in ids:
                captions[cid] = f"{caption} ({_short_id(cid)})"
    return captions


def _short_id(cid: str) -> str:
    return cid.removeprefix("cg-")[:6]


def graph_layout(
    data: CaseFile, captions: dict[str, str] | None = None
) -> graph_picture.Layout:
    """Where the case file's graph picture puts each subject (its nodes named as the
    case file names them: ``captions_of``, when not given)."""
    captions = captions if captions is not None else captions_of(data)
    nodes = [{**node, "caption": captions[str(node["id"])]} for node in data.graph_nodes]
    return graph_picture.layout(nodes, data.graph_edges)


def html(data: CaseFile) -> str:
    """The case file as one self-contained, print-ready HTML document."""
    captions = captions_of(data)
    picture = graph_picture.draw(graph_layout(data, captions)) if data.graph_nodes else ""
    linked = sum(1 for n in data.graph_nodes if n.get("role") is not None)
    template = _environment().get_template("case_file.html.j2")
    return template.render(
        data=data,
        case=data.case,
        captions=captions,
        graph_svg=picture,
        graph_nodes=data.graph_nodes,
        graph_linked=linked,
        structure=[r for r in data.relationships if not r["activity"]],
        payments=[r for r in data.relationships if r["kind"] == "Payment"],
        calls=[r for r in data.relationships if r["kind"] == "Call"],
        appendix=appendix(data.relationships, data.events),
        sealed_label=SEALED,
    )


class _NoFetch(URLFetcher):  # type: ignore[misc]
    """Refuses every URL: a case file is rendered from what is in the document only."""

    def fetch(self, url: str, headers: Any = None) -> Any:
        raise ValueError(f"case files fetch nothing: {url[:80]}")


def pdf(document_html: str) -> bytes:
    """Print the document to PDF (A4, as its stylesheet says), fetching nothing."""
    document = weasyprint.HTML(string=document_html, url_fetcher=_NoFetch())
    out = document.write_pdf()
    assert isinstance(out, bytes)
    return out


def pages_png(pdf_bytes: bytes, scale: float = 1.0) -> list[bytes]:
    """Each page of the PDF as PNG bytes (``scale`` 1.0 is 72 dpi)."""
    document = pdfium.PdfDocument(pdf_bytes)
    images: list[bytes] = []
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                image = page.render(scale=scale).to_pil()
                buffer = io.BytesIO()
                image.save(buffer, format="PNG")
                images.append(buffer.getvalue())
            finally:
                page.close()
    finally:
        document.close()
    return images


def pdf_text(pdf_bytes: bytes) -> str:
    """The text of every page, pages separated by a form feed."""
    document = pdfium.PdfDocument(pdf_bytes)
    texts: list[str] = []
    try:
        for index in range(len(document)):
            page = document[index]
            try:
                textpage = page.get_textpage()
                texts.append(str(textpage.get_text_range()))
                textpage.close()
            finally:
                page.close()
    finally:
        document.close()
    return "\f".join(texts)
