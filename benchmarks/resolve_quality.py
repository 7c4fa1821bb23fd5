"""Resolution quality: casegraph's resolver vs. a plain Splink baseline, against ground truth.

Four public entity-resolution data sets from ``../shared/data/er`` (next to the repository;
``CASEGRAPH_SHARED_DATA`` may point at another ``shared/data`` folder):

* ``febrl4``  FEBRL 4, linking dataset4a.csv to dataset4b.csv (5,000 people each);
* ``febrl3``  FEBRL 3, deduplicating dataset3.csv (5,000 people, 2,000 of them originals);
* ``patstat`` Dutch PATSTAT applicants and inventors, people and companies mixed;
* ``chicago`` Chicago early-childhood sites from nine lists (dedupe's csv_example);

and two more, with no baseline:

* ``generated`` 100,000 generated people in four sources (``people_gen.py``, seeded;
  ``CASEGRAPH_BENCH_GENERATED`` sets another size);
* ``demo``    the demo investigation (``casegraph demo``) scored on its answer key: the
  records of its 42 actors.

For each, in one run:

1. casegraph, through its CLI in a fresh workspace: ``init``, ``source add``, ``ingest``
   of the FtM mappings in ``benchmarks/er/``, ``resolve``, ``clusters export``. The
   resolver is used as it ships: the mappings say what the columns mean, nothing more.
2. the baseline: plain Splink 5 on DuckDB over the raw columns (lower-cased, stripped),
   with the settings the Splink tutorials suggest, clustered at match probability 0.9.

casegraph's ``resolve`` runs ``--full --retrain`` (the demo resolves once while loading).
After it, the review queue is read: possible matches waiting for a person and the pairs
inside them, as a share of (and per 1,000 of) the records the resolver compared.

Both are scored on the same records: pairwise precision, recall and F1 over all pairs of
records placed in one cluster, and B-cubed F1. A record casegraph did not resolve (no
name to compare) counts as a cluster of its own. casegraph's exported rows are tied to
the CSV rows by entity id (each mapping keys its record entity on one column, so the id
is FtM's hash of the dataset name and that cell), and the exported ``record_key``
(``FILE:LINE``, the line where the row starts) is checked against the row. Other
exported entities (directors, agencies) are connected entities and are not scored.
"seconds" is casegraph's ``resolve`` step (the JSON adds ``ingest_seconds``) and the
baseline's whole run (load, train, predict, cluster).

Prints a table and one JSON line. Usage:

    python benchmarks/resolve_quality.py [--datasets febrl4,febrl3,patstat,chicago,generated,demo]
        [--baseline-only] [--decisions 10,30,100] [--selftest]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyarrow as pa
from rich.console import Console
from rich.table import Table

from resolve_metrics import score, selftest

HERE = Path(__file__).resolve().parent
MAPPINGS = HERE / "er"
CLUSTER_THRESHOLD = 0.9
PURPOSE = "measuring resolution quality against ground truth"
console = Console(stderr=True)
LinkType = Literal["link_only", "dedupe_only"]


def shared_data() -> Path:
    """The ``shared/data`` folder: $CASEGRAPH_SHARED_DATA, else next to the repository."""
    configured = os.environ.get("CASEGRAPH_SHARED_DATA")
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parents[2] / "shared" / "data"


# --------------------------------------------------------------------------- records


@dataclass(frozen=True)
class Record:
    """One CSV row: its record key as casegraph writes it (``source|FILE:LINE``), the id
    of the entity the mapping makes of it, its true cluster and its cells."""

    key: str
    entity_id: str
    source: str
    label: str
    values: dict[str, str]


def read_rows(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(first line, cells) of each row, numbered as casegraph numbers them: the file's
    physical line where the row starts (the header is line 1; a cell with line breaks
    makes a row span several lines), blank rows skipped, blanks after commas dropped."""
    with path.open("rb") as fh:
        lines = (raw.decode("utf-8", errors="replace") for raw in fh)
        reader = csv.reader(lines, skipinitialspace=True)
        header: list[str] | None = None
        last = 0
        for row in reader:
            start, last = last + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if header is None:
                header = [name.strip() for name in row]
            elif len(row) == len(header):
                yield start, dict(zip(header, row, strict=True))


