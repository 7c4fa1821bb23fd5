"""Value cleaning through FtM's property types, memoised.

Source data repeats itself (the same countries, cities, dates and names on many
rows), and FtM's cleaners (phone numbers, dates, e-mail domains) dominate ingest
time. Cleaning is a pure function of (type, text, fuzzy, format), so a bounded
memo gives the same result faster.
"""

from __future__ import annotations

from followthemoney.types.common import PropertyType

MAX_MEMO = 200_000


class Cleaner:
    def __init__(self) -> None:
        self._memo: dict[tuple[str, str, bool, str | None], str | None] = {}

    def clean(
        self, ptype: PropertyType, text: str, fuzzy: bool = False, format: str | None = None
    ) -> str | None:
        key = (ptype.name, text, fuzzy, format)
        try:
            return self._memo[key]
        except KeyError:
            pass
        value = ptype.clean_text(text, fuzzy=fuzzy, format=format)
        if len(self._memo) >= MAX_MEMO:
            self._memo.clear()
        self._memo[key] = value
        return value
