"""Documents in a real browser on the served demo, on SQLite and PostgreSQL: a mailbox
uploaded as evidence of the demo case; a phrase from one message found on the search
page, the message opened with the phrase marked, a mention in it followed to the
subject's profile and back from the profile's documents, the file inside its
attachment reached from it, and an attached PDF read beside its pages' pictures and
downloaded (a disclosure, with its recipient). Screenshots go to
test-artifacts/e2e/<store>-documents-*.png."""

from __future__ import annotations

import io
import mailbox
import zipfile
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from tests.e2e.browsing import Tab, purpose_case
from tests.e2e.conftest import Server

PLACE = "nav[aria-label='Where this document is']"


def _mailbox(folder: Path, statement: Path) -> Path:
    """An mbox of two messages of one thread; the reply carries a zip with a memo and a
    bank statement as a PDF."""
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as z:
        z.writestr("memo/transfer-plan.txt", "Route the funds through Larkfield Trading Ltd "
                                             "before the audit in March.\n")  # fmt: skip
    box = mailbox.mbox(str(folder / "seized.mbox"))
    first = EmailMessage()
    first["From"] = "Dmitri Valdrenko <d.valdrenko@example.net>"
    first["To"] = "Oskar Brandt <o.brandt@example.org>"
    first["Subject"] = "Shipment schedule"
    first["Date"] = "Tue, 05 Mar 2024 09:12:00 +0100"
    first["Message-ID"] = "<ship-1@example.net>"
    first.set_content("The consignment leaves Riga on Thursday.\n")
    reply = EmailMessage()
    reply["From"] = "Oskar Brandt <o.brandt@example.org>"
    reply["To"] = "Dmitri Valdrenko <d.valdrenko@example.net>"
    reply["Subject"] = "Re: Shipment schedule"
    reply["Date"] = "Tue, 05 Mar 2024 11:40:00 +0100"
    reply["Message-ID"] = "<ship-2@example.org>"
    reply["In-Reply-To"] = "<ship-1@example.net>"
    reply.set_content("Agreed. The invoice goes to the Cyprus account, as discussed with "
                      "Konstantin Valdrenko.\n")
    reply.add_attachment(packed.getvalue(), maintype="application", subtype="zip",
                         filename="plan.zip")  # fmt: skip
    reply.add_attachment(statement.read_bytes(), maintype="application", subtype="pdf",
                         filename="statement.pdf")  # fmt: skip
    box.add(first)
    box.add(reply)
    box.close()
    return folder / "seized.mbox"