def ftm_id(prefix: str, key: str) -> str:
    """The id FtM's mapping gives an entity with ``key: COLUMN`` and no ``key_literal``:
    sha1 of the dataset name (the key prefix) followed by the stripped cell."""
    digest = hashlib.sha1(prefix.encode("utf-8"))
    digest.update(key.strip().encode("utf-8"))
    return digest.hexdigest()


def load(path: Path, source: str, key: str, label: Callable[[dict[str, str]], str]) -> list[Record]:
    """The rows of one CSV as records; ``key`` is the column the mapping keys them on."""
    records = [
        Record(
            f"{source}|{path.name}:{line}", ftm_id(source, cells[key]), source, label(cells), cells
        )
        for line, cells in read_rows(path)
    ]
    if len({r.entity_id for r in records}) != len(records):
        raise ValueError(f"{path.name}: column {key!r} does not identify its rows")
    return records


def febrl_label(cells: dict[str, str]) -> str:
    return cells["rec_id"].split("-")[1]  # rec-N-org, rec-N-dup-k


def patstat_records(folder: Path) -> list[Record]:
    reference = {
        cells["person_id"]: cells["leuven_id"]
        for _, cells in read_rows(folder / "patstat_reference.csv")
    }
    return load(
        folder / "patstat_input.csv", "patstat", "person_id", lambda c: reference[c["person_id"]]
    )


# --------------------------------------------------------------------------- datasets


@dataclass(frozen=True)
class Source:
    name: str  # the casegraph source, also the dataset name in the mapping
    mapping: str  # file in benchmarks/er/


@dataclass(frozen=True)
class Dataset:
    name: str
    sources: tuple[Source, ...]
    records: Callable[[Path], list[Record]]  # from the shared er folder
    baseline: Callable[[list[Record]], dict[str, str]] | None
    # fills a fresh workspace (and runs whatever it runs); default: the sources' mappings
    load: Callable[[Path], None] | None = None


# --------------------------------------------------------------------------- casegraph


class CasegraphError(RuntimeError):
    pass


def casegraph_command() -> list[str]:
    """The ``casegraph`` script of this interpreter, else the same ``casegraph.cli.main``."""
    script = Path(sys.executable).with_name("casegraph")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-c", "from casegraph.cli import main; main()"]


