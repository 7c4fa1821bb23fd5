"""Resolve at scale: `casegraph resolve` end to end against bare Splink, same data, one run.

For each size: generate seeded people (benchmarks/people_gen.py), ingest them into a
fresh workspace (not timed; SQLite, or with `--database-url` a new schema of that
PostgreSQL database), then time in separate processes
  * casegraph: `casegraph resolve` from statements to stored canonical ids;
  * bare Splink: the same model on the same extracted table (written to Parquet by
    casegraph's extractor), trained and predicted, clustered with Splink's own
    connected components at the same threshold; no store, no judgements.
Reports seconds, their ratio, peak RSS and pairwise/B-cubed F1 against the truth, and
casegraph's seconds per phase of the run (`casegraph resolve` prints the same).
`--engine spark` runs both on Splink's Spark engine (local mode, all cores) and adds the
peak memory of the Spark JVM; on PostgreSQL the peak of the busiest server backend
is added too (read from /proc, so only for a server on this machine).

The last 1 % of each source's rows are held back (`--late`): after the full run they are
ingested as a file of their own (not timed) and `casegraph resolve` runs again, timed, as
the incremental run a new batch triggers; its seconds are reported against the full
run's, and the quality is scored after it, over every record.

    python benchmarks/resolve_scale.py --sizes 100000,1000000
    python benchmarks/resolve_scale.py --sizes 100000 --engine spark \
        --database-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from people_gen import SOURCES, generate
from resolve_metrics import score


def _run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True,
                         check=False)  # fmt: skip
    if out.returncode != 0:
        raise SystemExit(f"{args[0]} failed:\n{out.stderr[-4000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


SCHEMA = "casegraph_resolve_scale"


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _process_peak_mb(pid: int) -> float | None:
    """Peak resident memory of another process on this machine (VmHWM), None if unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def _spark_peak() -> dict[str, float | None]:
    """The Spark JVM's peak memory, when this process started one."""
    try:
        from pyspark import SparkContext
    except ImportError:
        return {}
    gateway = SparkContext._gateway  # type: ignore[attr-defined]
    return {} if gateway is None else {"spark_jvm": _process_peak_mb(gateway.proc.pid)}


def _other_peaks(workspace: Any) -> dict[str, float | None]:
    """Peak memory of the processes besides this one that did the run's work: the Spark
    JVM when the run used it, the busiest PostgreSQL backend of the store."""
    peaks = _spark_peak()
    if workspace.engine.dialect.name == "postgresql":
        with workspace.engine.connect() as conn:  # this run's backends, not the server's
            pids = [row[0] for row in conn.exec_driver_sql(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %(name)s",
                {"name": SCHEMA})]  # fmt: skip
        found = [p for p in map(_process_peak_mb, pids) if p is not None]
        peaks["postgres_backend"] = max(found) if found else None
    return peaks


def use_postgres(url: str) -> None:
    """Put this run's workspace (and its child processes') in a new schema of ``url``."""
    from sqlalchemy import create_engine, text

    from casegraph.config import normalise_database_url

    admin = create_engine(normalise_database_url(url))
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    admin.dispose()
    sep = "&" if "?" in url else "?"
    os.environ["CASEGRAPH_DATABASE_URL"] = (
        f"{url}{sep}options=-csearch_path%3D{SCHEMA}&application_name={SCHEMA}")


def _settings(ws: Path) -> Any:
    from casegraph.config import Settings

    return Settings(data_dir=ws, operator="benchmark")


def _ctx() -> Any:
    from casegraph.access.context import AccessContext

    return AccessContext(actor="benchmark", justification="resolve scale benchmark run",
                         local=True)  # fmt: skip


def child_casegraph(ws: Path, engine_name: str) -> None:
    from casegraph.service import Workspace

    workspace = Workspace.open(_settings(ws))
    start = time.perf_counter()
    with workspace.session(_ctx()) as s:
        summary = s.resolve.run(engine_name=engine_name)
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_mb(),
                      "other_peaks_mb": _other_peaks(workspace),
                      "summary": summary.as_dict()}))  # fmt: skip


def child_bare(parquet: Path, out: Path, engine_name: str) -> None:
    import pyarrow.parquet as pq
    from splink import Linker

    from casegraph.resolve import engine
    from casegraph.resolve import model as defaults
    from casegraph.resolve.extract import PERSON
    from casegraph.resolve.judge import THRESHOLDS

    table = pq.read_table(parquet)
    start = time.perf_counter()
    # the engine as casegraph sets it up (DuckDB's memory limit, Spark's session)
    api = engine._db_api(engine_name)
    frame = engine._register(api, engine.prepare(table, PERSON), "records")
    linker = Linker(frame, defaults.settings(PERSON, engine_name), log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        defaults.deterministic_rules(PERSON), recall=defaults.DETERMINISTIC_RECALL
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    predictions = linker.inference.predict(threshold_match_probability=THRESHOLDS[PERSON].lower)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=THRESHOLDS[PERSON].upper
    )
    result = clusters.as_pyarrow_table()
    seconds = time.perf_counter() - start
    peaks = _spark_peak()
    with out.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["entity_id", "cluster"])
        writer.writerows(zip(result.column("unique_id").to_pylist(),
                             result.column("cluster_id").to_pylist(), strict=True))  # fmt: skip
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_mb(), "other_peaks_mb": peaks}))


