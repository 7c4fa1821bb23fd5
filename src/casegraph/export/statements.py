"""Stream statements as CSV in FtM's statement layout (plus ``record_key``)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from casegraph.model.statements import StatementRow

COLUMNS = [
    "canonical_id",
    "entity_id",
    "prop",
    "prop_type",
    "schema",
    "value",
    "dataset",
    "original_value",
    "first_seen",
    "last_seen",
    "id",
    "record_key",
]


def write_statements(rows: Iterable[StatementRow], out: TextIO) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for r in rows:
        writer.writerow(
            [
                r.canonical_id,
                r.entity_id,
                r.prop,
                r.prop_type,
                r.schema,
                r.value,
                r.source,
                r.original_value or "",
                r.first_seen.isoformat(timespec="seconds"),
                r.last_seen.isoformat(timespec="seconds"),
                r.id,
                r.record_key or "",
            ]
        )
        count += 1
    return count