def _cli(data_dir: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if k != "CASEGRAPH_DATABASE_URL"}
    env["CASEGRAPH_SHARED_DATA"] = str(shared_data())
    command = [*casegraph_command(), "--data-dir", str(data_dir), *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = "\n".join((done.stderr or done.stdout).strip().splitlines()[-15:])
        raise CasegraphError(f"casegraph {' '.join(args[:2])} failed ({done.returncode}):\n{tail}")


def _load_sources(data_dir: Path, dataset: Dataset) -> None:
    _cli(data_dir, "init")
    for src in dataset.sources:
        _cli(
            data_dir,
            "source",
            "add",
            src.name,
            "--title",
            f"{dataset.name} ({src.name})",
            "--team",
            "analysts",
            "--marking",
            "PUBLIC",
            "--legal-basis",
            "benchmark",
            "--retention-days",
            "3650",
        )
    for src in dataset.sources:
        _cli(data_dir, "ingest", str(MAPPINGS / src.mapping))


def _pending(data_dir: Path) -> tuple[int, int]:
    """(possible matches, pairs) waiting in the review queue."""
    env = {k: v for k, v in os.environ.items() if k != "CASEGRAPH_DATABASE_URL"}
    command = [*casegraph_command(), "--data-dir", str(data_dir), "review", "list", "--json",
               "--limit", "1", "--justification", PURPOSE]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise CasegraphError(f"casegraph review list failed: {done.stderr.strip()[-500:]}")
    queue = json.loads(done.stdout)
    return int(queue["total"]), int(queue["pairs"])


def _clusters(exported: Path, records: list[Record]) -> dict[str, str]:
    """record key -> canonical id of the evaluated records in a ``clusters export`` file.

    Rows are matched on the entity id the mapping gives each record; other exported
    entities (directors, agencies) are connected entities, not evaluated records. The
    exported ``record_key`` must then be the record's own ``FILE:LINE``.
    """
    by_id = {r.entity_id: r for r in records}
    out = {}
    with exported.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    for row in rows:
        record = by_id.get(row["entity_id"])
        if record is None:
            continue
        if record.values and record.key != f"{row['source']}|{row['record_key']}":
            raise CasegraphError(f"{record.key} was exported as {row}")
        out[record.key] = row["canonical_id"]
    if rows and not out:
        raise CasegraphError("no exported entity id is a record's: did a mapping's key change?")
    return out


def run_casegraph(dataset: Dataset, records: list[Record]) -> tuple[dict[str, str], dict[str, Any]]:
    """Predicted clusters (record key -> canonical id) and timings."""
    with tempfile.TemporaryDirectory(prefix=f"casegraph-er-{dataset.name}-") as tmp:
        folder = Path(tmp)
        data_dir = folder / "workspace"
        started = time.perf_counter()
        if dataset.load is None:
            _load_sources(data_dir, dataset)
        else:
            dataset.load(data_dir)
        loaded = time.perf_counter()
        # from scratch: trained and scored afresh, whatever the loading ran
        _cli(data_dir, "resolve", "--full", "--retrain")
        resolved = time.perf_counter()
        _cli(data_dir, "clusters", "export", str(folder / "clusters.csv"),
             "--justification", PURPOSE)
        if not records:  # the truth of generated people is known once they are loaded
            records.extend(Record(f"{dataset.name}|{entity}", entity, dataset.name, label, {})
                           for entity, label in sorted(_generated_truth.items()))  # fmt: skip
        predicted = _clusters(folder / "clusters.csv", records)
        items, pairs = _pending(data_dir)
        resolvable = _resolvable(data_dir)
        learning = _learn(data_dir, folder, records) if DECISIONS else []
    info = {
        "ingest_seconds": round(loaded - started, 2),
        "seconds": round(resolved - loaded, 2),
        "unresolved": len(records) - len(predicted),
        "resolved_records": resolvable,
        "review_items": items,
        "review_pairs": pairs,
        "review_items_share": round(items / max(resolvable, 1), 4),
        "review_pairs_per_1000": round(1000 * pairs / max(resolvable, 1), 1),
    }
    if learning:
        info["after_decisions"] = learning
    return predicted, info


# --------------------------------------------------------------------------- decisions

DECISIONS: list[int] = []  # --decisions: how many review items a person decides, cumulative


def _queue(data_dir: Path, limit: int) -> list[dict[str, Any]]:
    env = {k: v for k, v in os.environ.items() if k != "CASEGRAPH_DATABASE_URL"}
    command = [*casegraph_command(), "--data-dir", str(data_dir), "review", "list", "--json",
               "--limit", str(limit), "--justification", PURPOSE]  # fmt: skip
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    items: list[dict[str, Any]] = json.loads(done.stdout)["items"]
    return items


def _learn(data_dir: Path, folder: Path, records: list[Record]) -> list[dict[str, Any]]:
    """A person works down the review queue, most worth deciding first, answering from
    the ground truth (an item whose two sides are both records of the answer key: the
    same true party or not; anything else is marked unsure, as a person who cannot tell
    would); after each budget, ``resolve --retrain`` learns from every decision so far.
    Returns the scores after each budget."""
    truth = {r.key: r.label for r in records}
    entity_key = {r.entity_id: r.key for r in records}
    out: list[dict[str, Any]] = []
    decided = 0
    for budget in DECISIONS:
        while decided < budget:
            current = _current(folder, data_dir, entity_key)
            items = _queue(data_dir, 50)
            if not items:
                break
            for item in items:
                left = _label(current, truth, item["left"]["subject"])
                right = _label(current, truth, item["right"]["subject"])
                if left is None or right is None:
                    verdict, why = "unsure", "not in the answer key"
                else:
                    verdict = "accept" if left == right else "reject"
                    why = "the answer key says so"
                    decided += 1
                _cli(data_dir, "review", verdict, item["id"], "--reason", why,
                     "--justification", PURPOSE)  # fmt: skip
                if verdict != "unsure":
                    break  # a decision reshapes the queue: read it again
        started = time.perf_counter()
        _cli(data_dir, "resolve", "--full", "--retrain")
        seconds = time.perf_counter() - started
        _cli(data_dir, "clusters", "export", str(folder / "clusters.csv"),
             "--justification", PURPOSE)  # fmt: skip
        found = _clusters(folder / "clusters.csv", records)
        scores = score(found, truth)
        items, _ = _pending(data_dir)
        out.append({"decisions": decided, "f1": round(scores.f1, 4),
                    "precision": round(scores.precision, 4), "recall": round(scores.recall, 4),
                    "b3_f1": round(scores.b3_f1, 4), "review_items": items,
                    "retrain_seconds": round(seconds, 1)})  # fmt: skip
        console.print(f"  after {decided} decisions: F1 {scores.f1:.3f}, B3 {scores.b3_f1:.3f}, "
                      f"{items} items waiting")  # fmt: skip
    return out


def _current(folder: Path, data_dir: Path, entity_key: dict[str, str]) -> dict[str, list[str]]:
    """subject -> the answer key's records in it, as the workspace has them now."""
    _cli(data_dir, "clusters", "export", str(folder / "now.csv"), "--justification", PURPOSE)
    out: dict[str, list[str]] = {}
    with (folder / "now.csv").open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            key = entity_key.get(row["entity_id"])
            if key is not None:
                out.setdefault(row["canonical_id"], []).append(key)
    return out


def _label(current: dict[str, list[str]], truth: dict[str, str], subject: str) -> str | None:
    """The true party most of a subject's answer-key records belong to."""
    labels = [truth[k] for k in current.get(subject, ())]
    return max(set(labels), key=labels.count) if labels else None


def _resolvable(data_dir: Path) -> int:
    """How many records the resolver compared (scored or not): the review queue's size
    is a share of these."""
    import sqlite3

    with sqlite3.connect(data_dir / "casegraph.db") as db:
        return int(db.execute("SELECT count(*) FROM resolved_entities").fetchone()[0])


# --------------------------------------------------------------------------- demo


def demo_records(_: Path) -> list[Record]:
    """The demo's answer key: every record of the cast, with the actor it belongs to."""
    with (HERE.parent / "demo" / "answer_key.csv").open(newline="", encoding="utf-8") as fh:
        return [Record(f"{row['source']}|{row['entity_id']}", row["entity_id"], row["source"],
                       row["true_id"], {}) for row in csv.DictReader(fh)]  # fmt: skip


def demo_load(data_dir: Path) -> None:
    _cli(data_dir, "demo")


# --------------------------------------------------------------------------- generated

GENERATED_SIZE = int(os.environ.get("CASEGRAPH_BENCH_GENERATED", "100000"))
_generated_truth: dict[str, str] = {}


def generated_records(_: Path) -> list[Record]:
    """``benchmarks/people_gen.py``'s people (seeded, four sources); the truth is known
    once they are ingested, so the records come from the loader."""
    return []


def generated_load(data_dir: Path) -> None:
    from resolve_scale import prepare_workspace, truth_of

    root = data_dir.parent / "generated"
    ws, _ = prepare_workspace(GENERATED_SIZE, root, data_dir)
    truth = truth_of(ws, root / "data")
    _generated_truth.clear()
    _generated_truth.update(truth)


# --------------------------------------------------------------------------- baseline


def clean(value: str | None) -> str | None:
    """The baseline's only cleaning: lower case, stripped, blanks collapsed."""
    text = " ".join((value or "").split()).lower()
    return text or None


def split_clean(value: str | None, sep: str = "**") -> list[str] | None:
    parts = sorted({p for p in (clean(v) for v in (value or "").split(sep)) if p})
    return parts or None


def coordinate(value: str | None) -> float | None:
    number = float(value) if value and value.strip() else 0.0
    return number if number != 0.0 else None  # 0.0 means "no geocode"


def arrow_table(records: list[Record], columns: dict[str, Callable[[Record], Any]]) -> pa.Table:
    data: dict[str, list[Any]] = {"unique_id": [r.key for r in records]}
    for name, get in columns.items():
        data[name] = [get(r) for r in records]
    return pa.table(data)


def cells(*names: str) -> dict[str, Callable[[Record], Any]]:
    def getter(name: str) -> Callable[[Record], str | None]:
        return lambda r: clean(r.values.get(name))

    return {name: getter(name) for name in names}


@dataclass
class SplinkPlan:
    link_type: LinkType
    comparisons: list[Any]
    blocking: list[Any]
    deterministic: list[str | Any]
    recall: float
    training: list[Any]
    tables: list[pa.Table] = field(default_factory=list)


def run_splink(plan: SplinkPlan) -> dict[str, str]:
    """Train (prior, u by sampling, m by EM), predict, cluster at 0.9: record -> cluster."""
    from splink import DuckDBAPI, Linker, SettingsCreator

    logging.getLogger("splink").setLevel(logging.WARNING)
    api = DuckDBAPI()
    frames = [api.register(t, table_name=f"input_{i}") for i, t in enumerate(plan.tables)]
    settings = SettingsCreator(
        link_type=plan.link_type,
        comparisons=plan.comparisons,
        blocking_rules_to_generate_predictions=plan.blocking,
    )
    linker = Linker(frames if len(frames) > 1 else frames[0], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        plan.deterministic, recall=plan.recall
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    for rule in plan.training:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=CLUSTER_THRESHOLD
    )
    return {str(r["unique_id"]): str(r["cluster_id"]) for r in clusters.as_record_list()}


FEBRL_COLUMNS = (
    "given_name",
    "surname",
    "street_number",
    "address_1",
    "address_2",
    "suburb",
    "postcode",
    "state",
    "date_of_birth",
    "soc_sec_id",
)


def febrl_plan(link_type: LinkType) -> SplinkPlan:
    import splink.comparison_library as cl
    from splink import block_on

    return SplinkPlan(
        link_type=link_type,
        comparisons=[
            cl.NameComparison("given_name"),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth", input_is_string=True, datetime_format="%Y%m%d"
            ),
            cl.LevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.ExactMatch("suburb").configure(term_frequency_adjustments=True),
            cl.ExactMatch("postcode").configure(term_frequency_adjustments=True),
        ],
        blocking=[
            block_on("given_name", "surname"),
            block_on("surname", "date_of_birth"),
            block_on("given_name", "date_of_birth"),
            block_on("soc_sec_id"),
            block_on("postcode", "street_number"),
        ],
        deterministic=[
            "l.soc_sec_id = r.soc_sec_id",
            "l.given_name = r.given_name and l.surname = r.surname "
            "and l.date_of_birth = r.date_of_birth",
        ],
        recall=0.7,
        training=[block_on("given_name", "surname"), block_on("date_of_birth")],
    )


