"""Profile and search pages as users get them: p50/p95 of the rendered pages against the
API's JSON for the same reads (the baseline), in one run on the same server.

Builds the demo workspace (SQLite by default, ``--postgres URL`` for PostgreSQL), adds
one generated source in which one company makes ``--events`` payments (5,000 by
default, in EUR and USD, over three years, to 250 counterparts), starts ``casegraph
serve`` as its own process (as ``make demo`` does), signs in as the demo analyst with a
written justification, and requests one after another:

* the profile of the demo's busiest subject (the person with the most calls and
  payments) against ``/api/v1/subjects/{id}`` plus ``/api/v1/subjects/{id}/relations``;
* the profile of the generated company with ``--events`` payments, against the same
  two API reads;
* searches for the names of demo subjects (``/search?q=`` against ``/api/v1/search``).

Targets: the demo pages' p95 under 100 ms; the 5,000-event profile's under 300 ms (its
totals are summed by the database, not in Python over its rows). Prints a table and a
JSON line. Usage: python benchmarks/web.py [--requests 200] [--events 5000]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from casegraph.demo_case import USERS

ROOT = Path(__file__).resolve().parent.parent
CASEGRAPH = Path(sys.executable).with_name("casegraph")
WHY = "benchmarking the profile and search pages on demo data"
TARGETS = {"busiest profile": 100.0, "search": 100.0, "generated profile": 300.0}
MAPPING = """busy:
  queries:
    - csv_url: payments.csv
      entities:
        payer:
          schema: Company
          key: payer_id
          properties:
            name: {column: payer_name}
            country: {literal: de}
        beneficiary:
          schema: Company
          key: beneficiary_id
          properties:
            name: {column: beneficiary_name}
        payment:
          schema: Payment
          key: tx_id
          properties:
            payer: {entity: payer}
            beneficiary: {entity: beneficiary}
            amount: {column: amount}
            currency: {column: currency}
            date: {column: date}
            purpose: {column: reference}
"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]  # nearest rank


def run(options: list[str], *args: str) -> str:
    done = subprocess.run([str(CASEGRAPH), *options, *args], capture_output=True, text=True,
                          timeout=3600)  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"casegraph {' '.join(args)}: {done.stderr[-2000:]}")
    return done.stdout


def generate(folder: Path, events: int) -> None:
    """One payer, ``events`` payments to 250 counterparts, seeded."""
    rng = random.Random(11)
    start = date(2021, 1, 1)
    with (folder / "payments.csv").open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["tx_id", "payer_id", "payer_name", "beneficiary_id", "beneficiary_name",
                      "amount", "currency", "date", "reference"])  # fmt: skip
        for i in range(events):
            other = rng.randrange(250)
            out.writerow([f"tx{i}", "busy", "Hallbrook Vertriebs GmbH", f"b{other}",
                          f"Lieferant {other:03d} GmbH", f"{rng.uniform(50, 90_000):.2f}",
                          rng.choice(["EUR", "EUR", "EUR", "USD"]),
                          (start + timedelta(days=rng.randrange(1095))).isoformat(),
                          f"Rechnung {i}"])  # fmt: skip
    (folder / "busy.yml").write_text(MAPPING, encoding="utf-8")


