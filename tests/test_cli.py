"""The command line, end to end, on both stores: what a user types and sees."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from casegraph.config import Settings
from tests.conftest import env_for

CASEGRAPH = str(Path(sys.executable).with_name("casegraph"))


def run(
    settings: Settings, *args: str, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CASEGRAPH, *args],
        env=env_for(settings),
        capture_output=True,
        text=True,
        timeout=300,
        cwd=cwd,
    )


SOURCE = ["--title", "Party donations", "--team", "fin", "--marking", "PUBLIC",
          "--legal-basis", "public register", "--retention-days", "365"]  # fmt: skip


def test_workflow(store: Settings, shared_data: Path, tmp_path: Path) -> None:
    first = run(store, "init")
    assert first.returncode == 0, first.stderr
    assert "Workspace ready" in first.stderr
    again = run(store, "db", "upgrade")
    assert again.returncode == 0 and "up to date" in again.stderr
    added = run(store, "source", "add", "donations", *SOURCE)
    assert added.returncode == 0, added.stderr
    mapping = shared_data / "ingest" / "de_party_donations" / "donations.yml"
    rejects = tmp_path / "rejects.csv"
    ingest = run(store, "ingest", str(mapping), "--rejects", str(rejects))
    assert ingest.returncode == 0, ingest.stderr
    assert "584" in ingest.stderr and "completed" in ingest.stderr
    lines = rejects.read_text().splitlines()
    assert lines[0] == "file,line,field,value,reason"
    assert lines[1].startswith("donations.csv,") and "Niedlerlande" in lines[1]
    listing = run(store, "source", "list")
    assert "donations" in listing.stdout and "PUBLIC" in listing.stdout
    runs = run(store, "runs")
    assert "completed" in runs.stdout
    out = tmp_path / "entities.ijson"
    why = ["--justification", "end-to-end test of the command line"]
    export = run(store, "export", "--format", "ftm", "--out", str(out), *why)
    assert export.returncode == 0 and "474 entities" in export.stderr
    assert len(out.read_text().splitlines()) == 474
    stmts = run(store, "export", "--format", "statements", *why)
    header = stmts.stdout.splitlines()[0]
    assert header.startswith("canonical_id,entity_id,prop,prop_type,schema,value,dataset")
    assert len(stmts.stdout.splitlines()) > 2000


def test_ftm_ingest(store: Settings, shared_data: Path) -> None:
    run(store, "init")
    run(store, "source", "add", "donations", *SOURCE)
    path = shared_data / "ingest" / "de_party_donations" / "donations.ijson"
    result = run(store, "ingest", "--ftm", str(path), "--source", "donations")
    assert result.returncode == 0, result.stderr
    export = run(store, "export", "--format", "ftm", "--justification", "x" * 20)
    ids = {json.loads(line)["id"] for line in export.stdout.splitlines()}
    assert len(ids) == 474


@pytest.mark.parametrize("args", [["source", "list"], ["ingest", "missing.yml"]])
def test_errors_without_workspace(store: Settings, args: list[str], tmp_path: Path) -> None:
    result = run(store, *args, cwd=tmp_path)
    assert result.returncode == 2
    assert "casegraph init" in result.stderr
    assert "Traceback" not in result.stderr


def test_user_errors_are_messages_not_tracebacks(store: Settings, tmp_path: Path) -> None:
    run(store, "init")
    bad_marking = run(store, "source", "add", "x1", *SOURCE[:4], "--marking", "secret",
                      "--legal-basis", "because", "--retention-days", "1")  # fmt: skip
    assert bad_marking.returncode == 2 and "marking 'secret'" in bad_marking.stderr
    (tmp_path / "m.yml").write_text(
        "people:\n  queries:\n    - csv_url: p.csv\n      entities:\n"
        "        p:\n          schema: Persn\n          key: id\n"
    )
    (tmp_path / "p.csv").write_text("id\n1\n")
    bad_mapping = run(store, "ingest", str(tmp_path / "m.yml"))
    assert bad_mapping.returncode == 2
    assert "m.yml:6: unknown schema 'Persn'" in bad_mapping.stderr
    assert "did you mean 'Person'" in bad_mapping.stderr
    (tmp_path / "m.yml").write_text((tmp_path / "m.yml").read_text().replace("Persn", "Person"))
    unregistered = run(store, "ingest", str(tmp_path / "m.yml"))
    assert unregistered.returncode == 2
    assert "source 'people' is not registered" in unregistered.stderr
    missing = run(store, "ingest", str(tmp_path / "nope.yml"))
    assert missing.returncode == 2 and "mapping file not found" in missing.stderr
    for result in (bad_marking, bad_mapping, unregistered, missing):
        assert "Traceback" not in result.stderr


def test_nothing_readable_exits_non_zero(store: Settings, tmp_path: Path) -> None:
    run(store, "init")
    run(store, "source", "add", "people", *SOURCE)
    (tmp_path / "p.csv").write_bytes(b"id,name\n1,a,b\n2,c,d\n")
    (tmp_path / "m.yml").write_text(
        "people:\n  queries:\n    - csv_url: p.csv\n      entities:\n"
        "        p:\n          schema: Person\n          key: id\n"
        "          properties:\n            name:\n              column: name\n"
    )
    result = run(store, "ingest", str(tmp_path / "m.yml"))
    assert result.returncode == 1
    assert "nothing could be read" in result.stderr
    assert "2 rejects recorded" in result.stderr