def hold_back(data: Path, mapping: Path, source: str, share: float) -> Path | None:
    """Move the last ``share`` of a source's rows to ``SOURCE-late.csv`` with a mapping
    of its own (same source, same layout); return that mapping, None when none moved."""
    csv_path = data / f"{source}.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines(keepends=True)
    late = int((len(lines) - 1) * share)
    if late == 0:
        return None
    csv_path.write_text("".join(lines[: len(lines) - late]), encoding="utf-8")
    (data / f"{source}-late.csv").write_text("".join([lines[0], *lines[len(lines) - late :]]),
                                             encoding="utf-8")  # fmt: skip
    late_mapping = data / f"{source}-late.yml"
    late_mapping.write_text(mapping.read_text(encoding="utf-8").replace(
        f"csv_url: {source}.csv", f"csv_url: {source}-late.csv"), encoding="utf-8")  # fmt: skip
    return late_mapping


def ingest(ws: Path, mappings: list[Path]) -> None:
    from casegraph.service import Workspace

    workspace = Workspace.open(_settings(ws))
    with workspace.session(_ctx()) as s:
        for mapping in mappings:
            s.ingest.mapping(mapping)
    workspace.close()


def prepare_workspace(
    size: int, root: Path, ws: Path | None = None, late: float = 0.0
) -> tuple[Path, list[Path]]:
    """Generate ``size`` records under ``root`` (``root/data``), ingest them into a new
    SQLite workspace (``ws``, default ``root/ws``) but for the ``late`` share of each
    source; return it and the late records' mappings."""
    from casegraph.service import Workspace

    data = root / "data"
    ws = ws or root / "ws"
    mappings = generate(size, 7, data)
    held = [hold_back(data, m, s, late) for m, s in zip(mappings, SOURCES, strict=True)]
    late_mappings = [m for m in held if m is not None]
    workspace, _, _ = Workspace.init(_settings(ws))
    start = time.perf_counter()
    with workspace.session(_ctx()) as s:
        for source in SOURCES:
            s.sources.add(source, title=source, team="analysts", marking="PUBLIC",
                          legal_basis="benchmark data", retention_days=3650)  # fmt: skip
        for mapping in mappings:
            s.ingest.mapping(mapping)
    print(f"  ingested {size:,} records in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    workspace.close()
    return ws, late_mappings


def truth_of(ws: Path, data: Path) -> dict[str, str]:
    """Entity id -> true person, for every record ingested into ``ws`` from ``data``."""
    from casegraph.service import Workspace

    truth_rows = {(r["source"], r["record_id"]): r["person_id"]
                  for r in csv.DictReader((data / "truth.csv").open())}  # fmt: skip
    lines: dict[tuple[str, str], str] = {}
    for source in SOURCES:
        for name in (f"{source}.csv", f"{source}-late.csv"):
            if not (data / name).exists():
                continue
            with (data / name).open(newline="") as fh:
                reader = csv.DictReader(fh)
                for row in reader:
                    lines[(source, f"{name}:{reader.line_num}")] = row["record_id"]
    truth: dict[str, str] = {}
    workspace = Workspace.open(_settings(ws))
    with workspace.engine.connect() as conn:
        for entity, source, key in conn.exec_driver_sql(
            "SELECT DISTINCT entity_id, source, record_key FROM statements"
        ):
            truth[entity] = truth_rows[(source, lines[(source, key)])]
    workspace.close()
    return truth


def _extract_table(ws: Path, parquet: Path) -> None:
    import pyarrow.parquet as pq

    from casegraph.resolve.extract import PERSON, extract
    from casegraph.service import Workspace

    workspace = Workspace.open(_settings(ws))
    with workspace.session(_ctx()) as s:
        visible = s.process("resolve.read", "resolve", {"schema": "all"}, every_source=True)
        rows = s.statement_values(visible)
        pq.write_table(extract(rows).table(PERSON), parquet)
    workspace.close()


def _casegraph_clusters(ws: Path) -> dict[str, str]:
    from casegraph.service import Workspace
    from casegraph.store.resolution import resolved_state

    workspace = Workspace.open(_settings(ws))
    with workspace.session(_ctx()) as s:
        every = s.process("resolve.read", "resolve", {"schema": "all"}, every_source=True)
        found = {e: r.canonical_id for e, r in resolved_state(s.conn, every).items()}
    workspace.close()
    return found


def run_size(size: int, late: float, engine_name: str, database_url: str | None
             ) -> dict[str, Any]:  # fmt: skip
    if database_url:
        use_postgres(database_url)
    with tempfile.TemporaryDirectory(prefix="casegraph-scale-") as tmp:
        root = Path(tmp)
        print(f"{size:,} records", file=sys.stderr)
        ws, late_mappings = prepare_workspace(size, root, late=late)
        parquet = root / "records.parquet"
        _extract_table(ws, parquet)
        ours = _run_child("_casegraph", str(ws), engine_name)
        bare = _run_child("_bare", str(parquet), str(root / "bare.csv"), engine_name)
        bare_found = {r["entity_id"]: r["cluster"] for r in csv.DictReader(
            (root / "bare.csv").open())}  # fmt: skip
        full_found = _casegraph_clusters(ws)
        incremental: dict[str, Any] = {"seconds": None, "summary": {"phases": {}}}
        if late_mappings:
            ingest(ws, late_mappings)
            incremental = _run_child("_casegraph", str(ws), engine_name)
        truth = truth_of(ws, root / "data")
        same = {e: p for e, p in truth.items() if e in full_found}  # the full run's records
        ours_scores = score(full_found, same)
        bare_scores = score(bare_found, same)
        after_scores = score(_casegraph_clusters(ws), truth)
    return {
        "records": size, "casegraph_s": round(ours["seconds"], 1),
        "splink_s": round(bare["seconds"], 1),
        "ratio": round(ours["seconds"] / bare["seconds"], 2),
        "casegraph_peak_mb": round(ours["peak_mb"]), "splink_peak_mb": round(bare["peak_mb"]),
        "casegraph_f1": round(ours_scores.f1, 4), "splink_f1": round(bare_scores.f1, 4),
        "casegraph_b3_f1": round(ours_scores.b3_f1, 4),
        "splink_b3_f1": round(bare_scores.b3_f1, 4),
        "pairs_kept": ours["summary"]["scored"].get("person", 0),
        # the Spark JVM and the PostgreSQL backend, beside each Python process
        "casegraph_other_peaks_mb": _rounded(ours["other_peaks_mb"]),
        "splink_other_peaks_mb": _rounded(bare["other_peaks_mb"]),
        # where casegraph's time goes: seconds per phase of the run (read, train, score,
        # judgements, cluster, canonical ids, search index and graph)
        "phases": ours["summary"]["phases"],
        # the run after the late records arrived, and its share of the full run
        "incremental_s": incremental["seconds"] and round(incremental["seconds"], 1),
        "incremental_share": incremental["seconds"] and round(
            incremental["seconds"] / ours["seconds"], 3),
        "incremental_phases": incremental["summary"]["phases"],
        "incremental_f1": round(after_scores.f1, 4),
        "incremental_b3_f1": round(after_scores.b3_f1, 4),
    }  # fmt: skip


def _rounded(peaks: dict[str, float | None]) -> dict[str, int | None]:
    return {k: None if v is None else round(v) for k, v in peaks.items()}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_casegraph":
        child_casegraph(Path(sys.argv[2]), sys.argv[3])
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_bare":
        child_bare(Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--late", type=float, default=0.01,
                        help="share of each source held back for the incremental run "
                             "(0: none)")  # fmt: skip
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb",
                        help="Splink's engine, for casegraph and bare Splink alike")
    parser.add_argument("--database-url", default=None,
                        help="a PostgreSQL database for the store (a schema of its own "
                             f"is made, {SCHEMA}); default: SQLite")  # fmt: skip
    args = parser.parse_args()
    os.environ.setdefault("CASEGRAPH_INGEST_BATCH_SIZE", "20000")
    results = [run_size(int(n), args.late, args.engine, args.database_url)
               for n in args.sizes.split(",")]  # fmt: skip
    print(f"store: {'PostgreSQL' if args.database_url else 'SQLite'}, Splink on "
          f"{args.engine}")
    header = ("records", "casegraph_s", "splink_s", "ratio", "casegraph_peak_mb",
              "splink_peak_mb", "casegraph_f1", "splink_f1", "casegraph_b3_f1",
              "splink_b3_f1")  # fmt: skip
    print(" | ".join(header))
    for r in results:
        print(" | ".join(f"{r[h]:,}" if isinstance(r[h], int) else str(r[h]) for h in header))
    for r in results:
        for who in ("casegraph", "splink"):
            if r[f"{who}_other_peaks_mb"]:
                peaks = ", ".join(f"{k} {v:,} MB" for k, v in r[f"{who}_other_peaks_mb"].items()
                                  if v is not None)  # fmt: skip
                print(f"{r['records']:,} records, {who}'s other processes at peak: {peaks}")
        phases = "; ".join(f"{name} {seconds:,.1f} s" for name, seconds in r["phases"].items())
        print(f"{r['records']:,} records, casegraph by phase: {phases}")
        if r["incremental_s"] is not None:
            phases = "; ".join(f"{name} {seconds:,.1f} s"
                               for name, seconds in r["incremental_phases"].items())  # fmt: skip
            print(
                f"  incremental run after the late records: {r['incremental_s']} s, "
                f"{r['incremental_share']:.1%} of the full run ({phases}); F1 after it "
                f"{r['incremental_f1']}, B3 {r['incremental_b3_f1']}"
            )
    print(json.dumps({"benchmark": "resolve_scale", "results": results}))


if __name__ == "__main__":
    main()
