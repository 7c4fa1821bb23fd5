"""Search documents: one per subject and source, built from that source's statements.

A subject gets one document per source that speaks of it, so a reader cleared for
some of those sources matches and sees those documents only.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from followthemoney import model as ftm

from casegraph.model.names import display_name, names_stated
from casegraph.model.search_documents import Document
from casegraph.model.statements import BASE_PROP, StatementRow, common_schema
from casegraph.resolve import standardise
from casegraph.search.text import tokens
from casegraph.subjects.profile import ADULT_AGE, latest_possible_birthday

NAME_PROPS = frozenset(
    {
        "name",
        "alias",
        "previousName",
        "weakAlias",
        "abbreviation",
        "firstName",
        "lastName",
        "middleName",
        "fatherName",
    }
)
# value fields that queries can filter on (field:value) and edges can share
FIELD_OF_TYPE = {
    "phone": "phone",
    "email": "email",
    "country": "country",
    "identifier": "id",
    "iban": "id",
    "address": "address",
}
MAX_DETAILS = 40


def indexed(schema_name: str) -> bool:
    """Things are searched; relationships and events (intervals) become graph edges."""
    schema = ftm.get(schema_name)
    return schema is not None and not schema.is_a("Interval")


def field_value(prop_type: str, value: str) -> tuple[str, str] | None:
    """The (field, normalised value) a statement contributes to filters and shared-value
    edges, if any."""
    kind = FIELD_OF_TYPE.get(prop_type)
    normal: str | None
    if kind is None:
        return None
    if kind == "phone":
        normal = standardise.phone(value)
    elif kind == "email":
        normal = standardise.email(value)
    elif kind == "country":
        normal = value.lower()
    elif kind == "id":
        normal = standardise.identifier(value)
    else:
        normal = standardise.address_key(value)
    return (kind, normal[:255]) if normal else None


def adult_on(birth_dates: Iterable[str]) -> str | None:
    """The day the subject turns 18 by the latest birth date a record gives."""
    latest: date | None = None
    for value in birth_dates:
        born = latest_possible_birthday(value)
        if born is not None and (latest is None or born > latest):
            latest = born
    if latest is None:
        return None
    try:
        return latest.replace(year=latest.year + ADULT_AGE).isoformat()
    except ValueError:  # 29 February
        return date(latest.year + ADULT_AGE, 3, 1).isoformat()


def source_caption(rows: list[StatementRow], person: bool) -> str | None:
    """What one source calls a subject, by the display-name rule over its records:
    their names, else their name parts joined, else their other caption properties."""
    named = names_stated((r.entity_id, r.entity_id, r.prop, r.value) for r in rows)
    if not named:
        schema = ftm.get(rows[0].schema)
        props = schema.caption if schema else []
        named = [(r.entity_id, r.value) for p in props for r in rows if r.prop == p]
    return display_name(named, person)


def build(rows: list[StatementRow], protected: frozenset[str]) -> Document | None:
    """The document of one subject in one source; None for relationships and events."""
    schema = common_schema({r.schema for r in rows})
    if not indexed(schema.name):
        return None
    first = rows[0]
    names: dict[str, None] = {}
    details: dict[str, None] = {}
    terms: dict[str, None] = {}
    body: dict[str, None] = {}
    values: set[tuple[str, str]] = set()
    births: list[str] = []
    for row in rows:
        if row.prop == BASE_PROP or row.prop in protected or row.prop_type == "entity":
            continue
        if row.prop == "birthDate":
            births.append(row.value)
        if row.prop in NAME_PROPS:
            names[row.value] = None
            terms.update(dict.fromkeys(tokens(row.value)))
            continue
        if len(details) < MAX_DETAILS:
            details[f"{row.prop}: {row.value}"] = None
        pair = field_value(row.prop_type, row.value)
        if pair is not None:
            values.add(pair)
        if row.prop_type == "date":
            values.add((f"date:{row.prop}", row.value[:10]))
            values.add(("year", row.value[:4]))
        if pair is not None and pair[0] in ("phone", "id"):
            body.update(dict.fromkeys(tokens(pair[1])))  # +49 30 1234 -> 49301234
        if row.prop_type in ("text", "html"):
            continue  # long free text is not indexed (notes, descriptions)
        body.update(dict.fromkeys(tokens(row.value)))
    name_list = list(names)
    caption = source_caption(rows, schema.is_a("Person")) or first.entity_id
    return Document(
        canonical_id=first.canonical_id,
        source=first.source,
        schema=schema.name,
        caption=caption,
        names=name_list,
        details=list(details),
        terms=" ".join(terms),
        body=" ".join(body),
        adult_on=adult_on(births),
        values=values,
    )
