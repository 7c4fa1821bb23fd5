"""Cases through the session, on SQLite and PostgreSQL: the compartment, the lifecycle,
members, subjects, tasks, notes, evidence, timeline, reviews and retention."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from casegraph.access.context import AccessContext
from casegraph.access.policy import AccessDenied, PurposeRequired
from casegraph.cases.rules import CaseError
from casegraph.errors import Conflict, NotFound
from casegraph.model.clock import utcnow
from casegraph.service import Session, Workspace
from casegraph.store import ledger
from casegraph.store.tables import cases
from tests.api.test_api import add_users
from tests.search import data

BASIS = "Section 100a StPO, order of the investigating judge of 2026-11-02"
PREDICATE = "Suspected laundering of fraud proceeds through ACME Holding GmbH"
USERS = {
    "ana": "analyst",
    "ben": "analyst",
    "rita": "viewer",
    "eve": "analyst",
    "sam": "supervisor",
    "vic": "viewer",
}


def as_user(ws: Workspace, user: str, case: str | None = None) -> AccessContext:
    why = None if case else "looking into the laundering allegation"
    return AccessContext(actor=user, case_id=case, justification=why)


@pytest.fixture
def loaded(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> Workspace:
    with workspace.session(ctx) as s:
        data.load(s, tmp_path)
        add_users(s, USERS, cleared=("ana", "ben", "rita", "eve", "sam", "vic"))
        s.identities.add_team("fincrime", "Financial crime")
        for user in ("ana", "ben", "sam"):
            s.identities.add_member("fincrime", user)
        s.identities.grant("fincrime", "SECRET")
    return workspace


def subject_id(s: Session, name: str) -> str:
    return s.search.search(f'"{name}"').hits[0].id


def open_case(ws: Workspace) -> str:
    with ws.session(as_user(ws, "ana")) as s:
        case = s.cases.open(
            "Operation Kaltenbrunn",
            "money-laundering",
            BASIS,
            PREDICATE,
            purpose="Trace the proceeds",
            team="fincrime",
            members=[("ben", "member"), ("rita", "read-only")],
        )
    return str(case["id"])


def test_opening_needs_a_legal_basis_and_predicate_and_bounds_the_review(loaded: Workspace) -> None:
    with loaded.session(as_user(loaded, "ana")) as s:
        with pytest.raises(CaseError, match="legal basis"):
            s.cases.open("Op 1", "fraud", "", PREDICATE)
        with pytest.raises(CaseError, match="predicate"):
            s.cases.open("Op 1", "fraud", BASIS, "short")
        with pytest.raises(CaseError, match="unknown case type"):
            s.cases.open("Op 1", "burglary", BASIS, PREDICATE)
        too_far = date.today() + timedelta(days=5 * 365 + 1)
        with pytest.raises(CaseError, match="five years"):
            s.cases.open("Op 1", "fraud", BASIS, PREDICATE, review_on=too_far)
        case = s.cases.open("Op 1", "fraud", BASIS, PREDICATE)
    assert case["status"] == "open"
    assert case["review_on"] == (utcnow().date() + timedelta(days=365)).isoformat()
    assert case["legal_basis"] == BASIS and case["predicate"] == PREDICATE
    assert [m["username"] for m in case["members"]] == ["ana"]
    assert len(case["tasks"]) == 3  # from the fraud template
    with loaded.session(as_user(loaded, "rita")) as s, pytest.raises(AccessDenied):
        s.cases.open("Op 1", "fraud", BASIS, PREDICATE)  # a viewer opens no cases


def test_a_non_member_cannot_learn_that_a_case_exists(loaded: Workspace) -> None:
    case_id = open_case(loaded)
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        s.cases.link_subject(
            case_id,
            subject_id(s, "Jürgen Müller"),
            "suspect",
            "Director of ACME during the transfers",
        )
    with loaded.session(as_user(loaded, "eve")) as s:
        assert s.cases.mine() == []
        for call in (
            lambda: s.cases.show(case_id),
            lambda: s.cases.tasks(case_id),
            lambda: s.cases.notes(case_id),
            lambda: s.cases.evidence(case_id),
            lambda: s.cases.show("C-1999-0001"),
        ):
            with pytest.raises(NotFound) as err:
                call()
            assert "no case" in str(err.value)
        messages = set()
        for cid in (case_id, "C-1999-0001"):
            with pytest.raises(NotFound) as err:
                s.cases.timeline(cid)
            messages.add(str(err.value).replace(cid, "X"))
        assert len(messages) == 1  # the same answer for a real and an invented case
        mueller = subject_id(s, "Jürgen Müller")
        assert s.cases.subject_cases([mueller]) == {}
        assert s.cases.dashboard()["cases"] == []
    eve_under_case = as_user(loaded, "eve", case_id)
    with pytest.raises(AccessDenied), loaded.session(eve_under_case) as s:
        s.search.search("Müller")  # nor read subject data under it


def test_lifecycle_transitions_are_recorded_with_who_and_why(loaded: Workspace) -> None:
    case_id = open_case(loaded)
    with loaded.session(as_user(loaded, "ben")) as s, pytest.raises(AccessDenied):
        s.cases.set_status(case_id, "active", "member tries to activate it")
    with loaded.session(as_user(loaded, "ana")) as s:
        with pytest.raises(CaseError, match="reason"):
            s.cases.set_status(case_id, "active", "")
        s.cases.set_status(case_id, "active", "Bank records arrived, work starts")
        with pytest.raises(CaseError, match="cannot become open"):
            s.cases.set_status(case_id, "open", "back to the start please")
        s.cases.set_status(case_id, "suspended", "Waiting for the MLA request to Cyprus")
        s.cases.set_status(case_id, "closed", "Handed to the prosecutor's office")
    with loaded.session(as_user(loaded, "ben")) as s, pytest.raises(CaseError, match="closed"):
        s.cases.add_note(case_id, "Late", "after closure")
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        case = s.cases.set_status(case_id, "active", "New evidence from the tax office")
        assert case["status"] == "active" and case["closed_at"] is None
        events = [e for e in s.cases.timeline(case_id) if e["kind"] == "case.status"]
    assert [e["summary"].split(":")[0] for e in events] == [
        "Activate",
        "Suspend",
        "Close",
        "Reopen",
    ]
    assert "New evidence from the tax office" in events[-1]["summary"]
    with loaded.engine.connect() as conn:
        entries = [e for e in ledger.iter_entries(conn) if e.action == "case.status"]
    assert [(e.actor, e.refs["to"]) for e in entries] == [
        ("ana", "active"),
        ("ana", "suspended"),
        ("ana", "closed"),
        ("ana", "active"),
    ]


def test_members_roles_and_a_stale_write(loaded: Workspace) -> None:
    case_id = open_case(loaded)
    with loaded.session(as_user(loaded, "rita")) as s:
        assert s.cases.show(case_id)["my_role"] == "read-only"
        with pytest.raises(AccessDenied, match="read-only"):
            s.cases.add_task(case_id, "Sneaky task")
    with loaded.session(as_user(loaded, "ben")) as s, pytest.raises(AccessDenied):
        s.cases.add_member(case_id, "eve")
    with loaded.session(as_user(loaded, "ana")) as s:
        with pytest.raises(CaseError, match="no user"):
            s.cases.add_member(case_id, "nobody")
        s.cases.add_member(case_id, "eve", "member")
        with pytest.raises(CaseError, match="only lead"):
            s.cases.remove_member(case_id, "ana", "leaving the case now")
        s.cases.remove_member(case_id, "eve", "Not needed on this case after all")
        version = s.cases.show(case_id)["version"]
        s.cases.update(case_id, version=version, priority="high")
        with pytest.raises(Conflict, match="version"):
            s.cases.update(case_id, version=version, title="Stale edit")
        task = s.cases.add_task(
            case_id,
            "Request bank records",
            assignee="ben",
            due_on=date.today() + timedelta(days=7),
            checklist=["Draft request", "Get sign-off"],
        )
        s.cases.update_task(case_id, task["id"], version=task["version"], status="in-progress")
        with pytest.raises(Conflict):
            s.cases.update_task(case_id, task["id"], version=task["version"], status="done")
    with loaded.session(as_user(loaded, "eve")) as s, pytest.raises(NotFound):
        s.cases.show(case_id)
    with loaded.session(as_user(loaded, "ben")) as s:
        mine = s.cases.dashboard()["tasks"]
    assert [t["title"] for t in mine] == ["Request bank records"]
    assert mine[0]["checklist"][1] == {"text": "Get sign-off", "done": False}
    with loaded.engine.connect() as conn:
        actions = [e.action for e in ledger.iter_entries(conn)]
    assert actions.count("case.member.added") == 1 and actions.count("case.member.removed") == 1


def test_subject_links_notes_and_comments(loaded: Workspace) -> None:
    case_id = open_case(loaded)
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        mueller = subject_id(s, "Jürgen Müller")
        with pytest.raises(CaseError, match="subject role"):
            s.cases.link_subject(case_id, mueller, "villain", "Director of ACME")
        with pytest.raises(NotFound):
            s.cases.link_subject(case_id, "cg-nothing-here", "suspect", "Not a subject at all")
        s.cases.link_subject(case_id, mueller, "suspect", "Director of ACME during transfers")
        link = s.cases.show(case_id)["subjects"][0]
        assert (link["caption"], link["role"]) == ("Jürgen Müller", "suspect")
        s.cases.update_subject(case_id, mueller, role="witness", version=link["version"])
        with pytest.raises(Conflict):
            s.cases.update_subject(case_id, mueller, role="victim", version=link["version"])
        note = s.cases.add_note(
            case_id,
            "Interview plan",
            f"Ask @{mueller} about **ACME**.\n\n<script>alert(1)</script>"
            "\n\n[x](javascript:alert(1))",
        )
        assert note["mentions"] == [mueller]
        assert f'href="/subjects/{mueller}"' in note["html"]
        assert "<strong>ACME</strong>" in note["html"]
        assert "<script>" not in note["html"], note["html"]
        assert 'href="javascript' not in note["html"]
        edited = s.cases.edit_note(case_id, note["id"], "Second draft", version=1)
        assert [r["body"][:6] for r in edited["revisions"]] == ["Ask @" + mueller[0], "Second"]
        with pytest.raises(Conflict):
            s.cases.edit_note(case_id, note["id"], "Lost update", version=1)
        s.cases.comment(case_id, f"note:{note['id']}", "Add the 2019 transfers")
        with pytest.raises(NotFound):
            s.cases.comment(case_id, "note:999", "to nothing")
        assert [c["body"] for c in s.cases.comments(case_id, f"note:{note['id']}")] == [
            "Add the 2019 transfers"
        ]
        assert s.cases.subject_cases([mueller]) == {mueller: [{"case": case_id, "role": "witness"}]}
        s.cases.unlink_subject(case_id, mueller, "Turned out to be a bystander")
        assert s.cases.show(case_id)["subjects"] == []


def test_evidence_custody_download_and_integrity(loaded: Workspace, tmp_path: Path) -> None:
    case_id = open_case(loaded)
    content = b"statement of account\n" * 50_000  # ~1 MB, streamed in chunks
    chunks = (content[i : i + 65536] for i in range(0, len(content), 65536))
    with loaded.session(as_user(loaded, "ben", case_id)) as s:
        item = s.cases.add_evidence(
            case_id,
            chunks,
            "C:\\exports\\account.txt",
            "Sparkasse Berlin, compliance office",
            "Production order of 2026-11-03",
        )
        assert item["sha256"] == hashlib.sha256(content).hexdigest()
        assert (item["size"], item["media_type"], item["filename"]) == (
            len(content),
            "text/plain",
            "account.txt",
        )
        s.cases.custody(
            case_id, item["id"], "examined", "Forensic lab, J. Weber", "Check for alterations"
        )
        with pytest.raises(CaseError, match="custody action"):
            s.cases.custody(case_id, item["id"], "lost", "nobody at all", "it went missing")
    with loaded.session(as_user(loaded, "rita", case_id)) as s:
        _, body = s.cases.download(case_id, item["id"], "Public prosecutor Dr. Lang")
        assert b"".join(body) == content
    # a check is an entry in the chain of custody: read-only members may not add one
    with (
        pytest.raises(AccessDenied, match="read-only"),
        loaded.session(as_user(loaded, "rita", case_id)) as s,
    ):
        s.cases.verify(case_id)
    with loaded.session(as_user(loaded, "ben", case_id)) as s:
        assert [v["integrity"] for v in s.cases.verify(case_id)] == ["intact"]
    path = loaded.settings.evidence_dir / item["sha256"][:2] / item["sha256"]
    path.chmod(0o640)
    path.write_bytes(content.replace(b"account", b"acc0unt", 1))
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        assert [v["integrity"] for v in s.cases.verify(case_id)] == ["changed"]
        with pytest.raises(CaseError, match="integrity"):
            s.cases.download(case_id, item["id"], "Public prosecutor Dr. Lang")
        custody = s.cases.evidence_item(case_id, item["id"])["custody"]
    assert [c["action"] for c in custody] == ["received", "examined", "verified", "verified"]
    assert custody[-1]["reason"] == "integrity check: changed"
    with loaded.engine.connect() as conn:
        downloads = [e for e in ledger.iter_entries(conn) if e.action == "case.evidence.download"]
    assert [(d.actor, d.case_id, d.refs["recipient"]) for d in downloads] == [
        ("rita", case_id, "Public prosecutor Dr. Lang")
    ]


def test_evidence_over_the_limit_is_refused_and_leaves_nothing(loaded: Workspace) -> None:
    case_id = open_case(loaded)
    loaded.settings.evidence_max_bytes = 1000
    big = [b"x" * 600, b"x" * 600]
    with loaded.session(as_user(loaded, "ana", case_id)) as s, pytest.raises(CaseError):
        s.cases.add_evidence(case_id, big, "big.bin", "A tip line caller", "Sent by the caller")
    assert [p for p in loaded.settings.evidence_dir.rglob("*") if p.is_file()] == []


def test_timeline_merges_case_events_and_sourced_facts(loaded: Workspace) -> None:
    case_id = open_case(loaded)
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        mueller = subject_id(s, "Jürgen Müller")
        s.cases.link_subject(case_id, mueller, "suspect", "Director of ACME during transfers")
        everything = s.cases.timeline(case_id)
        facts = s.cases.timeline(case_id, subject=mueller)
        tasks_only = s.cases.timeline(case_id, kinds=["task"])
    kinds = {e["kind"] for e in everything}
    assert {"case.opened", "case.task.created", "case.subject.linked"} <= kinds
    birth = [e for e in facts if e["kind"] == "fact:birthDate"]
    assert birth and birth[0]["at"] == "1971-04-02" and birth[0]["sources"] == ["registry"]
    assert all(e["subject"] == mueller for e in facts)
    assert tasks_only and all(e["kind"].startswith("case.task") for e in tasks_only)
    assert everything == sorted(everything, key=lambda e: (e["at"], e["kind"], e["summary"]))
    with loaded.session(as_user(loaded, "ana")) as s, pytest.raises(PurposeRequired):
        s.cases.timeline(case_id)  # subject facts are read under the case only


def test_reviews_due_for_supervisors_and_retention_erasure(loaded: Workspace) -> None:
    case_id = open_case(loaded)
    with loaded.session(as_user(loaded, "ben", case_id)) as s:
        s.cases.add_evidence(
            case_id, [b"ledger page"], "page.txt", "An informant", "Handed over in person"
        )
        s.cases.add_note(case_id, "Private", "Informant details")
    past = date.today() - timedelta(days=1)
    with loaded.engine.begin() as conn:
        conn.execute(update(cases).where(cases.c.id == case_id).values(review_on=past))
    with loaded.session(as_user(loaded, "sam")) as s:
        assert [c["id"] for c in s.cases.reviews_due()] == [case_id]
        with pytest.raises(NotFound):
            s.cases.show(case_id)  # a supervisor reviews, but is not a member
        with pytest.raises(CaseError, match="five years"):
            s.cases.review(
                case_id,
                "retain",
                "Still active leads",
                date.today().replace(year=date.today().year + 6),
            )
        s.cases.review(
            case_id, "retain", "Leads in Cyprus still open", date.today() + timedelta(days=180)
        )
        assert s.cases.reviews_due() == []
    with loaded.session(as_user(loaded, "eve")) as s:
        assert s.cases.reviews_due() == []
        with pytest.raises(NotFound):
            s.cases.review(case_id, "close", "Not my case to close")
    with loaded.session(as_user(loaded, "sam")) as s, pytest.raises(NotFound):
        # retained, the case left sam's review list: not a member, he cannot close it
        s.cases.review(case_id, "close", "No prospect of a prosecution")
    with loaded.engine.begin() as conn:
        conn.execute(update(cases).where(cases.c.id == case_id).values(review_on=past))
    with loaded.session(as_user(loaded, "sam")) as s:
        s.cases.review(case_id, "close", "No prospect of a prosecution")
    with loaded.session(as_user(loaded, "ana")) as s:
        assert s.cases.show(case_id)["status"] == "closed"
    long_ago = utcnow() - timedelta(days=5 * 365 + 2)
    with loaded.engine.begin() as conn:
        conn.execute(update(cases).where(cases.c.id == case_id).values(closed_at=long_ago))
    ops = AccessContext(actor="tester", local=True)
    with loaded.session(ops) as s:
        done = s.retention.run()
    assert {"case": case_id, "evidence_files": 1}.items() <= next(
        d for d in done if d.get("case") == case_id
    ).items()
    assert [p for p in loaded.settings.evidence_dir.rglob("*") if p.is_file()] == []
    with loaded.session(as_user(loaded, "ana")) as s:
        assert s.cases.mine() == []
        with pytest.raises(NotFound):
            s.cases.show(case_id)
    with loaded.engine.connect() as conn:
        erasures = [e for e in ledger.iter_entries(conn) if e.action == "case.erasure"]
        row = conn.execute(cases.select().where(cases.c.id == case_id)).mappings().one()
    assert len(erasures) == 1 and row["title"] == "(erased)" and row["legal_basis"] == ""


def test_the_case_file_shows_sourced_facts_and_is_a_recorded_disclosure(
    loaded: Workspace,
) -> None:
    from casegraph.reports import render

    case_id = open_case(loaded)
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        mueller = subject_id(s, "Jürgen Müller")
        acme = subject_id(s, "ACME Holding GmbH")
        s.cases.link_subject(case_id, mueller, "suspect", "Director of ACME during transfers")
        s.cases.link_subject(case_id, acme, "other", "Received the transfers in 2019")
        s.cases.add_evidence(
            case_id,
            [b"bank statement"],
            "statement.txt",
            "Sparkasse Berlin",
            "Production order of 2026-11-03",
        )
        s.cases.add_note(case_id, "Plan", f"Interview @{mueller} first")
        pdf = s.cases.report(case_id, "pdf", "Public prosecutor Dr. Lang")
    text = render.pdf_text(pdf)
    flat = "".join(text.split())
    assert "Jürgen Müller" in text and "ACME Holding GmbH" in text
    assert "1971-04-02" in text and "registry" in text  # a fact and its source
    assert hashlib.sha256(b"bank statement").hexdigest() in flat
    assert "PublicprosecutorDr.Lang" in flat and BASIS.replace(" ", "") in flat
    pages = render.pages_png(pdf)
    out = Path(__file__).resolve().parents[2] / "test-artifacts" / "cases"
    out.mkdir(parents=True, exist_ok=True)
    for number, page in enumerate(pages, 1):
        (out / f"case-file-{loaded.engine.dialect.name}-{number}.png").write_bytes(page)
    assert pages and all(p.startswith(b"\x89PNG") for p in pages)
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        again = s.cases.report(case_id, "html", "Supervisor Weber").decode()
    assert "Public prosecutor Dr. Lang" in again  # the first disclosure is in the log
    with loaded.engine.connect() as conn:
        reports = [e for e in ledger.iter_entries(conn) if e.action == "case.report"]
    assert [(e.case_id, e.refs["recipient"]) for e in reports] == [
        (case_id, "Public prosecutor Dr. Lang"),
        (case_id, "Supervisor Weber"),
    ]
    with loaded.session(as_user(loaded, "eve")) as s, pytest.raises(NotFound):
        s.cases.report(case_id, "pdf", "Someone")


def test_search_shows_the_readers_own_cases_only(loaded: Workspace) -> None:
    from casegraph.search.query import QueryError

    case_id = open_case(loaded)
    with loaded.session(as_user(loaded, "ana", case_id)) as s:
        mueller = subject_id(s, "Jürgen Müller")
        s.cases.link_subject(case_id, mueller, "suspect", "Director of ACME during transfers")
        results = s.search.search(f"case:{case_id}")
        assert [h.id for h in results.hits] == [mueller]
        assert results.hits[0].cases == [case_id]
        assert s.search.search("Müller").facets["case"] == [(case_id, 1)]
    with loaded.session(as_user(loaded, "eve")) as s:
        results = s.search.search("Müller")
        assert [h.id for h in results.hits] == [mueller]
        assert results.hits[0].cases == [] and results.facets["case"] == []
        errors = set()
        for cid in (case_id, "C-1999-0001"):
            with pytest.raises(QueryError) as err:
                s.search.search(f"case:{cid}")
            errors.add(str(err.value).replace(cid, "X"))
        assert errors == {"case:X: not one of your cases"}


def test_an_upload_whose_transaction_failed_leaves_no_file_for_long(loaded: Workspace) -> None:
    import os
    import time

    case_id = open_case(loaded)
    with pytest.raises(RuntimeError), loaded.session(as_user(loaded, "ana", case_id)) as s:
        s.cases.add_evidence(case_id, [b"never committed"], "x.txt", "A caller", "Sent by mail")
        raise RuntimeError("the request failed after the upload")
    files = [p for p in loaded.settings.evidence_dir.rglob("*") if p.is_file()]
    assert len(files) == 1  # written, but no row points at it
    with loaded.session(AccessContext(actor="tester", local=True)) as s:
        s.retention.run()
    assert files[0].exists()  # too recent: its transaction might still be committing
    old = time.time() - 2 * 3600
    os.utime(files[0], (old, old))
    with loaded.session(AccessContext(actor="tester", local=True)) as s:
        s.retention.run()
    assert not files[0].exists()
