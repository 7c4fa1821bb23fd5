"""Ledger verification speed: ``audit verify`` over N entries vs. merely reading them.

Builds a real chain of N entries in a fresh SQLite store, then times, in one run,
(1) streaming every entry out of the store (the baseline) and (2) streaming plus
recomputing and checking every hash and link (verification). Prints a table and a
JSON line. Usage: python benchmarks/audit_verify.py [--entries 1000000]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from casegraph.audit.verify import verify
from casegraph.model.audit import GENESIS, Entry
from casegraph.store import ledger, migrate
from casegraph.store.engine import make_engine
from casegraph.store.tables import audit_log


def build(url: str, n: int) -> None:
    engine = make_engine(url)
    migrate.upgrade(engine)
    prev, start, batch = GENESIS, datetime(2026, 1, 1), []
    with engine.connect() as conn:
        for seq in range(1, n + 1):
            entry = Entry(
                seq, start + timedelta(milliseconds=seq), f"user{seq % 50}", "profile.view",
                None, "checking a lead from the tip line", {"subject": f"s{seq % 9973}"},
                request_id=f"r{seq}", prev_hash=prev,
            ).sealed()  # fmt: skip
            prev = entry.hash
            batch.append({**entry.__dict__, "refs": json.dumps(entry.refs, sort_keys=True)})
            if len(batch) == 20_000:
                conn.execute(audit_log.insert(), batch)
                conn.commit()
                batch.clear()
        if batch:
            conn.execute(audit_log.insert(), batch)
        conn.commit()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cg-audit-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'ledger.db'}"
        build(url, args.entries)
        engine = make_engine(url)
        with engine.connect() as conn:
            started = time.perf_counter()
            count = sum(1 for _ in ledger.iter_entries(conn))
            read = time.perf_counter() - started
            started = time.perf_counter()
            verdict = verify(ledger.iter_entries(conn))
            checked = time.perf_counter() - started
        engine.dispose()
    assert verdict.ok and count == verdict.entries == args.entries
    result = {
        "benchmark": "audit_verify",
        "entries": args.entries,
        "read_s": round(read, 2),
        "verify_s": round(checked, 2),
        "verify_entries_per_s": round(args.entries / checked),
        "ratio_read_to_verify": round(read / checked, 3),
    }
    print(f"{'entries':>10} {'read only':>10} {'verify':>10} {'entries/s':>11} {'ratio':>6}")
    print(
        f"{args.entries:>10,} {read:>9.1f}s {checked:>9.1f}s "
        f"{result['verify_entries_per_s']:>11,} {result['ratio_read_to_verify']:>6.2f}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
