"""Running the model on Splink: DuckDB by default, Spark for data that outgrows a machine.

The same settings, blocking rules and comparisons run on both engines. Predictions come
back as Arrow tables of scored pairs with each comparison's level and match weight.
"""

from __future__ import annotations

import atexit
import logging
import math
import os
import shutil
import tempfile
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from casegraph.resolve import model as defaults
from casegraph.resolve.cluster import components

log = logging.getLogger(__name__)
ENGINES = ("duckdb", "spark")
# m (how often true matches agree) is kept at the model's priors unless this is set:
# EM fitted to one dataset's blocks generalised worse than the priors in the benchmarks
TRAIN_M = False
Progress = Callable[[str], None]
# (record, record, a person said "same", the model's match weight when it scored the pair)
Label = tuple[str, str, bool, float | None]


class EngineError(Exception):
    """The chosen engine cannot run here (pyspark or Java missing)."""


def _capped(keys: list[str | None], cap: int) -> pa.Array:
    counts = Counter(keys)
    return pa.array([k if k is not None and counts[k] <= cap else None for k in keys],
                    type=pa.string())  # fmt: skip


def prepare(table: pa.Table, group: str) -> pa.Table:
    """Add the name blocking keys, each dropped where so many records share it that
    blocking on the name alone would compare thousands of different people: such
    records still meet through their dates of birth, addresses and contacts."""
    names = table.column("name_key").to_pylist()
    folds = table.column("name_fold").to_pylist()
    given = table.column("first_canon").to_pylist()
    family = table.column("last_name").to_pylist()
    canon = [f"{g} {f}" if g and f else None for g, f in zip(given, family, strict=True)]
    tokens = table.column("name_tokens").to_pylist()
    frequency = Counter(t for ts in tokens for t in ts or ())
    rarest = [min(ts, key=lambda t: (frequency[t], t)) if ts else None for ts in tokens]
    for column, keys in (("name_rare", names), ("fold_rare", folds), ("canon_rare", canon),
                         ("token_rare", rarest)):  # fmt: skip
        table = table.append_column(column, _capped(keys, defaults.COMMON_NAME_BLOCK[group]))
    return table


# what tells two holders of one name apart: different dates of birth of people; different
# postcodes or house numbers of organisations, whichever tell more apart (two sites of one
# name on two streets of a city are two holders). Identifiers are not: sources record
# different kinds of them
_IDENTITY = {"person": ("birth_date",), "organisation": ("postcode0", "house0")}
# the chance that a name shared by no two known holders still belongs to someone else:
# a holder the workspace has not seen. Small: within one workspace a full name whose
# records never disagree is, nearly always, one party mentioned several times
UNSEEN_HOLDER = 0.01


def term_frequencies(table: pa.Table, column: str, group: str) -> pa.Table:
    """How likely a record of *another* party carries each value: the number of parties
    known to hold it (the distinct dates of birth, or postcodes or house numbers, among
    its records; at least one) less the one compared, plus the chance of one not seen,
    over all parties. Plain value counts would make every party mentioned in many
    records look like a common name: forty rows naming one company are one holder, forty
    John Smiths with forty dates of birth are forty."""
    values = table.column(column).to_pylist()
    seen: dict[str, list[set[str]]] = {}
    keys = _IDENTITY[group]
    marks = zip(*(table.column(c).to_pylist() for c in keys), strict=True)
    for value, mark in zip(values, marks, strict=True):
        if value is None:
            continue
        held = seen.setdefault(value, [set() for _ in keys])
        for found, m in zip(held, mark, strict=True):
            if m is not None:
                found.add(m)
    holders = {v: max(1, *(_distinct(h) for h in held)) for v, held in seen.items()}
    total = max(sum(holders.values()), 1)
    return pa.table({column: list(holders),
                     f"tf_{column}": [(k - 1 + UNSEEN_HOLDER) / total
                                      for k in holders.values()]})  # fmt: skip


def _distinct(values: set[str]) -> int:
    """Values that are not a coarser form of another (``1971`` of ``1971-09-14``). In
    sorted order the values that start with one follow it at once: a value is coarser
    exactly when the next one starts with it."""
    ordered = sorted(values)
    last = len(ordered) - 1
    return sum(1 for i, v in enumerate(ordered)
               if i == last or not ordered[i + 1].startswith(v))  # fmt: skip


