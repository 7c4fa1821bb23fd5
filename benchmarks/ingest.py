"""Ingest throughput: casegraph end to end vs. a bare bulk write of the same statements.

Generates N person rows (CSV) and a mapping, then, in one run:

1. ``casegraph ingest`` as a subprocess, end to end (read, map, clean, hash, write),
   with its peak RSS;
2. the baseline: the very statement tuples that run stored, written by a bare
   ``executemany`` (SQLite) or ``COPY`` (PostgreSQL) into the same, empty tables,
   in batches of the same size; only the writes and commits are timed.

Prints a table and one JSON line. Usage:

    python benchmarks/ingest.py [--rows 1000000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import text

from casegraph.model.statements import STATEMENT_COLUMNS
from casegraph.store import migrate
from casegraph.store.engine import make_engine

MAPPING = """people:
  queries:
    - csv_url: people.csv
      entities:
        person:
          schema: Person
          key: person_id
          properties:
            name:
              template: "{{first_name}} {{last_name}}"
            birthDate:
              column: birth_date
            nationality:
              column: country
            idNumber:
              column: id_number
"""
FIRST = ["Anna", "Peter", "Maria", "Jonas", "Lena", "Farid", "Olga", "Ivan", "Sofia", "Mehmet"]
LAST = ["Maier", "Schmidt", "Valdrenko", "Okafor", "Brannig", "Rossi", "Novak", "Kowalski"]
COUNTRIES = ["de", "fr", "nl", "ua", "ng", "it", "pl", "tr", "gb", "es"]
BATCH = 5000


def generate(folder: Path, rows: int, seed: int = 7) -> Path:
    rng = random.Random(seed)
    first = [f"{n}{i}" for i in range(300) for n in FIRST]
    last = [f"{n}{i}" for i in range(500) for n in LAST]
    path = folder / "people.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(
            ["person_id", "first_name", "last_name", "birth_date", "country", "id_number"]
        )
        for i in range(rows):
            writer.writerow(
                [
                    i,
                    rng.choice(first),
                    rng.choice(last),
                    f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    rng.choice(COUNTRIES),
                    f"ID{rng.randrange(10**9):09d}",
                ]
            )
    (folder / "people.yml").write_text(MAPPING, encoding="utf-8")
    return folder / "people.yml"


def casegraph(env: dict[str, str], *args: str) -> None:
    exe = Path(sys.executable).with_name("casegraph")
    subprocess.run([str(exe), *args], env=env, check=True, stdout=subprocess.DEVNULL)


def run_casegraph(folder: Path, mapping: Path, env: dict[str, str]) -> float:
    casegraph(env, "init")
    casegraph(
        env, "source", "add", "people", "--title", "Benchmark people", "--team", "bench",
        "--marking", "PUBLIC", "--legal-basis", "synthetic benchmark data",
        "--retention-days", "30",
    )  # fmt: skip
    started = time.perf_counter()
    casegraph(env, "ingest", str(mapping))
    return time.perf_counter() - started


def baseline(source_url: str, target_url: str) -> tuple[float, int]:
    """Write the stored statements again into fresh, identical tables; time the writes."""
    source, target = make_engine(source_url), make_engine(target_url)
    migrate.upgrade(target)
    columns = ", ".join(STATEMENT_COLUMNS)
    elapsed, count = 0.0, 0
    with source.connect() as read, target.connect() as write:
        raw = write.connection.dbapi_connection
        assert raw is not None
        sqlite = write.dialect.name == "sqlite"
        batch: list[tuple[object, ...]] = []

        def flush() -> float:
            started = time.perf_counter()
            if sqlite:
                raw.execute("BEGIN")
                raw.executemany(
                    f"INSERT INTO statements ({columns}) VALUES ({', '.join('?' * 12)})", batch
                )
                raw.execute("COMMIT")
            else:
                with raw.cursor() as cur, cur.copy(f"COPY statements ({columns}) FROM STDIN") as cp:
                    for row in batch:
                        cp.write_row(row)
                raw.commit()
            return time.perf_counter() - started

        write.rollback()
        # physical order, i.e. the order casegraph wrote them in
        rows = read.execute(
            text(f"SELECT {columns} FROM statements").execution_options(
                stream_results=True, yield_per=BATCH
            )
        )
        for row in rows:
            batch.append(tuple(row))  # raw SQL: timestamps already in the store's format
            if len(batch) >= BATCH:
                elapsed += flush()
                count += len(batch)
                batch.clear()
        if batch:
            elapsed += flush()
            count += len(batch)
    source.dispose()
    target.dispose()
    return elapsed, count


def postgres_schema(url: str) -> tuple[str, str]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    sep = "&" if "?" in url else "?"
    return schema, f"{url}{sep}options=-csearch_path%3D{schema}"


def drop_schema(url: str, schema: str) -> None:
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--postgres", help="also measure on this PostgreSQL URL")
    args = parser.parse_args()

    results = []
    with tempfile.TemporaryDirectory(prefix="cg-bench-") as tmp:
        folder = Path(tmp)
        mapping = generate(folder, args.rows)
        stores = [("sqlite", None)]
        if args.postgres:
            stores.append(("postgresql", args.postgres))
        for name, url in stores:
            env = dict(os.environ, CASEGRAPH_DATA_DIR=str(folder / f"ws-{name}"))
            env.pop("CASEGRAPH_DATABASE_URL", None)
            schemas: list[str] = []
            if url is not None:
                schema, ws_url = postgres_schema(url)
                schemas.append(schema)
                env["CASEGRAPH_DATABASE_URL"] = ws_url
                source_url = ws_url.replace("postgresql://", "postgresql+psycopg://", 1)
            else:
                source_url = f"sqlite:///{folder / 'ws-sqlite' / 'casegraph.db'}"
            ours = run_casegraph(folder, mapping, env)
            rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            if url is not None:
                schema, target_url = postgres_schema(url)
                schemas.append(schema)
                target_url = target_url.replace("postgresql://", "postgresql+psycopg://", 1)
            else:
                target_url = f"sqlite:///{folder / 'baseline.db'}"
            base_seconds, statements = baseline(source_url, target_url)
            for schema in schemas:
                drop_schema(url.replace("postgresql://", "postgresql+psycopg://", 1), schema)
            results.append(
                {
                    "store": name,
                    "rows": args.rows,
                    "statements": statements,
                    "casegraph_rows_per_s": round(args.rows / ours),
                    "casegraph_statements_per_s": round(statements / ours),
                    "baseline_statements_per_s": round(statements / base_seconds),
                    "baseline_rows_per_s": round(args.rows / base_seconds),
                    "ratio": round(base_seconds / ours, 3),
                    "peak_rss_mb": round(rss_mb),
                }
            )
    header = (
        f"{'store':<11} {'rows':>9} {'stmts':>10} {'ours rows/s':>12} {'ours stmt/s':>12} "
        f"{'bare stmt/s':>12} {'ratio':>6} {'peak RSS':>9}"
    )
    print(header)
    for r in results:
        print(
            f"{r['store']:<11} {r['rows']:>9,} {r['statements']:>10,} "
            f"{r['casegraph_rows_per_s']:>12,} {r['casegraph_statements_per_s']:>12,} "
            f"{r['baseline_statements_per_s']:>12,} {r['ratio']:>6.2f} {r['peak_rss_mb']:>7} MB"
        )
    print(json.dumps({"benchmark": "ingest", "results": results}))


if __name__ == "__main__":
    main()
