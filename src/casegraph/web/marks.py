"""Text with some of its stretches marked, escaped: a search hit's snippet with the
words that matched (``<mark>``), a document's page with its mentions (links to their
subjects) and the words searched for."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import Markup, escape

from casegraph.documents.snippets import matches
from casegraph.model.spans import free_at


def marked(text: str, spans: Sequence[Sequence[int]]) -> Markup:
    """``text`` with each (start, end) of ``spans`` in ``<mark>``."""
    return _joined(text, [(int(a), int(b), *_MARK) for a, b in spans])


def annotated(text: str, words: Iterable[str], mentions: Sequence[dict[str, Any]]) -> Markup:
    """A page's text with its mentions as links to the subjects they name (the first;
    the others in the title) and, elsewhere, the words searched for in ``<mark>``."""
    spans: list[tuple[int, int, Markup, Markup]] = []
    for m in mentions:
        who = [] if m["decision"] == "rejected" else m["subjects"]
        title = f"{m['what']}: " + ("; ".join(x["caption"] for x in who) if who else
                                    "rejected" if m["decision"] == "rejected" else
                                    "no subject known in your sources")  # fmt: skip
        if who:
            tag = (Markup('<a class="mention" href="/subjects/{}" title="{}">').format(
                who[0]["id"], title), Markup("</a>"))  # fmt: skip
        else:
            rejected = " rejected" if m["decision"] == "rejected" else ""
            tag = (Markup('<span class="mention{}" title="{}">').format(rejected, title),
                   Markup("</span>"))  # fmt: skip
        spans.append((int(m["start"]), int(m["end"]), *tag))
    taken = sorted((a, b) for a, b, _, _ in spans)
    for start, end in matches(text, list(words)):
        if free_at(taken, start, end) is not None:  # the words outside every mention
            spans.append((start, end, *_MARK))
    return _joined(text, spans)


_MARK = (Markup("<mark>"), Markup("</mark>"))


def _joined(text: str, spans: Sequence[tuple[int, int, Markup, Markup]]) -> Markup:
    """``text``, escaped, with each (start, end, opening, closing) of ``spans`` between
    its tags (a span overlapping the one before is left out)."""
    out, at = [], 0
    for start, end, opening, closing in sorted(spans, key=lambda item: item[:2]):
        if start < at:
            continue
        out += [escape(text[at:start]), opening, escape(text[start:end]), closing]
        at = end
    out.append(escape(text[at:]))
    return Markup("").join(out)