def baseline_febrl4(records: list[Record]) -> dict[str, str]:
    plan = febrl_plan("link_only")
    for source in ("febrl4a", "febrl4b"):
        part = [r for r in records if r.source == source]
        plan.tables.append(arrow_table(part, cells(*FEBRL_COLUMNS)))
    return run_splink(plan)


def baseline_febrl3(records: list[Record]) -> dict[str, str]:
    plan = febrl_plan("dedupe_only")
    plan.tables.append(arrow_table(records, cells(*FEBRL_COLUMNS)))
    return run_splink(plan)


def baseline_patstat(records: list[Record]) -> dict[str, str]:
    import splink.comparison_library as cl
    from splink import block_on

    columns = {
        "name": lambda r: clean(r.values["Name"]),
        "classes": lambda r: split_clean(r.values["Class"]),
        "coauthors": lambda r: split_clean(r.values["Coauthor"]),
        "lat": lambda r: coordinate(r.values["Lat"]),
        "lng": lambda r: coordinate(r.values["Lng"]),
    }
    plan = SplinkPlan(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("name", [0.95, 0.88, 0.7]).configure(
                term_frequency_adjustments=True
            ),
            cl.ArrayIntersectAtSizes("classes", [2, 1]),
            cl.ArrayIntersectAtSizes("coauthors", [2, 1]),
            cl.DistanceInKMAtThresholds("lat", "lng", [1, 10, 50]),
        ],
        blocking=[block_on("name"), block_on("substr(name, 1, 5)"), block_on("lat", "lng")],
        deterministic=["l.name = r.name"],
        recall=0.6,
        training=[block_on("name"), block_on("lat", "lng")],
        tables=[arrow_table(records, columns)],
    )
    return run_splink(plan)


