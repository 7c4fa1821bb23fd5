"""The accountability commands end to end: users, teams, grants, tokens, the ledger."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from sqlalchemy import text

from casegraph.config import Settings
from casegraph.store.engine import make_engine
from tests.test_cli import SOURCE, run

PASSWORD = "a long enough password"


def test_identity_and_audit_commands(store: Settings, shared_data: Path, tmp_path: Path) -> None:
    assert run(store, "init").returncode == 0
    assert run(store, "source", "add", "donations", *SOURCE).returncode == 0
    mapping = shared_data / "ingest" / "de_party_donations" / "donations.yml"
    assert run(store, "ingest", str(mapping)).returncode == 0

    added = run(store, "user", "add", "ana", "--role", "analyst", "--password", PASSWORD)
    assert added.returncode == 0, added.stderr
    weak = run(store, "user", "add", "bob", "--role", "analyst", "--password", "short")
    assert weak.returncode == 2 and "at least 12 characters" in weak.stderr
    bad_role = run(store, "user", "add", "bob", "--role", "wizard", "--password", PASSWORD)
    assert bad_role.returncode == 2 and "unknown role 'wizard'" in bad_role.stderr
    assert run(store, "team", "add", "fin", "--title", "Financial crime").returncode == 0
    assert run(store, "team", "add-member", "fin", "ana").returncode == 0
    granted = run(store, "grant", "fin", "PUBLIC")
    assert granted.returncode == 0 and "is now cleared" in granted.stderr
    listing = run(store, "user", "list")
    assert "ana" in listing.stdout and "fin" in listing.stdout
    token = run(store, "token", "create", "ana", "--days", "7")
    assert token.returncode == 0 and token.stdout.strip().startswith("cg_")
    token_id = token.stdout.strip().split("_")[1]
    revoked = run(store, "token", "revoke", token_id)
    assert revoked.returncode == 0 and f"Token {token_id} of ana is revoked" in revoked.stderr
    tokens = run(store, "token", "list", "--user", "ana")
    assert tokens.returncode == 0 and token_id in tokens.stdout and "revoked" in tokens.stdout
    unknown = run(store, "token", "revoke", "0badc0de")
    assert unknown.returncode != 0 and "no token '0badc0de'" in unknown.stderr

    # a registered user is held to their role: analysts cannot read the ledger
    as_ana = Settings(**{**store.model_dump(), "operator": "ana"})
    denied = run(as_ana, "audit", "verify")
    assert denied.returncode == 3 and "access denied" in denied.stderr
    no_purpose = run(as_ana, "export", "--format", "ftm")
    assert no_purpose.returncode == 3 and "--justification" in no_purpose.stderr
    export = run(as_ana, "export", "--format", "ftm", "--recipient", "court",
                 "--justification", "preparing the disclosure for the court")  # fmt: skip
    assert export.returncode == 0, export.stderr
    assert len(export.stdout.splitlines()) == 474

    checkpoint = tmp_path / "head.json"
    made = run(store, "audit", "checkpoint", "--out", str(checkpoint))
    assert made.returncode == 0, made.stderr
    assert json.loads(checkpoint.read_text())["signature"]
    ok = run(store, "audit", "verify", "--checkpoint", str(checkpoint))
    assert ok.returncode == 0 and "Ledger intact" in ok.stderr

    report = run(store, "audit", "report", "--user", "ana", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(report.stdout)))
    actions = [r["action"] for r in rows]
    assert "export" in actions and "access.denied" in actions
    exported = next(r for r in rows if r["action"] == "export")
    assert exported["justification"] == "preparing the disclosure for the court"
    assert json.loads(exported["refs"])["recipient"] == "court"
    only = run(store, "audit", "report", "--kind", "justification-only", "--format", "json")
    assert all(json.loads(line)["case_id"] is None for line in only.stdout.splitlines())

    # tampering with a row is found, and named
    engine = make_engine(store.store_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'nobody' WHERE seq = 3"))
    engine.dispose()
    broken = run(store, "audit", "verify", "--checkpoint", str(checkpoint))
    assert broken.returncode == 4
    assert "entry 3" in broken.stderr and "Traceback" not in broken.stderr
