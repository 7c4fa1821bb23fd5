"""The search page in a real browser on the served demo, on SQLite and PostgreSQL: a
phone number pasted as people write it finds its subject, and the rows tell people of
the same name apart. Screenshots go to test-artifacts/e2e/<store>-search*.png."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.browsing import SHOTS, Tab, purpose_case
from tests.e2e.conftest import Server


@pytest.fixture
def page(browser: Any, served: Server) -> Iterator[Any]:
    """A browser page signed in as anna, with the demo case as her purpose."""
    anna = Tab(browser, served.base, served.store)
    anna.sign_in("anna")
    purpose_case(anna)
    yield anna.page
    assert anna.errors == []


def search(page: Any, query: str) -> list[dict[str, str]]:
    """Type ``query`` into the search box and send it; each subject row's name and
    particulars (documents follow them, without particulars)."""
    page.fill("#q", query)
    page.press("#q", "Enter")
    page.wait_for_selector("section[aria-live] > p")
    return [
        {
            "name": row.locator("h2 a").inner_text(),
            **{
                term.inner_text(): term.evaluate("t => t.nextElementSibling.innerText")
                for term in row.locator("dl.particulars dt").all()
            },
        }
        for row in page.locator("article.hit:has(dl.particulars)").all()
    ]


def test_a_pasted_phone_number_finds_its_subject(page: Any, served: Server) -> None:
    page.goto(served.base + "/search")
    rows = search(page, "+49 151 48273390")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{served.store}-search.png"), full_page=True)
    assert [r["name"] for r in rows] == ["Konstantin Valdrenko"], rows
    # the phone company has him born a year later: both dates show, the stated first
    assert rows[0]["Born"].startswith("1971-09-14") and rows[0]["Country"] == "Germany"
    assert rows[0]["Sources"].isdigit() and int(rows[0]["Sources"]) >= 2
    assert "<mark>4915148273390</mark>" in page.inner_html("article.hit")
    facets = page.inner_text("aside.facets")
    assert "Kind of subject" in facets and "Country" in facets and "Year of any date" in facets
    for written in ("0049 151 48273390", "0151-48273390"):
        assert [r["name"] for r in search(page, written)] == ["Konstantin Valdrenko"], written
    # the seized e-mail that gives his number as it is written there
    assert "Re: Rechnung VC-2019-03" in page.locator("#documents ~ article.hit").inner_text()


def test_people_of_the_same_name_are_told_apart(page: Any, served: Server) -> None:
    page.goto(served.base + "/search")
    rows = [r for r in search(page, '"peter maier"') if r["name"] == "Peter Maier"]
    page.screenshot(path=str(SHOTS / f"{served.store}-search-names.png"), full_page=True)
    assert all("Born" in r for r in rows), rows  # said, even when no source knows it
    known = [r["Born"] for r in rows if r["Born"][:1].isdigit()]
    assert len(known) >= 2 and len(set(known)) == len(known), rows
