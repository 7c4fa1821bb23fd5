"""Red-flag rules through the session on the demo's planted patterns (demo/flags), on
SQLite and PostgreSQL: each rule finds what the answer key says and nothing in the
control group; hits keep their decisions; a rule reading a protected attribute is
refused when loaded."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from casegraph.access.context import AccessContext
from casegraph.access.protected import ProtectedAttribute
from casegraph.config import Settings
from casegraph.errors import InvalidInput
from casegraph.leads.rules import RuleError
from casegraph.service import Session, Workspace
from casegraph.store import ledger
from tests.conftest import DEMO, add_source, env_for

FLAGS = DEMO / "flags"


def _names(s: Session) -> dict[str, str]:
    """CSV id -> name, over the planted and control rows."""
    out = {}
    for folder in ("planted", "control"):
        for kind in ("companies", "people"):
            with (FLAGS / folder / f"{kind}.csv").open(encoding="utf-8") as handle:
                out.update({row["id"]: row["name"] for row in csv.DictReader(handle)})
    return out


def _found(s: Session) -> dict[str, set[frozenset[str]]]:
    out: dict[str, set[frozenset[str]]] = {}
    for hit in s.flags.hits():
        out.setdefault(hit["rule"], set()).add(frozenset(x["caption"] for x in hit["subjects"]))
    return out


def test_rules_find_the_planted_patterns_and_nothing_in_the_control_group(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    with workspace.session(ctx) as s:
        add_source(s, "filings")
        s.ingest.mapping(FLAGS / "control.yml", "filings")
        run = s.flags.run("source:filings")
        assert set(run["found"]) >= {"structuring", "round-tripping", "ownership-cycle",
                                     "many-companies-one-address", "shared-contact"}  # fmt: skip
        assert sum(run["found"].values()) == 0, _found(s)  # the control group alone
        s.ingest.mapping(FLAGS / "filings.yml", "filings")
        s.flags.run("source:filings")
        found = _found(s)
        names = _names(s)
    with (FLAGS / "answer_key.csv").open(encoding="utf-8") as handle:
        key = [row for row in csv.DictReader(handle) if row["rule"] != "listed-party-nearby"]
    for row in key:
        want = frozenset(names[i] for i in row["subjects"].split())
        assert found.get(row["rule"]) == {want}, (row["rule"], found.get(row["rule"]))
    assert set(found) == {row["rule"] for row in key}  # nothing else anywhere

    with workspace.session(ctx) as s:
        hits = {h["rule"]: h for h in s.flags.hits()}
        trip = hits["round-tripping"]
        assert trip["words"].startswith(
            "money went round 3 subjects back to its origin between 2022-03-01 and "
            "2022-04-02: Alder Holding GmbH → Birch Invest GmbH → Cedar Trust S.A. → Alder")
        assert [e["source"] for e in trip["edges"]] == ["filings"] * 3
        assert [e["amount"] for e in trip["edges"]] == [250000.0, 240000.0, 230000.0]
        with pytest.raises(InvalidInput, match="say why"):
            s.flags.decide(trip["id"], "dismiss")
        s.flags.decide(hits["shared-contact"]["id"], "dismiss", "siblings sharing a phone")
        case = s.cases.open("Flags test", "fraud", "a test order of the court",
                            "a test conduct to flag")  # fmt: skip
    with workspace.session(AccessContext("tester", case_id=case["id"], local=True)) as s:
        s.flags.link(trip["id"], case["id"])
        assert len(s.cases.subject_ids(case["id"])) == 3
    with workspace.session(ctx) as s:
        s.flags.run("source:filings")  # again: the decisions stay
        after = {h["rule"]: h for h in s.flags.hits()}
        assert after["shared-contact"]["status"] == "dismissed"
        assert after["shared-contact"]["reason"] == "siblings sharing a phone"
        assert after["round-tripping"]["case"] == case["id"]
        # within the case's scope: its subjects' neighbourhood only
        in_case = s.flags.run(f"case:{case['id']}", rule="ownership-cycle")
    assert in_case["found"] == {"ownership-cycle": 1}
    with workspace.engine.connect() as conn:
        runs = [e for e in ledger.iter_entries(conn) if e.action == "flags.run"]
    assert [e.refs["scope"] for e in runs][-1] == f"case:{case['id']}"
    assert runs[0].justification == ctx.justification


def test_a_listed_party_close_by_is_flagged_once_a_screening_confirms_it(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    listing = tmp_path / "list.csv"
    listing.write_text("id,name\nX1,CEDAR TRUST S.A.\n", encoding="utf-8")
    (tmp_path / "list.yml").write_text(
        f"watch:\n  queries:\n    - csv_url: {listing}\n      entities:\n        party:\n"
        "          schema: Company\n          key: id\n          properties:\n"
        "            name: {column: name}\n", encoding="utf-8")  # fmt: skip
    with workspace.session(ctx) as s:
        add_source(s, "filings")
        add_source(s, "watch")
        s.ingest.mapping(FLAGS / "filings.yml", "filings")
        s.ingest.mapping(tmp_path / "list.yml")
        assert s.flags.run("source:filings", "listed-party-nearby")["found"] == {
            "listed-party-nearby": 0}  # fmt: skip
        s.leads.screen("watch", "source:filings")
        (lead,) = s.leads.listed(against="watch")[0]
        s.leads.decide(lead["id"], "confirm")
        s.flags.run("source:filings", "listed-party-nearby")
        found = s.flags.hits(rule="listed-party-nearby")
    near = {h["subjects"][0]["caption"]: h["words"] for h in found}
    assert set(near) == {"Alder Holding GmbH", "Birch Invest GmbH"}
    assert near["Birch Invest GmbH"].startswith(
        "Birch Invest GmbH is 1 step of ownership or control from Cedar Trust S.A."
    )


def test_a_rule_that_reads_a_protected_attribute_is_refused(
    workspace: Workspace, ctx: AccessContext
) -> None:
    folder = workspace.settings.data_dir / "rules"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "by-faith.yml").write_text(
        "name: by-faith\ntitle: By faith\ndescription: not allowed\ndetector: hub\n"
        "reads:\n  edges: [Membership]\n  properties: [religion]\n", encoding="utf-8")  # fmt: skip
    with workspace.session(ctx) as s:
        with pytest.raises(ProtectedAttribute, match=r"by-faith.yml:5: the rule reads religion"):
            s.flags.rules()
        with pytest.raises(ProtectedAttribute):
            s.flags.run("source:anything")
    (folder / "by-faith.yml").write_text(
        "name: typo\ntitle: T\ndescription: d\ndetector: hub\nreads:\n  edges: [Directorship]\n"
        "params:\n  at_lest: 3\n", encoding="utf-8")  # fmt: skip
    with workspace.session(ctx) as s, pytest.raises(RuleError, match=r":8: unknown parameter"):
        s.flags.rules()


@pytest.mark.slow
def test_flags_from_the_command_line(
    workspace: Workspace, ctx: AccessContext, store: Settings
) -> None:
    with workspace.session(ctx) as s:
        add_source(s, "filings")
        s.ingest.mapping(FLAGS / "filings.yml", "filings")
    why = ["--justification", "trying the red-flag rules from the command line"]
    command = [sys.executable, "-m", "casegraph.cli", "flags"]
    done = subprocess.run([*command, "run", "--scope", "source:filings", "--rule", "structuring",
                           "--json", *why], env=env_for(store), capture_output=True, text=True,
                          timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert found["found"] == {"structuring": 1}
    (hit,) = found["hits"]
    assert [e["amount"] for e in hit["edges"]] == [9800.0, 9500.0, 9900.0]
    listed = subprocess.run([*command, "rules"], env=env_for(store), capture_output=True,
                            text=True, timeout=120)  # fmt: skip
    assert listed.returncode == 0 and "round-tripping" in listed.stderr
