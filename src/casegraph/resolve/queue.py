"""The order of the review queue (pure, no I/O).

An item is worth a person's time in proportion to how much one decision changes, and
how little the model can settle it alone:

    priority = records moved x uncertainty

*Records moved*: the size, in records the reader sees, of the smaller side; accepting
moves that many records into the other subject, rejecting keeps that many apart from
it, so a decision about a subject of seven records outweighs one about a single
record. *Uncertainty*: 1 - |2p - 1|, with p the probability of the item's strongest
pair: 1 for a coin toss, falling to 0 as the model nears certainty either way. Ties
go to the item with more pending pairs (one decision settles them all), then the
likelier, then the item id, so that the order is stable from one page to the next.
"""

from __future__ import annotations

from collections.abc import Iterable

from casegraph.store.resolution import ReviewItem


def uncertainty(probability: float) -> float:
    return 1.0 - abs(2.0 * probability - 1.0)


def moved(item: ReviewItem) -> int:
    return min(item.left_records, item.right_records)


def priority(item: ReviewItem) -> float:
    return moved(item) * uncertainty(item.probability)


def ranked(items: Iterable[ReviewItem]) -> list[ReviewItem]:
    """``items``, the most worth deciding first."""
    return sorted(items, key=lambda i: (-round(priority(i), 9), -i.pairs, -i.probability, i.id))
