"""An incremental resolve after a late batch, on both stores: generated people in four
sources (the scale benchmark's generator), 2 % of each source held back and ingested
after the first run. The incremental run standardises and scores only the late records
and clusters again only what they reach; clustering every record from the stored
judgements changes nothing after it. (A full run may still differ by a subject or two:
it scores the older pairs again, with name frequencies that the late records moved.)"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select

from casegraph.access.context import AccessContext
from casegraph.resolve import extract
from casegraph.service import Workspace
from casegraph.store import resolution as rstore
from casegraph.store import resolve_records
from casegraph.store.tables import resolve_pending
from tests.conftest import add_source, everything
from tests.resolve.test_index_follows import rebuild_from_nothing, snapshot

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from people_gen import SOURCES, generate
from resolve_scale import hold_back

RECORDS = 3000
LATE = 0.02


def _partition(workspace: Workspace, ctx: AccessContext) -> set[frozenset[str]]:
    with workspace.session(ctx) as s:
        state = rstore.resolved_state(s.conn, everything(s))
    groups: dict[str, set[str]] = defaultdict(set)
    for entity, r in state.items():
        groups[r.canonical_id].add(entity)
    return {frozenset(g) for g in groups.values()}


def test_incremental_run_after_a_late_batch_clusters_what_they_reach(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    mappings = generate(RECORDS, 11, tmp_path)
    late = [held for mapping, source in zip(mappings, SOURCES, strict=True)
            if (held := hold_back(tmp_path, mapping, source, LATE)) is not None]
    with workspace.session(ctx) as s:
        for source, mapping in zip(SOURCES, mappings, strict=True):
            add_source(s, source)
            s.ingest.mapping(mapping)
        first = s.resolve.run()
        indexed = snapshot(s)
        rebuild_from_nothing(s)
        assert snapshot(s) == indexed
        for mapping in late:
            s.ingest.mapping(mapping)
        summary = s.resolve.run()
        refreshed = snapshot(s)
        # most documents went to their new subject as they were, the rest were rebuilt:
        # the same index and graph as a rebuild from the statements, after either run
        assert first.renamed > first.reindexed > 0 and summary.renamed > 0
        rebuild_from_nothing(s)
        assert snapshot(s) == refreshed
    added = summary.entities["person"] - first.entities["person"]
    assert added > 0 and summary.mode == "incremental"
    assert summary.new == {"person": added} and summary.standardised == added
    assert summary.changed > 0  # late records joined subjects
    assert indexed["edges"] and any(e[2].startswith("same:") for e in indexed["edges"])
    incremental = _partition(workspace, ctx)
    with workspace.session(ctx) as s:  # every record clustered from what is stored
        every = sorted(rstore.resolved_state(s.conn, everything(s)))
        again = s.resolve.recluster("person", every)
    assert again["changed"] == 0 and _partition(workspace, ctx) == incremental
    assert (again["subjects"], again["merged"]) == (summary.subjects, summary.merged)


def test_worker_processes_standardise_as_the_reader_does(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path, monkeypatch
) -> None:
    """A full run at scale standardises in worker processes: same records, same order,
    same features as standardising in the reading process."""
    mappings = generate(1000, 5, tmp_path)
    with workspace.session(ctx) as s:
        for source, mapping in zip(SOURCES, mappings, strict=True):
            add_source(s, source)
            s.ingest.mapping(mapping)
        visible = everything(s)
        here = extract.extract(s.statement_values(visible))
        monkeypatch.setattr(extract, "PARALLEL_FROM", 0)
        monkeypatch.setattr(extract, "BATCH", 100)
        spread = extract.extract(s.statement_values(visible))
    assert spread.count(extract.PERSON) == here.count(extract.PERSON) > 900
    assert spread.table(extract.PERSON).equals(here.table(extract.PERSON))
    assert spread.fresh == here.fresh and spread.skipped == here.skipped


OFFICERS = """registry:
  queries:
    - csv_url: {csv}
      entities:
        company:
          schema: Company
          key: company_id
          properties:
            name: {{column: company_name}}
        officer:
          schema: Person
          key: officer_id
          properties:
            name: {{column: officer_name}}
            birthDate: {{column: born}}
            phone: {{column: phone}}
        directorship:
          schema: Directorship
          key: relation_id
          properties:
            director: {{entity: officer}}
            organization: {{entity: company}}