def test_a_mailbox_uploaded_to_a_case_leads_to_its_messages_and_the_subjects_they_name(
    browser: Any, served: Server, shared_data: Path, tmp_path: Path
) -> None:
    tab = Tab(browser, served.base, served.store)
    tab.sign_in("anna")
    page = tab.page
    page.click("#h-cases ~ table a[href^='/cases/']")  # the demo case, from home
    page.wait_for_selector("h1 .case-id")
    case_id = page.locator("h1 .case-id").inner_text().strip()
    tab.go(f"/cases/{case_id}/evidence")
    statement = shared_data / "docs/pdf/pdflatex-4-pages.pdf"
    page.set_input_files("#evidence-file", str(_mailbox(tmp_path, statement)))
    page.fill("#received-from", "The seizing officer")
    page.fill("#evidence-reason", "Mailbox seized under the search warrant")
    page.click("form[enctype='multipart/form-data'] button[type=submit]")
    page.wait_for_selector("article.evidence h3:text('seized.mbox')")
    purpose_case(tab)
    tab.go("/search?q=" + '"Cyprus account"')
    page.wait_for_selector("h2.section")
    hit = page.locator("article.hit", has_text="Re: Shipment schedule")
    assert hit.locator("mark").first.inner_text() in ("Cyprus", "account")
    tab.shot("documents-search")
    # the documents' facets narrow to the case's evidence, then to e-mails of 2024
    page.locator("aside.facets a", has_text=f"evidence of case {case_id}").click()
    page.wait_for_selector("#documents")
    assert page.locator("#q").input_value() == f'"Cyprus account" case:{case_id}'
    page.locator("aside.facets h3:text('Year') + ul a", has_text="2024").click()
    page.wait_for_selector("#documents")
    assert page.locator("#q").input_value().endswith("year:2024")
    assert "Konstantin Valdrenko" in page.locator("aside.facets").inner_text()  # mentioned
    assert "Nothing matches" not in page.locator("main").inner_text()
    hit = page.locator("article.hit", has_text="Re: Shipment schedule")
    tab.shot("documents-search-narrowed")
    hit.locator("h2 a").click()
    page.wait_for_selector("pre.doc-text")
    assert page.locator("h1").inner_text().startswith("Re: Shipment schedule")
    text = page.locator("pre.doc-text").inner_text()
    assert "From: Oskar Brandt <o.brandt@example.org>" in text and "Cyprus account" in text
    assert "Date: Tue, 05 Mar 2024 11:40:00 +0100" in text
    assert "2024-03-05 11:40 (UTC+01:00)" in page.locator("aside dl").inner_text()
    assert [m.inner_text() for m in page.locator("pre.doc-text mark").all()] == [
        "Cyprus", "account"]  # fmt: skip
    assert page.locator(f"{PLACE} a").inner_text() == "seized.mbox"
    assert page.locator("h1 .badge.source").inner_text() == f"evidence of case {case_id}"
    assert "Shipment schedule" in page.locator("aside", has_text="The same thread").inner_text()
    mentions = page.locator("ul.mentions").inner_text()
    assert "Konstantin Valdrenko" in mentions and "o.brandt@example.org" in mentions
    tab.shot("documents-message")
    message = page.url
    page.click("pre.doc-text a.mention:text('Konstantin Valdrenko')")
    page.wait_for_selector("#h-docs")
    assert "Valdrenko" in page.locator("h1").inner_text()
    listed = page.locator("#documents ul.doc-hits li", has_text="Re: Shipment schedule")
    assert listed.locator(".snippet mark").inner_text() == "Konstantin Valdrenko"
    tab.shot("documents-profile")
    listed.locator("a").first.click()
    page.wait_for_selector("pre.doc-text")
    assert page.url.split("#")[0] == message.split("#")[0].split("?")[0]
    assert page.locator("h1").inner_text().startswith("Re: Shipment schedule")
    # a mention rejected stays in the list, struck out, and links to no one
    page.locator("ul.mentions li", has_text="Konstantin Valdrenko").locator(
        "button[value=reject]").click()  # fmt: skip
    page.wait_for_selector("p.flash")
    assert "Mention rejected" in page.locator("p.flash").inner_text()
    rejected = page.locator("ul.mentions li.rejected")
    assert "rejected by anna" in rejected.inner_text()
    assert page.locator("pre.doc-text a.mention").count() == 0
    assert page.locator("pre.doc-text span.mention.rejected").inner_text() == (
        "Konstantin Valdrenko")  # fmt: skip
    tab.shot("documents-rejected")
    page.click("aside a:text('plan.zip')")
    page.wait_for_selector("aside a:text('transfer-plan.txt')")
    page.click("aside a:text('transfer-plan.txt')")
    page.wait_for_selector("pre.doc-text")
    assert "Larkfield Trading Ltd" in page.locator("pre.doc-text").inner_text()
    crumbs = [a.inner_text() for a in page.locator(f"{PLACE} a").all()]
    assert crumbs[-3:] == ["seized.mbox", "0002 Re: Shipment schedule.eml", "plan.zip"]
    tab.shot("documents-attachment")
    # the statement: each page's picture, rendered by the server, beside its text
    page.goto(message)
    page.click("aside a:text('statement.pdf')")
    page.wait_for_selector("details.page-picture")
    assert page.locator("details.page-picture").count() == 4
    page.locator("details.page-picture summary").first.click()
    page.wait_for_function("() => { const i = document.querySelector("
                           "'details.page-picture[open] img'); "
                           "return i && i.complete && i.naturalWidth > 1000; }")  # fmt: skip
    tab.shot("documents-pdf")
    # a download is a disclosure: it names its recipient
    page.fill("#recipient", "the prosecutor's office")
    with page.expect_download() as sent:
        page.click("form.download button")
    assert sent.value.suggested_filename == "statement.pdf"
    assert tab.errors == [] and tab.console == []
