"""What a search hit shows of a page: a stretch of its text around the first match,
and where the query's words are in it; made the same way whatever the store."""

from __future__ import annotations

import re

from casegraph.search.text import tokens

WIDTH = 240


def word_key(word: str) -> str:
    """A word as search compares words (ASCII, lower case: ``search.text.tokens``)."""
    return " ".join(tokens(word))


def matches(text: str, words: list[str]) -> list[tuple[int, int]]:
    """(start, end) of every word of ``text`` that is one of the words of ``words``
    (words or phrases), in order."""
    wanted = {word_key(w) for item in words for w in re.findall(r"\w+", item)}
    return [m.span() for m in re.finditer(r"\w+", text) if word_key(m.group()) in wanted]


def snippet(text: str, words: list[str], width: int = WIDTH) -> tuple[str, list[tuple[int, int]]]:
    """About ``width`` characters of ``text`` (whitespace collapsed) from a little before
    the first of the words of ``words`` (words or phrases), and the (start, end) of each
    of them in it."""
    flat = " ".join(text.split())
    return around(flat, matches(flat, words), width)


def around(text: str, spans: list[tuple[int, int]], width: int = WIDTH) -> tuple[
        str, list[tuple[int, int]]]:  # fmt: skip
    """About ``width`` characters of ``text`` (line breaks as spaces) from a little
    before the first of ``spans`` (start, end: words found, a mention's place), and where
    each of them is in it."""
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 4)
    if start:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(text), max(start + width, spans[0][1] if spans else 0))
    if end < len(text):
        space = text.rfind(" ", spans[0][1] if spans else start, end)
        end = space if space > 0 else end
    lead, tail = ("…" if start else ""), ("…" if end < len(text) else "")
    flat = "".join(" " if c in "\r\n\t" else c for c in text[start:end])
    shift = len(lead) - start
    marks = [(a + shift, b + shift) for a, b in spans if start <= a and b <= end]
    return lead + flat + tail, marks
