"""Text with some of its stretches marked (``<mark>``), escaped: a search hit's snippet
with the words that matched, a document's page with the words searched for."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import Markup, escape

from casegraph.documents.snippets import matches


def marked(text: str, spans: Sequence[Sequence[int]]) -> Markup:
    """``text`` with each (start, end) of ``spans`` in ``<mark>``."""
    out, at = [], 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        if start < at:
            continue
        out.append(escape(text[at:start]))
        out.append(Markup("<mark>{}</mark>").format(text[start:end]))
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


def annotated(text: str, words: Iterable[str], mentions: Sequence[dict[str, Any]]) -> Markup:
    """A page's text with its mentions as links to the subjects they name (the first;
    the others in the title) and, elsewhere, the words searched for in ``<mark>``."""
    taken = [(int(m["start"]), int(m["end"])) for m in mentions]
    spans: list[tuple[int, int, Markup]] = []
    for m in mentions:
        who = m["subjects"]
        title = f"{m['what']}: " + ("; ".join(x["caption"] for x in who) if who
                                    else "no subject known in your sources")  # fmt: skip
        kind = "mention" + (" rejected" if m["decision"] == "rejected" else "")
        inner = text[int(m["start"]):int(m["end"])]
        if who and m["decision"] != "rejected":
            spans.append((int(m["start"]), int(m["end"]), Markup(
                '<a class="{}" href="/subjects/{}" title="{}">{}</a>').format(
                kind, who[0]["id"], title, inner)))  # fmt: skip
        else:
            spans.append((int(m["start"]), int(m["end"]), Markup(
                '<span class="{}" title="{}">{}</span>').format(kind, title, inner)))  # fmt: skip
    for start, end in matches(text, list(words)):
        if not any(a < end and start < b for a, b in taken):
            spans.append((start, end, Markup("<mark>{}</mark>").format(text[start:end])))
    out, at = [], 0
    for start, end, html in sorted(spans, key=lambda item: item[0]):
        if start < at:
            continue
        out.append(escape(text[at:start]))
        out.append(html)
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)


def words_marked(text: str, words: Iterable[str]) -> Markup:
    """``text`` with every occurrence of ``words`` (whole words, compared as search
    compares them) in ``<mark>``."""
    return marked(text, matches(text, list(words)))
