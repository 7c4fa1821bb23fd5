"""Search, profiles, "add to case" and the graph explorer page, on both stores."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from casegraph.service import Workspace
from casegraph.store import ledger
from tests.web.conftest import sign_in

WHY = "checking the subject pages of casegraph"


def test_search_with_facets_highlights_and_cases(
    web: TestClient, loaded: Workspace, case_id: str
) -> None:
    sign_in(web, "ana", justification=WHY)
    page = web.get("/search", params={"q": "jurgen muller"})
    assert page.status_code == 200
    assert "<mark>Jürgen</mark>" in page.text and 'href="/subjects/' in page.text
    assert "registry" in page.text  # the source badge and the facet
    narrowed = re.search(r'href="(/search\?q=jurgen\+muller\+country%3Ade)"', page.text)
    assert narrowed, "the country facet links to the narrowed query"
    assert web.get(narrowed.group(1)).status_code == 200
    bad = web.get("/search", params={"q": 'name:"unclosed'})
    assert bad.status_code == 400 and "quote" in bad.text
    subject = re.search(r'href="/subjects/([^"]+)"', page.text)
    assert subject
    sign_in(web, "vic", justification=WHY)  # cleared for PUBLIC only
    assert "bank" not in web.get("/search", params={"q": "ACME"}).text.split("<main")[1]


def test_profile_shows_sourced_facts_and_adds_to_a_case(
    web: TestClient, loaded: Workspace, case_id: str
) -> None:
    token = sign_in(web, "ana", justification=WHY)
    hit = re.search(r'href="/subjects/([^"]+)"', web.get("/search?q=jurgen+muller").text)
    assert hit
    subject = hit.group(1)
    profile = web.get(f"/subjects/{subject}")
    assert profile.status_code == 200
    assert "Birth date" in profile.text and "1971-04-02" in profile.text
    assert 'class="badge source">registry' in profile.text
    assert "Not in any of your cases" in profile.text
    added = web.post(
        f"/subjects/{subject}/cases",
        data={
            "csrf": token,
            "case": case_id,
            "role": "suspect",
            "note": "Director of ACME during transfers",
        },
    )
    assert added.status_code == 200 and f'href="/cases/{case_id}"' in added.text
    with loaded.engine.connect() as conn:
        views = [e for e in ledger.iter_entries(conn) if e.action == "profile.view"]
    assert views and views[-1].justification == WHY and views[-1].actor == "ana"
    graph = web.get("/graph", params={"start": subject})
    assert graph.status_code == 200 and "cytoscape-3.34.4.min.js" in graph.text
    case_graph = web.get(f"/graph/case/{case_id}.json")
    assert [n["id"] for n in case_graph.json()["nodes"]][:1] == [subject]
    sign_in(web, "eve", justification=WHY)
    assert web.get(f"/graph/case/{case_id}.json").status_code == 404
    assert case_id not in web.get(f"/subjects/{subject}").text


def test_a_sealed_minor_is_redacted(web: TestClient, loaded: Workspace) -> None:
    sign_in(web, "ana", justification=WHY)
    with loaded.session(_ctx("ana")) as s:
        child = s.search.search("Kindler", facets=()).hits
    assert child == []  # sealed subjects never match
    with loaded.engine.connect() as conn:
        cid = conn.exec_driver_sql(
            "SELECT canonical_id FROM statements WHERE value = 'Lena Kindler'"
        ).scalar_one()
    page = web.get(f"/subjects/{cid}")
    assert "Sealed record" in page.text and "Lena" not in page.text and "L. K." in page.text


def _ctx(user: str):  # type: ignore[no-untyped-def]
    from casegraph.access.context import AccessContext

    return AccessContext(actor=user, justification=WHY)
