"""A search document: one subject as one source speaks of it, as search builds it
(``search/documents.py``) and the search index holds it (``store/``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from casegraph.model.display import cut


@dataclass
class Document:
    canonical_id: str
    source: str
    schema: str
    caption: str
    names: list[str]
    details: list[str]
    terms: str
    body: str
    adult_on: str | None
    values: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.caption = cut(self.caption)  # held in an index entry
