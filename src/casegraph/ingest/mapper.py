"""Turning one record into FtM entities, and entities into statement rows.

This follows ``followthemoney.mapping.entity.EntityMapping.map`` exactly (same ids,
same values, same order of country-first cleaning, same ``namesMentioned``), but
reports every value the property type rejects instead of only logging it, and keeps
the original text of values that cleaning changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from followthemoney import model
from followthemoney.entity import ValueEntity
from followthemoney.helpers import inline_names
from followthemoney.mapping.query import QueryMapping
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

from casegraph.ingest.cleaning import Cleaner
from casegraph.ingest.readers import RowError
from casegraph.model.statements import BASE_PROP, StatementRow, statement_id


@dataclass
class Mapped:
    """The entities one record produced, plus the values that were refused."""

    entities: list[EntityProxy] = field(default_factory=list)
    originals: dict[tuple[str, str, str], str] = field(default_factory=dict)
    refused: list[RowError] = field(default_factory=list)


class QueryMapper:
    def __init__(self, query: QueryMapping, cleaner: Cleaner) -> None:
        self.cleaner = cleaner
        self.entities = []
        for entity in query.entities:
            first = [p for p in entity.properties if p.prop.type == registry.country]
            rest = [p for p in entity.properties if p.prop.type != registry.country]
            self.entities.append((entity, first + rest))

    def map(self, record: dict[str, str]) -> Mapped:
        out = Mapped()
        produced: dict[str, EntityProxy] = {}
        for entity, properties in self.entities:
            proxy = ValueEntity(entity.schema, {}, cleaned=True)
            pending: list[tuple[str, str, str]] = []
            for pm in properties:
                if pm.entity is not None:
                    other = produced.get(pm.entity)
                    if other is not None:
                        proxy.unsafe_add(pm.prop, other.id, cleaned=True)
                        inline_names(proxy, other)
                    continue
                values = pm.record_values(record)
                if pm.template is None:  # cells keep their blanks only inside templates
                    values = [value.strip() for value in values]
                if pm.join is not None:
                    values = [pm.join.join(values)]
                if pm.split is not None:
                    values = [part for value in values for part in value.split(pm.split)]
                fmt = pm.format or pm.prop.format
                for text in values:
                    if not text:
                        continue
                    value = self.cleaner.clean(pm.prop.type, text, pm.fuzzy, fmt)
                    if value is None:
                        out.refused.append(
                            RowError(
                                f"not a valid {pm.prop.type.name} for {entity.schema.name}:"
                                f"{pm.prop.name}",
                                field=",".join(pm.refs) or pm.prop.name,
                                value=text,
                            )
                        )
                        continue
                    if proxy.unsafe_add(pm.prop, value, cleaned=True) is not None and (
                        value != text
                    ):
                        pending.append((pm.prop.name, value, text))
            proxy.id = entity.compute_key(record)
            if proxy.id is None:
                continue
            if any(pm.required and not proxy.has(pm.prop) for pm in entity.properties):
                continue
            produced[entity.name] = proxy
            out.entities.append(proxy)
            for prop, value, text in pending:
                out.originals[(proxy.id, prop, value)] = text
        return out


def map_ftm_entity(data: dict[str, Any], cleaner: Cleaner) -> Mapped:
    """Check and clean one FtM entity (JSON) as found in an entities file."""
    out = Mapped()
    entity_id = data.get("id")
    schema = model.get(str(data.get("schema") or ""))
    if not entity_id or not isinstance(entity_id, str):
        out.refused.append(RowError("entity has no 'id'", field="id"))
        return out
    if schema is None:
        out.refused.append(
            RowError("unknown schema", field="schema", value=str(data.get("schema")))
        )
        return out
    proxy = ValueEntity(schema, {"id": entity_id}, cleaned=True)
    properties = data.get("properties") or {}
    if not isinstance(properties, dict):
        out.refused.append(RowError("'properties' must be an object", field="properties"))
        return out
    for name, values in properties.items():
        prop = schema.get(name)
        if prop is None or prop.stub:
            out.refused.append(
                RowError(f"schema {schema.name} has no property {name!r}", field=name)
            )
            continue
        for raw in values if isinstance(values, list) else [values]:
            if raw is None or raw == "":
                continue
            text = raw if isinstance(raw, str) else str(raw)
            value = cleaner.clean(prop.type, text)
            if value is None:
                out.refused.append(
                    RowError(
                        f"not a valid {prop.type.name}", field=f"properties.{name}", value=text
                    )
                )
                continue
            proxy.unsafe_add(prop, value, cleaned=True)
            if value != text:
                out.originals[(entity_id, name, value)] = text
    out.entities.append(proxy)
    return out


def statement_rows(
    mapped: Mapped, source: str, record_key: str, seen: datetime
) -> Iterator[StatementRow]:
    for proxy in mapped.entities:
        entity_id = proxy.id
        assert entity_id is not None
        schema = proxy.schema.name
        yield StatementRow(
            statement_id(source, entity_id, BASE_PROP, entity_id),
            source,
            entity_id,
            entity_id,
            schema,
            BASE_PROP,
            BASE_PROP,
            entity_id,
            None,
            record_key,
            seen,
            seen,
        )
        for prop, value in proxy.itervalues():
            yield StatementRow(
                statement_id(source, entity_id, prop.name, value),
                source,
                entity_id,
                entity_id,
                schema,
                prop.name,
                prop.type.name,
                value,
                mapped.originals.get((entity_id, prop.name, value)),
                record_key,
                seen,
                seen,
            )
