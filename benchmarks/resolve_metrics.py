"""Pairwise and B-cubed precision/recall/F1 of a clustering against ground truth.

Pair counts come from the contingency table (cluster sizes), never by enumerating the
pairs of large clusters. Only records present in both labelings are scored.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def scores(truth: Mapping[str, Hashable], found: Mapping[str, Hashable]) -> dict[str, float]:
    keys = [k for k in truth if k in found]
    both = Counter((truth[k], found[k]) for k in keys)
    true_sizes = Counter(truth[k] for k in keys)
    found_sizes = Counter(found[k] for k in keys)
    tp = sum(_pairs(n) for n in both.values())
    true_pairs = sum(_pairs(n) for n in true_sizes.values())
    found_pairs = sum(_pairs(n) for n in found_sizes.values())
    precision = tp / found_pairs if found_pairs else 1.0
    recall = tp / true_pairs if true_pairs else 1.0
    # B-cubed: per record, the share of its predicted cluster that is truly its, and back
    b3_p = sum(n * n / found_sizes[f] for (_, f), n in both.items()) / max(len(keys), 1)
    b3_r = sum(n * n / true_sizes[t] for (t, _), n in both.items()) / max(len(keys), 1)
    return {
        "precision": precision, "recall": recall, "f1": _f1(precision, recall),
        "b3_precision": b3_p, "b3_recall": b3_r, "b3_f1": _f1(b3_p, b3_r),
        "records": len(keys),
    }  # fmt: skip


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def _selftest() -> None:
    truth = {"a": 1, "b": 1, "c": 1, "d": 2}
    found = {"a": "x", "b": "x", "c": "y", "d": "y"}
    s = scores(truth, found)
    assert (s["precision"], s["recall"]) == (0.5, 1 / 3), s
    assert abs(s["b3_precision"] - (1 + 1 + 0.5 + 0.5) / 4) < 1e-9
    assert abs(s["b3_recall"] - (2 / 3 + 2 / 3 + 1 / 3 + 1) / 4) < 1e-9
    assert scores(truth, truth)["f1"] == 1.0


if __name__ == "__main__":
    _selftest()
    print("ok")
