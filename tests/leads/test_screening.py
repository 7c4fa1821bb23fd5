"""Screening a scope against a list through the session: leads found and explained,
decisions that stick, incremental and resumable runs, re-screening when the list is
loaded again, and who may screen and see what (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from casegraph.access.context import AccessContext
from casegraph.access.policy import AccessDenied, PurposeRequired
from casegraph.config import Settings
from casegraph.errors import InvalidInput, WorkspaceError
from casegraph.service import Workspace
from casegraph.services import leads as lead_service
from casegraph.store import ledger
from tests.conftest import add_source, env_for

WHY = "screening the test population against the list"
LIST = """id,schema,name,aliases,birth_date,nationality,passport
L1,Person,"BWAMBALE, Frank Kakolele",Frank Kakolele,1971-05-12,cd,
L2,Person,"ORLOVSKY, Viktor Pavlovich",Victor Orlovski,1958-07-04,ru,AB1234567
L3,Organization,SILVERCAIRN ADVISORY FZE,Silvercairn Advisory Free Zone Establishment,,ae,
L4,Person,"HASSAN, Amira",,1980,eg,
"""
PEOPLE = """id,schema,name,birth_date,nationality,passport
P1,Person,Frank Bwambale,1971-05-12,cd,
P2,Person,Wiktor Orlowski,1959-07-04,,AB 1234567
P3,Organization,Silvercairn Advisory FZ-E,,ae,
P4,Person,Franz Meyer,1971-05-12,de,
P5,Person,Amira Hassan,1999-02-01,,
P6,Person,Jana Novak,1980-03-03,cz,
"""


def _mapping(dataset: str, csv: Path, aliases: bool) -> str:
    def query(schema: str) -> str:
        alias = '            alias: {column: aliases, split: ";"}\n' if aliases else ""
        return (f"    - csv_url: {csv}\n      filters:\n        schema: {schema}\n"
                f"      entities:\n        party:\n          schema: {schema}\n"
                f"          key: id\n          properties:\n            name: {{column: name}}\n"
                + alias +
                ("            birthDate: {column: birth_date}\n"
                 "            nationality: {column: nationality}\n"
                 "            passportNumber: {column: passport}\n" if schema == "Person" else
                 "            country: {column: nationality}\n"))  # fmt: skip

    return f"{dataset}:\n  queries:\n" + query("Person") + query("Organization")


def _load(s: object, tmp_path: Path, name: str, text: str, aliases: bool) -> None:
    csv = tmp_path / f"{name}.csv"
    csv.write_text(text, encoding="utf-8")
    yml = tmp_path / f"{name}.yml"
    yml.write_text(_mapping(name, csv, aliases), encoding="utf-8")
    s.ingest.mapping(yml)  # type: ignore[attr-defined]


def _setup(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> None:
    with workspace.session(ctx) as s:
        add_source(s, "watch")
        add_source(s, "people", "RESTRICTED")
        _load(s, tmp_path, "watch", LIST, True)
        _load(s, tmp_path, "people", PEOPLE, False)


def _pairs(found: list[dict]) -> dict[tuple[str, str], dict]:
    return {(lead["subject"]["caption"], lead["entry"]["caption"]): lead for lead in found}


def test_screening_finds_the_listed_parties_explains_and_keeps_decisions(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    _setup(workspace, ctx, tmp_path)
    with workspace.session(ctx) as s:
        run = s.leads.screen("watch", "source:people")
        found, total = s.leads.listed(against="watch")
    assert run["status"] == "done" and run["subjects"] == 6 and run["entries"] == 4
    pairs = _pairs(found)
    assert set(pairs) == {
        ("Frank Bwambale", "Frank Kakolele BWAMBALE"),
        ("Wiktor Orlowski", "Viktor Pavlovich ORLOVSKY"),
        ("Silvercairn Advisory FZ-E", "SILVERCAIRN ADVISORY FZE"),
    }, pairs  # not Franz Meyer (same birth date), not Amira Hassan born 1999
    assert total == 3
    orlowski = pairs[("Wiktor Orlowski", "Viktor Pavlovich ORLOVSKY")]
    reasons = {e["feature"]: e["words"] for e in orlowski["explanation"]}
    assert reasons["identifier"] == "same identifier: AB1234567"
    assert reasons["birth date"] == "same day and month, years one apart: 1959-07-04 and 1958-07-04"
    assert found[0]["score"] >= found[1]["score"] >= found[2]["score"]
    assert orlowski["subject"]["entities"] and orlowski["entry"]["entities"]

    frank = pairs[("Frank Bwambale", "Frank Kakolele BWAMBALE")]["id"]
    silver = pairs[("Silvercairn Advisory FZ-E", "SILVERCAIRN ADVISORY FZE")]["id"]
    with workspace.session(ctx) as s:
        with pytest.raises(InvalidInput, match="say why"):
            s.leads.decide(silver, "dismiss", "")
        s.leads.decide(silver, "dismiss", "a different free-zone company, checked its licence")
        s.leads.decide(frank, "confirm")
        again = s.leads.screen("watch", "source:people")
        after, _ = s.leads.listed(against="watch")
    # nothing changed: nothing compared again; the decisions stay
    assert again["compared"] == 0 and again["changed_subjects"] == 0
    status = {lead["id"]: (lead["status"], lead["reason"]) for lead in after}
    assert status[silver] == ("dismissed", "a different free-zone company, checked its licence")
    assert status[frank] == ("confirmed", None)

    # a new alias in the population: that subject alone is compared again
    extra = PEOPLE + "P6,Person,Amira Hassan,1980-03-03,eg,\n"
    with workspace.session(ctx) as s:
        _load(s, tmp_path, "people", extra.replace("P6,Person,Jana Novak,1980-03-03,cz,\n", ""),
              False)  # fmt: skip
        third = s.leads.screen("watch", "source:people")
        now, _ = s.leads.listed(against="watch")
    assert third["changed_subjects"] == 1 and third["changed_entries"] == 0
    assert ("Jana Novak", "Amira HASSAN") in _pairs(now) or (
        ("Amira Hassan", "Amira HASSAN") in _pairs(now))  # fmt: skip

    # the list loaded again with an entry changed (a new alias): its screenings run by
    # themselves
    changed = LIST.replace("Frank Kakolele,1971", "Frank Kakolele;Frank Bwambale,1971")
    with workspace.session(ctx) as s:
        _load(s, tmp_path, "watch", changed, True)
        last = s.leads.listed(against="watch", include_inactive=True)[0]
    frank_now = next(lead for lead in last if lead["id"] == frank)
    assert frank_now["status"] == "confirmed"  # the decision stays, the score is new
    assert frank_now["explanation"][0]["words"] == (
        "same name: “Frank Bwambale” and “Frank Bwambale”")  # fmt: skip
    with workspace.engine.connect() as conn:
        entries = list(ledger.iter_entries(conn))
    kinds = [e.action for e in entries if e.action.startswith(("screen", "lead"))]
    assert kinds.count("screen.run") == 3 and kinds.count("screen.rescreen") == 1
    assert kinds.count("screen.done") == 4 and kinds.count("lead.decide") == 2
    run_entry = next(e for e in entries if e.action == "screen.run")
    assert (
        run_entry.refs["scope"] == "source:people" and run_entry.justification == ctx.justification
    )
    rescreen = next(e for e in entries if e.action == "screen.rescreen")
    assert rescreen.refs["justification"] == ctx.justification  # under the screening's purpose


def test_an_interrupted_screening_goes_on_where_it_stopped(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _setup(workspace, ctx, tmp_path)
    monkeypatch.setattr(lead_service, "CHUNK", 2)
    calls = []

    def stop_after_first_chunk(label: str, done: int, total: int) -> None:
        if label == "screening":
            calls.append(done)
            if len(calls) == 1:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt), workspace.session(ctx) as s:
        s.leads.screen("watch", "source:people", progress=stop_after_first_chunk)
    with workspace.session(ctx) as s:
        kept = s.leads.screenings()
        assert kept[0]["run"]["status"] == "interrupted" and kept[0]["run"]["cursor"]
        run = s.leads.screen("watch", "source:people", progress=stop_after_first_chunk)
        found, _ = s.leads.listed(against="watch")
    assert run["id"] == kept[0]["run"]["id"] and run["status"] == "done"
    assert calls == [2, 4, 6]  # the first chunk was not read again
    assert len(found) == 3


def test_who_may_screen_and_see_leads(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    _setup(workspace, ctx, tmp_path)
    with workspace.session(ctx) as s:
        s.identities.add_team("desk", "Desk")  # cleared for PUBLIC only: not "people"
        s.identities.grant("desk", "PUBLIC")
        for user, role in (("vic", "viewer"), ("ana", "analyst")):
            s.identities.add_user(user, user, role, "screening password 1")
            s.identities.add_member("desk", user)
        case = s.cases.open(
            "Screening test", "fraud", "a test order of the court", "a test conduct to screen"
        )
        s.leads.screen("watch", "source:people")
        with pytest.raises(InvalidInput, match="scope is case:ID or source:NAME"):
            s.leads.screen("watch", "everyone")
        with pytest.raises(InvalidInput, match="is the list"):
            s.leads.screen("watch", "source:watch")
        with pytest.raises(WorkspaceError, match="not registered"):
            s.leads.screen("nolist", "source:people")
    with (
        pytest.raises(AccessDenied),
        workspace.session(AccessContext("vic", justification=WHY)) as s,
    ):
        s.leads.screen("watch", "source:people")
    with pytest.raises(PurposeRequired), workspace.session(AccessContext("ana")) as s:
        s.leads.listed()
    with workspace.session(AccessContext("ana", justification=WHY)) as s:
        with pytest.raises(WorkspaceError, match="'people' is not registered"):
            s.leads.screen("watch", "source:people")  # not cleared for it: as if absent
        assert s.leads.listed() == ([], 0)  # leads read the people source: not shown
    with (
        pytest.raises(AccessDenied),
        workspace.session(AccessContext("ana", case_id=case["id"])) as s,
    ):
        s.leads.screen("watch", f"case:{case['id']}")  # not a member of the case
    with workspace.engine.connect() as conn:
        denied = [e for e in ledger.iter_entries(conn) if e.outcome == "denied"]
    assert {e.actor for e in denied} >= {"vic", "ana"}


@pytest.mark.slow
def test_screen_command_prints_one_json_line_per_candidate(
    workspace: Workspace, ctx: AccessContext, store: Settings, tmp_path: Path
) -> None:
    _setup(workspace, ctx, tmp_path)
    with workspace.session(ctx) as s:
        case = s.cases.open(
            "Screening test", "fraud", "a test order of the court", "a test conduct to screen"
        )
        frank = next(h.id for h in s.search.search('"Frank Bwambale"', limit=5).hits)
    with workspace.session(AccessContext("tester", case_id=case["id"], local=True)) as s:
        s.cases.link_subject(case["id"], frank, "suspect", "planted for the screening test")
    command = [sys.executable, "-m", "casegraph.cli", "screen", "--against", "watch",
               "--scope", f"case:{case['id']}", "--json"]  # fmt: skip
    done = subprocess.run(command, env=env_for(store), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(x["subject"], x["entry_name"]) for x in lines] == [(frank, "Frank Kakolele BWAMBALE")]
    assert lines[0]["subject_entities"] and lines[0]["entry_entities"]
    assert {e["feature"] for e in lines[0]["explanation"]} >= {"name", "birth date", "country"}
    export = subprocess.run([sys.executable, "-m", "casegraph.cli", "leads", "export", "--case",
                             case["id"]], env=env_for(store), capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert export.returncode == 0, export.stderr
    assert [json.loads(x)["lead"] for x in export.stdout.splitlines()] == [lines[0]["lead"]]
