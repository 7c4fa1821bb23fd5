"""The daily work in a real browser (Debian's chromium, driven by Playwright) on the
demo workspace, on SQLite and PostgreSQL: an analyst works a case, an auditor finds
the consultations, a viewer without clearance sees neither restricted facts nor the case.
Screenshots of every page go to test-artifacts/e2e/."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from casegraph.demo_case import CASE_TITLE
from tests.e2e.browsing import SHOTS, Tab
from tests.e2e.conftest import Server

sync_api = pytest.importorskip("playwright.sync_api")


def test_the_analyst_downloads_the_case_file(browser: Any, served: Server) -> None:
    """The case file as ``casegraph serve`` makes it (the graph held in memory): from
    the demo case's page, a PDF with content, and no error on the way."""
    anna = Tab(browser, served.base, served.store)
    failures: list[str] = []  # failed requests of the page or its parts, console errors

    def answered(response: Any) -> None:
        if response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    def said(message: Any) -> None:  # failed loads are counted by their address above
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            failures.append(message.text)

    anna.page.on("response", answered)
    anna.page.on("console", said)
    anna.sign_in("anna")
    anna.page.click("#h-cases ~ table a[href^='/cases/']")  # the demo case, from home
    anna.page.wait_for_selector("h1 .case-id")
    assert CASE_TITLE in anna.text()
    anna.page.click("nav.case-tabs a[href$='/report']")
    anna.page.fill("#report-recipient", "Public prosecutor's office, Dept. 4")
    report_tab = anna.page.url
    try:
        with anna.page.expect_download(timeout=90_000) as download:
            anna.page.click("form[action$='/report'] button[type=submit]")
    except sync_api.TimeoutError:
        raise AssertionError(f"no case file came; the page shows: {anna.page.content()[:2000]}"
                             f"; failures: {failures}") from None  # fmt: skip
    assert download.value.suggested_filename.endswith(".pdf")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-1024:], pdf[:200]
    assert len(pdf) > 10_000
    anna.shot("case-file")
    assert anna.page.url == report_tab
    assert anna.page.query_selector("section.error, .problem") is None, anna.text()
    assert anna.errors == [] and failures == []


