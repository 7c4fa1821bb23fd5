"""Display strings of derived rows (a subject's caption, an edge's label), cut to a
length that an index entry can hold: they are read from covering indexes, and
PostgreSQL refuses an index entry over about 2,700 bytes. The statements they come from
keep the whole text."""

from __future__ import annotations

DISPLAY_MAX = 200  # characters
CUT = "\u2026"


def cut(text: str) -> str:
    """``text``, or its first ``DISPLAY_MAX - 1`` characters and an ellipsis."""
    return text if len(text) <= DISPLAY_MAX else text[: DISPLAY_MAX - 1] + CUT
