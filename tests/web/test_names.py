"""Names instead of ids where people read and type: a note's mentions by display name
as each reader is shown it, the form that links a subject by name, and the oversight
page's names (an auditor sees ids; a reader of the ledger with a purpose and a cleared
team sees names, and that look-up is on record), on both stores."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from casegraph.access.context import AccessContext
from casegraph.service import Workspace
from casegraph.store import ledger
from tests.api.test_api import PASSWORD
from tests.cases.test_cases import as_user, subject_id
from tests.web.conftest import sign_in
from tests.web.test_case_pages import post_form

WHY = "checking the consultations of the Müller family"


def _entries(ws: Workspace, actor: str, action: str) -> list[dict[str, object]]:
    with ws.engine.connect() as conn:
        return [
            e.refs for e in ledger.iter_entries(conn) if e.actor == actor and e.action == action
        ]


def test_mentions_read_as_names_each_reader_as_they_may(
    web: TestClient, loaded: Workspace, case_id: str
) -> None:
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        mueller = subject_id(s, "Jürgen Müller")
        secret = subject_id(s, "Hidden Oligarch")  # the bank's (SECRET): not rita's
    with loaded.engine.connect() as conn:  # a minor: sealed, and never found by a search
        minor = conn.exec_driver_sql(
            "SELECT canonical_id FROM statements WHERE value = 'Lena Kindler'"
        ).scalar_one()
    body = f"Ask @{mueller} about @{secret}, and @{minor}; not @cg-nobody-here. `@{mueller}`"
    token = sign_in(web, "ana")
    preview = web.post(
        f"/cases/{case_id}/notes/preview", data={"body": body}, headers={"X-CSRF-Token": token}
    )
    link = f'href="/subjects/{mueller}" title="{mueller}" rel="noopener noreferrer">@Jürgen Müller'
    assert link in preview.text and "@sealed record" in preview.text
    assert (
        post_form(web, f"/cases/{case_id}/notes", token, title="Plan", body=body).status_code == 303
    )
    before = len(_entries(loaded, "ana", "case.mentions"))
    page = web.get(f"/cases/{case_id}/notes").text
    note = page[page.index('class="note-body"') : page.index('class="revisions"')]
    assert link in note
    assert "@Hidden Oligarch" in note and "@sealed record" in note and "Lena" not in note
    assert "<em>a subject you may not see</em>" in note and "cg-nobody-here" not in note
    assert f"<code>@{mueller}</code>" in note  # code is shown as written
    # one look-up for the page, of every mentioned subject, recorded under the case
    looked_up = _entries(loaded, "ana", "case.mentions")[before:]
    assert len(looked_up) == 1 and looked_up[0]["case"] == case_id
    assert looked_up[0]["subjects"] == sorted([mueller, secret, minor, "cg-nobody-here"])

    sign_in(web, "rita")  # a read-only member, cleared for PUBLIC only
    page = web.get(f"/cases/{case_id}/notes").text
    note = page[page.index('class="note-body"') : page.index('class="revisions"')]
    assert "@Jürgen Müller" in note
    assert "Hidden Oligarch" not in page and secret not in note
    assert note.count("<em>a subject you may not see</em>") == 2
    assert '<span class="badge unseen">a subject you may not see</span>' in page

    with loaded.session(as_user(loaded, "ana", case_id)) as s:  # the case file's notes
        notes = s.cases.case_file(case_id, "Public prosecutor, Dept. 4").notes
    assert "@Jürgen Müller" in notes[0]["html"] and "@Hidden Oligarch" in notes[0]["html"]


def test_a_subject_is_linked_by_its_id_and_a_name_alone_says_what_to_do(
    web: TestClient, loaded: Workspace, case_id: str
) -> None:
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        mueller = subject_id(s, "Jürgen Müller")
    token = sign_in(web, "ana")
    form = web.get(f"/cases/{case_id}/subjects").text
    assert 'data-suggest="subject_id"' in form and 'src="/static/suggest.js"' in form
    typed = post_form(
        web,
        f"/cases/{case_id}/subjects",
        token,
        form="link",
        subject_name="Jürgen Müller",
        subject_id="",
        role="suspect",
        note="Director of ACME in 2019",
    )
    assert typed.status_code == 400
    assert "choose &#39;Jürgen Müller&#39; from the list" in typed.text
    assert 'value="Jürgen Müller"' in typed.text  # what was typed stays
    linked = post_form(
        web,
        f"/cases/{case_id}/subjects",
        token,
        subject_name="Jürgen Müller",
        subject_id=mueller,
        role="suspect",
        note="Director of ACME in 2019",
    )
    assert linked.status_code == 303
    page = web.get(f"/cases/{case_id}/subjects").text
    assert ">Jürgen Müller</a>" in page
    assert f'<small class="id" title="{mueller}">{mueller}</small>' in page


def test_oversight_names_only_for_a_purpose_and_a_cleared_team(
    web: TestClient, loaded: Workspace, ctx: AccessContext
) -> None:
    with loaded.engine.connect() as conn:  # (not by a search: its query is on record)
        mueller = conn.exec_driver_sql(
            "SELECT canonical_id FROM statements WHERE value = 'Jürgen Müller'"
        ).scalar_one()
    with loaded.session(AccessContext(actor="ana", justification=WHY)) as s:
        s.subjects.profile(mueller)
    with loaded.session(ctx) as s:  # a second auditor, in a team cleared for PUBLIC
        s.identities.add_user("otto", "otto", "auditor", PASSWORD)
        s.identities.add_member("intel", "otto")

    sign_in(web, "olga", justification=WHY)  # an auditor in no team: ids only
    shown = web.get("/oversight?user=ana").text
    assert f'<small class="id" title="{mueller}">{mueller}</small>' in shown
    assert "Müller" not in re.sub(r'title="[^"]*"', "", shown.replace(WHY, ""))
    assert "no team of yours is cleared" in shown
    assert _entries(loaded, "olga", "oversight.names") == []

    sign_in(web, "otto")  # cleared, but no purpose: ids, and how to see names
    shown = web.get("/oversight?user=ana").text
    assert '<span class="name">' not in shown and 'href="/purpose?next=/oversight"' in shown
    assert _entries(loaded, "otto", "oversight.names") == []

    sign_in(web, "otto", justification=WHY)  # cleared, with a purpose: names, recorded
    shown = web.get("/oversight?user=ana").text
    assert (
        f'<span class="name">Jürgen Müller</span> '
        f'<small class="id" title="{mueller}">{mueller}</small>'
    ) in shown
    looked_up = _entries(loaded, "otto", "oversight.names")
    assert len(looked_up) == 1 and mueller in looked_up[0]["subjects"]  # type: ignore[operator]
    with loaded.engine.connect() as conn:
        entry = [e for e in ledger.iter_entries(conn) if e.action == "oversight.names"][-1]
    assert entry.justification == WHY