def test_an_analyst_works_the_demo_case(browser: Any, served: Server) -> None:
    base, name = served.base, served.store
    anna = Tab(browser, base, name)
    anna.sign_in("anna")
    assert CASE_TITLE in anna.text()
    anna.shot("01-home")

    # choose the demo case as the purpose
    anna.go("/purpose")
    anna.page.check("input[name=case]")
    anna.page.click("form[action='/purpose'] button[type=submit]")
    case_id = re.search(r"Purpose: case (C-\d{4}-\d{4})", anna.page.inner_text("header")).group(1)  # type: ignore[union-attr]
    anna.shot("02-purpose")

    # search and open a profile with sourced facts
    anna.go("/search?q=Valdrenko")
    assert "Valdrenko" in anna.text()
    anna.shot("03-search")
    anna.page.click("article.hit h2 a")
    anna.page.wait_for_selector("#h-facts")
    facts = anna.text()
    assert "Birth date" in facts and "registry" in facts
    subject = anna.page.url.rsplit("/", 1)[1]
    anna.shot("04-profile")

    # the graph: select a node on click and expand it, then find a path
    anna.go(f"/graph?start={subject}")
    anna.until("window.casegraphGraph && window.casegraphGraph.nodes().length > 1")
    before = anna.page.evaluate("window.casegraphGraph.nodes().length")
    candidates = anna.page.evaluate(  # subjects at the edge of what is shown come first
        f"window.casegraphGraph.nodes().filter(n => n.id() !== {subject!r} && !n.data('sealed'))"
        ".sort((a, b) => a.degree() - b.degree()).map(n => n.id()).slice(0, 8)"
    )
    box = anna.page.locator("#graph").bounding_box()
    for other in candidates:  # click until one of them brings new neighbours
        pos = anna.page.evaluate(
            f"window.casegraphGraph.getElementById({other!r}).renderedPosition()"
        )
        anna.page.evaluate("document.getElementById('graph-status').textContent = 'clicked'")
        anna.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
        anna.until(
            f"(document.querySelector('#graph-info .mono') || {{}}).textContent === {other!r}"
        )
        anna.page.click("#do-expand")
        anna.until("/^\\d+ subjects/.test(document.getElementById('graph-status').textContent)")
        if anna.page.evaluate("window.casegraphGraph.nodes().length") > before:
            break
    assert anna.page.evaluate("window.casegraphGraph.nodes().length") > before
    far = anna.page.evaluate(
        f"window.casegraphGraph.nodes().filter(n => !n.data('sealed') && n.id() !== {subject!r}"
        f" && n.id() !== {other!r}).last().id()"
    )
    for end, node in (("path-a", subject), ("path-b", far)):  # as "Path from/to here" do
        anna.page.evaluate(f"document.getElementById({end!r}).value = {node!r}")
    anna.page.click("#find-path")
    anna.until("document.getElementById('graph-status').textContent.startsWith('Path of')")
    assert anna.page.evaluate("window.casegraphGraph.$('.path').length") >= 3
    anna.shot("05-graph")

    # the review queue: the possible match most worth deciding, both subjects whole and
    # why they may be one (deciding one: test_review_page)
    anna.go("/review")
    anna.page.click("a.button[href^='/review/']")
    anna.page.wait_for_selector("#h-weights")
    assert "Why they may be one" in anna.text() and "The two subjects, whole" in anna.text()
    assert len(set(re.findall(r'class="badge source">(\w+)<', anna.page.content()))) >= 1
    anna.shot("06-review-item")

    # a note and a piece of evidence in the case workspace
    anna.go(f"/cases/{case_id}/notes")
    anna.page.fill("#note-title", "Browser note")
    anna.page.fill("#note-body", f"Check **Kestrelmoor** against @{subject}")
    anna.page.press("#note-body", "End")  # the preview follows the keyboard
    anna.page.wait_for_selector("#note-preview strong")
    anna.page.click("form[action$='/notes'] button[type=submit]")
    anna.page.wait_for_selector("text=Browser note")
    anna.shot("08-notes")
    evidence = SHOTS / f"{name}-evidence.txt"
    SHOTS.mkdir(parents=True, exist_ok=True)
    evidence.write_text("A statement handed over during the browser test.\n")
    anna.go(f"/cases/{case_id}/evidence")
    anna.page.set_input_files("#evidence-file", str(evidence))
    anna.page.fill("#received-from", "Tip line caller")
    anna.page.fill("#evidence-reason", "Handed over at the front desk")
    anna.page.click("form[enctype='multipart/form-data'] button[type=submit]")
    digest = hashlib.sha256(evidence.read_bytes()).hexdigest()
    anna.page.wait_for_selector(f"text={digest[:16]}")
    anna.shot("09-evidence")

    # the case report
    anna.go(f"/cases/{case_id}/report")
    anna.page.fill("#report-recipient", "Public prosecutor Dr. Lang")
    with anna.page.expect_download() as download:
        anna.page.click("form[action$='/report'] button[type=submit]")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    anna.shot("10-report")
    assert anna.errors == []

    # the auditor finds these consultations
    olga = Tab(browser, base, name)
    olga.sign_in("olga")
    olga.go("/oversight?user=anna")
    olga.shot("11-oversight")
    audit = olga.text()
    assert "profile.view" in audit and "case.report" in audit

    # a viewer cleared for PUBLIC only sees neither restricted facts nor the case
    vera = Tab(browser, base, name)
    vera.sign_in("vera")
    vera.justify("checking public company records for a request")
    vera.go(f"/subjects/{subject}")
    html = vera.page.content()
    assert "Birth date" in vera.text() or "Name" in vera.text()
    for restricted in ("bank", "phone", "tips"):  # FIU, law-enforcement, confidential
        assert f'class="badge source">{restricted}<' not in html
    vera.shot("12-viewer-profile")
    response = vera.go(f"/cases/{case_id}")
    assert response.status == 404 and CASE_TITLE not in vera.text()
    vera.shot("13-viewer-case")
