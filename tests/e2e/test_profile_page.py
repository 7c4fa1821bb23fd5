"""The profile of the demo's busiest subject, as an investigator reads it, on the served
demo (SQLite and PostgreSQL): one name, key facts each once, the directorship and the
court cases above the activity, a payment total that is the sum of its payments, single
events whose direction is the stored one, a period chosen on the histogram, and no
console error. Screenshots: test-artifacts/e2e/<store>-profile*.png."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from casegraph.model.amounts import rounded
from tests.e2e.browsing import Tab, purpose_case
from tests.e2e.conftest import Server, signed_in

WHY = {"X-Casegraph-Justification": "finding the demo's busiest subject for the tests"}


def busiest_person(base: str) -> tuple[str, dict[str, Any]]:
    """Konstantin Valdrenko's merged subject (the one most sources speak of), and what
    the API says of his relations."""
    with signed_in(base, "anna") as (http, _):
        hits = http.get("/api/v1/search", params={"q": "Konstantin Valdrenko"},
                        headers=WHY).json()["results"]  # fmt: skip
        person = max((h for h in hits if h["schema"] == "Person"), key=lambda h: len(h["sources"]))
        relations = http.get(f"/api/v1/subjects/{person['id']}/relations", headers=WHY)
        assert relations.status_code == 200, relations.text
        return str(person["id"]), relations.json()


def test_the_profile_summarises(browser: Any, served: Server) -> None:
    subject, relations = busiest_person(served.base)
    anna = Tab(browser, served.base, served.store, width=1400)
    anna.sign_in("anna")
    purpose_case(anna)
    anna.go(f"/subjects/{subject}")
    page = anna.page
    assert page.inner_text("h1").startswith("Konstantin Valdrenko")

    # key facts: each value once under its heading, with its sources
    for block in page.query_selector_all(".key-facts dl > div"):
        values = [v.inner_text() for v in block.query_selector_all(".value")]
        assert len(values) == len(set(values)), values
    born = page.inner_text(".key-facts dl")
    assert "1971-09-14" in born and born.count("1971-09-14") == 1

    # structure first: the directorship and both court cases above the activity
    rows = page.query_selector_all("table.relations tr[data-kind]")
    kinds = [r.get_attribute("data-kind") for r in rows]
    assert kinds.count("Directorship") == 1 and kinds.count("CourtCaseParty") == 2
    relations_top = page.locator("#relationships").bounding_box()["y"]
    activity_top = page.locator("#activity").bounding_box()["y"]
    assert relations_top < activity_top

    # a payment row: its EUR total is the sum of its single events, each as stored
    row = page.locator("tbody.counterpart[data-kind=Payment]").first
    other, way = row.get_attribute("data-other"), row.get_attribute("data-way")
    total = row.locator(".amount[data-unit=EUR]")
    shown = Decimal(total.get_attribute("data-amount"))
    assert (total.inner_text().endswith(" EUR") and "," in total.inner_text()) or shown < 1000
    row.locator("details summary").click()
    row.locator(".events table tr.event").first.wait_for()
    events = row.locator(".events table tr.event")
    amounts = [Decimal(events.nth(i).get_attribute("data-amount")) for i in range(events.count())]
    assert rounded(sum(amounts, Decimal(0)), "EUR") == shown
    expected = [(subject, other)] if way == "out" else [(other, subject)]
    for i in range(events.count()):
        event = events.nth(i)
        assert [(event.get_attribute("data-src"), event.get_attribute("data-dst"))] == expected
    api_row = next(a for a in relations["activity"]
                   if (a["other"], a["kind"], a["way"]) == (other, "Payment", way))  # fmt: skip
    assert api_row["count"] == len(amounts)
    anna.shot("profile")

    # a period chosen on the histogram lists its events
    page.locator("#histogram").scroll_into_view_if_needed()
    box = page.locator("#histogram").bounding_box()
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 5, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.3, y, steps=5)
    page.mouse.up()
    page.locator("#range-events table tr.event").first.wait_for()
    since = page.input_value("#since")
    until = page.input_value("#until")
    assert since and until and since < until
    cells = page.query_selector_all("#range-events tr.event td:first-child")
    dates = [d.inner_text()[:10] for d in cells]
    assert dates and all(since <= d <= until for d in dates)
    anna.shot("profile-period")
    assert anna.errors == [] and anna.console == []
