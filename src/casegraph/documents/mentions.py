"""What a document's text mentions: e-mail addresses, phone numbers, IBANs (each valid
by its FollowTheMoney type) and the names of subjects already known, with where each is.

Each mention carries the (field, key) the search index keeps the same value or name
under (``search.documents.field_value``; a name as its ``search.text.tokens``), so that
it is linked to subjects when it is read, under the reader's clearances: nothing here
creates a subject or decides who is meant.

Names are found by one pass over the text's words with a table of the known names'
first words (a multi-pattern match on normalised words: "MÜLLER, Anna" in a letter
finds the subject "Anna Müller"). A name of one word is not looked for: a surname or a
company's one word would mention too many things."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from followthemoney.types import registry

from casegraph.model.mentions import Mention
from casegraph.model.spans import free_at
from casegraph.search.documents import field_value
from casegraph.search.pasted import MAX_PHONE_DIGITS, MIN_PHONE_DIGITS, iban_value, valid_phone
from casegraph.search.text import tokens

MAX_NAME_WORDS = 8
MIN_NAME_LETTERS = 6
MAX_TEXT = 255
_WORD = re.compile(r"\w+", re.UNICODE)
# each starts where a run of its characters starts: one try per run, however long the
# text (a megabyte of digits, say), never one per character
_EMAIL = re.compile(r"(?<![\w.+\-'])[\w.+\-']+@[\w\-]+(?:\.[\w\-]+)+", re.UNICODE)
_DATE = re.compile(r"\d{4}[\-./]\d{1,2}[\-./]\d{1,2}|\d{1,2}[\-./]\d{1,2}[\-./]\d{2,4}")
_PHONE = re.compile(r"(?<![\w+(])(?:\+|\(\+?)?\d[\d \-./()]{4,22}\d(?![\w])")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b")
# punctuation a name may be written with between its words: "Müller, Anna", "Anna-Lena"
_JOIN = re.compile(r"[\s,.\-'\u2019]*")


def identifiers(page: int, text: str, country: str | None) -> list[Mention]:
    """E-mail addresses, IBANs (their check digits right) and phone numbers (valid ones;
    written without a country code, read as numbers of ``country``)."""
    found: list[Mention] = []
    taken: list[tuple[int, int]] = []

    def add(start: int, end: int, rule: str, prop_type: str, value: str) -> None:
        pair = field_value(prop_type, value)
        at = free_at(taken, start, end)  # taken: sorted, none overlapping
        if pair is None or at is None:
            return
        taken.insert(at, (start, end))
        found.append(Mention(page, start, end, text[start:end][:MAX_TEXT], rule, *pair))

    for match in _EMAIL.finditer(text):
        value = match.group().rstrip(".")
        if registry.email.validate(value):
            add(match.start(), match.start() + len(value), "email", "email", value)
    for match in _IBAN.finditer(text):
        if iban_value(match.group()) is not None:
            add(match.start(), match.end(), "iban", "iban", match.group())
    region = country.upper() if country else None
    for match in _PHONE.finditer(text):
        e164 = _phone(match.group(), region)
        if e164 is not None:
            add(match.start(), match.end(), "phone", "phone", e164)
    return sorted(found, key=lambda m: m.start)


def _phone(written: str, region: str | None) -> str | None:
    """The E.164 number a stretch of text writes, if it is a valid number; one without
    a country code only with a ``region`` (a date is not a number)."""
    count = sum(c.isdigit() for c in written)
    if _DATE.fullmatch(written) or not MIN_PHONE_DIGITS <= count <= MAX_PHONE_DIGITS:
        return None
    if region is None and not written.lstrip("(").startswith("+"):
        return None
    return valid_phone(written, region)


@dataclass(frozen=True)
class _Word:
    key: str
    start: int
    end: int


def _words(text: str) -> list[_Word]:
    """The text's words as search's tokens, with their places (a plain ASCII word is
    its lower case: the same token, without the cost of folding)."""
    out = []
    for match in _WORD.finditer(text):
        word = match.group()
        keys = (word.lower(),) if word.isascii() and word.isalnum() else tokens(word)
        for key in keys:
            out.append(_Word(key, match.start(), match.end()))
    return out


class NameMatcher:
    """The known names of subjects, by the normalised words they begin with; a person's
    name of two or three words also in reverse order ("Müller, Anna")."""

    def __init__(self, names: Iterable[tuple[str, bool]]) -> None:
        self.first: dict[str, dict[tuple[str, ...], str]] = {}
        self.count = 0
        for name, person in names:
            words = tokens(name)
            if not 2 <= len(words) <= MAX_NAME_WORDS or sum(map(len, words)) < MIN_NAME_LETTERS:
                continue
            key = " ".join(words)
            self._add(words, key)
            if person and len(words) <= 3:
                self._add((words[-1], *words[:-1]), key)

    def _add(self, words: tuple[str, ...], key: str) -> None:
        self.first.setdefault(words[0], {})[words] = key
        self.count += 1

    def __bool__(self) -> bool:
        return bool(self.first)

    def find(self, page: int, text: str) -> list[Mention]:
        """The longest known name starting at each word, left to right, not overlapping;
        the words of a name written as one stretch (spaces, a comma, a hyphen between)."""
        words = _words(text)
        found = []
        i = 0
        while i < len(words):
            best = self._longest(words, i, text)
            if best is None:
                i += 1
                continue
            size, key = best
            start, end = words[i].start, words[i + size - 1].end
            found.append(Mention(page, start, end, text[start:end][:MAX_TEXT], "name", "name",
                                 key))  # fmt: skip
            i += size
        return found

    def _longest(self, words: list[_Word], i: int, text: str) -> tuple[int, str] | None:
        candidates = self.first.get(words[i].key)
        if not candidates:
            return None
        best: tuple[int, str] | None = None
        for size in range(2, min(MAX_NAME_WORDS, len(words) - i) + 1):
            gap = text[words[i + size - 2].end : words[i + size - 1].start]
            if not _JOIN.fullmatch(gap) or "\n\n" in gap:
                break
            key = candidates.get(tuple(w.key for w in words[i : i + size]))
            if key is not None:
                best = (size, key)
        return best


def scan(pages: Iterable[tuple[int, str]], country: str | None,
         names: NameMatcher | None) -> Iterator[Mention]:  # fmt: skip
    """Every mention in a document's pages (page 0, its properties, included); a name
    is not looked for inside an identifier ("jan.novak@firma.cz" is an address)."""
    for page, text in pages:
        found = identifiers(page, text, country)
        yield from found
        if names:
            places = [(m.start, m.end) for m in found]  # sorted, none overlapping
            yield from (n for n in names.find(page, text)
                        if free_at(places, n.start, n.end) is not None)