"""
GIVEN = ["Anna", "Jonas", "Petra", "Ali", "Marta", "Ivan", "Lena", "Omar", "Sara", "Tomas"]
FAMILY = ["Maier", "Okafor", "Novak", "Schulz", "Haddad", "Berg"]


def _officers(path: Path, rows: list[tuple[int, int, str]]) -> Path:
    """(officer, company, phone) rows of directorships, as a CSV and its mapping."""
    lines = ["relation_id,company_id,company_name,officer_id,officer_name,born,phone"]
    for officer, company, phone in rows:
        name = f"{GIVEN[officer % 10]} {FAMILY[officer % 6]}"
        lines.append(f"r{officer}-{company},c{company},Firma {company} GmbH,p{officer},"
                     f"{name},19{60 + officer % 30}-0{1 + officer % 9}-1{officer % 10},{phone}")
    path.with_suffix(".csv").write_text("\n".join(lines) + "\n")
    path.write_text(OFFICERS.format(csv=path.with_suffix(".csv").name))
    return path


def test_a_run_reads_what_was_written_since_and_keeps_what_reading_everything_finds(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    """Ingest queues the entities it writes; the next run reads the statements of those
    only, and the records kept afterwards describe every statement as reading all of
    them does: same features, context, shared phones, cannot-links. The late batch
    gives officers already read a new company (their context changes, their
    statements do not), one of them a phone, and adds new officers."""
    first_rows = [(o, (o * 7) % 12, "") for o in range(60)]
    first_rows += [(o, o % 5, "") for o in range(0, 60, 4)]
    late_rows = [(3, 12, ""), (5, 2, "+49 30 1234567"), (61, 1, ""), (62, 12, "+49 30 1234567")]
    early = _officers(tmp_path / "officers.yml", first_rows)
    late = _officers(tmp_path / "officers-late.yml", late_rows)

    def waiting(s: Any) -> set[str]:
        return set(s.conn.execute(select(resolve_pending.c.entity_id)).scalars())

    with workspace.session(ctx) as s:
        add_source(s, "registry")
        s.ingest.mapping(early)
        queued = len(waiting(s))
        first = s.resolve.run()
        assert first.read_every and first.read == queued > 60 + 12 and not waiting(s)
        s.ingest.mapping(late)
        written = waiting(s)
        summary = s.resolve.run()
        assert not summary.read_every and summary.read == len(written) < 15
        # officers 5 (a phone), 61 and 62, company 12; the rest were written unchanged
        assert summary.standardised == 4 and not waiting(s)
        visible = everything(s)
        whole = extract.extract(s.statement_values(visible))
        kept = extract.extract((), kept=resolve_records.records(s.conn, sorted(visible.sources),
                                                                set()))  # fmt: skip
    for group in extract.GROUPS:
        assert kept.count(group) > 10
        assert kept.table(group).sort_by("unique_id").equals(
            whole.table(group).sort_by("unique_id"))  # fmt: skip
    people = kept.table(extract.PERSON).sort_by("unique_id").to_pylist()
    officer3 = next(p for p in people if p["birth_date"] == "1963-04-13")
    assert any("12" in n for n in officer3["neighbours"])  # read before, context now
    assert sum(1 for p in people if p["neighbours"]) > 50
    assert kept.cannot_link == whole.cannot_link and kept.record_keys == whole.record_keys
    assert kept.skipped == whole.skipped
