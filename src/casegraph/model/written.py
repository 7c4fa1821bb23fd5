"""What counts of a text a person must write (a justification, a reason, a legal basis):
the characters that show. Zero-width and other format characters, controls, spaces and
separators, and the blank letters some scripts have, can make a long text that says
nothing; they are not counted."""

from __future__ import annotations

import unicodedata

# letters and symbols that draw nothing (Hangul fillers, the blank Braille pattern)
BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def shows(char: str) -> bool:
    """Whether ``char`` draws something of its own: not whitespace, not a separator
    (Z*), not a control, format, surrogate, private or unassigned code point (C*), not
    a combining mark (M*, drawn on the character before it) and not a blank letter."""
    return (
        not char.isspace()
        and unicodedata.category(char)[0] not in "CZM"
        and char not in BLANK
    )


def visible_length(text: str | None) -> int:
    """How many characters of ``text`` show (see ``shows``)."""
    return sum(1 for char in text or "" if shows(char))
