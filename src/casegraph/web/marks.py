"""Text with some of its stretches marked (``<mark>``), escaped: a search hit's snippet
with the words that matched, a document's page with the words searched for."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

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


def words_marked(text: str, words: Iterable[str]) -> Markup:
    """``text`` with every occurrence of ``words`` (whole words, compared as search
    compares them) in ``<mark>``."""
    return marked(text, matches(text, list(words)))
