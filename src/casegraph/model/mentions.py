"""A mention: a stretch of a document's text that names something the search index
keeps (an e-mail address, a phone number, an identifier, a subject's name)."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Mention:
    page: int
    start: int  # character offsets in the page's text
    end: int
    text: str  # as written
    rule: str  # what found it: email, phone, iban, name
    field: str  # the search index's field: email, phone, id, name
    key: str  # the value as the index keeps it

    @property
    def spot(self) -> tuple[int, int, int]:
        """(page, start, end): the key of the decisions on it."""
        return self.page, self.start, self.end

    @property
    def place(self) -> str:
        """The mention's stable reference in its document: page, start and end."""
        return f"{self.page}:{self.start}-{self.end}"


def parse_place(value: str) -> tuple[int, int, int]:
    """(page, start, end) of a place written as ``Mention.place`` writes it."""
    match = re.fullmatch(r"(\d+):(\d+)-(\d+)", value.strip())
    if not match:
        raise ValueError(f"{value!r} is not a mention's place (page:start-end, e.g. 1:120-134)")
    page, start, end = (int(g) for g in match.groups())
    return page, start, end
