"""Which documents a search query asks for, and the facets that narrow them.

Documents are searched with the query language of subjects (``search.query``). Its words
and phrases are looked for in the documents' text (``free_text``); its filters on the
fields a document has narrow the documents:

    schema:Email  source:mailbox  case:C-2026-0001 (the case's evidence)  language:deu
    year:2019  year:[2018 TO 2020]  date:2019-03  mentions:<subject id>

A document has none of the other fields of subjects (``country:``, ``phone:``, ``name:``
...): a filter on one of them matches no document, and its negation every document.
Subjects have no language and mention nothing: ``language:`` and ``mentions:`` match no
subject (``search.engine``). So a facet of either kind narrows the results to that kind.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from followthemoney import model as ftm

from casegraph.model.sources import case_compartment
from casegraph.search.labels import DOCUMENT_FACET_LABELS, document_value_label
from casegraph.search.query import (
    And,
    Filter,
    Node,
    Not,
    Or,
    QueryError,
    Range,
    Words,
    schemata,
)

FACETS = ("schema", "source", "language", "year", "mentions")
FIELDS = frozenset({"schema", "source", "case", "language", "year", "date", "mentions"})
ONLY_DOCUMENTS = frozenset({"language", "mentions"})  # fields no subject has


@dataclass
class Facts:
    """What the filters of a query read of one document."""

    schema: str | None
    language: str | None
    dated: str | None  # ISO 8601
    sources: set[str]
    mentions: set[str] = field(default_factory=set)  # subjects it mentions

    def values(self, name: str) -> list[str]:
        """The document's values of a facet."""
        if name == "schema":
            return [self.schema] if self.schema else []
        if name == "source":
            return sorted(self.sources)
        if name == "language":
            return [self.language] if self.language else []
        if name == "year":
            return [self.dated[:4]] if self.dated and self.dated[:4].isdigit() else []
        if name == "mentions":
            return sorted(self.mentions)
        raise ValueError(name)


@dataclass
class DocumentResults:
    """Documents found by a search: the hits shown (dicts, as the API gives them), how
    many of the candidates passed the filters, whether there were more candidates than
    were read, facet counts, and the display names of the subjects a facet names."""

    hits: list[dict[str, Any]] = field(default_factory=list)
    total: int = 0
    more: bool = False
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": self.total,
            "more": self.more,
            "results": self.hits,
            "facets": {
                k: [{"value": v, "label": document_value_label(k, v, self.labels), "count": c}
                    for v, c in vals]
                for k, vals in self.facets.items()
            },
            "facet_labels": {k: DOCUMENT_FACET_LABELS[k] for k in self.facets},
        }


def check(node: Node | None, known: Iterable[str]) -> None:
    """Refuse a query ``docs search`` cannot read: a field neither documents nor subjects
    have (``known``: the subjects' fields), a schema that does not exist."""
    if node is None:
        return
    if isinstance(node, Filter | Range) or (isinstance(node, Words) and node.field):
        name = node.field or ""
        if name not in FIELDS and name not in set(known):
            raise QueryError(f"unknown field {name!r}; documents have: {', '.join(sorted(FIELDS))}")
        if isinstance(node, Filter) and name == "schema":
            schemata(node.value)
    elif isinstance(node, Not):
        check(node.node, known)
    elif isinstance(node, And | Or):
        for child in node.nodes:
            check(child, known)


def matches(node: Node | None, facts: Facts) -> bool:
    """Whether a document with ``facts`` passes the query's filters (its words are
    matched by the full text)."""
    return node is None or _decide(node, facts) is not False


def may_match(node: Node | None) -> bool:
    """Whether any document can pass the query's filters (false when it asks for a
    subject field, such as ``country:it``, of every match)."""
    if node is None:
        return True
    return _decide(node, None) is not False


def mentioned(node: Node | None) -> bool:
    """Whether the query filters documents by the subjects they mention."""
    if node is None:
        return False
    if isinstance(node, Filter):
        return node.field == "mentions"
    if isinstance(node, Not):
        return mentioned(node.node)
    if isinstance(node, And | Or):
        return any(mentioned(n) for n in node.nodes)
    return False


def required(node: Node | None) -> tuple[set[str] | None, set[str] | None]:
    """(sources, schemata) every match must have, read from the filters the whole query
    asks for (``source:``, ``case:`` and ``schema:`` joined by AND): to fetch fewer
    candidates. None: any."""
    parts = node.nodes if isinstance(node, And) else (node,) if node is not None else ()
    sources: set[str] | None = None
    kinds: set[str] | None = None
    for part in parts:
        if not isinstance(part, Filter) or part.pasted:
            continue
        if part.field in ("source", "case"):
            value = case_compartment(part.value) if part.field == "case" else part.value
            sources = {value} if sources is None else sources & {value}
        elif part.field == "schema":
            wanted = set(schemata(part.value))
            kinds = wanted if kinds is None else kinds & wanted
    return sources, kinds


def _decide(node: Node, facts: Facts | None) -> bool | None:
    """True or False when the filters decide for the document (``facts`` None: for any
    document, as far as can be told without reading one); None when they do not."""
    if isinstance(node, Words):
        return False if node.field else None  # name:... is looked for in subjects' names
    if isinstance(node, Filter):
        if node.pasted:
            return None  # a value read from free text: its words are in the full text
        if node.field not in FIELDS:
            return False
        return None if facts is None else _filter(node, facts)
    if isinstance(node, Range):
        if node.field not in ("year", "date"):
            return False
        return None if facts is None else _range(node, facts)
    if isinstance(node, Not):
        inner = _decide(node.node, facts)
        return None if inner is None else not inner
    found = [_decide(n, facts) for n in node.nodes]
    if isinstance(node, And):
        return False if False in found else True if True in found else None
    return True if True in found else None if None in found else False


def _filter(node: Filter, facts: Facts) -> bool:
    value = node.value
    if node.field == "schema":
        schema = ftm.get(facts.schema or "")
        return schema is not None and schema.is_a(value)
    if node.field == "source":
        return value in facts.sources
    if node.field == "case":
        return case_compartment(value) in facts.sources
    if node.field == "language":
        return facts.language is not None and facts.language == value.lower()
    if node.field == "mentions":
        return value in facts.mentions
    return facts.dated is not None and facts.dated.startswith(value)  # year, date


def _range(node: Range, facts: Facts) -> bool:
    if not facts.dated:
        return False
    size = 4 if node.field == "year" else len(facts.dated)
    dated = facts.dated[:size]
    low_ok = node.low is None or dated >= node.low
    return low_ok and (node.high is None or dated <= node.high + "~")


def counts(facts: Iterable[Facts], name: str, limit: int) -> list[tuple[str, int]]:
    """The ``limit`` commonest values of a facet among documents, most first."""
    found: dict[str, int] = {}
    for one in facts:
        for value in one.values(name):
            found[value] = found.get(value, 0) + 1
    return sorted(found.items(), key=lambda vc: (-vc[1], vc[0]))[:limit]