def digits(value: str | None) -> str | None:
    text = "".join(c for c in value or "" if c.isdigit())
    return text or None


def baseline_chicago(records: list[Record]) -> dict[str, str]:
    import splink.comparison_library as cl
    from splink import block_on

    columns = {
        "site_name": lambda r: clean(r.values["Site name"]),
        "address": lambda r: clean(r.values["Address"]),
        "zip": lambda r: clean(r.values["Zip"]),
        "phone": lambda r: digits(r.values["Phone"]),
    }
    plan = SplinkPlan(
        link_type="dedupe_only",
        comparisons=[
            cl.JaroWinklerAtThresholds("site_name", [0.95, 0.88, 0.7]).configure(
                term_frequency_adjustments=True
            ),
            cl.JaroWinklerAtThresholds("address", [0.95, 0.88, 0.7]),
            cl.ExactMatch("zip"),
            cl.ExactMatch("phone"),
        ],
        blocking=[
            block_on("phone"),
            block_on("site_name"),
            block_on("address"),
            block_on("zip", "substr(site_name, 1, 3)"),
        ],
        deterministic=["l.phone = r.phone", "l.site_name = r.site_name and l.address = r.address"],
        recall=0.7,
        training=[block_on("phone"), block_on("site_name")],
        tables=[arrow_table(records, columns)],
    )
    return run_splink(plan)


