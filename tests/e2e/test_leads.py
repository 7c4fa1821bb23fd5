"""Screening and leads on the demo as ``casegraph serve`` serves it, on SQLite and
PostgreSQL: the API screens a source against the demo's sanctions list, explains and
exports the leads with ids, records a dismissal and refuses a viewer; in a real browser
anna sees her case's lead with its reasons and confirms it. Screenshots go to
test-artifacts/e2e/<store>-leads-*.png."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.conftest import DEMO
from tests.e2e.browsing import Tab, purpose_case
from tests.e2e.conftest import Server, signed_in

WHY = "screening the bank's parties against the sanctions list"


def test_the_api_screens_explains_decides_and_exports(served: Server) -> None:
    with signed_in(served.base, "anna") as (http, csrf):
        headers = {"X-Casegraph-Justification": WHY, "X-CSRF-Token": csrf}
        done = http.post("/api/v1/screenings", headers=headers,
                         json={"against": "sanctions_watch", "scope": "source:bank"})  # fmt: skip
        assert done.status_code == 200, done.text
        body = done.json()
        listed = (DEMO / "lists" / "watchlist.csv").read_text(encoding="utf-8").splitlines()
        assert body["run"]["status"] == "done" and body["run"]["entries"] == len(listed) - 1
        names = {(x["subject"]["caption"], x["entry"]["caption"]): x for x in body["leads"]}
        silver = names[("Silvercairn Advisory FZE", "SILVERCAIRN ADVISORY FZE")]
        assert silver["score"] > 0.9 and silver["subject"]["entities"]
        reasons = {e["feature"]: e["words"] for e in silver["explanation"]}
        assert reasons["identifier"] == "same identifier: RAKEZ5012345"
        assert reasons["country"] == "same country: United Arab Emirates"
        assert not any("SILVERLAKE" in entry for _, entry in names)  # a look-alike, not listed
        refused = http.post(f"/api/v1/leads/{silver['id']}/decision", headers=headers,
                            json={"decision": "dismiss"})  # fmt: skip
        assert refused.status_code == 400 and "say why" in refused.text
        dismissed = http.post(
            f"/api/v1/leads/{silver['id']}/decision",
            headers=headers,
            json={"decision": "dismiss", "reason": "the route test dismisses"},
        )
        assert dismissed.status_code == 200 and dismissed.json()["status"] == "dismissed"
        export = http.get("/api/v1/leads/export", params={"against": "sanctions_watch"},
                          headers=headers)  # fmt: skip
        assert export.status_code == 200, export.text
        rows = [json.loads(line) for line in export.text.splitlines()]
        assert silver["id"] in {r["id"] for r in rows} and all(r["entry"]["id"] for r in rows)
        again = http.post(
            "/api/v1/screenings",
            headers=headers,
            json={"against": "sanctions_watch", "scope": "source:bank"},
        )
        assert again.json()["run"]["compared"] == 0  # nothing changed since
        kept = http.get(f"/api/v1/leads/{silver['id']}", headers=headers).json()
        assert (kept["status"], kept["reason"]) == ("dismissed", "the route test dismisses")
        assert http.get("/api/v1/leads").status_code in (400, 403)  # no purpose
    with signed_in(served.base, "vera") as (http, csrf):  # a viewer: reads, never screens
        refused = http.post(
            "/api/v1/screenings",
            headers={"X-Casegraph-Justification": WHY, "X-CSRF-Token": csrf},
            json={"against": "sanctions_watch", "scope": "source:bank"},
        )
        assert refused.status_code == 403, refused.text
    shown = served.cli("leads", "list", "--against", "sanctions_watch", "--status", "dismissed",
                       "--justification", WHY)  # fmt: skip
    assert "Silvercairn" in shown and "dismissed" in shown and "1 lead" in shown


sync_api = pytest.importorskip("playwright.sync_api")


def test_anna_confirms_her_case_lead_in_the_browser(browser: Any, served: Server) -> None:
    anna = Tab(browser, served.base, served.store)
    anna.sign_in("anna")
    purpose_case(anna)
    anna.go("/leads")
    anna.page.wait_for_selector("main h1")
    row = anna.page.locator("table.leads tbody tr", has_text="Kestrelmoor Trading Limited")
    assert row.count() >= 1, anna.text()
    first = row.first
    why = first.locator("ul.why").inner_text()
    assert "same name" in why or "alike" in why, why
    assert "United Kingdom" in why
    anna.shot("leads-list")
    if "confirmed" not in first.locator("td.decision").inner_text():
        first.locator("button[value=confirm]").click()
        anna.page.wait_for_selector("p.flash, .flash, [role=status]")
    anna.page.wait_for_selector("table.leads")
    after = anna.page.locator("table.leads tbody tr", has_text="Kestrelmoor Trading Limited")
    assert "confirmed" in after.first.locator("td.decision").inner_text()
    assert re.search(
        r"\(anna, \d{4}-\d{2}-\d{2}\)", after.first.locator("td.decision").inner_text()
    )
    anna.shot("leads-confirmed")
