"""Turning scored pairs and stored judgements into clusters (pure, no I/O)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import pyarrow as pa

from casegraph.model.clock import utcnow
from casegraph.resolve import explain as words_of
from casegraph.resolve.cluster import MUST, Clustering, Pair
from casegraph.resolve.extract import ORGANISATION, PERSON
from casegraph.resolve.model import DECISIONS_KEY
from casegraph.store.resolution import Judgement, pair_key


@dataclass(frozen=True)
class Thresholds:
    """Above ``upper`` the model merges on its own; between the two a person reviews;
    below ``lower`` a pair inside a group of likely matches is evidence against."""

    upper: float
    lower: float

    @property
    def upper_weight(self) -> float:
        return math.log2(self.upper / (1 - self.upper))


# chosen once on the benchmark table (docs/resolve.md): person records share names,
# households share addresses and phones, so the person model needs more evidence;
# organisation names are distinctive and their model's scores run low
THRESHOLDS = {PERSON: Thresholds(upper=0.9, lower=0.4), ORGANISATION: Thresholds(0.2, 0.05)}


def thresholds_of(group: str, model: dict[str, Any] | None) -> Thresholds:
    """The group's thresholds: the defaults, with the upper one where people's decisions
    moved it when the model was last trained on them."""
    default = THRESHOLDS[group]
    learnt = (model or {}).get(DECISIONS_KEY, {}).get("upper")
    return default if learnt is None else replace(default, upper=float(learnt))


def verdict(probability: float, t: Thresholds) -> str:
    if probability >= t.upper:
        return "positive"
    if probability >= t.lower:
        return "unsure"
    return "negative"


def model_rows(
    pairs: pa.Table, group: str, sources: dict[str, str], t: Thresholds, actor: str
) -> Iterator[tuple[Any, ...]]:
    """Scored pairs as judgement rows (``store.resolution.JUDGEMENT_COLUMNS`` order)."""
    now = utcnow()
    names = ("left_id", "right_id", "match_probability", "match_weight", "detail")
    columns = [pairs.column(c).to_pylist() for c in names]
    for a, b, probability, weight, detail in zip(*columns, strict=True):
        pair, left, right = pair_key(a, b)
        yield (pair, "model", left, right, sources[left], sources[right], group,
               verdict(probability, t), probability, weight, detail, actor, None, now)  # fmt: skip


SAME_RECORD = "named in the same source record"
CONTRADICTED = "their records contradict each other (full dates of birth in different years)"


def record_judgements(
    cannot: Iterable[tuple[str, str]], group_of: dict[str, str], sources: dict[str, str],
    actor: str, reason: str = SAME_RECORD,
) -> Iterator[Judgement]:  # fmt: skip
    """Two entities the records themselves tell apart (named in one source record, or
    stating what one party cannot: ``reason``) are different entities."""
    for a, b in cannot:
        if a not in group_of or group_of.get(a) != group_of.get(b):
            continue
        pair, left, right = pair_key(a, b)
        yield Judgement(pair, "record", left, right, sources[left], sources[right],
                        group_of[a], "negative", None, None, None, actor, reason)  # fmt: skip


def contradicting(pairs: pa.Table) -> list[tuple[str, str]]:
    """The scored pairs that fell in a level saying two parties (``model.CONTRADICTIONS``)."""
    if "contradicts" not in pairs.column_names:
        return []
    hit = pairs.filter(pairs.column("contradicts"))
    return list(zip(hit.column("left_id").to_pylist(), hit.column("right_id").to_pylist(),
                    strict=True))  # fmt: skip


def clusters(
    nodes: Iterable[str], rows: Iterable[tuple[str, str, str, str, float]], t: Thresholds
) -> dict[str, list[str]]:
    """Cluster from stored judgements: (left, right, origin, judgement, weight)."""
    user: dict[tuple[str, str], str] = {}
    machine: list[tuple[str, str, str, str, float]] = []
    for row in rows:
        if row[2] == "user":
            user[(row[0], row[1])] = row[3]
        else:
            machine.append(row)
    pairs: list[Pair] = []
    soft: list[tuple[str, str]] = []
    hard: list[tuple[str, str]] = []
    for (a, b), decision in user.items():
        if decision == "positive":
            pairs.append(Pair(a, b, MUST))
        elif decision == "negative":
            hard.append((a, b))
    for left, right, origin, _, weight in machine:
        if (left, right) in user:
            continue  # a person decided this pair: the model's view no longer counts
        if origin == "record":
            soft.append((left, right))
        else:
            pairs.append(Pair(left, right, weight))
    c = Clustering(t.upper_weight)
    c.add_nodes(nodes)
    return c.run(pairs, soft, hard)


def explain(detail: list[list[float]] | None, labels: list[dict[str, Any]],
            prior: float) -> dict[str, Any]:  # fmt: skip
    """The waterfall: the prior, then each comparison's level and match weight (with its
    term-frequency adjustment), then the total and the probability. Each step in words
    too (``explain.WORDS``): ``label`` names the comparison, ``words`` its level; the
    raw Splink names stay in ``comparison`` and ``level``."""
    steps = []
    total = prior
    for (weight, tf), comparison in zip(detail or [], labels, strict=False):
        name = comparison["name"]
        level = _level(weight, comparison["levels"])
        if level is None:
            raw, key = "no data", ""
        else:
            raw, key = str(level["label"]), str(level.get("key", level["label"]))
        words = words_of.phrase(name, key) if key else "nothing to compare"
        steps.append({"comparison": name, "level": raw, "weight": weight, "tf_adjustment": tf,
                      "label": words_of.comparison_label(name), "words": words})  # fmt: skip
        total += weight + tf
    probability = 2**total / (1 + 2**total)
    return {"prior": prior, "steps": steps, "match_weight": total, "probability": probability}


def _level(weight: float, levels: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The level whose weight this is (Splink reports weights, not level numbers); None
    for no data on one side."""
    candidates = [lv for lv in levels if lv["weight"] is not None]
    if weight == 0.0 and any(lv["null"] for lv in levels):
        return next((lv for lv in levels if lv["null"]), None)
    if not candidates:
        return None
    return min(candidates, key=lambda lv: abs(lv["weight"] - weight))


def with_keys(labels: list[dict[str, Any]], model: dict[str, Any]) -> list[dict[str, Any]]:
    """``labels`` (``model.comparison_labels``) with each level's key in ``explain.WORDS``."""
    for comparison, stored in zip(labels, model["comparisons"], strict=True):
        for level, key in zip(comparison["levels"], words_of.level_keys(stored), strict=True):
            level["key"] = key
    return labels