# --------------------------------------------------------------------------- registry


def febrl4_records(er: Path) -> list[Record]:
    folder = er / "febrl"
    return [
        *load(folder / "dataset4a.csv", "febrl4a", "rec_id", febrl_label),
        *load(folder / "dataset4b.csv", "febrl4b", "rec_id", febrl_label),
    ]


def febrl3_records(er: Path) -> list[Record]:
    return load(er / "febrl" / "dataset3.csv", "febrl3", "rec_id", febrl_label)


def chicago_records(er: Path) -> list[Record]:
    path = er / "chicago_childcare" / "csv_example_input_with_true_ids.csv"
    return load(path, "chicago", "Id", lambda c: c["True Id"])


DATASETS = {
    d.name: d
    for d in (
        Dataset(
            "febrl4",
            (Source("febrl4a", "febrl4a.yml"), Source("febrl4b", "febrl4b.yml")),
            febrl4_records,
            baseline_febrl4,
        ),
        Dataset("febrl3", (Source("febrl3", "febrl3.yml"),), febrl3_records, baseline_febrl3),
        Dataset(
            "patstat",
            (Source("patstat", "patstat.yml"),),
            lambda er: patstat_records(er / "patstat"),
            baseline_patstat,
        ),
        Dataset("chicago", (Source("chicago", "chicago.yml"),), chicago_records, baseline_chicago),
        Dataset("generated", (), generated_records, None, generated_load),
        Dataset("demo", (), demo_records, None, demo_load),
    )
}


# --------------------------------------------------------------------------- run


