"""Facet counts and facet-only queries on the facet bitmaps: each (field, value) is the
union of its bitmaps in the sources the reader may see, so a count is an intersection
and a query of facet filters is set algebra, whatever the number of subjects.

Matching is per subject, as in the SQL path (``engine``): a subject matches
``country:de`` when one of its visible documents holds ``de``; ``a b`` when it matches
both, ``-a`` when it does not match ``a``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from pyroaring import BitMap, FrozenBitMap
from sqlalchemy.engine import Connection

from casegraph.model.visible import Visible
from casegraph.search.query import And, Filter, Node, Not, Or, Range, Words
from casegraph.store import search_bitmaps
from casegraph.store.search_bitmaps import ADULT, FACET_FIELDS, SCHEMA, SOURCE

# filters answered from bitmaps: the facet fields (``case`` and identifiers go to SQL)
FILTER_FIELDS = frozenset({SCHEMA, SOURCE, *search_bitmaps.VALUE_FIELDS})
RANGE_FIELDS = frozenset({"year"})

AnyBitMap = BitMap | FrozenBitMap


def answerable(node: Node) -> bool:
    """Whether the query is made of facet filters only."""
    if isinstance(node, Filter):
        return node.field in FILTER_FIELDS
    if isinstance(node, Range):
        return node.field in RANGE_FIELDS
    if isinstance(node, Words):
        return False
    if isinstance(node, Not):
        return answerable(node.node)
    return all(answerable(n) for n in node.nodes)


def top(counts: Iterable[tuple[str, int]], limit: int) -> list[tuple[str, int]]:
    """The ``limit`` largest non-zero counts, most first (then by value)."""
    return sorted(((v, n) for v, n in counts if n), key=lambda vc: (-vc[1], vc[0]))[:limit]


class FacetSets:
    """The reader's view of the facet bitmaps: ``sources`` are the visible ones."""

    def __init__(self, conn: Connection, cache: search_bitmaps.Cache, visible: Visible):
        self.conn = conn
        self.sources = list(visible.sources)
        self.cache = cache
        self.by_field: dict[str, dict[str, list[FrozenBitMap]]] = {}
        for (field, value, source), bits in cache.load(conn, FACET_FIELDS, visible).items():
            value = source if field == SOURCE else value  # a source's subjects, by name
            self.by_field.setdefault(field, {}).setdefault(value, []).append(bits)

    def subjects(self, field: str, value: str) -> BitMap:
        """The subjects with ``value`` in a visible document."""
        return BitMap.union(BitMap(), *self.by_field.get(field, {}).get(value, []))

    def values(self, field: str) -> list[str]:
        return sorted(self.by_field.get(field, {}))

    def everyone(self) -> BitMap:
        """The subjects with a visible document."""
        return BitMap.union(BitMap(), *(b for [b] in self.by_field.get(SOURCE, {}).values()))

    def minors(self, today: str) -> BitMap:
        """Subjects under 18 today, by any document (visible or not: the decision must
        not depend on the reader): the bitmaps of later years, and this year's checked
        against the day."""
        year = today[:4]
        later = self.cache.load(self.conn, [ADULT], None, since=year)
        out = BitMap.union(BitMap(), *(bits for (_, y, _), bits in later.items() if y > year))
        if any(y == year for (_, y, _) in later):
            out |= BitMap(search_bitmaps.minors_this_year(self.conn, today))
        return out

    def count(self, hits: AnyBitMap, field: str, limit: int) -> list[tuple[str, int]]:
        """Subjects of ``hits`` per value of ``field``, most first (then by value)."""
        groups = self.by_field.get(field, {})
        return top(
            ((v, hits.intersection_cardinality(BitMap.union(*p))) for v, p in groups.items()), limit
        )

    def evaluate(
        self, node: Node, leaf: Callable[[Filter | Range], Iterable[tuple[str, str]]]
    ) -> BitMap:
        """The subjects matching a facet-only query; ``leaf`` names the (field, value)
        bitmaps a filter or range stands for (and checks it, raising QueryError)."""
        if isinstance(node, Filter | Range):
            return BitMap.union(BitMap(), *(self.subjects(f, v) for f, v in leaf(node)))
        if isinstance(node, Not):
            return self.everyone() - self.evaluate(node.node, leaf)
        if isinstance(node, Or):
            return BitMap.union(*(self.evaluate(n, leaf) for n in node.nodes))
        assert isinstance(node, And)
        keep = [self.evaluate(n, leaf) for n in node.nodes if not isinstance(n, Not)]
        drop = [self.evaluate(n.node, leaf) for n in node.nodes if isinstance(n, Not)]
        out = BitMap.intersection(*keep) if keep else self.everyone()
        return out - BitMap.union(BitMap(), *drop) if drop else out
