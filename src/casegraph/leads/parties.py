"""What screening compares of a subject: its names, birth dates, countries, identifiers
and addresses, from the statements of its source entities.

A ``Party`` is built from one subject's statements (those of every source entity
resolved into it) plus the Address entities they point to. Names are kept as written
(for the explanation) and as token lists in the form names are compared in: ASCII,
lower case, without titles or (for organisations) legal forms, each token folded for
spelling (``Müller``, ``Mueller``, ``Muller``). Given names are not mapped through
resolution's nickname table: a list states its own aliases, and the table's broad
groups (Hans, Jan and Juan as John) make strangers alike. Only properties of FtM's name,
date, country, identifier and address types are read: no lead uses anything else a
source says about a person.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from casegraph.model.names import display_name, reading_order
from casegraph.resolve import standardise as std
from casegraph.resolve.extract import ORGANISATION, PERSON, group_of

NAME_PROPS = frozenset({"name", "alias", "weakAlias", "previousName", "abbreviation"})
PART_PROPS = ("firstName", "secondName", "middleName", "fatherName", "lastName")
BIRTH_PROPS = frozenset({"birthDate", "incorporationDate"})
ADDRESS_PARTS = ("street", "street2", "postalCode", "city", "region", "country")
MAX_NAMES = 40  # aliases compared per party (a list entry with hundreds of spellings)


@dataclass
class Party:
    """One subject as screening sees it."""

    id: str
    group: str  # person | organisation
    schema: str
    entities: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)  # as written
    tokens: list[tuple[str, ...]] = field(default_factory=list)  # per name, compared form
    births: set[str] = field(default_factory=set)
    countries: set[str] = field(default_factory=set)
    identifiers: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)  # fingerprints
    sources: set[str] = field(default_factory=set)  # the sources its values came from
    caption: str = ""

    def digest(self) -> str:
        """A key of everything compared: equal digests compare equally."""
        text = "\x1e".join(
            [self.group, "\x1f".join(sorted(self.names)), "\x1f".join(sorted(self.births)),
             "\x1f".join(sorted(self.countries)), "\x1f".join(sorted(self.identifiers)),
             "\x1f".join(sorted(self.addresses))]
        )  # fmt: skip
        return hashlib.sha1(text.encode()).hexdigest()[:20]


def name_tokens(name: str, group: str) -> tuple[str, ...]:
    """``name`` in the form it is compared in."""
    text = std.person_name(name) if group == PERSON else std.org_name(name)
    return tuple(std.fold(t) for t in text.split() if t)


class Builder:
    """Collects one subject's statements and the Address entities they point to."""

    def __init__(self, canonical_id: str) -> None:
        self.id = canonical_id
        self.schemas: list[str] = []
        self.entities: set[str] = set()
        self.values: list[tuple[str, str, str, str, str]] = []  # entity, source, prop, type, value

    def add(self, entity: str, source: str, schema: str, prop: str, kind: str,
            value: str) -> None:  # fmt: skip
        self.entities.add(entity)
        self.schemas.append(schema)
        self.values.append((entity, source, prop, kind, value))

    def refs(self) -> set[str]:
        return {v for _, _, prop, _, v in self.values if prop == "addressEntity"}

    def build(self, addresses: dict[str, str]) -> Party | None:
        """The party, or None for a subject screening does not compare (a vessel, a
        thing, an address of its own)."""
        groups = {g for g in map(group_of, self.schemas) if g}
        if not groups:
            return None
        group = PERSON if PERSON in groups else ORGANISATION
        party = Party(self.id, group, _most_specific(self.schemas), sorted(self.entities))
        stated: list[tuple[str, str]] = []
        parts: dict[str, dict[str, str]] = {}
        party.sources = {source for _, source, _, _, _ in self.values}
        for entity, source, prop, kind, value in self.values:
            if prop in NAME_PROPS:
                if prop == "name":
                    stated.append((source, value))
                _add_name(party, value)
            elif prop in PART_PROPS:
                parts.setdefault(entity, {})[prop] = value
            elif prop in BIRTH_PROPS:
                if (day := std.date_value(value)) is not None:
                    party.births.add(day)
            elif kind == "country":
                party.countries.add(value.lower())
            elif kind == "identifier" and (ident := std.identifier(value)):
                party.identifiers.add(ident)
            elif kind == "address" or prop == "addressEntity":
                text = value if kind == "address" else addresses.get(value, "")
                if key := std.address_key(text) if text else None:
                    party.addresses.add(key)
        for found in parts.values():
            full = " ".join(found[p] for p in PART_PROPS if p in found)
            _add_name(party, full)
            stated.append(("", full))
        if not party.names:
            return None
        party.caption = display_name(stated, group == PERSON) or party.names[0]
        return party


def _add_name(party: Party, value: str) -> None:
    text = " ".join(value.split())
    if not text or text in party.names or len(party.names) >= MAX_NAMES:
        return
    tokens = name_tokens(reading_order(text, party.group == PERSON), party.group)
    if tokens and tokens not in party.tokens:
        party.names.append(text)
        party.tokens.append(tokens)


def _most_specific(schemata: Iterable[str]) -> str:
    known = sorted(set(schemata))
    for preferred in ("Person", "Company", "Organization", "PublicBody", "LegalEntity"):
        if preferred in known:
            return preferred
    return known[0]


def address_text(values: dict[str, list[str]]) -> str:
    """An Address entity's parts as one line (its ``full`` if it states one)."""
    if values.get("full"):
        return values["full"][0]
    return ", ".join(v for p in ADDRESS_PARTS for v in values.get(p, [])[:1])
