"""What the name picker asks the search: every typed word as a prefix, the query
language not read, notes left out; nothing until a word has two characters."""

from __future__ import annotations

from casegraph.web.suggest import query_of


def test_typed_words_become_prefixes_and_notes_are_left_out() -> None:
    assert query_of("Konst Vald") == "konst* vald* -schema:Note"
    assert query_of('name:"x" OR y') == "name* x* or* y* -schema:Note"
    assert query_of("K") is None and query_of("  ") is None
