"""Pairwise and B-cubed precision/recall/F1 of a clustering against ground truth.

Pair counts come from the contingency table (cluster sizes), never by enumerating the
pairs of large clusters. ``python benchmarks/resolve_metrics.py`` checks them on a
hand-worked example.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    b3_precision: float
    b3_recall: float
    b3_f1: float


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def score(predicted: dict[str, str], truth: dict[str, str]) -> Scores:
    """Pairwise and B-cubed scores of a clustering, from the contingency table.

    ``truth`` maps every record to its true cluster; ``predicted`` maps records to
    predicted clusters, and a record it lacks is a cluster of its own.
    """
    cells = Counter((predicted.get(key, f"\0{key}"), label) for key, label in truth.items())
    sizes_pred = Counter[str]()
    sizes_true = Counter[str]()
    for (pred, label), n in cells.items():
        sizes_pred[pred] += n
        sizes_true[label] += n
    together = sum(_pairs(n) for n in cells.values())
    pred_pairs = sum(_pairs(n) for n in sizes_pred.values())
    true_pairs = sum(_pairs(n) for n in sizes_true.values())
    precision = together / pred_pairs if pred_pairs else 1.0
    recall = together / true_pairs if true_pairs else 1.0
    total = len(truth)
    b3_p = sum(n * n / sizes_pred[p] for (p, _), n in cells.items()) / total
    b3_r = sum(n * n / sizes_true[t] for (_, t), n in cells.items()) / total
    return Scores(precision, recall, _f1(precision, recall), b3_p, b3_r, _f1(b3_p, b3_r))


def selftest() -> None:
    truth = {"a": "1", "b": "1", "c": "1", "d": "2", "e": "2"}
    got = score({"a": "x", "b": "x", "c": "y", "d": "y", "e": "z"}, truth)
    # pairs: true {ab, ac, bc, de}, predicted {ab, cd}; only ab is right
    assert math.isclose(got.precision, 1 / 2) and math.isclose(got.recall, 1 / 4)
    assert math.isclose(got.f1, 1 / 3)
    # B-cubed per record: precision 1, 1, 1/2, 1/2, 1; recall 2/3, 2/3, 1/3, 1/2, 1/2
    assert math.isclose(got.b3_precision, 4 / 5) and math.isclose(got.b3_recall, 8 / 15)
    assert math.isclose(got.b3_f1, 2 * (4 / 5) * (8 / 15) / (4 / 5 + 8 / 15))
    perfect = score({k: f"c{v}" for k, v in truth.items()}, truth)
    assert perfect == Scores(1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
    alone = score({}, truth)  # records missing from the prediction are singletons
    assert (alone.precision, alone.recall, alone.f1) == (1.0, 0.0, 0.0)
    assert alone.b3_precision == 1.0 and math.isclose(alone.b3_recall, (3 * 1 / 3 + 2 / 2) / 5)
    big = {str(i): "t" for i in range(100_000)}  # one huge cluster: no pair enumeration
    assert score({k: "p" for k in big}, big).f1 == 1.0



if __name__ == "__main__":
    selftest()
    print("selftest: metrics ok")
