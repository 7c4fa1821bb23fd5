"""What a search hit shows of a page: a stretch of its text around the first match,
and where the query's words are in it; made the same way whatever the store."""

from __future__ import annotations

import re
import unicodedata

WIDTH = 240


def folded(word: str) -> str:
    """A word without case or accents, as the full-text index compares words."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def snippet(text: str, words: list[str], width: int = WIDTH) -> tuple[str, list[tuple[int, int]]]:
    """About ``width`` characters of ``text`` (whitespace collapsed) from a little before
    the first of the words of ``words`` (words or phrases), and the (start, end) of each
    of them in it."""
    flat = " ".join(text.split())
    wanted = {folded(w) for item in words for w in re.findall(r"\w+", item)}
    found = [m for m in re.finditer(r"\w+", flat) if folded(m.group()) in wanted]
    first = found[0].start() if found else 0
    start = max(0, first - width // 4)
    if start:
        space = flat.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", start, end)
        end = space if space > first else end
    lead, tail = ("…" if start else ""), ("…" if end < len(flat) else "")
    shift = len(lead) - start
    marks = [(m.start() + shift, m.end() + shift) for m in found if start <= m.start() < end]
    return lead + flat[start:end] + tail, marks
