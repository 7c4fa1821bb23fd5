"""Profile and search pages on the demo data: p50/p95 of the rendered pages against the
API's JSON for the same reads (the baseline), in one run on the same server.

Builds the demo workspace (SQLite by default, ``--postgres URL`` for PostgreSQL), serves
it with uvicorn on loopback, signs in as the demo analyst with a written justification,
and requests, one after another, ``--requests`` profiles (``/subjects/{id}`` against
``/api/v1/subjects/{id}``) and searches for subjects' names (``/search?q=`` against
``/api/v1/search?q=``). Target: the pages' p95 under 100 ms. Prints a table and a JSON
line. Usage: python benchmarks/web.py [--requests 300] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import io
import json
import math
import random
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from rich.console import Console

from casegraph.access.context import AccessContext
from casegraph.config import Settings
from casegraph.demo import build_demo
from casegraph.demo_case import USERS
from casegraph.server import create_app
from casegraph.service import Workspace

ROOT = Path(__file__).resolve().parent.parent
WHY = "benchmarking the profile and search pages on demo data"
TARGET_MS = 100.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]  # nearest rank


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--data-dir", default=None, help="reuse (or build) the demo here")
    parser.add_argument("--postgres", default=None, help="PostgreSQL URL (a fresh database)")
    args = parser.parse_args()
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="casegraph-web-bench-"))
    settings = Settings(data_dir=data_dir, database_url=args.postgres, operator="bench")
    started = time.perf_counter()
    build_demo(settings, ROOT / "demo", Console(file=io.StringIO()))
    print(f"demo ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    workspace = Workspace.open(settings)
    with workspace.session(AccessContext("anna", justification=WHY)) as s:
        hits = s.search.search("schema:Person", limit=100).hits
        hits += s.search.search("schema:Company", limit=100).hits
    rng = random.Random(7)
    chosen = [rng.choice(hits) for _ in range(args.requests)]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(workspace), host="127.0.0.1", port=port, log_level="error")
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    with httpx.Client(base_url=base, follow_redirects=True) as client:
        form = client.get("/login").text  # the sign-in form's CSRF token
        login_csrf = form.split('name="csrf" value="')[1].split('"')[0]
        signed = client.post(
            "/login",
            data={"username": "anna", "password": USERS["anna"][2], "csrf": login_csrf},
        )
        token = signed.text.split('name="cg-csrf" content="')[1].split('"')[0]
        client.post("/purpose", data={"csrf": token, "justification": WHY, "next": "/"})
        api = {"X-Casegraph-Justification": WHY}
        timings: dict[str, list[float]] = {
            k: [] for k in ("profile page", "profile API", "search page", "search API")
        }
        for i, hit in enumerate(chosen):
            name = hit.caption
            calls = (
                ("profile page", f"/subjects/{hit.id}", {}),
                ("profile API", f"/api/v1/subjects/{hit.id}", api),
                ("search page", f"/search?q={name}", {}),
                ("search API", f"/api/v1/search?q={name}", api),
            )
            for key, url, headers in calls if i % 2 else reversed(calls):
                t = time.perf_counter()
                response = client.get(url, headers=headers)
                timings[key].append((time.perf_counter() - t) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: {response.status_code} {response.text[:200]}")
    server.should_exit = True
    store = "postgresql" if args.postgres else "sqlite"
    rows = []
    for page in ("profile", "search"):
        ours, base_ms = timings[f"{page} page"], timings[f"{page} API"]
        p50, p95 = percentile(ours, 50), percentile(ours, 95)
        b50, b95 = percentile(base_ms, 50), percentile(base_ms, 95)
        rows.append(
            {
                "page": page,
                "requests": len(ours),
                "page_p50_ms": round(p50, 1),
                "page_p95_ms": round(p95, 1),
                "api_p50_ms": round(b50, 1),
                "api_p95_ms": round(b95, 1),
                "ratio_p95": round(p95 / b95, 2),
                "target_met": p95 < TARGET_MS,
            }
        )
    print(f"\n### web pages on {store} (demo data, {args.requests} requests each)\n")
    print(
        "| page | requests | page p50 ms | page p95 ms | API p50 ms | API p95 ms | "
        "ratio p95 | p95 < 100 ms |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['page']} | {r['requests']} | {r['page_p50_ms']} | {r['page_p95_ms']} | "
            f"{r['api_p50_ms']} | {r['api_p95_ms']} | {r['ratio_p95']} | "
            f"{'met' if r['target_met'] else 'MISSED'} |"
        )
    print(json.dumps({"benchmark": "web", "store": store, "results": rows}))


if __name__ == "__main__":
    main()