def _register_frequencies(api: Any, linker: Any, table: pa.Table, model: dict[str, Any],
                          group: str) -> None:  # fmt: skip
    for column in tf_columns(model):
        frame = _register(api, term_frequencies(table, column, group), f"tf_lookup_{column}")
        linker.table_management.register_term_frequency_lookup(frame, column)


def _db_api(engine: str) -> Any:
    if engine == "duckdb":
        import duckdb
        from splink import DuckDBAPI

        # bounded memory: DuckDB spills to its temporary directory beyond the limit
        connection = duckdb.connect(config={
            "memory_limit": os.environ.get("CASEGRAPH_DUCKDB_MEMORY", "3GB"),
            "temp_directory": os.path.join(tempfile.gettempdir(), "casegraph-duckdb"),
        })  # fmt: skip
        return DuckDBAPI(connection)
    if engine == "spark":
        try:
            from pyspark.sql import SparkSession
            from splink import SparkAPI
            from splink.internals.spark.jar_location import similarity_jar_location
        except ImportError as exc:
            raise EngineError(
                "the spark engine needs pyspark: pip install 'casegraph[spark]'"
            ) from exc
        # on a cluster, SPARK_REMOTE / spark-submit settings take over; locally, all cores
        spark = (
            SparkSession.builder.appName("casegraph-resolve")
            .master(os.environ.get("CASEGRAPH_SPARK_MASTER", "local[*]"))
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", os.environ.get(
                "CASEGRAPH_SPARK_PARTITIONS", "8"))
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")  # casegraph shows its own
            # local mode runs the executors in the driver, whose heap Spark sets at 1 GB
            # by default; ignored once a JVM runs
            .config("spark.driver.memory", os.environ.get(
                "CASEGRAPH_SPARK_DRIVER_MEMORY", "4g"))
            .getOrCreate()
        )  # fmt: skip
        spark.sparkContext.setLogLevel("ERROR")
        if spark.sparkContext.getCheckpointDir() is None:
            spark.sparkContext.setCheckpointDir(_spark_checkpoints())
        # intermediate tables written to Parquet and read back: that cuts their lineage.
        # Persisting them keeps every earlier step in each plan, and Splink's iterative
        # connected components then grow plans until the driver runs out of heap
        return SparkAPI(spark_session=spark, break_lineage_method="parquet")  # type: ignore[no-untyped-call]
    raise EngineError(f"unknown engine {engine!r}; use one of: {', '.join(ENGINES)}")


def _spark_checkpoints() -> str:
    """Where Spark writes intermediate tables: ``CASEGRAPH_SPARK_CHECKPOINT_DIR`` (on a
    cluster, a path every executor reaches), else a temporary directory removed when
    this process ends."""
    configured = os.environ.get("CASEGRAPH_SPARK_CHECKPOINT_DIR")
    if configured:
        return configured
    path = tempfile.mkdtemp(prefix="casegraph-spark-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def _register(api: Any, table: pa.Table, name: str) -> Any:
    # a Spark session outlives one run (getOrCreate): every registration gets its own name
    unique = f"{name}_{uuid.uuid4().hex[:8]}"
    if type(api).__name__ == "SparkAPI":
        return api.register(api.spark.createDataFrame(table), table_name=unique)
    return api.register(table, table_name=unique)


def _linker(api: Any, frames: Any, settings: dict[str, Any]) -> Any:
    from splink import Linker

    return Linker(frames, settings, log_level=None)


def train(table: pa.Table, group: str, engine: str, progress: Progress,
          em: bool = TRAIN_M, labels: Sequence[Label] = (),
          band: tuple[float, float] = (0.0, 1.0)) -> dict[str, Any]:  # fmt: skip
    """Fit the default model to this workspace's records: the match rate from
    deterministic rules, u (how often non-matches agree by chance, name frequencies
    included) by random sampling, and m by expectation maximisation when ``em``.
    A step that finds no pairs keeps the prior values instead of failing. ``labels``,
    people's decisions, move m and the threshold above which the model merges on its
    own (``band``: the default review band, see ``learnt_upper``)."""
    api = _db_api(engine)
    frame = _register(api, prepare(table, group), "records")
    linker = _linker(api, frame, defaults.settings(group, engine))
    progress("estimating the match rate")
    for rules in (defaults.deterministic_rules(group), defaults.NAME_ONLY_RULES):
        try:
            linker.training.estimate_probability_two_random_records_match(
                rules, recall=defaults.DETERMINISTIC_RECALL
            )
        except Exception as exc:  # too few records, or no rule matched any pair
            log.info("match rate not estimated from %s: %s", rules, exc)
            continue
        if _valid_rate(linker._settings_obj._probability_two_random_records_match):
            break
    progress("estimating u by random sampling")
    try:
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=1)
    except Exception as exc:
        log.info("u kept at its prior: %s", exc)
    for rule in defaults.training_rules(group) if em else ():
        sql = rule.get_blocking_rule("duckdb").blocking_rule_sql
        progress(f"expectation maximisation on {sql}")
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(
                rule, estimate_without_term_frequencies=True, max_pairs=2e6
            )
        except Exception as exc:
            log.warning("EM block skipped: %s", exc)
    result: dict[str, Any] = linker.misc.save_model_to_json()
    if not _valid_rate(result.get("probability_two_random_records_match")):
        result["probability_two_random_records_match"] = defaults.PRIOR  # nothing matched
    if labels:
        progress(f"learning from {len(labels):,} decisions by people")
        levels = _label_levels(linker, api, result, labels)
        learn_m(result, _per_decision([(pair, lv) for pair, lv, same in levels if same]))
        # where the threshold goes: by the scores the model gave the pairs people decided
        scored = [((a, b), (1 / (1 + 2 ** -w), same)) for a, b, same, w in labels
                  if w is not None]  # fmt: skip
        upper = learnt_upper([(p, same, share) for (p, same), share in _per_decision(scored)],
                             band)  # fmt: skip
        result[defaults.DECISIONS_KEY] = {
            "same": sum(1 for label in labels if label[2]),
            "different": sum(1 for label in labels if not label[2]),
            **({"upper": upper} if upper is not None else {}),
        }  # fmt: skip
    return result


