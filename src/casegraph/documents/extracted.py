"""What extraction makes of one file, and how it says it could not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from casegraph.config import Settings

PAGE_CHARS = 100_000  # a document without pages is cut into parts of this size


class Unreadable(Exception):
    """The file cannot be read (corrupt, truncated, encrypted, of an unknown kind, over
    a limit): the reason is recorded with the document, and the batch goes on."""


@dataclass(frozen=True)
class Limits:
    """Bounds on what one file may cost: the largest file read, the most pages, how
    deep files may nest in archives and e-mails, how many members an archive may have
    and how much its members may unpack to (together, and each against its packed
    size: a zip bomb is refused), and the seconds a tool may spend on a page."""

    max_bytes: int
    max_pages: int
    max_depth: int
    max_members: int
    max_unpacked: int
    ocr_seconds: int
    max_ratio: int = 200

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        """The workspace's settings (``CASEGRAPH_DOCUMENT_MAX_BYTES`` ...)."""
        return cls(settings.document_max_bytes, settings.document_max_pages,
                   settings.document_max_depth, settings.document_max_members,
                   settings.document_max_unpacked, settings.ocr_seconds)  # fmt: skip


@dataclass(frozen=True)
class Child:
    """A file found inside another: its name there and its bytes."""

    name: str
    data: bytes


@dataclass
class Extracted:
    """One file's FollowTheMoney schema, text per page (``paged``: real pages, as in a
    PDF; otherwise parts of one text), metadata, the files inside it, and the pages that
    have no text of their own (numbered from 1), left for OCR."""

    schema: str
    pages: list[str] = field(default_factory=list)
    paged: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    children: list[Child] = field(default_factory=list)
    needs_ocr: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def parts(text: str) -> list[str]:
    """A text without pages in parts of about ``PAGE_CHARS``, cut at a line end."""
    text = text.strip()
    if not text:
        return []
    out = []
    while len(text) > PAGE_CHARS:
        cut = text.rfind("\n", 0, PAGE_CHARS)
        cut = cut if cut > PAGE_CHARS // 2 else PAGE_CHARS
        out.append(text[:cut])
        text = text[cut:].lstrip("\n")
    out.append(text)
    return out
