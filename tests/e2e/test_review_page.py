"""The review queue in a real browser on the served demo, on SQLite and PostgreSQL: anna
opens the possible matches of the demo case, sees both subjects whole with the reasons
in words, accepts one whose subjects bear one name (of the case, or where the model left
none there, of the whole queue), and search then shows one subject where there were two.
Screenshots go to test-artifacts/e2e/<store>-review-*.png."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.browsing import Tab, purpose_case
from tests.e2e.conftest import Server

sync_api = pytest.importorskip("playwright.sync_api")

SAME_NAME = "the same name"  # the reason that says both subjects bear one name


def rows_named(tab: Tab, names: set[str]) -> list[str]:
    """The search rows for ``names`` (each searched as typed, not as a phrase: a source
    that writes "Wöllenstein, Gerda" holds the name in another order), by the subject
    ids they link to."""
    found: set[str] = set()
    for name in names:
        tab.go("/search?" + "q=" + re.sub(r"\s+", "+", name))
        tab.page.wait_for_selector("section[aria-live] > p")
        for row in tab.page.locator("article.hit h2 a").all():
            if row.inner_text() in names:
                found.add(str(row.get_attribute("href")))
    return sorted(found)


def open_items(tab: Tab, queue: str) -> list[str]:
    """The items listed on a page of the queue, in its order."""
    tab.go(queue)
    tab.page.wait_for_selector("main h1")
    links = tab.page.locator("table.queue a.button").all()
    return [str(a.get_attribute("href")) for a in links]


def pick(tab: Tab, listed: list[str]) -> str | None:
    """The first item whose reasons say both subjects bear one name."""
    for href in listed:
        tab.go(href)
        tab.page.wait_for_selector("#h-why")
        reasons = tab.page.locator("ul.because li").all_inner_texts()
        if any(r.startswith(SAME_NAME) for r in reasons):
            return href
    return None


def test_anna_accepts_a_possible_match_of_her_case(browser: Any, served: Server) -> None:
    anna = Tab(browser, served.base, served.store)
    anna.sign_in("anna")
    purpose_case(anna)
    case = re.search(r"Purpose: case (C-\d{4}-\d{4})", anna.page.inner_text("header"))
    assert case, anna.page.inner_text("header")
    # the queue, narrowed to the case by its own filter
    anna.go("/review")
    anna.page.select_option("#case", case.group(1))
    anna.page.click("form.filters button[type=submit]")
    anna.page.wait_for_url(re.compile(rf"/review\?case={case.group(1)}$"))
    assert f"in case {case.group(1)}" in anna.text()
    anna.shot("review-queue")
    listed = open_items(anna, f"/review?case={case.group(1)}")
    assert listed or "No possible matches wait for review in case" in anna.text()
    # the first of them whose two subjects bear one name (the reasons say so); when the
    # model left none of those in the case, the first in the whole queue
    chosen = pick(anna, listed) or pick(anna, open_items(anna, "/review"))
    assert chosen, "no possible match with one name on both sides"
    page = anna.text()
    for heading in ("Why they may be one", "The two subjects, whole", "What the model weighed"):
        assert heading in page, heading
    sides = anna.page.locator("table.compare thead th.side a").all_inner_texts()
    assert len(sides) == 2
    records = anna.page.locator("table.compare tbody tr:last-child td").all_inner_texts()
    assert all(r.strip() for r in records)  # every record of both subjects, listed
    words = anna.page.locator("table.waterfall tbody td:nth-child(2)").all_inner_texts()
    assert words and not any("Array intersection" in w or "Exact match" in w for w in words)
    raw = anna.page.locator("details.raw table")
    assert not raw.is_visible()  # the model's own terms: behind the toggle
    anna.page.click("details.raw summary")
    assert raw.is_visible() and "total" in raw.inner_text()
    assert re.search(r"Exact match|is NULL|All other comparisons", raw.inner_text())
    anna.page.click("details.raw summary")
    anna.shot("review-item")
    before = rows_named(anna, set(sides))
    assert len(before) >= 2, (before, sides)
    # accept, with a reason: the two subjects become one
    anna.go(chosen)
    anna.page.wait_for_selector("#reason-positive")
    anna.page.fill("#reason-positive", "One name in several sources, and nothing in either "
                   "subject that speaks against it")  # fmt: skip
    anna.page.click("form.decision-positive button[type=submit]")
    anna.page.wait_for_selector("p.merged a")
    assert "Accepted: the two subjects are one subject now." in anna.text()
    queue = chosen.replace(chosen.split("?")[0], "/review")  # the queue it came from
    assert queue.split("?")[1:] == anna.page.url.split("?")[1:]  # on with the same queue
    assert chosen.split("?")[0] not in [h.split("?")[0] for h in open_items(anna, queue)]
    after = rows_named(anna, set(sides))
    assert len(after) == len(before) - 1, (before, after)
    anna.go(after[0])
    anna.page.wait_for_selector("#h-facts")
    assert anna.errors == [] and anna.console == []
