"""Stretches of a text as (start, end) offsets."""

from __future__ import annotations

import bisect
from collections.abc import Sequence


def free_at(taken: Sequence[tuple[int, int]], start: int, end: int) -> int | None:
    """Where (``start``, ``end``) goes among ``taken`` (sorted, none overlapping) if it
    overlaps none of them; None if it does."""
    at = bisect.bisect_left(taken, (start, end))
    if (at and taken[at - 1][1] > start) or (at < len(taken) and taken[at][0] < end):
        return None
    return at