def learnt_upper(decided: Sequence[tuple[float, bool, float]],
                 band: tuple[float, float]) -> float | None:  # fmt: skip
    """Where people's decisions put the merge threshold, or None to keep the default:
    ``decided`` holds, for each pair a person decided, the model's probability, whether
    they said "same", and the pair's share of its decision; ``band`` the default review
    band, lower and upper. Counts below are of decisions.

    Raising is quick: when at least ``defaults.MIN_DECISIONS`` decided pairs score above
    the default and fewer than ``defaults.DECIDED_PRECISION`` of them were "same", the
    threshold rises to the lowest score above which they were. Lowering is slow: only to
    a score above which the decisions show that precision with 95 % confidence (the
    lower Wilson bound; at least 125 decisions, all "same"), since the pairs
    people decided stand for many they did not. Never below the review band; pairs of
    one score are weighed together."""
    lowest, default = band
    scored = sorted(decided, reverse=True)
    steps = []  # (score, decisions at or above it, "different" among them)
    kept = different = 0.0
    for probability, group in groupby(scored, key=lambda pair: pair[0]):
        if probability < lowest:
            break
        for _, same, share in group:
            kept += share
            different += 0.0 if same else share
        steps.append((probability, kept, different))
    target = defaults.DECIDED_PRECISION
    above = [(p, n, d) for p, n, d in steps if p >= default]
    _, count, rejected = above[-1] if above else (0.0, 0.0, 0.0)
    if count >= defaults.MIN_DECISIONS and 1 - rejected / count < target:
        safe = [p for p, n, d in above if n >= defaults.MIN_DECISIONS and 1 - d / n >= target]
        return round(min(min(safe, default=0.999), 0.999), 4)
    confident = [p for p, n, d in steps if p < default and _wilson_low(n - d, n) >= target]
    return round(min(confident), 4) if confident else None


def _wilson_low(successes: float, n: float, z: float = 1.96) -> float:
    """The lower bound of the Wilson score interval of a proportion."""
    if n == 0:
        return 0.0
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


T = TypeVar("T")


def _per_decision(pairs: Sequence[tuple[tuple[str, str], T]]) -> list[tuple[T, float]]:
    """Weigh the pairs of one decision together: accepting a possible match marks every
    pending pair between two subjects "same" (rejecting it, "different"), and twenty
    pairs of one decision must not count as twenty decisions. Decided pairs that join
    into one group share a weight of one."""
    find = components(pair for pair, _ in pairs)
    size = Counter(find(a) for (a, _), _ in pairs)
    return [(gamma, 1 / size[find(a)]) for (a, _), gamma in pairs]


Decided = tuple[tuple[str, str], list[int], bool]  # a pair, its levels, "same"


