"""Names instead of ids, in a browser on the served demo (SQLite and PostgreSQL): anna
links a subject to her case by typing its name and choosing it from the list, writes a
note that mentions two subjects by id and reads it with their names; on the oversight
page the demo's auditor (in no team) sees ids only, and an auditor in a cleared team
who writes a justification sees the names beside them. Screenshots:
test-artifacts/e2e/<store>-names-*.png."""

from __future__ import annotations

from typing import Any

import pytest

from casegraph.demo_case import CASE_TITLE
from tests.e2e.browsing import Tab, purpose_case
from tests.e2e.conftest import Server, signed_in

WHY = {"X-Casegraph-Justification": "finding subjects of the demo for the name tests"}
AUDITOR, AUDITOR_PASSWORD = "otto", "otto-reads-the-ledger-2026"
JUSTIFICATION = "checking who consulted the subjects of the demo case"


def _case_and_subjects(base: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The demo case, a Person in it, and a subject near it that is not in it yet."""
    with signed_in(base, "anna") as (http, _):
        cases = http.get("/api/v1/cases").json()["items"]
        case = next(c["id"] for c in cases if c["title"] == CASE_TITLE)
        linked = http.get(f"/api/v1/cases/{case}").json()["subjects"]
        person = next(s for s in linked if s["schema"] == "Person")
        near = http.get(f"/api/v1/graph/expand/{person['canonical_id']}", params={"hops": 2},
                        headers=WHY).json()["nodes"]  # fmt: skip
        taken = {s["canonical_id"] for s in linked}
        other = next(n for n in near if n["id"] not in taken and not n["sealed"]
                     and n["schema"] in ("Person", "Company") and " " in n["caption"])  # fmt: skip
        return case, person, other


def _justify_oversight(tab: Tab) -> None:
    """Write a justification and come back to the oversight page (an auditor's header
    shows no purpose: the page itself says which one names are shown under)."""
    tab.go("/purpose?next=/oversight")
    tab.page.fill("#justification", JUSTIFICATION)
    tab.page.click("form[action='/purpose'] button[type=submit]")
    tab.page.wait_for_url("**/oversight")


def test_names_where_people_type_and_read(
    browser: Any, served: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, person, other = _case_and_subjects(served.base)
    anna = Tab(browser, served.base, served.store)
    anna.sign_in("anna")
    purpose_case(anna)
    page = anna.page

    # link a subject by typing its name and choosing it from the list
    anna.go(f"/cases/{case}/subjects")
    typed = other["caption"].split()[0][:6]
    page.fill("#subject-name", "")
    page.type("#subject-name", typed, delay=40)
    option = page.locator(f".suggest-list li[role=option][data-id='{other['id']}']")
    option.wait_for(state="visible", timeout=20_000)
    anna.shot("names-1-link-typeahead")
    option.click()
    assert page.input_value("#subject_id") == other["id"]
    assert page.input_value("#subject-name") == other["caption"]
    page.select_option("#link-role", "witness")
    page.fill("#link-note", "Named in the transfers; to be heard as a witness")
    page.click("form[action$='/subjects'] button[type=submit]")
    page.wait_for_selector("text=The subject is linked to the case.")
    row = page.locator("table.subjects tr", has=page.locator(f"a[href='/subjects/{other['id']}']"))
    assert other["caption"] in row.inner_text()
    assert row.locator("small.id").get_attribute("title") == other["id"]
    anna.shot("names-2-linked")

    # a note that mentions two subjects by id reads with their names
    anna.go(f"/cases/{case}/notes")
    page.fill("#note-title", "Who to hear first")
    body = f"Hear @{other['id']} before @{person['canonical_id']}."
    page.fill("#note-body", body)
    page.press("#note-body", "End")  # the preview follows keystrokes
    page.locator("#note-preview a").first.wait_for(timeout=20_000)
    assert f"@{other['caption']}" in page.inner_text("#note-preview")
    page.click("form[action$='/notes'] button[type=submit]")
    page.wait_for_selector("text=The note is added.")
    note = page.locator("article.note", has=page.locator("h3", has_text="Who to hear first"))
    text = note.locator(".note-body").first.inner_text()
    assert text == f"Hear @{other['caption']} before @{person['caption']}.", text
    assert "@cg-" not in note.locator(".mentions").inner_text()
    note.scroll_into_view_if_needed()
    anna.shot("names-3-note")
    assert not anna.errors and not anna.console, (anna.errors, anna.console)

    # oversight: the demo's auditor, in no team, sees the ids and no name
    olga = Tab(browser, served.base, served.store)
    olga.sign_in("olga")
    _justify_oversight(olga)
    olga.go("/oversight?user=anna&kind=consultations")
    shown = olga.text()
    assert other["id"] in olga.page.content() and "no team of yours is cleared" in shown
    assert olga.page.locator("table.ledger .subject .name").count() == 0
    # (a search's query is on record as typed, names and all: the subjects are not named)
    subjects = " ".join(olga.page.locator("table.ledger .subjects").all_inner_texts())
    assert other["id"][:10] in subjects
    assert other["caption"] not in subjects and person["caption"] not in subjects
    olga.shot("names-4-oversight-auditor")

    # an auditor in a team cleared for the sources, under a justification, sees names
    monkeypatch.setenv("CASEGRAPH_PASSWORD", AUDITOR_PASSWORD)
    served.cli("user", "add", AUDITOR, "--role", "auditor", "--name", "Otto Auditor")
    served.cli("team", "add-member", "intel", AUDITOR)
    otto = Tab(browser, served.base, served.store)
    otto.go("/login")
    otto.page.fill("#username", AUDITOR)
    otto.page.fill("#password", AUDITOR_PASSWORD)
    otto.page.click("button[type=submit]")
    otto.page.wait_for_selector("header .who")
    otto.go("/oversight?user=anna&kind=consultations")
    assert otto.page.locator("table.ledger .subject .name").count() == 0
    assert "write a justification" in otto.text()
    _justify_oversight(otto)
    otto.go("/oversight?user=anna&kind=consultations")
    names = otto.page.locator("table.ledger .subject .name").all_inner_texts()
    assert other["caption"] in names and person["caption"] in names, names
    otto.shot("names-5-oversight-cleared")
    assert not otto.errors and not otto.console, (otto.errors, otto.console)

    # leave the demo case as it was: the subject out again
    anna.go(f"/cases/{case}/subjects")
    row = page.locator("table.subjects tr", has=page.locator(f"a[href='/subjects/{other['id']}']"))
    row.locator("summary").click()
    row.locator("textarea[name=reason]").fill("Linked for the name test only")
    row.locator("button.danger").click()
    page.wait_for_selector("text=The subject is removed from the case.")
