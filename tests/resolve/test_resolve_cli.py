"""Resolution from the command line, on both stores."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

from casegraph.access.context import AccessContext
from casegraph.config import Settings
from casegraph.service import Workspace
from tests.resolve import items, people
from tests.test_cli import SOURCE, run

WHY = ["--justification", "reviewing candidate matches for case 17"]


def test_resolve_review_and_export_from_the_cli(store: Settings, tmp_path: Path) -> None:
    people.write(tmp_path, people=60)
    assert run(store, "init").returncode == 0
    for name in ("registry", "bank"):
        assert run(store, "source", "add", name, *SOURCE).returncode == 0
        assert run(store, "ingest", str(tmp_path / f"{name}.yml")).returncode == 0
    first = run(store, "resolve")
    assert first.returncode == 0, first.stderr
    assert "person: 80" in first.stderr and "subjects" in first.stderr
    assert "for review (" in first.stderr and "possible match" in first.stderr
    assert "time: read " in first.stderr and "score person" in first.stderr
    assert "Read the statements of all 80 entities." in first.stderr
    assert "80 records standardised, 0 unchanged since the last run" in first.stderr
    renamed = re.search(r"Search index: (\d+) documents? rebuilt, (\d+) renamed", first.stderr)
    assert renamed and int(renamed[2]) > 0  # records that joined a subject of the other source
    again = run(store, "resolve")
    assert again.returncode == 0 and "0 canonical ids changed" in again.stderr
    assert "Read the statements of 0 entities written or erased since" in again.stderr
    assert "0 records standardised, 80 unchanged since the last run" in again.stderr
    assert "Search index: 0 documents rebuilt, 0 renamed" in again.stderr
    bad = run(store, "resolve", "--schema", "Vessel")
    assert bad.returncode == 2 and "cannot resolve 'Vessel'" in bad.stderr
    assert "Traceback" not in bad.stderr
    ws = Workspace.open(store)
    try:
        ctx = AccessContext(actor=store.operator, justification="test setup of the queue",
                            local=True)  # fmt: skip
        with ws.session(ctx) as s:
            item = items.between(s, *items.pick(s))
    finally:
        ws.close()
    listed = run(store, "review", "list", *WHY)
    assert listed.returncode == 0 and item in listed.stdout + listed.stderr
    assert "waiting for review" in listed.stderr
    as_json = json.loads(run(store, "review", "list", "--json", *WHY).stdout)
    assert item in [i["id"] for i in as_json["items"]] and as_json["total"] >= 1
    refused = run(store, "review", "list")  # no purpose: refused (exit 3), not a traceback
    assert refused.returncode == 3 and "justification" in refused.stderr
    shown = run(store, "review", "show", item, *WHY)
    assert shown.returncode == 0, shown.stderr
    assert "prior" in shown.stderr and "Date of birth" in shown.stderr
    assert "birth_date" in shown.stderr  # the model's own terms beside the words
    no_reason = run(store, "review", "accept", item, *WHY)
    assert no_reason.returncode == 2 and "--reason" in no_reason.stderr
    accepted = run(store, "review", "accept", item, "--reason", "same passport", *WHY)
    assert accepted.returncode == 0, accepted.stderr
    assert "2 pair(s) judged" in accepted.stderr
    gone = run(store, "review", "show", item, *WHY)
    assert gone.returncode == 2 and "no review item" in gone.stderr
    out = tmp_path / "clusters.csv"
    no_purpose = run(store, "clusters", "export", str(out))  # record keys: a consultation
    assert no_purpose.returncode == 3 and "justification" in no_purpose.stderr
    exported = run(store, "clusters", "export", str(out), *WHY)
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 80 and len({r["canonical_id"] for r in rows}) < 80
    missing = run(store, "subject", "merge", "nope", "nada", "--reason", "testing errors", *WHY)
    assert missing.returncode == 2 and "no subject 'nope'" in missing.stderr
