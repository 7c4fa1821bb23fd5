"""The ingest pipeline on both stores: re-ingest, changes, rejects, FtM entities."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

from sqlalchemy import select

from casegraph.access.context import AccessContext
from casegraph.service import Workspace
from casegraph.store.tables import statements
from tests.conftest import add_source, person_mapping

MAPPING = person_mapping("people", "people.csv", name="name", birthDate="born", phone="phone")


def snapshot(workspace: Workspace, ctx: AccessContext) -> dict[str, dict]:
    with workspace.session(ctx) as s:
        return {row["id"]: dict(row) for row in s.conn.execute(select(statements)).mappings()}


def setup(folder: Path, csv_text: str) -> Path:
    (folder / "people.csv").write_text(csv_text)
    (folder / "people.yml").write_text(MAPPING)
    return folder / "people.yml"


def test_reingest_unchanged_moves_only_last_seen(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    mapping = setup(tmp_path, "id,name,born,phone\n1,Anna Maier,1980-01-02,030 1234567\n")
    with workspace.session(ctx) as s:
        add_source(s, "people")
        first = s.ingest.mapping(mapping)
    before = snapshot(workspace, ctx)
    assert first.new_statements == len(before) == 4  # id, name, birthDate, phone
    phone = next(r for r in before.values() if r["prop"] == "phone")
    assert phone["value"] == "+49301234567" and phone["original_value"] == "030 1234567"
    assert phone["record_key"] == "people.csv:2"
    time.sleep(0.01)
    with workspace.session(ctx) as s:
        second = s.ingest.mapping(mapping)
    after = snapshot(workspace, ctx)
    assert second.new_statements == 0
    assert set(after) == set(before)
    for key, row in before.items():
        moved = after[key]
        assert moved["last_seen"] > row["last_seen"]
        assert {k: v for k, v in moved.items() if k != "last_seen"} == {
            k: v for k, v in row.items() if k != "last_seen"
        }


def test_changed_record_keeps_old_values(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    mapping = setup(tmp_path, "id,name,born,phone\n1,Anna Maier,1980-01-02,\n")
    with workspace.session(ctx) as s:
        add_source(s, "people")
        s.ingest.mapping(mapping)
    before = snapshot(workspace, ctx)
    setup(tmp_path, "id,name,born,phone\n1,Anna Meier,1980-01-02,\n")
    with workspace.session(ctx) as s:
        summary = s.ingest.mapping(mapping)
    after = snapshot(workspace, ctx)
    assert summary.new_statements == 1
    names = {r["value"]: r for r in after.values() if r["prop"] == "name"}
    assert set(names) == {"Anna Maier", "Anna Meier"}
    old = names["Anna Maier"]
    assert old == before[old["id"]]  # untouched, last_seen included
    assert names["Anna Meier"]["last_seen"] > old["last_seen"]


def test_bad_rows_become_rejects_and_the_rest_loads(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    mapping = setup(tmp_path, "")
    (tmp_path / "people.csv").write_bytes(
        b"id,name,born,phone\n"
        b"1,Anna M\xc3\xa4ier-Gr\xc3\xbcn\xc3\xa9,1980-01-02,\n"
        b"2,Bob,1975-13-45,\n"
        b"3,Carl,1990-01-01,not a phone\n"
        b"4,Too,many,columns,here\n"
        b"5,Dora \xff,1991-01-01,\n"
    )
    with workspace.session(ctx) as s:
        add_source(s, "people")
        summary = s.ingest.mapping(mapping)
        rejects = list(s.ingest.rejects(summary.run_id))
    assert summary.records_read == 3
    assert summary.rejected == 4
    by_line = {r.line: r for r in rejects}
    assert set(by_line) == {3, 4, 5, 6}
    assert by_line[3].field == "born" and by_line[3].value == "1975-13-45"
    assert "date" in by_line[3].reason
    assert by_line[4].field == "phone" and by_line[4].value == "not a phone"
    assert "expected 4 columns" in by_line[5].reason
    assert "undecodable" in by_line[6].reason
    names = {r["value"] for r in snapshot(workspace, ctx).values() if r["prop"] == "name"}
    assert names == {"Anna Mäier-Grüné", "Bob", "Carl"}  # a refused value does not lose the row


def test_more_specific_schema_wins_whatever_the_order(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    (tmp_path / "a.csv").write_text("id,name\n1,Anna Maier\n")
    query = (
        "    - csv_url: a.csv\n      entities:\n        e:\n"
        "          schema: {}\n          key: id\n"
    )
    text = "mixed:\n  queries:\n" + query.format("Person") + query.format("LegalEntity")
    (tmp_path / "m.yml").write_text(text)
    with workspace.session(ctx) as s:
        add_source(s, "mixed")
        s.ingest.mapping(tmp_path / "m.yml")
        out = io.StringIO()
        s.export.ftm(out)
    [entity] = map(json.loads, out.getvalue().splitlines())
    assert entity["schema"] == "Person"
    assert {r["schema"] for r in snapshot(workspace, ctx).values()} == {"Person"}


def test_ftm_entities_round_trip(
    workspace: Workspace, ctx: AccessContext, shared_data: Path
) -> None:
    source = shared_data / "ingest" / "de_party_donations" / "donations.ijson"
    with workspace.session(ctx) as s:
        add_source(s, "donations_ftm")
        summary = s.ingest.ftm(source, "donations_ftm")
        out = io.StringIO()
        s.export.ftm(out)
    assert summary.records_read == 474 and summary.rejected == 0
    expected = {e["id"]: e for e in map(json.loads, source.read_text().splitlines())}
    got = {e["id"]: e for e in map(json.loads, out.getvalue().splitlines())}
    assert set(got) == set(expected)
    for key, entity in expected.items():
        assert got[key]["schema"] == entity["schema"]
        assert {k: sorted(v) for k, v in got[key]["properties"].items()} == {
            k: sorted(v) for k, v in entity["properties"].items()
        }


def test_statements_export_is_csv_with_provenance(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    import csv

    mapping = setup(tmp_path, "id,name,born,phone\n1,Anna Maier,1980-01-02,030 1234567\n")
    with workspace.session(ctx) as s:
        add_source(s, "people")
        s.ingest.mapping(mapping)
        out = io.StringIO()
        count = s.export.statements(out)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert count == len(rows) == 4
    phone = next(r for r in rows if r["prop"] == "phone")
    assert phone["dataset"] == "people"
    assert phone["original_value"] == "030 1234567"
    assert phone["record_key"] == "people.csv:2"
    assert phone["first_seen"] and phone["last_seen"]
