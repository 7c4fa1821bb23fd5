"""Which list entries a subject is compared with, and the comparisons themselves.

Comparing every subject with every entry (100,000 by 20,000: two billion pairs) is
out of reach, so entries are indexed by the keys of their name words: each word folded
for spelling and its sound (metaphone), and each identifier. A subject is compared with
the entries that share two keys with it (one, where either has a one-word name, and
always when they share an identifier). A word key held by more than ``COMMON`` entries
("mohammed", "al") is not used to find candidates: it still counts in the comparison.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache, partial

from casegraph.leads.matching import RARE, Fit, Match, compare, name_fit, name_keys
from casegraph.leads.parties import Party

COMMON = 2_000
REFERENCE = 8_000  # entries a word's rarity is measured against, at least (a short list
# says nothing of how common a word is: each of its words counts as rare)


def party_keys(party: Party) -> set[str]:
    return {k for tokens in party.tokens for k in name_keys(tokens)}


def _one_word(party: Party) -> bool:
    return any(len(tokens) == 1 for tokens in party.tokens)


@dataclass(frozen=True)
class Found:
    entry: Party
    match: Match


class ListIndex:
    """The entries of a list, by the keys of their names and their identifiers."""

    def __init__(self, entries: Sequence[Party]) -> None:
        self.entries = list(entries)
        self.by_id = {e.id: e for e in self.entries}
        postings: dict[str, list[int]] = defaultdict(list)
        self.ids: dict[str, list[int]] = defaultdict(list)
        for n, entry in enumerate(self.entries):
            for key in party_keys(entry):
                postings[key].append(n)
            for ident in entry.identifiers:
                self.ids[ident].append(n)
        self.postings = {k: v for k, v in postings.items() if len(v) <= COMMON}
        self.one_word = [_one_word(e) for e in self.entries]
        holders = Counter(t for e in self.entries for t in {t for n in e.tokens for t in n})
        total = max(len(self.entries), REFERENCE)
        self.information = {t: min(RARE, max(1.0, math.log(total / n))) for t, n in holders.items()}
        # a common name meets the same aliases again and again: its fits are kept, as long
        # as the index lives
        self.fit: Fit = lru_cache(maxsize=300_000)(partial(name_fit, rarity=self.rarity))

    def rarity(self, word: str) -> float:
        """How much agreeing on ``word`` tells: ln(entries / entries holding it)."""
        return self.information.get(word, RARE)

    def __len__(self) -> int:
        return len(self.entries)

    def candidates(self, subject: Party) -> list[int]:
        counts: Counter[int] = Counter()
        for key in party_keys(subject):
            counts.update(self.postings.get(key, ()))
        short = _one_word(subject)
        chosen = {n for n, shared in counts.items()
                  if shared >= 2 or short or self.one_word[n]}  # fmt: skip
        for ident in subject.identifiers:
            chosen.update(self.ids.get(ident, ()))
        return sorted(chosen)

    def screen(
        self, subject: Party, threshold: float, same: Iterable[str] = ()
    ) -> tuple[list[Found], int]:
        """The entries at or above ``threshold`` for ``subject`` (and how many pairs
        were compared); ``same``: entries resolved into the subject itself."""
        alike = set(same)
        found = []
        chosen = self.candidates(subject)
        chosen_ids = {self.entries[n].id for n in chosen}
        pairs = [(self.entries[n], False) for n in chosen]
        pairs += [(self.by_id[i], True) for i in alike if i in self.by_id and i not in chosen_ids]
        for entry, _ in pairs:
            if entry.group != subject.group:
                continue
            match = compare(subject, entry, entry.id in alike, self.rarity, self.fit)
            if match.score >= threshold:
                found.append(Found(entry, match))
        return found, len(pairs)
