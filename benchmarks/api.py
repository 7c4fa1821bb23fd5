"""API profile reads with the audit ledger on vs. off, side by side in one run.

Builds the demo workspace (SQLite), signs an analyst cleared for every demo marking,
then for each mode starts a real uvicorn server on loopback and drives
``GET /api/v1/subjects/{id}`` with a bounded number of requests from a few client
threads (keep-alive connections). "off" replaces the ledger writer with a no-op in
the server process only: it exists to measure what the ledger costs, nowhere else.

Prints a table and a JSON line. Usage: python benchmarks/api.py [--requests 3000]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
from rich.console import Console

ROOT = Path(__file__).resolve().parent.parent
WHY = {"X-Casegraph-Justification": "benchmarking profile reads on demo data"}


def serve(data_dir: str, port: int, ledger: str) -> None:
    import uvicorn

    from casegraph.audit.ledger import AuditWriter
    from casegraph.config import Settings
    from casegraph.server import create_app
    from casegraph.service import Workspace

    if ledger == "off":
        AuditWriter.record = lambda self, *a, **k: None  # type: ignore[method-assign,assignment,return-value]
    workspace = Workspace.open(Settings(data_dir=Path(data_dir)))
    uvicorn.run(create_app(workspace), host="127.0.0.1", port=port, log_level="error")


def prepare(data_dir: Path) -> tuple[str, list[str]]:
    from casegraph.access.context import AccessContext
    from casegraph.config import Settings
    from casegraph.demo import build_demo
    from casegraph.service import Workspace

    settings = Settings(data_dir=data_dir, operator="bench")
    build_demo(settings, ROOT / "demo", Console(file=io.StringIO()))
    workspace = Workspace.open(settings)
    with workspace.session(AccessContext("bench", local=True)) as s:
        s.identities.add_user("analyst", "Analyst", "analyst", "benchmark password 1")
        s.identities.add_team("all", "Everything")
        s.identities.add_member("all", "analyst")
        for source, _count in s.sources.list():
            s.identities.grant("all", source.marking)
        token, _ = s.identities.create_token("analyst", 1)
        every = s.process("index.read", "ingest", every_source=True)
        people = sorted({r.canonical_id for r in s.statements(every) if r.schema == "Person"})
    workspace.close()
    return token, people[:: max(1, len(people) // 300)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(base: str) -> None:
    for _ in range(200):
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError("server did not start")


def drive(base: str, token: str, ids: list[str], requests: int, threads: int) -> dict:
    headers = {"Authorization": f"Bearer {token}", **WHY}
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    per_thread = requests // threads

    def work(offset: int) -> None:
        nonlocal errors
        mine: list[float] = []
        failed = 0
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            for i in range(per_thread):
                started = time.perf_counter()
                response = client.get(f"/api/v1/subjects/{ids[(offset + i) % len(ids)]}")
                mine.append(time.perf_counter() - started)
                failed += response.status_code != 200
        with lock:
            latencies.extend(mine)
            errors += failed

    drive_started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(n * 37,)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - drive_started
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
    }


def measure(
    data_dir: Path, token: str, ids: list[str], ledger: str, args: argparse.Namespace
) -> dict:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(data_dir), str(port), ledger],
        env=dict(os.environ),
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(base)
        drive(base, token, ids, max(100, args.requests // 10), args.threads)  # warm-up
        return {"ledger": ledger, **drive(base, token, ids, args.requests, args.threads)}
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(sys.argv[2], int(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cg-api-") as tmp:
        data_dir = Path(tmp) / "ws"
        token, ids = prepare(data_dir)
        results = [measure(data_dir, token, ids, mode, args) for mode in ("off", "on", "off", "on")]
    off = [r for r in results if r["ledger"] == "off"]
    on = [r for r in results if r["ledger"] == "on"]
    best = {
        "off": max(off, key=lambda r: r["per_s"]),
        "on": max(on, key=lambda r: r["per_s"]),
    }
    overhead = 1 - best["on"]["per_s"] / best["off"]["per_s"]
    print(f"{'ledger':<7} {'requests':>9} {'errors':>7} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7}")
    for r in results:
        print(f"{r['ledger']:<7} {r['requests']:>9} {r['errors']:>7} {r['per_s']:>8} "
              f"{r['p50_ms']:>7} {r['p95_ms']:>7}")  # fmt: skip
    print(f"ledger overhead (best of two each): {overhead:.1%}")
    print(json.dumps({"benchmark": "api", "results": results, "overhead": round(overhead, 3)}))


if __name__ == "__main__":
    main()
