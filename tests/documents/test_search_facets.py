"""Search over documents, on both stores: the query's filters narrow documents (kind,
source, language, year, mentioned subject) and the subjects' own filters leave them
out; facet counts are of what the reader may see, mentioned subjects follow analysts'
decisions, and a subject in a source the reader is not cleared for is never counted."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.access.context import AccessContext
from casegraph.search.engine import FACETS, Results
from casegraph.search.query import QueryError
from casegraph.service import Workspace
from tests.documents.test_corpus import load
from tests.documents.test_mentions import WHY, _mention, _setup, _subject

GERMAN = ("Sehr geehrter Herr Peter Hansen, die Überweisung an die Reederei ist gestern "
          "eingegangen. Mit freundlichen Grüßen aus Hamburg\n")  # fmt: skip
DATED = ("From: Clerk <clerk@harbour.example>\nTo: Peter Hansen <peter@harbour.example>\n"
         "Subject: Berth fees\nDate: Tue, 12 Mar 2019 10:00:00 +0100\n"
         "Message-ID: <fees@harbour.example>\n\nThe berth fees for the Riga ship are due "
         "this week; please settle them before Friday.\n")  # fmt: skip


def _search(workspace: Workspace, ctx: AccessContext, query: str) -> Results:
    with workspace.session(ctx) as s:
        return s.search.search(query, facets=FACETS)


def _names(results: Results) -> list[str]:
    return sorted(d["name"] for d in results.documents)


def test_documents_are_narrowed_by_the_query_and_counted_in_facets(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    ids = _setup(workspace, ctx, tmp_path)
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "brief.txt").write_text(GERMAN)
    (archive / "fees.eml").write_text(DATED)
    with workspace.session(ctx) as s:
        load(s, archive, "archive")
        olga, first, second = (_subject(s, r, src) for r, src in (
            ("olga", "secret"), ("hansen1", "registry"), ("hansen2", "registry")))  # fmt: skip

    found = _search(workspace, ctx, "Peter Hansen")
    assert _names(found) == ["brief.txt", "fees.eml", "mail.eml", "memo.txt"]
    docs = found.document_results
    assert docs.total == 4 and not docs.more
    facets = {name: dict(counts) for name, counts in docs.facets.items()}
    assert facets["schema"] == {"PlainText": 2, "Email": 2}
    assert facets["source"] == {"mail": 2, "archive": 2}
    assert facets["language"] == {"eng": 2, "deu": 1}  # mail.eml: too few words to tell
    assert facets["year"] == {"2019": 1}
    assert facets["mentions"][olga] == 1 and docs.labels[olga] == "Olga Petrova"
    assert facets["mentions"][first] == facets["mentions"][second] == 4  # namesakes
    as_json = found.to_dict()
    assert as_json["document_total"] == 4
    assert {"value": "deu", "label": "German", "count": 1} in as_json["document_facets"][
        "language"]  # fmt: skip
    hit = next(d for d in found.documents if d["name"] == "fees.eml")
    assert (hit["schema"], hit["path"], hit["dated"][:10], hit["language"]) == (
        "Email", "archive/fees.eml", "2019-03-12", "eng")  # fmt: skip

    # the filters documents have narrow them; subjects have no language nor mentions
    narrowed = _search(workspace, ctx, '"Peter Hansen" schema:Email')
    assert _names(narrowed) == ["fees.eml", "mail.eml"] and narrowed.total == 0
    assert _names(_search(workspace, ctx, "Hansen language:deu")) == ["brief.txt"]
    in_mail = _search(workspace, ctx, "Hansen -language:deu source:mail")
    assert _names(in_mail) == ["mail.eml", "memo.txt"]
    # documents of one source; the subjects they mention, of every source the reader sees
    assert dict(in_mail.document_results.facets["mentions"])[olga] == 1
    assert _names(_search(workspace, ctx, "year:2019")) == ["fees.eml"]
    assert _names(_search(workspace, ctx, "year:[2010 TO 2018]")) == []
    only = _search(workspace, ctx, f"mentions:{olga}")
    assert _names(only) == ["memo.txt"] and only.total == 0
    with workspace.session(ctx) as s:  # docs search: the same language, read up front
        assert [d["name"] for d in s.documents.search("year:2019 schema:Email")] == [
            "fees.eml"]  # fmt: skip
        with pytest.raises(QueryError, match="unknown field 'colour'"):
            s.documents.search("Hansen colour:red")
        with pytest.raises(QueryError, match="no such schema"):
            s.documents.search("Hansen schema:Letter")
    # a filter on a field only subjects have leaves documents out; its negation, in
    assert _search(workspace, ctx, "Hansen country:de").documents == []
    assert _names(_search(workspace, ctx, "Hansen -country:de")) == _names(found)

    # an analyst's decision moves the count: the memo's Peter Hansen is the first one
    with workspace.session(AccessContext("ana", justification=WHY)) as s:
        memo = s.documents.read(ids["memo.txt"])
        s.mentions.decide(ids["memo.txt"], _mention(memo, "Peter Hansen")["place"], "link",
                          first)  # fmt: skip
    after = dict(_search(workspace, ctx, "Peter Hansen").document_results.facets["mentions"])
    assert after[first] == 4 and after[second] == 3
    assert _names(_search(workspace, ctx, f"Hansen mentions:{second}")) == [
        "brief.txt", "fees.eml", "mail.eml"]  # fmt: skip

    # a reader not cleared for the secret source: no count, no filter reaches Olga
    ana = AccessContext("ana", justification=WHY)
    theirs = _search(workspace, ana, "Peter Hansen").document_results
    assert olga not in dict(theirs.facets["mentions"]) and olga not in theirs.labels
    assert _search(workspace, ana, f"mentions:{olga}").documents == []
