"""How text becomes search tokens; the same on both stores, so both match alike."""

from __future__ import annotations

from functools import lru_cache

from casegraph.resolve.standardise import clean_text

MAX_TERM = 64


@lru_cache(maxsize=200_000)
def tokens(value: str) -> tuple[str, ...]:
    """ASCII, lower-case word tokens ("Müller-Lüdenscheidt" -> muller, ludenscheidt)."""
    return tuple(t[:MAX_TERM] for t in clean_text(value).split())
