"""What tells two subjects of the same name apart on a result row: a person's birth
date or an organisation's incorporation date, the countries, one strong identifier and
the number of sources.

Read for one page of hits at once, from the index documents of the sources the reader
may see (their value entries, complete, and their "prop: value" detail lines, which
say which property an identifier was), never from other sources.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import phonenumbers
from followthemoney import model as ftm
from followthemoney.types import registry
from sqlalchemy.engine import Connection

from casegraph.model.visible import Visible
from casegraph.store import search_index

BIRTH = "date:birthDate"
INCORPORATION = "date:incorporationDate"
VALUE_FIELDS = (BIRTH, INCORPORATION, "country", "id", "phone")
MAX_DATES = 3
# the identifiers that tell subjects apart best, best first; any other identifier after
STRONG_IDS = (
    "iban",
    "registrationNumber",
    "taxNumber",
    "vatCode",
    "leiCode",
    "idNumber",
    "passportNumber",
    "socialSecurityNumber",
    "innCode",
    "ogrnCode",
    "accountNumber",
    "imoNumber",
)
ID_TYPES = frozenset({"identifier", "iban"})


@dataclass(frozen=True)
class Identifier:
    prop: str  # the FtM property ("idNumber", "iban"; "phone" when nothing else)
    label: str  # how people call it ("ID Number", "IBAN", "Phone number")
    value: str  # as the source wrote it (or, past the detail lines kept, normalised)

    def to_dict(self) -> dict[str, str]:
        return {"prop": self.prop, "label": self.label, "value": self.value}


@dataclass
class Particulars:
    date_label: str = ""  # "Born", "Incorporated", or "" for other kinds of subject
    dates: list[str] = field(default_factory=list)  # the most sources first
    countries: list[str] = field(default_factory=list)  # ISO codes, the most sources first
    identifier: Identifier | None = None
    sources: int = 0

    def country_names(self) -> list[str]:
        return [registry.country.caption(c) or c.upper() for c in self.countries]

    def to_dict(self) -> dict[str, Any]:
        return {
            "date_label": self.date_label,
            "dates": self.dates,
            "countries": self.countries,
            "identifier": self.identifier.to_dict() if self.identifier else None,
            "sources": self.sources,
        }

    def summary(self) -> list[str]:
        """The particulars as short lines ("born 1971-09-14", "Germany", ...)."""
        out = []
        if self.dates:
            out.append(f"{self.date_label.lower()} {' or '.join(self.dates)}")
        if self.countries:
            out.append(", ".join(self.country_names()))
        if self.identifier is not None:
            out.append(f"{self.identifier.label} {self.identifier.value}")
        out.append(f"{self.sources} source{'' if self.sources == 1 else 's'}")
        return out


def date_field(schema_name: str) -> tuple[str, str] | None:
    """The value field and label of the date that tells subjects of a schema apart."""
    schema = ftm.get(schema_name)
    if schema is None:
        return None
    if schema.is_a("Person"):
        return BIRTH, "Born"
    if schema.is_a("LegalEntity"):
        return INCORPORATION, "Incorporated"
    return None


def read(
    conn: Connection, visible: Visible, subjects: Sequence[tuple[str, str, int]]
) -> dict[str, Particulars]:
    """The particulars of ``subjects`` ((canonical id, schema, number of visible
    sources) of one page of hits), from the documents of ``visible`` sources only."""
    ids = [cid for cid, _, _ in subjects]
    docs, values = search_index.particulars_rows(conn, ids, visible, VALUE_FIELDS)
    details: dict[str, list[tuple[str, str, str]]] = {}
    for cid, source, schema, text in docs:
        details.setdefault(cid, []).extend((source, schema, line) for line in text.split("\n"))
    found: dict[str, list[tuple[str, str, str]]] = {}
    for cid, source, name, value in values:
        found.setdefault(cid, []).append((source, name, value))
    return {
        cid: build(schema, sources, found.get(cid, []), details.get(cid, []))
        for cid, schema, sources in subjects
    }


def build(
    schema: str,
    sources: int,
    values: Iterable[tuple[str, str, str]],
    details: Iterable[tuple[str, str, str]],
) -> Particulars:
    """The particulars of one subject from its visible documents' (source, field,
    value) entries and (source, schema, "prop: value") detail lines."""
    by_field: dict[str, list[tuple[str, str]]] = {}
    for source, name, value in values:
        by_field.setdefault(name, []).append((source, value))
    out = Particulars(sources=sources)
    dated = date_field(schema)
    if dated is not None:
        name, out.date_label = dated
        out.dates = _dates(by_field.get(name, []))
    out.countries = _most_stated(by_field.get("country", []))
    out.identifier = _identifier(details, by_field)
    return out


def _most_stated(stated: Iterable[tuple[str, str]]) -> list[str]:
    """Distinct values, stated by the most sources first, then in order."""
    votes: Counter[str] = Counter(value for _, value in set(stated))
    return sorted(votes, key=lambda v: (-votes[v], v))


def _dates(stated: list[tuple[str, str]]) -> list[str]:
    """Distinct dates, the most sources first; a year or month that a more precise date
    of the same subject falls in is not repeated ("1971" beside "1971-09-14")."""
    dates = _most_stated(stated)
    precise = [d for d in dates if not any(o != d and o.startswith(d) for o in dates)]
    return precise[:MAX_DATES]


def _identifier(
    details: Iterable[tuple[str, str, str]], by_field: dict[str, list[tuple[str, str]]]
) -> Identifier | None:
    """The strongest identifier the documents give, as written; an identifier value
    past the detail lines a document keeps, normalised; else a phone number."""
    stated: dict[tuple[str, str], set[str]] = {}
    labels: dict[str, str] = {}
    for source, schema_name, line in details:
        prop_name, sep, value = line.partition(": ")
        schema = ftm.get(schema_name)
        prop = schema.get(prop_name) if schema is not None and sep else None
        if prop is None or prop.type.name not in ID_TYPES or not value:
            continue
        stated.setdefault((prop_name, value), set()).add(source)
        labels[prop_name] = "IBAN" if prop_name == "iban" else prop.label
    if stated:

        def rank(item: tuple[str, str]) -> tuple[int, int, str]:
            prop_name, value = item
            order = STRONG_IDS.index(prop_name) if prop_name in STRONG_IDS else len(STRONG_IDS)
            return order, -len(stated[item]), value

        prop_name, value = min(stated, key=rank)
        return Identifier(prop_name, labels[prop_name], value)
    ids = _most_stated(by_field.get("id", []))
    if ids:
        return Identifier("identifier", "Identifier", ids[0])
    phones = _most_stated(by_field.get("phone", []))
    if phones:
        return Identifier("phone", "Phone", _phone(phones[0]))
    return None


def _phone(value: str) -> str:
    """An E.164 number in international writing ("+49 151 48273390")."""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
