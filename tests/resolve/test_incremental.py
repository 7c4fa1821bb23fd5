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

from casegraph.access.context import AccessContext
from casegraph.resolve import extract
from casegraph.service import Workspace
from casegraph.store import resolution as rstore
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
        here = extract.extract(s.statements(visible, redact_sealed=False))
        monkeypatch.setattr(extract, "PARALLEL_FROM", 0)
        monkeypatch.setattr(extract, "BATCH", 100)
        spread = extract.extract(s.statements(visible, redact_sealed=False))
    assert spread.count(extract.PERSON) == here.count(extract.PERSON) > 900
    assert spread.table(extract.PERSON).equals(here.table(extract.PERSON))
    assert spread.fresh == here.fresh and spread.skipped == here.skipped
