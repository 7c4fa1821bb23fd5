"""The demo investigation: reproducible, loads completely, answer key consistent."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from casegraph.access.context import AccessContext
from casegraph.config import Settings
from casegraph.demo import build_demo
from casegraph.search.engine import FACETS
from casegraph.service import Workspace
from tests.conftest import DEMO


def test_generator_is_reproducible(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(DEMO / "generate.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    generated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert generated
    for rel in generated:
        if rel.suffix in (".csv", ".tsv", ".jsonl", ".yml"):
            assert (tmp_path / rel).read_bytes() == (DEMO / rel).read_bytes(), rel


def test_demo_loads_every_source(store: Settings) -> None:
    console = Console(file=io.StringIO(), width=200)
    build_demo(store, DEMO, console)
    output = console.file.getvalue()  # type: ignore[attr-defined]
    assert "demo investigation loaded" in output and "Next:" in output
    assert "resolved:" in output and "review list" in output
    workspace = Workspace.open(store)
    ctx = AccessContext(
        actor="tester", justification="checking the demo loads completely", local=True
    )
    try:
        with workspace.session(ctx) as s:
            sources = {source.name: count for source, count in s.sources.list()}
            runs = s.ingest.runs()
            out = io.StringIO()
            s.export.ftm(out)
            schema_of = dict(s.conn.exec_driver_sql(
                "SELECT DISTINCT entity_id, schema FROM statements").all())  # fmt: skip
            canonical = dict(s.conn.exec_driver_sql(
                "SELECT entity_id, canonical_id FROM resolved_entities").all())  # fmt: skip
            # the seized mailbox: read, searchable, its mentions linked to demo subjects
            found = s.search.search("Veltrada schema:Email", facets=FACETS)
            loan = s.search.search('"no security is given"').documents
    finally:
        workspace.close()
    assert "documents: seized_mail (LAW-ENFORCEMENT): 4 documents read" in output
    assert len(sources) >= 5 and all(count > 0 for count in sources.values())
    assert [d["name"] for d in found.documents] == [
        "2019-06-11 Rechnung VC-2019-03.eml", "2019-06-11 Re Rechnung VC-2019-03.eml"]
    mentioned = {found.document_results.labels.get(v) for v, _ in
                 found.document_results.facets["mentions"]}  # fmt: skip
    assert {"Konstantin Valdrenko", "Nordlicht Bauservice GmbH"} <= mentioned
    assert [d["path"] for d in loan] == [
        "nordlicht-mailbox/2019-07-19 Fwd loan papers.eml/loan-agreement-KTL-ROS-2019-07.pdf"]
    assert all(run["status"] == "completed" for run in runs)
    entities = {e["id"]: e for e in map(json.loads, out.getvalue().splitlines())}
    assert len(entities) > 2000  # exported by subject: resolved records come out merged
    with (DEMO / "answer_key.csv").open() as fh:
        key = list(csv.DictReader(fh))
    assert key
    for item in key:
        assert schema_of.get(item["entity_id"]) == item["schema"], item
    # one real actor appears in several sources: entity resolution has work to do
    by_actor: dict[str, set[str]] = {}
    for item in key:
        by_actor.setdefault(item["true_id"], set()).add(item["source"])
    assert max(len(s) for s in by_actor.values()) >= 3
    # resolution merged some of them, and never two different actors (the two Peter
    # Maiers and the two Stefan Hollwecks are traps)
    actors_of: dict[str, set[str]] = {}
    for item in key:
        actors_of.setdefault(canonical[item["entity_id"]], set()).add(item["true_id"])
    assert all(len(actors) == 1 for actors in actors_of.values())
    assert len(actors_of) < len(key)
