"""Ingest of real third-party data (../shared/data/ingest), on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from casegraph.access.context import AccessContext
from casegraph.service import Workspace
from tests.conftest import add_source

MAPPINGS = Path(__file__).parent / "mappings"


def exported(workspace: Workspace, ctx: AccessContext) -> dict[str, dict]:
    out = io.StringIO()
    with workspace.session(ctx) as s:
        s.export.ftm(out)
    return {e["id"]: e for e in map(json.loads, out.getvalue().splitlines())}


def normalised(entity: dict) -> tuple[str, dict[str, list[str]]]:
    props = {k: sorted(v) for k, v in entity["properties"].items()}
    return entity["schema"], props


def test_party_donations_yield_the_ftm_entities(
    workspace: Workspace, ctx: AccessContext, shared_data: Path
) -> None:
    folder = shared_data / "ingest" / "de_party_donations"
    with workspace.session(ctx) as s:
        add_source(s, "donations")
        summary = s.ingest.mapping(folder / "donations.yml")
    assert summary.status == "completed"
    assert summary.records_read == 584  # 292 rows, read by the base query and one typed query
    expected = {
        e["id"]: e for e in map(json.loads, (folder / "donations.ijson").read_text().splitlines())
    }
    got = exported(workspace, ctx)
    assert len(expected) == 474
    assert set(got) == set(expected)
    for entity_id, entity in expected.items():
        assert normalised(got[entity_id]) == normalised(entity), entity_id
    # the one misspelt country ("Niedlerlande") is refused and recorded, not silently lost
    with workspace.session(ctx) as s:
        rejects = list(s.ingest.rejects(summary.run_id))
    assert rejects and all(r.value == "Niedlerlande" and r.field == "Country" for r in rejects)
    assert all(r.file == "donations.csv" and r.line for r in rejects)


def test_party_donations_from_xlsx_match_the_csv(
    workspace: Workspace, ctx: AccessContext, shared_data: Path, tmp_path: Path
) -> None:
    folder = shared_data / "ingest" / "de_party_donations"
    mapping = (folder / "donations.yml").read_text().replace("donations.csv", "donations.xlsx")
    (tmp_path / "donations.yml").write_text(mapping)
    (tmp_path / "donations.xlsx").symlink_to(folder / "donations.xlsx")
    with workspace.session(ctx) as s:
        add_source(s, "donations")
        summary = s.ingest.mapping(tmp_path / "donations.yml")
    assert summary.records_read == 584
    got = exported(workspace, ctx)
    expected_ids = {json.loads(line)["id"] for line in (folder / "donations.ijson").open()}
    persons = [e for e in got.values() if e["schema"] == "Person"]
    assert len(got) >= 470 and len(set(got) & expected_ids) >= 470
    assert persons and all(e["properties"].get("name") for e in persons)


def test_kek_database_mapping_with_joins(
    workspace: Workspace,
    ctx: AccessContext,
    shared_data: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = shared_data / "ingest" / "kek_media_ownership"
    monkeypatch.setenv("FTM_TEST_DATABASE_URI", f"sqlite:///{folder / 'kek.sqlite'}")
    with workspace.session(ctx) as s:
        add_source(s, "kek")
        summary = s.ingest.mapping(folder / "kek.yml", source="kek")
    assert summary.status == "completed"
    got = exported(workspace, ctx)
    ownerships = [e for e in got.values() if e["schema"] == "Ownership"]
    companies = {k: e for k, e in got.items() if e["schema"] == "Company"}
    assert len(ownerships) > 2000
    assert len(companies) > 2000
    with_share = [o for o in ownerships if o["properties"].get("percentage")]
    assert len(with_share) > 0.9 * len(ownerships)
    for ownership in ownerships[:200]:
        owner = ownership["properties"]["owner"][0]
        asset = ownership["properties"]["asset"][0]
        assert owner in companies and asset in companies
    shares = [float(p) for o in with_share for p in o["properties"]["percentage"]]
    assert all(0 <= share <= 100 for share in shares)


def test_ofac_sdn_with_aliases_and_addresses(
    workspace: Workspace, ctx: AccessContext, shared_data: Path
) -> None:
    with workspace.session(ctx) as s:
        add_source(s, "ofac_sdn")
        summary = s.ingest.mapping(MAPPINGS / "ofac_sdn.yml")
    assert summary.status == "completed"
    got = exported(workspace, ctx)
    by_schema: dict[str, list[dict]] = {}
    for entity in got.values():
        by_schema.setdefault(entity["schema"], []).append(entity)
    sdn_rows = (shared_data / "ingest" / "sanctions_us_un" / "sdn.csv").read_text().splitlines()
    listed = [e for k in ("Person", "Organization", "Vessel", "Airplane") for e in by_schema[k]]
    assert len(listed) == len(sdn_rows)
    # "-0-" is empty: never stored as a value
    values = [v for e in got.values() for vs in e["properties"].values() for v in vs]
    assert "-0-" not in values
    # the first alias and address of entry 306 (BANCO NACIONAL DE CUBA) land on it
    bank = next(
        e for e in by_schema["Organization"] if "BANCO NACIONAL DE CUBA" in e["properties"]["name"]
    )
    assert "NATIONAL BANK OF CUBA" in bank["properties"]["alias"]
    addresses = [got[a]["properties"] for a in bank["properties"]["addressEntity"]]
    zurich = [a for a in addresses if a.get("city") == ["Zurich CH-8022"]]
    assert zurich and zurich[0]["street"] == ["Zweierstrasse 35"]
    assert zurich[0]["country"] == ["ch"]
    # no entity is left without a schema of its own (Thing only from alt/add rows)
    assert "Thing" not in by_schema
