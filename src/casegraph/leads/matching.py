"""How alike a subject and a list entry are: a score in 0..1 and a reason per feature.

Each feature adds a weight to the log-odds that the two are the same party, as a
Fellegi-Sunter model does, and the score is the logistic of the sum. Evidence adds up
without piling at 1.0: an exact name with the same birth date and passport ranks above
an exact name alone, and both above a close spelling. The weights:

* name: the best pair of names (aliases included), compared word by word in any order.
  Each word of the shorter name is matched to its most alike word of the longer one
  (edit distance after folding, romanisations of one sound written one way; same sound
  counts as close). Words weigh by how rare they are on the list: the similarity is
  mostly how much of the shorter name is found, less how much of the longer one, and an
  exact name weighs from 0 (the commonest words, "Mohammed Ali") to 3 (rare words) by
  the information its words carry. A one-word name against a longer one stays low: a
  surname alone identifies no one.
* birth date: the same day; the same as far as both are known; the same day and month
  with the year one off (a typing error); years one apart where one side knows only the
  year (neutral); or a conflict.
* identifiers (passport, tax, registration numbers): the same one is strong evidence,
  and bounds how much a different name counts against (a party renamed keeps its
  numbers); different ones say nothing, since parties hold several.
* countries (nationality, residence, jurisdiction, an address's country) and address.
* a name with nothing else to compare counts a little less: most people who share a
  name are different people.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from followthemoney.types import registry
from rapidfuzz.distance import Levenshtein

from casegraph.leads.parties import Party
from casegraph.resolve import standardise as std

NAME_AT_ONE = 3.0  # log-odds of an exact name of rare words (at most)
NAME_FLOOR = 0.0  # ... and of an exact name of the commonest words (at least)
NAME_BASE, NAME_PER_NAT = -3.0, 0.4  # between them: by the information the words carry
NAME_SLOPE = 15.0  # log-odds lost per unit of name similarity below 1 (1.5 per 0.1)
RARE = 9.0  # the information (nats) of a word no list entry has
NAME_ONLY = -0.5  # a name with nothing else to compare (birth date, country, number)
LOWEST_NAME = -6.0
ONE_WORD_CAP = 0.75  # a one-word name against a longer one
CLOSE_WORD = 0.7  # a word less alike than this is not found in the other name
SHORT_SHARE = 0.8  # how much of the similarity is the shorter name found in the longer
RENAMED = -2.0  # the least a name weighs beside a shared identifier


@dataclass(frozen=True)
class Evidence:
    feature: str  # name | birth date | identifier | country | address | resolution
    weight: float  # log-odds added
    words: str  # the reason, for a person to read

    def to_dict(self) -> dict[str, object]:
        return {"feature": self.feature, "weight": round(self.weight, 2), "words": self.words}


@dataclass(frozen=True)
class Match:
    score: float
    evidence: tuple[Evidence, ...]

    @property
    def strength(self) -> tuple[float, int]:
        """What breaks a tie of scores: the strongest evidence besides the name, then
        how many features agree."""
        others = [e.weight for e in self.evidence if e.feature != "name"]
        return (max(others, default=0.0), sum(1 for e in self.evidence if e.weight > 0))


Rarity = Callable[[str], float]  # a word's information in nats: ln(entries / holders)


def uniform(word: str) -> float:
    return RARE


# how one sound is written in the romanisations of Arabic, Korean, Cyrillic, Spanish ...
_SPELLINGS = (("dj", "j"), ("dzh", "j"), ("zh", "j"), ("kh", "h"), ("ou", "u"), ("oo", "u"),
              ("ee", "i"), ("y", "i"), ("q", "k"), ("w", "v"), ("ph", "f"), ("c", "k"))  # fmt: skip


@lru_cache(maxsize=500_000)
def spelling(word: str) -> str:
    """``word`` with the romanisations of one sound written one way (Housayn and
    Husayn, Djesus and Jesus, Sou and Su agree)."""
    for written, one in _SPELLINGS:
        word = word.replace(written, one)
    return word


@lru_cache(maxsize=1_000_000)
def word_similarity(a: str, b: str) -> float:
    if a == b:
        return 1.0
    if len(a) == 1 or len(b) == 1:  # an initial
        return 0.7 if a[0] == b[0] else 0.0
    if spelling(a) == spelling(b):
        return 0.95
    similar = max(
        Levenshtein.normalized_similarity(a, b),
        Levenshtein.normalized_similarity(spelling(a), spelling(b)) - 0.05,
    )
    if (similar >= 0.5 and min(len(a), len(b)) >= 3 and a[0] == b[0]
            and std.phonetic(a) == std.phonetic(b)):  # fmt: skip
        similar = max(similar, 0.9)
    return similar


@dataclass(frozen=True)
class NameFit:
    similarity: float
    information: float  # nats of the words found
    left: str  # as written
    right: str
    missing: int  # words of the longer name not found in the shorter
    respelled: tuple[tuple[str, str], ...]  # words found in another spelling
    reordered: bool


def name_fit(
    left: tuple[str, ...], right: tuple[str, ...], rarity: Rarity = uniform
) -> tuple[float, float, int, tuple[tuple[str, str], ...], bool]:
    """(similarity, information found, words of the longer not found, respelled pairs,
    order differs). Words weigh by their information: a name agreeing on its rare words
    is more alike than one agreeing on "mohammed" and "al"."""
    short, long_ = (left, right) if len(left) <= len(right) else (right, left)
    pairs = sorted(
        ((word_similarity(a, b), i, j) for i, a in enumerate(short) for j, b in enumerate(long_)),
        reverse=True,
    )
    used_s: dict[int, tuple[int, float]] = {}
    used_l: set[int] = set()
    for similar, i, j in pairs:
        if similar < CLOSE_WORD or i in used_s or j in used_l:
            continue
        used_s[i] = (j, similar)
        used_l.add(j)
    weight_s = [rarity(t) for t in short]
    weight_l = [rarity(t) for t in long_]
    found = sum(weight_s[i] * s for i, (_, s) in used_s.items())
    found_short = found / (sum(weight_s) or 1)
    found_long = sum(weight_l[j] * s for j, s in used_s.values()) / (sum(weight_l) or 1)
    similarity = SHORT_SHARE * found_short + (1 - SHORT_SHARE) * found_long
    if len(short) == 1 and len(long_) > 1:
        similarity = min(similarity, ONE_WORD_CAP)
    respelled = tuple((short[i], long_[j]) for i, (j, s) in used_s.items() if s < 1.0)
    order = [j for _, (j, _) in sorted(used_s.items())]
    return similarity, found, len(long_) - len(used_l), respelled, order != sorted(order)


@lru_cache(maxsize=500_000)
def word_keys(word: str) -> tuple[str, ...]:
    """What a word is found by: itself, its romanisation written one way, its sound."""
    if len(word) < 2:
        return ()
    keys = [word, spelling(word)]
    if word.isalpha():
        keys.append("~" + std.phonetic(word))
    return tuple(keys)


@lru_cache(maxsize=500_000)
def name_keys(tokens: tuple[str, ...]) -> frozenset[str]:
    return frozenset(k for t in tokens for k in word_keys(t))


Fit = Callable[
    [tuple[str, ...], tuple[str, ...]], tuple[float, float, int, tuple[tuple[str, str], ...], bool]
]


def best_name(
    subject: Party, entry: Party, rarity: Rarity = uniform, fit: Fit | None = None
) -> NameFit:
    """The most alike pair of the two parties' names; pairs of names that share no word
    key are not compared when another pair does (an entry's aliases are many)."""
    every = [(ln, lt, rn, rt) for ln, lt in zip(subject.names, subject.tokens, strict=True)
             for rn, rt in zip(entry.names, entry.tokens, strict=True)]  # fmt: skip
    pairs = [p for p in every if name_keys(p[1]) & name_keys(p[3])] or every
    best: NameFit | None = None
    for left_name, left, right_name, right in pairs:
        similarity, information, missing, respelled, reordered = (
            fit(left, right) if fit is not None else name_fit(left, right, rarity)
        )
        if best is None or (similarity, information) > (best.similarity, best.information):
            best = NameFit(similarity, information, left_name, right_name, missing,
                           respelled, reordered)  # fmt: skip
    assert best is not None
    return best


def name_weight(similarity: float, information: float) -> float:
    """The log-odds of a name: by how much of it agrees and how rare its words are."""
    top = min(NAME_AT_ONE, max(NAME_FLOOR, NAME_BASE + NAME_PER_NAT * information))
    return max(LOWEST_NAME, top - (1.0 - similarity) * NAME_SLOPE)


def _name_evidence(fit: NameFit) -> Evidence:
    weight = name_weight(fit.similarity, fit.information)
    quoted = f"“{fit.left}” and “{fit.right}”"
    notes = []
    if fit.reordered:
        notes.append("words in another order")
    if fit.respelled:
        notes.append("spelled differently: " + ", ".join(f"{a}/{b}" for a, b in fit.respelled))
    if fit.missing:
        notes.append(f"{fit.missing} word{'s' if fit.missing > 1 else ''} of the longer "
                     "name not in the other")  # fmt: skip
    if weight < NAME_AT_ONE and fit.similarity >= 0.9:
        notes.append("common words")
    if fit.similarity == 1.0 and not notes:
        words = f"same name: {quoted}"
    else:
        words = f"names {fit.similarity:.0%} alike: {quoted}"
        if notes:
            words += " (" + "; ".join(notes) + ")"
    return Evidence("name", weight, words)


def _year(day: str) -> int:
    return int(day[:4])


def _birth_evidence(left: set[str], right: set[str]) -> Evidence | None:
    if not left or not right:
        return None
    best: Evidence | None = None
    for a in sorted(left):
        for b in sorted(right):
            found = _compare_dates(a, b)
            if best is None or found.weight > best.weight:
                best = found
    return best


def _compare_dates(a: str, b: str) -> Evidence:
    shared = min(len(a), len(b))
    if a[:shared] == b[:shared]:
        if shared >= 10:
            return Evidence("birth date", 3.0, f"same birth date: {a}")
        return Evidence("birth date", 0.7 if shared == 4 else 1.5,
                        f"birth dates agree as far as both are known: {a} and {b}")  # fmt: skip
    apart = abs(_year(a) - _year(b))
    if apart == 1:
        if shared > 4 and a[4:shared] == b[4:shared]:  # a typing error in the year?
            return Evidence(
                "birth date",
                1.0 if shared >= 10 else 0.5,
                f"same day and month, years one apart: {a} and {b}"
                if shared >= 10
                else f"same month, years one apart: {a} and {b}",
            )
        if shared > 4:  # both know more than the year, and it differs too
            return Evidence("birth date", -1.5, f"different birth dates: {a} and {b}")
        return Evidence("birth date", 0.0, f"birth years one apart: {a} and {b}")
    if apart == 0:
        return Evidence("birth date", -1.5, f"same birth year, different day: {a} and {b}")
    return Evidence("birth date", -3.0, f"different birth dates: {a} and {b}")


def compare(
    subject: Party,
    entry: Party,
    same_subject: bool = False,
    rarity: Rarity = uniform,
    fit: Fit | None = None,
) -> Match:
    """How alike ``subject`` and ``entry`` are, with a reason per feature; ``rarity``:
    how much each name word tells (the list's own word frequencies); ``fit``: the name
    comparison under that rarity, if the caller keeps one (cached)."""
    named = _name_evidence(best_name(subject, entry, rarity, fit))
    evidence = [named]
    if (born := _birth_evidence(subject.births, entry.births)) is not None:
        evidence.append(born)
    if shared := sorted(subject.identifiers & entry.identifiers):
        evidence.append(Evidence("identifier", 5.0, "same identifier: " + ", ".join(shared)))
        if named.weight < RENAMED:  # a party renamed keeps its numbers
            evidence[0] = Evidence("name", RENAMED, named.words)
    if subject.countries and entry.countries:
        if common := sorted(subject.countries & entry.countries):
            evidence.append(Evidence("country", 0.5, "same country: " + _countries(common)))
        else:
            evidence.append(Evidence(
                "country", -0.3, f"no country in common: {_countries(subject.countries)} "
                f"and {_countries(entry.countries)}"))  # fmt: skip
    if subject.addresses & entry.addresses:
        evidence.append(Evidence("address", 1.5, "same address"))
    if same_subject:
        evidence.append(Evidence("resolution", 3.0, "resolved as one subject with the entry"))
    if len(evidence) == 1:  # most people who share a name are different people
        evidence.append(Evidence("name only", NAME_ONLY, "nothing but the name to compare"))
    logit = sum(e.weight for e in evidence)
    return Match(round(1.0 / (1.0 + math.exp(-logit)), 4), tuple(evidence))


def _countries(codes: set[str] | list[str]) -> str:
    return ", ".join(str(registry.country.caption(c) or c.upper()) for c in sorted(codes))
