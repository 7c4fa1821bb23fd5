"""Assemble statements into FollowTheMoney entities and stream them as JSON lines."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from typing import Any, TextIO

from casegraph.model.statements import BASE_PROP, StatementRow, common_schema


def assemble(rows: Iterable[StatementRow]) -> Iterator[dict[str, Any]]:
    """Group statements (ordered by canonical id) into FtM entity dicts."""
    for canonical_id, group in itertools.groupby(rows, key=lambda r: r.canonical_id):
        items = list(group)
        schema = common_schema({r.schema for r in items})
        properties: dict[str, list[str]] = {}
        for row in items:
            if row.prop == BASE_PROP or schema.get(row.prop) is None:
                continue
            values = properties.setdefault(row.prop, [])
            if row.value not in values:
                values.append(row.value)
        entity_ids = sorted({r.entity_id for r in items})
        yield {
            "id": canonical_id,
            "schema": schema.name,
            "properties": properties,
            "datasets": sorted({r.source for r in items}),
            "referents": [e for e in entity_ids if e != canonical_id],
            "first_seen": min(r.first_seen for r in items).isoformat(timespec="seconds"),
            "last_seen": max(r.last_seen for r in items).isoformat(timespec="seconds"),
        }


def write_entities(rows: Iterable[StatementRow], out: TextIO) -> int:
    count = 0
    for entity in assemble(rows):
        out.write(json.dumps(entity, ensure_ascii=False, sort_keys=True))
        out.write("\n")
        count += 1
    return count
