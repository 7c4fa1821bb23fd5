"""Notes in Markdown: rendered to sanitised HTML, with ``@subject`` mentions.

A mention is written as the subject's id (``@cg-49e2...``) and read as the subject's
display name, as the reader is shown it (``Mention``): a link to the profile; a sealed
subject as "sealed record"; a subject the reader may not see (or no subject at all: the
two answer alike, so a note tells nobody what a source they are not cleared for holds)
as "a subject you may not see", without its id or a link."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape

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


UNSEEN = "a subject you may not see"
_TAG = re.compile(r"(<[^>]*>)")
_LITERAL = {"code", "pre", "a"}  # no mention is read inside these


@dataclass(frozen=True)
class Mention:
    """A mentioned subject as one reader is shown it: ``caption`` None when the
    reader may not see it."""

    id: str
    caption: str | None
    sealed: bool = False

    @property
    def seen(self) -> bool:
        return self.caption is not None

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "caption": self.caption or UNSEEN, "seen": self.seen,
                "sealed": self.sealed}  # fmt: skip


def mentions(body: str) -> list[str]:
    """The subject ids a note mentions, in order, once each."""
    return list(dict.fromkeys(MENTION.findall(body)))


def _link_mentions(html: str, link: Callable[[str], str]) -> str:
    """``html`` with each mention in its text replaced by ``link(id)``; text inside
    code, preformatted blocks and links is left as written."""
    parts = _TAG.split(html)
    inside: list[str] = []
    for n, part in enumerate(parts):
        if n % 2:  # a tag
            name = part.strip("</>").split(maxsplit=1)[0].lower() if part.strip("</>") else ""
            if name in _LITERAL:
                if part.startswith("</"):
                    if name in inside:
                        inside.remove(name)
                elif not part.endswith("/>"):
                    inside.append(name)
        elif part and not inside:
            parts[n] = MENTION.sub(lambda m: link(m.group(1)), part)
    return "".join(parts)


def render(
    body: str,
    subject_url: str = "/subjects/{id}",
    shown: Mapping[str, Mention] | None = None,
) -> str:
    """Markdown to HTML that is safe to put in a page: raw HTML in the note is escaped,
    links keep http(s)/mailto only, and mentions link to the subject's profile, by the
    name ``shown`` gives (by the id where ``shown`` is None: no reader to ask)."""

    def link(cid: str) -> str:
        url = escape(subject_url.format(id=cid))
        if shown is None:
            return f'<a href="{url}">@{escape(cid)}</a>'
        mention = shown.get(cid) or Mention(cid, None)
        if not mention.seen:
            return f"<em>{UNSEEN}</em>"
        return f'<a href="{url}" title="{escape(cid)}">@{escape(mention.caption or "")}</a>'

    html = _link_mentions(_MD.render(body), link)
    return nh3.clean(
        html,
        tags=TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )
