"""Run a parsed query against the index: the matching subjects, ranked, highlighted,
with facet counts, over the documents of the caller's visible sources only.

The stores only find candidates (their full-text indexes see the same tokens); ranking
and highlighting happen here, so SQLite and PostgreSQL give the same answers.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from followthemoney import model as ftm
from pyroaring import BitMap
from rapidfuzz.distance import OSA
from sqlalchemy import text
from sqlalchemy.engine import Connection

from casegraph.model.names import display_name
from casegraph.model.visible import Visible
from casegraph.search import particulars
from casegraph.search.document_query import ONLY_DOCUMENTS, DocumentResults
from casegraph.search.documents import FIELD_OF_TYPE, field_value
from casegraph.search.facet_sets import FacetSets, answerable, top
from casegraph.search.labels import facet_label, value_label
from casegraph.search.particulars import Particulars
from casegraph.search.pasted import phones
from casegraph.search.query import (
    And,
    Filter,
    Node,
    Not,
    Or,
    QueryError,
    Range,
    Words,
    parse,
    schemata,
)
from casegraph.search.text import tokens
from casegraph.store import search_bitmaps, search_index
from casegraph.store.search_bitmaps import FACET_FIELDS

FACETS = ("schema", "source", "country", "year", "case")
CANDIDATES = 2000  # documents ranked per query; more matches are counted, not ranked
ESTIMATE_CAP = 100_000  # value entries counted to choose the part of an AND that drives
FILTER_TYPES = {
    "phone": "phone",
    "email": "email",
    "country": "country",
    "id": "identifier",
    "identifier": "identifier",
}
DATE_PROPS = frozenset(
    name
    for schema in ftm.schemata.values()
    for name, prop in schema.properties.items()
    if prop.type.name == "date"
)
FIELDS = sorted(
    {
        "name",
        "address",
        "text",
        "schema",
        "source",
        "year",
        "date",
        "case",
        *ONLY_DOCUMENTS,
        *FILTER_TYPES,
        *DATE_PROPS,
    }
)
_WORD = re.compile(r"(\w+)", re.UNICODE)


@dataclass
class Hit:
    id: str
    schema: str
    caption: str
    sources: list[str]
    score: float
    highlights: list[str]
    cases: list[str] = field(default_factory=list)  # the reader's own cases with the subject
    particulars: Particulars = field(default_factory=Particulars)  # what tells it apart
    duplicates: list[str] = field(default_factory=list)  # review items: may be the same as

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "schema": self.schema,
            "caption": self.caption,
            "sources": self.sources,
            "score": round(self.score, 4),
            "highlights": self.highlights,
            "cases": self.cases,
            "particulars": self.particulars.to_dict(),
            "duplicates": self.duplicates,
        }


@dataclass
class Results:
    query: str
    total: int
    page: int
    limit: int
    hits: list[Hit]
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    ranked: int = 0  # matches within reach of the pages: all, or the CANDIDATES ranked
    document_results: DocumentResults = field(default_factory=DocumentResults)  # page 1

    @property
    def documents(self) -> list[dict[str, Any]]:
        """The documents found (on the first page), best first."""
        return self.document_results.hits

    def to_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "total": self.total,
            "page": self.page,
            "limit": self.limit,
            "ranked": self.ranked,
            "results": [h.to_dict() for h in self.hits],
            "facets": {
                k: [{"value": v, "label": value_label(k, v), "count": c} for v, c in vals]
                for k, vals in self.facets.items()
            },
            "facet_labels": {k: facet_label(k) for k in self.facets},
            "documents": self.documents,
            **{f"document_{k}": v for k, v in self.document_results.to_dict().items()
               if k != "results"},
        }


@dataclass
class _Token:
    """One query token with what it may match: itself, as a prefix, within one edit."""

    term: str
    prefix: bool = False
    near: frozenset[str] = frozenset()
    infix: bool = False

    def quality(self, term: str) -> float:
        if term == self.term:
            return 1.0
        if self.infix:
            return 0.7 if self.term in term else 0.0
        if term in self.near:
            return 0.7
        if self.prefix and term.startswith(self.term):
            return 0.6 if len(self.term) == 1 else 0.8
        return 0.0

    def alternatives(self, infix_terms: list[str]) -> list[tuple[str, bool]]:
        if self.infix:
            return [(t, False) for t in infix_terms]
        return [(self.term, self.prefix), *((t, False) for t in sorted(self.near))]


class Searcher:
    def __init__(
        self,
        conn: Connection,
        bitmaps: search_bitmaps.Cache,
        visible: Visible,
        today: str,
        cases: Sequence[str] = (),
    ) -> None:
        self.conn = conn
        self.bitmaps = bitmaps
        self.visible = visible
        self.sources = list(visible.sources)
        self.cases = list(cases)  # the reader's cases: the only ones a query may name
        self.today = today
        self.params: dict[str, Any] = {}
        self.wanted: list[_Token] = []  # positive tokens, for ranking and highlighting

    def _param(self, value: Any) -> str:
        name = f"p{len(self.params)}"
        self.params[name] = value
        return f":{name}"

    def _visible(self) -> str:
        marks = ", ".join(self._param(s) for s in self.sources)
        return f"d.source IN ({marks})"

    # --- query tree -> SQL selecting canonical ids ---------------------------------------

    def _docs(self, condition: str) -> str:
        return f"SELECT d.canonical_id FROM search_docs d WHERE {self._visible()} AND {condition}"

    def _subjects(self, node: Node, positive: bool) -> str:
        if isinstance(node, Words):
            return self._docs(self._words(node, positive))
        if isinstance(node, Filter | Range):
            return self._docs(self._condition(node, positive, False))
        if isinstance(node, Not):
            inner = self._subjects(node.node, not positive)
            return f"{self._docs('1 = 1')} EXCEPT {_wrap(inner)}"
        if isinstance(node, Or):
            return " UNION ".join(_wrap(self._subjects(n, positive)) for n in node.nodes)
        return self._and(node, positive)

    def _and(self, node: And, positive: bool) -> str:
        """The part expected to match fewest documents drives; every other part is
        checked per subject by index, so no large set is built just to be intersected."""
        keep: list[Node] = []
        drop: list[Node] = []
        words: list[str] = []
        for child in node.nodes:
            if isinstance(child, Words) and not child.phrase and child.field is None:
                words.extend(child.words)  # plain words match within one document
            elif isinstance(child, Not):
                drop.append(child.node)
            else:
                keep.append(child)
        if words:
            keep.insert(0, Words(tuple(words)))
        driver = min(keep, key=self._cost) if keep else None
        base = self._docs("1 = 1") if driver is None else self._subjects(driver, positive)
        alias = f"a{next(_ALIASES) % 1000}"
        ref = f"{alias}.canonical_id"
        checks = [self._holds(n, positive, ref) for n in keep if n is not driver]
        checks += [f"NOT {self._holds(n, not positive, ref)}" for n in drop]
        sql = f"SELECT {ref} FROM ({base}) AS {alias}"
        return f"{sql} WHERE {' AND '.join(checks)}" if checks else sql

    def _holds(self, node: Node, positive: bool, ref: str) -> str:
        """A condition true when the subject ``ref`` matches ``node``."""
        if isinstance(node, Words | Filter | Range):
            return (
                f"EXISTS (SELECT 1 FROM search_docs d WHERE d.canonical_id = {ref} "
                f"AND {self._visible()} AND {self._condition(node, positive, True)})"
            )
        return f"{ref} IN ({self._subjects(node, positive)})"

    def _condition(self, node: Words | Filter | Range, positive: bool, per_doc: bool) -> str:
        """``node`` as a condition on one document ``d`` (``per_doc``: checked for a
        given document, rather than driving from the index)."""
        if isinstance(node, Words):
            return self._words(node, positive)
        if isinstance(node, Filter):
            if positive and node.pasted:  # a value read from free text ranks and marks
                self.wanted.extend(_Token(t) for v in _normals(node) for t in tokens(v))
            return self._filter(node, per_doc)
        return self._values(self._range(node), per_doc)

    def _cost(self, node: Node) -> int:
        """About how many documents ``node`` matches: full-text, case and identifier
        matches are taken to be few, other values are counted in their index (up to
        ``ESTIMATE_CAP``), whole schemata and sources are many."""
        if isinstance(node, Words):
            return 0
        if isinstance(node, Filter):
            if node.field in ("schema", "source"):
                return 10 * ESTIMATE_CAP
            if node.field in ("case", "phone", "email", "id", "identifier", *ONLY_DOCUMENTS):
                return 1
            return self._estimate(self._posting(node))
        if isinstance(node, Range):
            return self._estimate(self._range(node))
        if isinstance(node, And):
            return min((self._cost(n) for n in node.nodes if not isinstance(n, Not)),
                       default=10 * ESTIMATE_CAP)  # fmt: skip
        if isinstance(node, Or):
            return sum(self._cost(n) for n in node.nodes)
        return 10 * ESTIMATE_CAP

    def _estimate(self, posting: str) -> int:
        sql = (
            f"SELECT COUNT(*) FROM (SELECT 1 FROM search_values v WHERE {posting} "
            f"LIMIT {ESTIMATE_CAP}) AS c"
        )
        return int(self.conn.execute(text(sql), self.params).scalar_one())

    def _words(self, node: Words, positive: bool) -> str:
        names_only = node.field == "name"
        if node.phrase:
            terms = [t for w in node.words for t in tokens(w)]
            if not terms:
                raise QueryError(f"the phrase {' '.join(node.words)!r} has no letters or digits")
            if positive:
                self.wanted.extend(_Token(t) for t in terms)
            groups = [[(t, False)] for t in terms]
            expression = search_index.fulltext_expression(self.conn, groups, names_only, True)
            return search_index.fulltext_condition(
                self.conn, expression, self._param(expression)[1:]
            )
        groups = []
        for word in node.words:
            for token in self._expand(word):
                if positive:
                    self.wanted.append(token)
                found = search_index.infix_terms(self.conn, token.term) if token.infix else []
                alternatives = token.alternatives(found)
                if not alternatives:
                    return "1 = 0"
                groups.append(alternatives)
        if not groups:
            raise QueryError(f"{' '.join(node.words)!r} has no letters or digits to search for")
        expression = search_index.fulltext_expression(self.conn, groups, names_only, False)
        return search_index.fulltext_condition(self.conn, expression, self._param(expression)[1:])

    def _expand(self, word: str) -> list[_Token]:
        if word.startswith("*") and word.endswith("*") and len(word) > 2:
            part = "".join(tokens(word.strip("*")))
            if len(part) < 3:
                raise QueryError(f"{word}: a substring search needs three letters or more")
            return [_Token(part, infix=True)]
        prefix = word.endswith("*")
        terms = list(tokens(word.rstrip("*")))
        out = []
        for i, term in enumerate(terms):
            last = i == len(terms) - 1
            if (prefix and last) or len(term) == 1:
                out.append(_Token(term, prefix=True))
            elif len(term) >= 4:
                near = {
                    t
                    for t in search_index.near_terms(self.conn, term)
                    if t != term and OSA.distance(t, term) <= 1
                }
                out.append(_Token(term, prefix=True, near=frozenset(near)))
            else:
                out.append(_Token(term))
        return out

    def _filter(self, node: Filter, per_doc: bool = False) -> str:
        name, value = node.field, node.value
        if name == "schema":
            names = schemata(value)
            return f"d.schema IN ({', '.join(self._param(n) for n in names)})"
        if name == "case":
            if value not in self.cases:
                raise QueryError(f"case:{value}: not one of your cases")
            return (
                "d.canonical_id IN (SELECT cs.canonical_id FROM case_subjects cs "
                f"WHERE cs.case_id = {self._param(value)})"
            )
        if name == "source":
            return f"d.source = {self._param(self._source(value))}"
        if name in ONLY_DOCUMENTS:  # no subject has a language or mentions anything
            return "1 = 0"
        return self._values(self._posting(node), per_doc)

    def _source(self, value: str) -> str:
        if value not in self.sources:
            raise QueryError(f"source:{value}: no such source")
        return value

    def _posting(self, node: Filter) -> str:
        """The ``search_values v`` entries a value filter matches."""
        name, value = node.field, node.value
        if name in FILTER_TYPES:
            normals = _normals(node)  # a national phone number: one in each region
            field_name = FIELD_OF_TYPE[FILTER_TYPES[name]]
            if len(normals) > 1:
                marks = ", ".join(self._param(n) for n in normals)
                return f"v.field = {self._param(field_name)} AND v.value IN ({marks})"
            return f"v.field = {self._param(field_name)} AND v.value = {self._param(normals[0])}"
        if name == "year":
            return f"v.field = 'year' AND v.value = {self._param(value)}"
        if name == "date" or name in DATE_PROPS:
            column = search_index.text_range(self.conn, "v.value")
            return self._date_field(name, f"{column} LIKE {self._param(value + '%')}")
        raise QueryError(f"unknown field {name!r}; fields are: {', '.join(FIELDS)}")

    def _range(self, node: Range) -> str:
        """The ``search_values v`` entries a range matches."""
        if node.field != "year" and node.field != "date" and node.field not in DATE_PROPS:
            raise QueryError(f"{node.field}: ranges work on year and date fields only")
        column = search_index.text_range(self.conn, "v.value")
        bounds = []
        if node.low is not None:
            bounds.append(f"{column} >= {self._param(node.low)}")
        if node.high is not None:
            bounds.append(f"{column} <= {self._param(node.high + '~')}")
        condition = " AND ".join(bounds) or "1 = 1"
        if node.field == "year":
            return f"v.field = 'year' AND {condition}"
        return self._date_field(node.field, condition)

    def _date_field(self, name: str, condition: str) -> str:
        if name == "date":
            return f"v.field LIKE 'date:%' AND {condition}"
        return f"v.field = {self._param('date:' + name)} AND {condition}"

    def _values(self, posting: str, per_doc: bool) -> str:
        """Documents ``d`` with a value entry matching ``posting``."""
        if per_doc:
            return f"EXISTS (SELECT 1 FROM search_values v WHERE v.doc_id = d.id AND {posting})"
        return f"d.id IN (SELECT v.doc_id FROM search_values v WHERE {posting})"

    # --- results -----------------------------------------------------------------------

    def _matches(self, hits: str) -> str:
        """The distinct canonical ids of ``hits`` (every part of which reads visible
        documents only), less sealed subjects and minors. The hits drive: each is
        checked by index, so the planner never scans every document to join them."""
        today = self._param(self.today)
        return (
            f"SELECT DISTINCT m.canonical_id FROM ({hits}) AS m WHERE NOT EXISTS "
            "(SELECT 1 FROM sealed_subjects z WHERE z.canonical_id = m.canonical_id) "
            "AND NOT EXISTS (SELECT 1 FROM search_docs s WHERE s.canonical_id = m.canonical_id "
            f"AND s.adult_on > {today})"
        )

    def _bitmap_keys(self, node: Filter | Range, sets: FacetSets) -> list[tuple[str, str]]:
        """The (field, value) bitmaps a facet filter or a year range stands for."""
        if isinstance(node, Range):
            low, high = node.low, node.high
            return [
                ("year", y)
                for y in sets.values("year")
                if (low is None or y >= low) and (high is None or y <= high + "~")
            ]
        name, value = node.field, node.value
        if name == "schema":
            return [("schema", n) for n in schemata(value)]
        if name == "source":
            return [("source", self._source(value))]
        if name == "year":
            return [("year", value)]
        return [_field_value(name, value)]

    def _excluded(self, sets: FacetSets) -> BitMap:
        """Subjects that never match: sealed ones, and minors."""
        return BitMap(search_bitmaps.sealed(self.conn)) | sets.minors(self.today)

    def run(
        self, query: str, page: int, limit: int, facets: Sequence[str], facet_limit: int = 20
    ) -> Results:
        if page < 1 or not 1 <= limit <= 100:
            raise QueryError("page starts at 1; limit is between 1 and 100")
        tree = parse(query)
        if tree is None:
            raise QueryError("say what to search for")
        if not self.sources:
            return Results(query, 0, page, limit, [], {f: [] for f in facets})
        bitmaps_only = answerable(tree)
        # the facet bitmaps are listed only when something will read them
        sets = FacetSets(self.conn, self.bitmaps, self.visible) if bitmaps_only or facets else None
        matched: BitMap | None = None
        if sets is not None and bitmaps_only:  # facet filters only: set algebra on the bitmaps
            matched = sets.evaluate(tree, lambda n: self._bitmap_keys(n, sets))
            matched -= self._excluded(sets)
            total = len(matched)
        else:
            total = search_index.collect_hits(
                self.conn, self._matches(self._subjects(tree, True)), self.params
            )
        if matched is None and (not self.wanted or (sets is not None and facets)):
            matched = BitMap(search_index.hit_ordinals(self.conn))
        start = (page - 1) * limit
        if self.wanted:
            ranked = self._ranked()
            shown, listed = ranked[start : start + limit], len(ranked)
        else:  # no words, nothing to rank: in index order, every page within reach
            assert matched is not None
            shown, listed = self._listed(matched[start : start + limit]), total
        self._cases_of(shown)
        self._particulars_of(shown)
        found: dict[str, list[tuple[str, int]]] = {}
        if sets is not None and facets and matched is not None:
            found = {name: self._facet(name, facet_limit, sets, matched) for name in facets}
        return Results(query, total, page, limit, shown, found, listed)

    def _ranked(self) -> list[Hit]:
        """The first ``CANDIDATES`` matches in ``search_hits``, scored and marked, best
        first."""
        rows = self.conn.execute(
            text(
                f"SELECT d.canonical_id, d.source, d.schema, d.caption, d.names, d.details, "
                f"d.terms, d.body FROM {search_index.HITS} h CROSS JOIN search_docs d "
                f"WHERE d.canonical_id = h.canonical_id AND {self._visible()} "
                f"ORDER BY d.canonical_id, d.source LIMIT {CANDIDATES}"
            ),
            self.params,
        ).all()
        subjects: dict[str, list[Any]] = {}
        for row in rows:
            subjects.setdefault(row[0], []).append(row)
        ranked = [self._hit(cid, docs) for cid, docs in subjects.items()]
        ranked.sort(key=lambda h: (-h.score, h.caption.lower(), h.id))
        return ranked

    def _listed(self, ords: BitMap) -> list[Hit]:
        """The subjects of these ordinals, in their order, each shown by its first
        visible document."""
        docs = search_index.docs_of_ordinals(self.conn, list(ords), self.visible)
        return [
            Hit(cid, schema, caption, sorted(sources), 0.0, [])
            for cid, schema, caption, sources in docs
        ]

    def _facet(
        self, name: str, limit: int, sets: FacetSets, matched: BitMap
    ) -> list[tuple[str, int]]:
        """Matched subjects per value: from the facet bitmaps, or for ``case`` from the
        reader's own cases."""
        if name in FACET_FIELDS:
            return sets.count(matched, name, limit)
        if name != "case":
            raise QueryError(f"no facet {name!r}; facets are: {', '.join(FACETS)}")
        members = search_bitmaps.case_members(self.conn, self.cases) if self.cases else {}
        return top(
            ((c, matched.intersection_cardinality(BitMap(o))) for c, o in members.items()), limit
        )

    def _cases_of(self, hits: list[Hit]) -> None:
        if not hits or not self.cases:
            return
        ids = ", ".join(self._param(h.id) for h in hits)
        mine = ", ".join(self._param(c) for c in self.cases)
        rows = self.conn.execute(
            text(
                f"SELECT canonical_id, case_id FROM case_subjects WHERE canonical_id IN ({ids}) "
                f"AND case_id IN ({mine}) ORDER BY case_id"
            ),
            self.params,
        )
        found: dict[str, list[str]] = {}
        for cid, case_id in rows:
            found.setdefault(str(cid), []).append(str(case_id))
        for hit in hits:
            hit.cases = found.get(hit.id, [])

    def _particulars_of(self, hits: list[Hit]) -> None:
        """Birth dates, countries and an identifier for the page of hits, at once."""
        found = particulars.read(
            self.conn, self.visible, [(h.id, h.schema, len(h.sources)) for h in hits]
        )
        for hit in hits:
            hit.particulars = found[hit.id]

    def _hit(self, cid: str, docs: list[Any]) -> Hit:
        best, schema = -1.0, docs[0][2]
        for doc in docs:
            score = self._score(doc[6].split(), doc[7].split(), doc[4].split("\n"))
            if score > best:
                best, schema = score, doc[2]
        caption = display_name([(d[1], d[3]) for d in docs], schema == "Person") or cid
        lines = [line for doc in docs for line in doc[4].split("\n") + doc[5].split("\n") if line]
        marked = [m for m in (self._mark(line) for line in dict.fromkeys(lines)) if m]
        return Hit(cid, schema, caption, sorted({d[1] for d in docs}), max(best, 0.0), marked[:3])

    def _score(self, terms: list[str], body: list[str], names: list[str]) -> float:
        total = 0.0
        for token in self.wanted:
            in_names = max((token.quality(t) for t in terms), default=0.0)
            in_body = max((token.quality(t) for t in body), default=0.0)
            total += max(in_names, 0.6 * in_body)
        score = total / len(self.wanted)
        wanted = sorted(t.term for t in self.wanted)
        if any(sorted(tokens(name)) == wanted for name in names):
            score += 0.2  # the whole name, in any order
        return score

    def _mark(self, line: str) -> str | None:
        out, hit = [], False
        for piece in _WORD.split(line):
            if (
                piece
                and _WORD.fullmatch(piece)
                and any(token.quality(t) > 0 for t in tokens(piece) for token in self.wanted)
            ):
                out.append(f"<mark>{html.escape(piece)}</mark>")
                hit = True
            else:
                out.append(html.escape(piece))
        return "".join(out) if hit else None


_ALIASES = iter(range(10**9))


def _field_value(name: str, value: str) -> tuple[str, str]:
    """The (field, normalised value) of a ``phone:``, ``country:``... filter."""
    pair = field_value(FILTER_TYPES[name], value)
    if pair is None:
        raise QueryError(f"{name}:{value}: not a valid {name}")
    return pair


def _normals(node: Filter) -> list[str]:
    """The values a value filter matches: its value normalised, and for a phone number
    every E.164 number it can be as written (``search.pasted.phones``)."""
    try:
        _, normal = _field_value(node.field, node.value)
        found = {normal}
    except QueryError:
        found = set()
    if node.field == "phone":
        found |= phones(node.value)
    if not found:
        raise QueryError(f"{node.field}:{node.value}: not a valid {node.field}")
    return sorted(found)


def _wrap(sql: str) -> str:
    """A compound member both stores accept (SQLite allows no parentheses there)."""
    return f"SELECT canonical_id FROM ({sql}) AS q{next(_ALIASES) % 1000}"
