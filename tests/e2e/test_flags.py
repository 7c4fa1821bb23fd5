"""Red flags on the demo as ``casegraph serve`` serves it, on SQLite and PostgreSQL: the
demo's planted patterns (demo/flags) loaded beside it, the API runs the rules and finds
each pattern of the answer key, and in a real browser anna reads the round trip with
its three payments and dismisses it with a reason. Screenshots go to
test-artifacts/e2e/<store>-flags-*.png."""

from __future__ import annotations

import csv
from typing import Any

import pytest

from tests.conftest import DEMO
from tests.e2e.browsing import Tab
from tests.e2e.conftest import Server, signed_in

WHY = "looking for red flags in the planted filings"


_LOADED: set[str] = set()  # the served demos the planted patterns were loaded into


def _load(served: Server) -> None:
    """The planted patterns, once per served demo."""
    if served.base in _LOADED:
        return
    served.cli("source", "add", "filings", "--title", "Planted patterns", "--team",
               "financial-crime", "--marking", "PUBLIC", "--legal-basis",
               "planted patterns of the demo", "--retention-days", "365")  # fmt: skip
    served.cli("ingest", str(DEMO / "flags" / "filings.yml"), "--source", "filings")
    _LOADED.add(served.base)


def test_the_api_runs_the_rules_over_the_planted_patterns(served: Server) -> None:
    _load(served)
    with (DEMO / "flags" / "answer_key.csv").open(encoding="utf-8") as handle:
        wanted = {row["rule"] for row in csv.DictReader(handle)} - {"listed-party-nearby"}
    with signed_in(served.base, "anna") as (http, csrf):
        headers = {"X-Casegraph-Justification": WHY, "X-CSRF-Token": csrf}
        rules = http.get("/api/v1/flags/rules", headers=headers).json()
        assert {r["name"] for r in rules} >= wanted
        done = http.post("/api/v1/flags/runs", json={"scope": "source:filings"}, headers=headers)
        assert done.status_code == 200, done.text
        found = {k for k, v in done.json()["found"].items() if v}
        assert found == wanted, done.json()["found"]
        trip = next(h for h in done.json()["hits"] if h["rule"] == "round-tripping")
        assert [e["source"] for e in trip["edges"]] == ["filings"] * 3
        refused = http.post(f"/api/v1/flags/hits/{trip['id']}/decision",
                            json={"decision": "dismiss"}, headers=headers)  # fmt: skip
        assert refused.status_code == 400 and "say why" in refused.text
    with signed_in(served.base, "vera") as (http, csrf):  # a viewer runs no rules
        refused = http.post(
            "/api/v1/flags/runs",
            json={"scope": "source:filings"},
            headers={"X-Casegraph-Justification": WHY, "X-CSRF-Token": csrf},
        )
        assert refused.status_code == 403


sync_api = pytest.importorskip("playwright.sync_api")


def test_anna_reads_and_dismisses_a_round_trip(browser: Any, served: Server) -> None:
    _load(served)
    anna = Tab(browser, served.base, served.store)
    anna.sign_in("anna")
    anna.justify(WHY)
    anna.go("/flags")
    anna.page.wait_for_selector("main h1")
    anna.shot("flags-rules")
    anna.page.select_option("#scope", "source:filings")
    anna.page.click("form[action='/flags/run'] button[type=submit]")
    anna.page.wait_for_selector("p.flash")
    anna.go("/flags/round-tripping")
    hit = anna.page.locator("article.hit").first
    text = hit.inner_text()
    assert "money went round 3 subjects back to its origin" in text, text
    assert "250,000.00 EUR" in text and "230,000.00 EUR" in text and "filings" in text
    anna.shot("flags-round-trip")
    if "dismissed" not in text:
        hit.locator("input[name=reason]").fill("intra-group treasury, checked with the auditor")
        hit.locator("button[value=dismiss]").click()
        anna.page.wait_for_selector("p.flash")
    after = anna.page.locator("article.hit").first.inner_text()
    assert "dismissed: intra-group treasury, checked with the auditor" in after
    anna.shot("flags-dismissed")