def _label_levels(linker: Any, api: Any, model: dict[str, Any],
                  labels: Sequence[Label]) -> list[Decided]:  # fmt: skip
    """Each decided pair with its level per comparison (numbered as Splink numbers them,
    from 0 for the else level up; -1 for no data) and whether a person said "same"."""
    decided = {(a, b) if a < b else (b, a): same for a, b, same, _ in labels if a != b}
    pairs = pa.table({"match_key": pa.array(["0"] * len(decided), pa.string()),
                      "join_key_l": pa.array([a for a, _ in decided], pa.string()),
                      "join_key_r": pa.array([b for _, b in decided], pa.string())})  # fmt: skip
    linker.table_management.register_blocked_pairs_for_predict(
        _register(api, pairs, "decided_pairs"))
    found = linker.inference.predict().as_pyarrow_table()
    keys = zip(found.column("unique_id_l").to_pylist(), found.column("unique_id_r").to_pylist(),
               strict=True)  # fmt: skip
    comparisons = model["comparisons"]
    weights = zip(*(found.column(f"mw_{c['output_column_name']}").to_pylist()
                    for c in comparisons), strict=True)  # fmt: skip
    out = []
    for (a, b), row in zip(keys, weights, strict=True):
        key = (a, b) if a < b else (b, a)
        same = decided.get(key)
        if same is not None:
            out.append((key, [_gamma(w, c) for w, c in zip(row, comparisons, strict=True)],
                        same))  # fmt: skip
    return out


def _level_weights(comparison: dict[str, Any]) -> list[float | None]:
    """The match weight of each level but the null one, from the most specific down."""
    out: list[float | None] = []
    for level in comparison["comparison_levels"]:
        if level.get("is_null_level"):
            continue
        m, u = level.get("m_probability"), level.get("u_probability")
        out.append(math.log2(m / u) if m and u else None)
    return out


def _gamma(weight: float | None, comparison: dict[str, Any]) -> int:
    """The level a comparison's match weight came from (Splink reports the weight; the
    predict output keeps no level number): the nearest level's, -1 for no data."""
    if weight is None or weight == 0.0:
        return -1
    levels = _level_weights(comparison)
    position = min((i for i, w in enumerate(levels) if w is not None),
                   key=lambda i: abs((levels[i] or 0.0) - weight), default=None)  # fmt: skip
    return -1 if position is None else len(levels) - 1 - position


def learn_m(model: dict[str, Any], same: Sequence[tuple[Sequence[int], float]]) -> None:
    """Move each level's m (how often true matches agree at that level) towards how
    often the pairs people called "same" fell there, each pair counted by its weight
    (its share of one decision). The model's prior counts as
    ``defaults.PRIOR_DECISIONS`` decisions, so a handful moves it a little and many
    decide it; levels nobody's pairs reached keep their share of the rest."""
    for index, comparison in enumerate(model["comparisons"]):
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        # Splink numbers levels from the most specific down to 0, the else level
        seen: dict[int, float] = defaultdict(float)
        for levels_of_pair, share in same:
            if levels_of_pair[index] >= 0:
                seen[levels_of_pair[index]] += share
        n = sum(seen.values())
        if not n:
            continue
        prior_weight = defaults.PRIOR_DECISIONS
        for position, level in enumerate(levels):
            prior = float(level.get("m_probability") or 0.0)
            found = seen[len(levels) - 1 - position]
            level["m_probability"] = max((prior_weight * prior + found) / (prior_weight + n),
                                         1e-6)  # fmt: skip


def _valid_rate(rate: Any) -> bool:
    return rate is not None and 0.0 < float(rate) < 0.5


def tf_columns(model: dict[str, Any]) -> list[str]:
    """Input columns with term-frequency adjustments in the model."""
    return sorted({lv["tf_adjustment_column"] for c in model["comparisons"]
                   for lv in c["comparison_levels"] if lv.get("tf_adjustment_column")})  # fmt: skip


def tf_comparisons(model: dict[str, Any]) -> list[str]:
    return [c["output_column_name"] for c in model["comparisons"]
            if any(lv.get("tf_adjustment_column") for lv in c["comparison_levels"])]  # fmt: skip


# groups of likely matches larger than this are not checked pair by pair for evidence
# against merging (a group of n records has n(n-1)/2 pairs)
LARGEST_CHECKED_GROUP = 300


def _details_sql(predictions: str, model: dict[str, Any], tf: set[str], where: str) -> str:
    weights = ", ".join(
        f"mw_{c} as w_{c}, {f'mw_tf_adj_{c}' if c in tf else '0.0'} as tf_{c}"
        for c in _names(model)
    )
    return f"""
        select unique_id_l as left_id, unique_id_r as right_id, match_probability,
               match_weight, {weights}, {_contradiction_sql(model)} as contradicts
        from {predictions} where {where}
    """


