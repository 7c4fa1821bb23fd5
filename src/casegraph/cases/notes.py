"""Notes in Markdown: rendered to sanitised HTML, with ``@subject`` mentions."""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt

# @ followed by a canonical id (letters, digits, '-', '_', '.', ':'), as in "@cg-12ab"
MENTION = re.compile(r"(?<![\w@])@([A-Za-z0-9][A-Za-z0-9_.:-]{2,254}[A-Za-z0-9])")
_MD = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "del",
}


def mentions(body: str) -> list[str]:
    """The subject ids a note mentions, in order, once each."""
    return list(dict.fromkeys(MENTION.findall(body)))


def render(body: str, subject_url: str = "/subjects/{id}") -> str:
    """Markdown to HTML that is safe to put in a page: raw HTML in the note is escaped,
    links keep http(s)/mailto only, and mentions link to the subject's profile."""

    def link(match: re.Match[str]) -> str:
        cid = match.group(1)
        return f"[@{cid}]({subject_url.format(id=cid)})"

    html = _MD.render(MENTION.sub(link, body))
    return nh3.clean(
        html,
        tags=TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
