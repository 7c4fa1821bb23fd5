"""Statements: one value of one property of one source entity, with provenance."""

from __future__ import annotations

import hashlib
from datetime import datetime
from functools import cache
from typing import NamedTuple

from followthemoney import model as ftm
from followthemoney.schema import Schema

BASE_PROP = "id"
"""The pseudo-property whose statement records that an entity exists (FtM's ``BASE_ID``)."""


class StatementRow(NamedTuple):
    """A statement as stored: the column order of the ``statements`` table."""

    id: str
    source: str
    entity_id: str
    canonical_id: str
    schema: str
    prop: str
    prop_type: str
    value: str
    original_value: str | None
    record_key: str | None
    first_seen: datetime
    last_seen: datetime


STATEMENT_COLUMNS: tuple[str, ...] = StatementRow._fields


class StatementValue(NamedTuple):
    """What reading an entity's values needs of a statement (resolution reads every
    statement: without its id and dates the read takes half the time)."""

    entity_id: str
    source: str
    schema: str
    prop: str
    prop_type: str
    value: str
    record_key: str | None


def statement_id(source: str, entity_id: str, prop: str, value: str) -> str:
    """Stable id of a statement, identical to FtM's ``Statement.make_key``.

    Hashes source + entity + property + value, so that re-ingesting the same
    record yields the same id and only ``last_seen`` moves.
    """
    key = f"{source}.{entity_id}.{prop}.{value}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


@cache
def schema_depth(name: str) -> int:
    """How specific a schema is: the number of schemata it is (itself included)."""
    schema = ftm.get(name)
    return len(schema.schemata) if schema is not None else 0


def more_specific(current: str, other: str) -> str:
    """The schema to keep when two records describe one entity differently."""
    return other if schema_depth(other) > schema_depth(current) else current


def common_schema(names: set[str]) -> Schema:
    """The narrowest schema that all ``names`` are compatible with.

    Falls back to the most specific one when two are incompatible (say Person
    and Company), which only happens when sources disagree about an id.
    """
    ordered = sorted(names, key=lambda n: (-schema_depth(n), n))
    result = ftm.get(ordered[0])
    assert result is not None, ordered[0]
    for name in ordered[1:]:
        try:
            result = ftm.common_schema(result, name)
        except Exception:
            continue
    return result