def _names(model: dict[str, Any]) -> list[str]:
    return [c["output_column_name"] for c in model["comparisons"]]


def _contradiction_sql(model: dict[str, Any]) -> str:
    """True where a pair fell in a level that says two parties (``defaults.CONTRADICTIONS``:
    full dates of birth in different years) and in none that identifies one
    (``defaults.IDENTIFYING``)."""
    against = _at_levels(model, lambda name, position, label: label in defaults.CONTRADICTIONS)
    if not against:
        return "false"
    one = _at_levels(model, lambda name, position, label:
                     position < defaults.IDENTIFYING.get(name, 0))  # fmt: skip
    identified = f" AND NOT ({' OR '.join(one)})" if one else ""
    return f"(({' OR '.join(against)}){identified})"


def _at_levels(model: dict[str, Any], wanted: Callable[[str, int, str], bool]) -> list[str]:
    """SQL conditions, one per level ``wanted`` picks (by comparison name, position among
    the non-null levels and chart label), true where a pair fell in that level. Splink's
    output keeps each comparison's match weight, not its level: the level is the one of
    that weight, as in ``_gamma``; a level that weighs the same as another is skipped."""
    found = []
    for comparison in model["comparisons"]:
        name = comparison["output_column_name"]
        weights = _level_weights(comparison)
        levels = [lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")]
        for position, (level, weight) in enumerate(zip(levels, weights, strict=True)):
            label = str(level.get("label_for_charts", ""))
            if weight is None or not wanted(name, position, label):
                continue
            if sum(1 for w in weights if w is not None and abs(w - weight) < TIE) > 1:
                log.warning("%s: another level weighs the same as %r; not told apart",
                            name, label)  # fmt: skip
                continue
            found.append(f"abs(mw_{name} - ({weight!r})) < {TIE}")
    return found


# match weights closer than this are one level's (Splink and Python compute log2(m/u))
TIE = 1e-6


def _groups(pairs: pa.Table, upper: float) -> dict[str, list[str]]:
    """Connected components of the pairs at or above ``upper`` (representative -> members)."""
    strong = pairs.filter(pc.greater_equal(pairs.column("match_probability"), upper))
    edges = list(zip(strong.column("left_id").to_pylist(),
                     strong.column("right_id").to_pylist(), strict=True))  # fmt: skip
    find = components(edges)
    groups: dict[str, list[str]] = {}
    for node in {n for edge in edges for n in edge}:
        groups.setdefault(find(node), []).append(node)
    return groups


def _within_group_pairs(groups: dict[str, list[str]], known: pa.Table) -> pa.Table:
    """Every pair inside a group of likely matches that blocking did not already score."""
    seen = set(zip(known.column("left_id").to_pylist(), known.column("right_id").to_pylist(),
                   strict=True))  # fmt: skip
    left: list[str] = []
    right: list[str] = []
    for members in groups.values():
        if not 3 <= len(members) <= LARGEST_CHECKED_GROUP:
            continue
        ordered = sorted(members)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                if (a, b) not in seen and (b, a) not in seen:
                    left.append(a)
                    right.append(b)
    return pa.table({"match_key": pa.array(["0"] * len(left), pa.string()),
                     "join_key_l": pa.array(left, pa.string()),
                     "join_key_r": pa.array(right, pa.string())})  # fmt: skip


# inside a group of likely matches, a pair below the review band counts against a merge
# when its fields disagree by this much (match weight of the disagreeing comparisons):
# two records that say little (a name, nothing else) are not evidence against
DISAGREEMENT = -4.0


def _scored(linker: Any, api: Any, predictions: Sequence[Any], model: dict[str, Any],
            thresholds: tuple[float, float], known: Sequence[tuple[str, str, float]] = (),
            new_ids: set[str] | None = None) -> pa.Table:  # fmt: skip
    """The likely pairs, and the evidence against merging inside each group that likely
    pairs join: every pair of such a group is scored, not only the blocked ones, and one
    whose fields disagree is kept however low it scores, so a chain of likely links (a
    father and his son, each linked to a record that gives no date of birth) cannot
    hide two records that differ: clustering averages over them. An incremental run
    passes the likely pairs stored before (``known``: left, right, probability) and
    its new records: groups are formed over both, as a full run
    forms them, and only those holding a new record are checked again."""
    low, upper = thresholds
    comparisons = _names(model)
    tf = set(tf_comparisons(model))
    kept = pa.concat_tables(
        [linker.misc.query_sql(_details_sql(p.physical_name, model, tf,
                                            f"match_probability >= {low}")).as_pyarrow_table()
         for p in predictions], promote_options="permissive")  # fmt: skip
    links = kept.select(["left_id", "right_id", "match_probability"]).cast(_LINKS)
    if known:
        columns = list(zip(*known, strict=True))
        links = pa.concat_tables([links, pa.Table.from_arrays(
            [pa.array(c, f.type) for c, f in zip(columns, _LINKS, strict=True)],
            schema=_LINKS)])  # fmt: skip
    groups = _groups(links, upper)
    if new_ids is not None:
        groups = {k: m for k, m in groups.items() if not new_ids.isdisjoint(m)}
    extra = _within_group_pairs(groups, links)
    parts = [kept]
    if extra.num_rows:
        frame = _register(api, extra, "group_pairs")
        linker.table_management.register_blocked_pairs_for_predict(frame)
        scored = linker.inference.predict()
        conflict = " + ".join(f"least(mw_{c}, 0)" for c in comparisons)
        where = f"match_probability < {low} AND {conflict} <= {DISAGREEMENT}"
        against = _details_sql(scored.physical_name, model, tf, where)
        parts.append(linker.misc.query_sql(against).as_pyarrow_table())
    return _detail_column(pa.concat_tables(parts, promote_options="permissive"), comparisons)


_LINKS = pa.schema([("left_id", pa.string()), ("right_id", pa.string()),
                    ("match_probability", pa.float64())])  # fmt: skip


def _number(column: pa.ChunkedArray) -> pa.ChunkedArray:
    values = pc.fill_null(pc.cast(column, pa.float64()), 0.0)
    finite = pc.if_else(pc.is_finite(values), values, 0.0)
    return pc.cast(pc.round(finite, 3), pa.string())


def _detail_column(table: pa.Table, comparisons: list[str]) -> pa.Table:
    """Fold per-comparison (match weight, term-frequency adjustment) columns into one
    JSON text per pair, ``[[w, tf], ...]``, without a Python loop over pairs."""
    parts: list[Any] = ["["]
    for i, c in enumerate(comparisons):
        parts += [("," if i else "") + "[", _number(table.column(f"w_{c}")), ",",
                  _number(table.column(f"tf_{c}")), "]"]  # fmt: skip
    parts.append("]")
    arrays = [pa.array([p] * table.num_rows, pa.string()) if isinstance(p, str) else p
              for p in parts]  # fmt: skip
    detail = pc.binary_join_element_wise(*arrays, "")
    base = table.select(["left_id", "right_id", "match_probability", "match_weight"])
    contradicts = pc.fill_null(pc.cast(table.column("contradicts"), pa.bool_()), False)
    return base.append_column("detail", detail).append_column("contradicts", contradicts)


def predict(
    model: dict[str, Any],
    group: str,
    table: pa.Table,
    engine: str,
    thresholds: tuple[float, float],
    new_ids: set[str] | None = None,
    known: Sequence[tuple[str, str, float]] = (),
) -> pa.Table:
    """Score candidate pairs. With ``new_ids`` only pairs that involve a new record are
    scored (new against new, new against existing), not the whole table again, and
    ``known`` holds the likely pairs stored before (see ``_scored``)."""
    api = _db_api(engine)
    table = prepare(table, group)
    model = defaults.for_dialect(model, group, engine)
    if new_ids is None:
        frame = _register(api, table, "records")
        linker = _linker(api, frame, model)
        _register_frequencies(api, linker, table, model, group)
        predictions = linker.inference.predict(threshold_match_probability=thresholds[0])
        return _scored(linker, api, [predictions], model, thresholds)
    is_new = pc.is_in(table.column("unique_id"), value_set=pa.array(sorted(new_ids)))
    frame = _register(api, table, "records")
    new = _register(api, table.filter(is_new), "new_records")
    old = _register(api, table.filter(pc.invert(is_new)), "old_records")
    linker = _linker(api, frame, model)
    _register_frequencies(api, linker, table, model, group)
    low = thresholds[0]
    parts = [linker.inference.predict_within(new, threshold_match_probability=low)]
    if old.as_pyarrow_table(limit=1).num_rows:
        parts.append(linker.inference.predict_between(new, old, threshold_match_probability=low))
    return _scored(linker, api, parts, model, thresholds, known, new_ids)
