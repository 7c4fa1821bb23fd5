"""Search at scale: casegraph's search vs. a plain ``LIKE`` scan, same workspace, one run.

On a seeded synthetic workspace (benchmarks/graph_gen.py: 1,000,000 subjects and
5,000,000 edges by default) on SQLite and on PostgreSQL, ``--queries`` queries per
category, drawn with the seed from the stored subjects:

* exact -- a subject's full name as written ("Maria Luisa Höller");
* misspelled -- the full name with one edit (substitution, deletion, insertion or
  transposition) in one word of four letters or more, in lower case;
* partial -- a prefix of the family name (four letters or more, shorter than the name)
  and the given name, half as ``holl maria``, half as ``Holl* Maria``;
* facets -- filters only (``country:de schema:Person``, ``year:1975 country:fr``, ...).

Ours is one audited session per query, ``s.search.search(q, limit=10)`` with the
service's default facets (schema, source, country, year): the whole cost of a search a
user makes. The baseline runs on a plain connection: for words, ``names LIKE '%word%'``
for every word (``ILIKE`` on PostgreSQL, as SQLite's ``LIKE`` ignores case), first 10
rows; for facet queries, hand-written SQL for the same filters returning the first 10
subjects, their count and the four facet counts.

recall@10 (misspelled): a subject with the true full name is among the top 10; the same
"hit@10" is shown for the other name categories and for the baseline. Targets: p95 under
50 ms, recall@10 at least 0.95. Ratios are ours / baseline (below 1: ours is faster).
Prints a markdown table and one JSON line per store.

    python benchmarks/search.py [--subjects 1000000] [--edges 5000000] [--store both]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from casegraph.search.text import tokens
from casegraph.service import Workspace
from graph_gen import (
    COUNTRIES,
    Budget,
    Params,
    Store,
    add_arguments,
    context,
    log,
    markdown,
    percentile,
    prepare,
    sqlite_statistics,
    stores,
    summary,
    timed,
    today,
    warm,
)

CATEGORIES = ("exact", "misspelled", "partial", "facets")
TARGET_MS = 50.0
TARGET_RECALL = 0.95
WARMUP = 20
LETTERS = "abcdefghijklmnopqrstuvwxyz"
EDITS = ("substitution", "deletion", "insertion", "transposition")


@dataclass
class Query:
    category: str
    text: str
    name: tuple[str, ...] = ()  # the target's full name, as search tokens
    truth: frozenset[str] = frozenset()  # the subjects with that full name
    edit: str = ""
    filters: dict[str, Any] = field(default_factory=dict)  # facets: for the baseline


def misspell(rng: random.Random, word: str) -> tuple[str, str]:
    """One random edit of ``word``; (the new word, the kind of edit)."""
    while True:
        kind = rng.choice(EDITS)
        i = rng.randrange(len(word))
        if kind == "substitution":
            new = word[:i] + rng.choice(LETTERS.replace(word[i], "")) + word[i + 1 :]
        elif kind == "deletion":
            new = word[:i] + word[i + 1 :]
        elif kind == "insertion":
            new = word[:i] + rng.choice(LETTERS) + word[i:]
        else:
            if i == len(word) - 1 or word[i] == word[i + 1]:
                continue
            new = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if new != word:
            return new, kind


def make_queries(ws: Workspace, count: int, seed: int) -> list[Query]:
    """Queries per category, drawn with the seed from the stored subjects (sorted by
    id, so both stores get the same ones)."""
    with ws.engine.connect() as conn:
        subjects = sorted(  # in Python: the same order whatever the database's collation
            (str(c), str(s), str(n))
            for c, s, n in conn.execute(
                text(
                    "SELECT canonical_id, schema, caption FROM search_docs "
                    "WHERE source = 'registry' AND (adult_on IS NULL OR adult_on <= :today)"
                ),
                {"today": today()},
            )
        )
    rng = random.Random(f"search-queries-{seed}")
    people = [s for s in subjects if s[1] == "Person"]
    out: list[Query] = []
    for _, _, caption in rng.sample(subjects, count):
        out.append(Query("exact", caption, tokens(caption)))
    for _, _, caption in rng.sample(subjects, count):
        words = list(tokens(caption))
        at = rng.choice([i for i, w in enumerate(words) if len(w) >= 4])
        words[at], kind = misspell(rng, words[at])
        out.append(Query("misspelled", " ".join(words), tokens(caption), edit=kind))
    while sum(q.category == "partial" for q in out) < count:
        _, _, caption = rng.choice(people)
        name = tokens(caption)
        if len(name[-1]) < 5:
            continue
        prefix = name[-1][: rng.randrange(4, len(name[-1]))]
        if rng.random() < 0.5:
            query = f"{prefix} {name[0]}"
        else:
            query = f"{prefix.capitalize()}* {name[0].capitalize()}"
        out.append(Query("partial", query, name))
    years = range(1950, 2005)
    for _ in range(count):
        country = rng.choice(COUNTRIES)[0]
        form = rng.randrange(4)
        filters: dict[str, Any]
        if form == 0:
            filters = {"country": country, "schema": "Person"}
            query = f"country:{country} schema:Person"
        elif form == 1:
            filters = {"country": country, "schema": "Company"}
            query = f"schema:Company country:{country}"
        elif form == 2:
            year = str(rng.choice(years))
            filters = {"country": country, "year": year}
            query = f"year:{year} country:{country}"
        else:
            low = rng.choice(years)
            filters = {"country": country, "years": (str(low), str(low + 4)), "schema": "Person"}
            query = f"country:{country} year:[{low} TO {low + 4}] schema:Person"
        out.append(Query("facets", query, filters=filters))
    # every subject with the target's full name counts as the right answer
    same: dict[tuple[str, ...], set[str]] = {q.name: set() for q in out if q.name}
    for cid, _, caption in subjects:
        key = tokens(caption)
        if key in same:
            same[key].add(cid)
    for q in out:
        q.truth = frozenset(same.get(q.name, ()))
    return out


# --- ours and the baseline ---------------------------------------------------------------


def ours(ws: Workspace, q: Query) -> tuple[float, list[str], int]:
    def call() -> Any:
        with ws.session(context()) as s:
            return s.search.search(q.text, limit=10)

    ms, results = timed(call)
    return ms, [h.id for h in results.hits], results.total


def _like(conn: Any, q: Query) -> tuple[list[str], int]:
    op = "LIKE" if conn.dialect.name == "sqlite" else "ILIKE"
    words = [w.strip("*") for w in q.text.split()]
    where = " AND ".join(f"names {op} :w{i}" for i in range(len(words)))
    rows = conn.execute(
        text(f"SELECT canonical_id FROM search_docs WHERE {where} LIMIT 10"),
        {f"w{i}": f"%{w}%" for i, w in enumerate(words)},
    ).scalars()
    hits = list(dict.fromkeys(str(r) for r in rows))
    return hits, len(hits)


def _facets(conn: Any, q: Query) -> tuple[list[str], int]:
    f = q.filters
    parts = ["d.source IN ('registry', 'telecom', 'bank')"]
    params: dict[str, Any] = {}
    if "schema" in f:
        parts.append("d.schema = :schema")
        params["schema"] = f["schema"]
    parts.append(
        "d.id IN (SELECT doc_id FROM search_values WHERE field = 'country' AND value = :country)"
    )
    params["country"] = f["country"]
    if "year" in f:
        parts.append(
            "d.id IN (SELECT doc_id FROM search_values WHERE field = 'year' AND value = :year)"
        )
        params["year"] = f["year"]
    if "years" in f:
        parts.append(
            "d.id IN (SELECT doc_id FROM search_values WHERE field = 'year' "
            "AND value BETWEEN :low AND :high)"
        )
        params["low"], params["high"] = f["years"]
    where = " AND ".join(parts)
    hits = [
        str(r)
        for r in conn.execute(
            text(
                f"SELECT DISTINCT d.canonical_id FROM search_docs d WHERE {where} "
                "ORDER BY d.canonical_id LIMIT 10"
            ),
            params,
        ).scalars()
    ]
    total = int(
        conn.execute(
            text(f"SELECT COUNT(DISTINCT d.canonical_id) FROM search_docs d WHERE {where}"), params
        ).scalar_one()
    )
    for column in ("schema", "source"):
        conn.execute(
            text(
                f"SELECT d.{column}, COUNT(DISTINCT d.canonical_id) FROM search_docs d "
                f"WHERE {where} GROUP BY d.{column}"
            ),
            params,
        ).all()
    for name in ("country", "year"):
        conn.execute(
            text(
                "SELECT v.value, COUNT(DISTINCT d.canonical_id) FROM search_docs d "
                f"JOIN search_values v ON v.doc_id = d.id WHERE {where} AND v.field = '{name}' "
                "GROUP BY v.value"
            ),
            params,
        ).all()
    return hits, total


def baseline(ws: Workspace, q: Query) -> tuple[float, list[str], int]:
    run: Callable[[Any, Query], tuple[list[str], int]] = (
        _facets if q.category == "facets" else _like
    )
    with ws.engine.connect() as conn:
        ms, (hits, total) = timed(lambda: run(conn, q))
        conn.rollback()
    return ms, hits, total


# --- the run ---------------------------------------------------------------------------------


def measure(
    ws: Workspace, queries: list[Query], baseline_count: int, minutes: float | None
) -> dict[str, Any]:
    warm = Budget.warmup()
    for q in queries[:: max(1, len(queries) // WARMUP)]:  # warm the caches, not counted
        if warm.spent():
            break
        ours(ws, q)
        baseline(ws, q)
    out: dict[str, Any] = {}
    for category in CATEGORIES:
        chosen = [q for q in queries if q.category == category]
        log(f"  {category}: {len(chosen)} queries")
        mine: list[float] = []
        base: list[float] = []
        hits = base_hits = 0
        misses: Counter[str] = Counter()
        totals = []
        budget = Budget(minutes)
        for q in chosen:
            if budget.spent():
                log(f"  {category}: time is up after {len(mine)} queries")
                chosen = chosen[: len(mine)]
                break
            ms, found, total = ours(ws, q)
            mine.append(ms)
            totals.append(total)
            if q.truth and q.truth & set(found[:10]):
                hits += 1
            elif q.truth:
                misses[q.edit or "miss"] += 1
        for q in chosen[:baseline_count]:
            ms, found, _ = baseline(ws, q)
            base.append(ms)
            if q.truth and q.truth & set(found[:10]):
                base_hits += 1
        row: dict[str, Any] = {"queries": len(chosen), **summary(mine, base)}
        row["ours_max_ms"] = round(max(mine), 2)
        row["median_matches"] = int(percentile(totals, 50))
        if category != "facets":
            row["ours_hit_at_10"] = round(hits / len(chosen), 4)
            row["baseline_hit_at_10"] = round(base_hits / max(1, len(base)), 4)
        if category == "misspelled":
            row["recall_at_10"] = row["ours_hit_at_10"]
            row["misses_by_edit"] = dict(misses)
        out[category] = row
    return out


def report(
    store: Store, params: Params, seed_s: float | None, stats: str, results: dict[str, Any]
) -> None:
    header = ("category", "queries", "ours p50 ms", "ours p95 ms", "LIKE p50 ms", "LIKE p95 ms",
              "ratio p50", "ratio p95", "median matches", "ours hit@10", "LIKE hit@10",
              "p95 target")  # fmt: skip
    rows = []
    for category, r in results.items():
        rows.append(
            (
                category,
                r["queries"],
                r["ours_p50_ms"],
                r["ours_p95_ms"],
                r["baseline_p50_ms"],
                r["baseline_p95_ms"],
                r["ratio_p50"],
                r["ratio_p95"],
                r["median_matches"],
                r.get("ours_hit_at_10", "-"),
                r.get("baseline_hit_at_10", "-"),
                "met" if r["ours_p95_ms"] < TARGET_MS else "MISSED",
            )
        )
    recall = results["misspelled"]["recall_at_10"]
    print(
        f"\n### search on {store.name}: {params.subjects:,} subjects, {params.edges:,} edges "
        f"(seeding {'reused' if seed_s is None else f'{seed_s:.0f} s'}; planner statistics: "
        f"{stats})\n"
    )
    print(markdown(header, rows))
    print(
        f"\nrecall@10 on misspellings: {recall:.3f} (target {TARGET_RECALL}: "
        f"{'met' if recall >= TARGET_RECALL else 'MISSED'}); "
        f"misses by edit: {results['misspelled']['misses_by_edit']}\n"
    )
    print(
        json.dumps(
            {
                "benchmark": "search",
                "store": store.name,
                "subjects": params.subjects,
                "edges": params.edges,
                "seed": params.seed,
                "seeding_s": None if seed_s is None else round(seed_s, 1),
                "statistics": stats,
                "targets": {"p95_ms": TARGET_MS, "recall_at_10": TARGET_RECALL},
                "results": results,
            }
        ),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(parser)
    parser.add_argument(
        "--baseline-queries", type=int, default=None,
        help="run the baseline on only the first N queries of each category",
    )  # fmt: skip
    args = parser.parse_args()
    params = Params(args.subjects, args.edges, args.seed)
    for store in stores(args):
        ws, seed_s = prepare(store, params)
        if seed_s is not None:
            log(f"{store.name}: seeded in {seed_s:.0f} s")
        stats = f"{sqlite_statistics(ws, args.analyze)}; store files {warm(store, ws, args.cold)}"
        queries = make_queries(ws, args.queries, args.seed)
        results = measure(ws, queries, args.baseline_queries or args.queries, args.max_minutes)
        report(store, params, seed_s, stats, results)
        ws.close()
        if args.drop:
            store.drop()


if __name__ == "__main__":
    main()