def serve(options: list[str], folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [str(CASEGRAPH), *options, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=folder, stdout=subprocess.DEVNULL, stderr=(folder / "serve.log").open("wb"),
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/login", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    process.terminate()
    raise SystemExit(f"casegraph serve did not start: {(folder / 'serve.log').read_text()}")


def sign_in(client: httpx.Client) -> None:
    form = client.get("/login").text  # the sign-in form's CSRF token
    login_csrf = form.split('name="csrf" value="')[1].split('"')[0]
    signed = client.post(
        "/login", data={"username": "anna", "password": USERS["anna"][2], "csrf": login_csrf}
    )
    token = signed.text.split('name="cg-csrf" content="')[1].split('"')[0]
    client.post("/purpose", data={"csrf": token, "justification": WHY, "next": "/"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--postgres", default=None, help="PostgreSQL URL (a fresh database)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="casegraph-web-bench-"))
    options = ["--data-dir", str(folder / "ws")]
    if args.postgres:
        options += ["--database-url", args.postgres]
    env_free = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    os.environ.clear()
    os.environ.update(env_free)
    started = time.perf_counter()
    run(options, "demo", "--path", str(ROOT / "demo"))
    generate(folder, args.events)
    run(options, "source", "add", "busy", "--title", "Generated payments", "--team", "fiu",
        "--marking", "PUBLIC", "--legal-basis", "benchmark data", "--retention-days", "365")
    run(options, "ingest", str(folder / "busy.yml"))
    print(f"workspace ready in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    process, base = serve(options, folder)
    api = {"X-Casegraph-Justification": WHY}
    try:
        with httpx.Client(base_url=base, follow_redirects=True, timeout=60) as client:
            sign_in(client)
            people = [
                hit
                for page in range(1, 11)
                for hit in client.get("/api/v1/search", headers=api, params={
                    "q": "schema:Person", "limit": 100, "page": page}).json()["results"]
            ]  # fmt: skip
            busiest = max(people, key=lambda h: client.get(
                f"/api/v1/graph/activity/{h['id']}", headers=api).json()["count"])  # fmt: skip
            generated = client.get("/api/v1/search", params={"q": "Hallbrook Vertriebs"},
                                   headers=api).json()["results"][0]  # fmt: skip
            relations = client.get(f"/api/v1/subjects/{generated['id']}/relations",
                                   headers=api).json()  # fmt: skip
            events = sum(a["count"] for a in relations["activity"])
            if events != args.events:
                raise SystemExit(f"the generated company has {events} events, not {args.events}")
            timings = measure(client, args.requests, busiest, generated, people, api)
    finally:
        process.terminate()
        process.wait(30)
    report(timings, "postgresql" if args.postgres else "sqlite", args, busiest, events)


def measure(client: httpx.Client, requests: int, busiest: dict[str, Any],
            generated: dict[str, Any], people: list[dict[str, Any]], api: dict[str, str]
            ) -> dict[str, dict[str, list[float]]]:  # fmt: skip
    rng = random.Random(7)
    timings: dict[str, dict[str, list[float]]] = {
        k: {"page": [], "api": []} for k in TARGETS
    }
    for i in range(requests):
        name = rng.choice(people)["caption"]
        calls: list[tuple[str, str, list[str], dict[str, str]]] = [
            ("busiest profile", "page", [f"/subjects/{busiest['id']}"], {}),
            ("busiest profile", "api", [f"/api/v1/subjects/{busiest['id']}",
                                        f"/api/v1/subjects/{busiest['id']}/relations"], api),
            ("generated profile", "page", [f"/subjects/{generated['id']}"], {}),
            ("generated profile", "api", [f"/api/v1/subjects/{generated['id']}",
                                          f"/api/v1/subjects/{generated['id']}/relations"], api),
            ("search", "page", [f"/search?q={name}"], {}),
            ("search", "api", [f"/api/v1/search?q={name}"], api),
        ]  # fmt: skip
        for key, side, urls, headers in calls if i % 2 else reversed(calls):
            t = time.perf_counter()
            for url in urls:
                response = client.get(url, headers=headers)
                if response.status_code != 200:
                    raise SystemExit(f"{url}: {response.status_code} {response.text[:200]}")
            timings[key][side].append((time.perf_counter() - t) * 1000)
    return timings


def report(timings: dict[str, dict[str, list[float]]], store: str, args: argparse.Namespace,
           busiest: dict[str, Any], events: int) -> None:  # fmt: skip
    rows = []
    for page, sides in timings.items():
        ours, base = sides["page"], sides["api"]
        p95, b95 = percentile(ours, 95), percentile(base, 95)
        rows.append({
            "page": page, "requests": len(ours),
            "page_p50_ms": round(percentile(ours, 50), 1), "page_p95_ms": round(p95, 1),
            "api_p50_ms": round(percentile(base, 50), 1), "api_p95_ms": round(b95, 1),
            "ratio_p95": round(p95 / b95, 2), "target_ms": TARGETS[page],
            "target_met": p95 < TARGETS[page],
        })  # fmt: skip
    print(f"\n### web pages on {store} ({args.requests} requests each; busiest demo subject: "
          f"{busiest['caption']}; generated profile: {events:,} payments)\n")  # fmt: skip
    print("| page | requests | page p50 ms | page p95 ms | API p50 ms | API p95 ms | "
          "ratio p95 | target |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        met = "met" if r["target_met"] else "MISSED"
        print(f"| {r['page']} | {r['requests']} | {r['page_p50_ms']} | {r['page_p95_ms']} | "
              f"{r['api_p50_ms']} | {r['api_p95_ms']} | {r['ratio_p95']} | "
              f"p95 < {r['target_ms']:.0f} ms: {met} |")  # fmt: skip
    print(json.dumps({"benchmark": "web", "store": store, "results": rows}))


if __name__ == "__main__":
    main()
