"""Records kept between runs, read back: what a run takes without reading statements."""

from __future__ import annotations

import json

from casegraph.resolve import extract
from casegraph.store.resolve_records import EntityRecord


def _person(entity_id: str, **features: object) -> EntityRecord:
    kept = {"unique_id": entity_id, "source": "registry", "schema": "Person", **features}
    return EntityRecord(entity_id, "k", "registry", "Person", None, None, None,
                        json.dumps(kept))  # fmt: skip


def test_a_kept_record_of_any_size_is_read_back() -> None:
    """Features are parsed as JSON lines in blocks: a record of many aliases (longer
    than a block) is read whole, and its neighbours are unharmed."""
    tokens = [f"alias{i}" for i in range(200_000)]
    kept = [_person("a", name_fold="anna maier"), _person("b", name_tokens=tokens),
            _person("c", name_fold="olga petrova")]  # fmt: skip
    data = extract.extract((), kept=kept)
    table = data.table(extract.PERSON)
    assert table.column("unique_id").to_pylist() == ["a", "b", "c"]
    assert table.column("name_tokens")[1].as_py() == tokens
    assert table.column("name_fold").to_pylist() == ["anna maier", None, "olga petrova"]
    assert table.schema == extract.TABLE


def test_records_without_features_are_counted_as_skipped() -> None:
    nameless = EntityRecord("n", "k", "registry", "Person", None, None, None, None)
    data = extract.extract((), kept=[nameless, _person("a", name_fold="anna")])
    assert data.skipped == 1 and data.count(extract.PERSON) == 1
