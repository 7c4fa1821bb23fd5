"""Search over canonical subjects, through the audited session."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from casegraph.search.document_query import FACETS as DOCUMENT_FACETS
from casegraph.search.engine import FACETS, Results, Searcher
from casegraph.search.query import QueryError, fields, parse
from casegraph.store import cases as case_store

if TYPE_CHECKING:
    from casegraph.service import Session


class SearchService:
    def __init__(self, session: Session) -> None:
        self.s = session

    def search(
        self, query: str, page: int = 1, limit: int = 20, facets: Sequence[str] = FACETS
    ) -> Results:
        """Subjects matching ``query`` (see ``search.query``) in the sources the caller
        may see, best first; facet counts over the same subjects. Sealed subjects
        never match. On the first page, the documents whose text has the query's words
        too (``DocumentService.hits``). A consultation: needs a purpose, and is recorded
        with the query."""
        tree = parse(query)  # a query that cannot be read fails before anything is recorded
        self.s.check_filter_fields([*fields(tree), *facets])
        unknown = [f for f in facets if f not in FACETS]
        if unknown:
            raise QueryError(f"no facet {unknown[0]!r}; facets are: {', '.join(FACETS)}")
        visible = self.s.consult("search", {"query": query, "page": page})
        cases = case_store.case_ids_of(self.s.conn, self.s.principal.username)
        today = date.today().isoformat()
        results = Searcher(self.s.conn, self.s.workspace.bitmaps, visible, today, cases).run(
            query, page, limit, facets
        )
        # the review items each hit is in: "may be the same as N subjects"
        found = self.s.review.duplicates(visible, [h.id for h in results.hits])
        for hit in results.hits:
            hit.duplicates = found.get(hit.id, [])
        if page == 1:  # documents, by the same query, under the same entry
            results.document_results = self.s.documents.hits(
                visible, query, limit, DOCUMENT_FACETS if facets else ())
        return results
