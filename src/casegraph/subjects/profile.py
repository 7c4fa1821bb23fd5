"""Assemble a subject profile from its (already policy-filtered) statements."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from casegraph.model.names import display_name, names_stated
from casegraph.model.statements import BASE_PROP, StatementRow, common_schema

ADULT_AGE = 18
MENTIONS = "namesMentioned"


@dataclass(frozen=True)
class Fact:
    """One value of one property, with who said it and when."""

    prop: str
    value: str
    source: str
    entity_id: str
    record_key: str | None
    original_value: str | None
    first_seen: datetime
    last_seen: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "prop": self.prop,
            "value": self.value,
            "source": self.source,
            "entity_id": self.entity_id,
            "record_key": self.record_key,
            "original_value": self.original_value,
            "first_seen": self.first_seen.isoformat(timespec="seconds"),
            "last_seen": self.last_seen.isoformat(timespec="seconds"),
        }


@dataclass
class Profile:
    id: str
    schema: str
    facts: list[Fact] = field(default_factory=list)
    sealed: str | None = None  # why the record is sealed ("minor", "flagged"), if it is
    unsealed: bool = False
    duplicates: list[str] = field(default_factory=list)  # review items: may be the same as

    def values(self, prop: str) -> list[str]:
        seen: dict[str, None] = {}
        for fact in self.facts:
            if fact.prop == prop:
                seen[fact.value] = None
        return list(seen)

    def caption(self) -> str:
        """The display name (``model.names``) over what the sources shown here state:
        their names, else their name parts joined."""
        stated = names_stated((f.source, f.entity_id, f.prop, f.value) for f in self.facts)
        return display_name(stated, self.schema == "Person") or self.id

    def to_dict(self) -> dict[str, Any]:
        if self.sealed and not self.unsealed:
            return {
                "id": self.id,
                "schema": self.schema,
                "sealed": True,
                "reason": self.sealed,
                "caption": initials([self.caption()] if self.values("name") else []),
                "facts": [],
            }
        return {
            "id": self.id,
            "schema": self.schema,
            "sealed": bool(self.sealed),
            "unsealed": self.unsealed,
            "caption": self.caption(),
            "facts": [f.to_dict() for f in self.facts],
            "duplicates": self.duplicates,
        }


def assemble(canonical_id: str, rows: Iterable[StatementRow]) -> Profile | None:
    items = list(rows)
    if not items:
        return None
    schema = common_schema({r.schema for r in items})
    facts = [
        Fact(r.prop, r.value, r.source, r.entity_id, r.record_key, r.original_value,
             r.first_seen, r.last_seen)
        for r in items
        if r.prop != BASE_PROP
    ]  # fmt: skip
    facts.sort(key=lambda f: (f.prop, f.value, f.source))
    return Profile(canonical_id, schema.name, facts)


def latest_possible_birthday(value: str) -> date | None:
    """The latest day a (possibly partial) FtM date could mean: '2008' -> 2008-12-31."""
    parts = value[:10].split("-")
    try:
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 12
        if len(parts) > 2:
            return date(year, month, int(parts[2]))
        next_month = date(year + (month == 12), month % 12 + 1, 1)
        return date.fromordinal(next_month.toordinal() - 1)
    except (ValueError, IndexError):
        return None


def is_minor(birth_dates: Iterable[str], today: date) -> bool:
    """Under 18 on ``today`` by any recorded birth date (the protective reading)."""
    for value in birth_dates:
        born = latest_possible_birthday(value)
        if born is None:
            continue
        try:
            adult_on = born.replace(year=born.year + ADULT_AGE)
        except ValueError:  # 29 February
            adult_on = date(born.year + ADULT_AGE, 3, 1)
        if today < adult_on:
            return True
    return False


def initials(names: list[str]) -> str:
    if not names:
        return "sealed record"
    return " ".join(f"{part[0]}." for part in names[0].split() if part[:1].isalpha()) or "?"


def redact(rows: Iterable[StatementRow], sealed: frozenset[str]) -> Iterator[StatementRow]:
    """Pass statements through, but of a sealed subject only its id statements, and
    no ``namesMentioned`` on anything that points at a sealed subject (FtM copies the
    names of linked people there). ``sealed`` holds the sealed subjects' canonical ids
    and the ids of their source entities (what links point at)."""
    for canonical_id, group in itertools.groupby(rows, key=lambda r: r.canonical_id):
        if canonical_id in sealed:
            yield from (r for r in group if r.prop == BASE_PROP)
        else:
            yield from scrub_mentions(group, lambda ids: ids & sealed)


def scrub_all(
    rows: Iterable[StatementRow], sealed_among: Callable[[set[str]], set[str]]
) -> Iterator[StatementRow]:
    """``scrub_mentions`` over the statements of many subjects (grouped by canonical
    id): what a sealed subject's relations keep of it, in the search index."""
    for _, group in itertools.groupby(rows, key=lambda r: r.canonical_id):
        yield from scrub_mentions(group, sealed_among)


def scrub_mentions(
    rows: Iterable[StatementRow], sealed_among: Callable[[set[str]], set[str]]
) -> list[StatementRow]:
    """Drop ``namesMentioned`` from one subject's statements when it links to a sealed
    subject; ``sealed_among`` says which of the linked ids are sealed."""
    items = list(rows)
    linked = {r.value for r in items if r.prop_type == "entity"}
    if linked and sealed_among(linked):
        return [r for r in items if r.prop != MENTIONS]
    return items