def evaluate(
    dataset: Dataset,
    system: str,
    run: Callable[[], tuple[dict[str, str], dict[str, Any]]],
    known: Callable[[], dict[str, str]],
) -> dict[str, Any]:
    """``known`` gives the truth once ``run`` has run (generated people are known then)."""
    row: dict[str, Any] = {"dataset": dataset.name, "system": system}
    try:
        predicted, info = run()
    except (CasegraphError, OSError) as exc:
        console.print(f"[red]{dataset.name} / {system}: {exc}[/]", highlight=False)
        lines = str(exc).strip().splitlines() or [type(exc).__name__]
        return {**row, "error": " ".join(dict.fromkeys([lines[0], lines[-1]]))}
    truth = known()
    row["records"] = len(truth)
    scores = score(predicted, truth)
    row.update({k: round(v, 4) for k, v in vars(scores).items()})
    row["clusters"] = len(set(predicted.values()) | (truth.keys() - predicted.keys()))
    return {**row, **info}


def timed_baseline(
    dataset: Dataset, records: list[Record]
) -> tuple[dict[str, str], dict[str, Any]]:
    started = time.perf_counter()
    assert dataset.baseline is not None
    predicted = dataset.baseline(records)
    return predicted, {"seconds": round(time.perf_counter() - started, 2)}


def run_dataset(dataset: Dataset, baseline_only: bool) -> list[dict[str, Any]]:
    records = dataset.records(shared_data() / "er")
    truth = {r.key: r.label for r in records}
    console.print(
        f"[bold]{dataset.name}[/]: {len(records):,} records, "
        f"{len(set(truth.values())):,} true clusters"
    )
    rows = []
    if not baseline_only:
        rows.append(evaluate(dataset, "casegraph", lambda: run_casegraph(dataset, records),
                             lambda: {r.key: r.label for r in records}))  # fmt: skip
    if dataset.baseline is not None:
        rows.append(evaluate(dataset, "splink", lambda: timed_baseline(dataset, records),
                             lambda: truth))  # fmt: skip
    return rows


def show(rows: list[dict[str, Any]]) -> None:
    table = Table(
        "dataset",
        "system",
        "precision",
        "recall",
        "F1",
        "B3 F1",
        "seconds",
        "review items (% of records)",
        "pairs / 1,000",
        title=f"Resolution quality (Splink baseline clustered at {CLUSTER_THRESHOLD})",
    )
    for row in rows:
        if "error" in row:
            table.add_row(row["dataset"], row["system"], "error", "", "", "", "", "", "")
            continue
        queue = ("", "")
        if "review_items" in row:
            queue = (f"{row['review_items']:,} ({100 * row['review_items_share']:.2f} %)",
                     f"{row['review_pairs_per_1000']:.1f}")  # fmt: skip
        table.add_row(
            row["dataset"],
            row["system"],
            *(f"{row[k]:.3f}" for k in ("precision", "recall", "f1", "b3_f1")),
            f"{row['seconds']:.1f}",
            *queue,
        )
    Console(width=200).print(table)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--datasets", default=",".join(DATASETS), help="comma-separated: " + ", ".join(DATASETS)
    )
    parser.add_argument("--baseline-only", action="store_true", help="skip casegraph")
    parser.add_argument(
        "--decisions", default="",
        help="comma-separated cumulative numbers of review decisions to simulate from the "
        "ground truth, each followed by resolve --retrain (e.g. 10,30,100)",
    )  # fmt: skip
    parser.add_argument("--selftest", action="store_true", help="check the metrics and exit")
    args = parser.parse_args()
    if args.selftest:
        selftest()
        return
    names = [n.strip() for n in args.datasets.split(",") if n.strip()]
    unknown = [n for n in names if n not in DATASETS]
    if unknown:
        parser.error(f"unknown dataset(s) {', '.join(unknown)}; choose from {', '.join(DATASETS)}")
    DECISIONS[:] = sorted(int(n) for n in args.decisions.split(",") if n.strip())
    rows = [row for name in names for row in run_dataset(DATASETS[name], args.baseline_only)]
    show(rows)
    print(
        json.dumps(
            {"benchmark": "resolve_quality", "threshold": CLUSTER_THRESHOLD, "results": rows}
        )
    )


if __name__ == "__main__":
    main()
