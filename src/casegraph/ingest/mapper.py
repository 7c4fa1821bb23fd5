"""Turning one record into FtM entities, and entities into statement rows.

This follows ``followthemoney.mapping.entity.EntityMapping.map`` exactly (same ids,
same values, same order of country-first cleaning, same ``namesMentioned``), but
reports every value the property type rejects instead of only logging it, and keeps
the original text of values that cleaning changed. Entities made once per value of a
split column (casegraph's ``each``, see :mod:`casegraph.ingest.each`) are mapped by the
same code, after the query's other entities.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from followthemoney import model
from followthemoney.entity import ValueEntity
from followthemoney.helpers import inline_names
from followthemoney.mapping.entity import EntityMapping
from followthemoney.mapping.property import PropertyMapping
from followthemoney.mapping.query import QueryMapping
from followthemoney.proxy import EntityProxy
from followthemoney.types import registry

from casegraph.ingest.cleaning import Cleaner
from casegraph.ingest.each import EACH_COLUMN, EachEntity, link_id, value_id
from casegraph.ingest.readers import RowError
from casegraph.model.statements import BASE_PROP, StatementRow, statement_id


@dataclass
class Mapped:
    """The entities one record produced, plus the values that were refused."""

    entities: list[EntityProxy] = field(default_factory=list)
    originals: dict[tuple[str, str, str], str] = field(default_factory=dict)
    refused: list[RowError] = field(default_factory=list)


Properties = list[PropertyMapping]


def _country_first(entity: EntityMapping) -> Properties:
    first = [p for p in entity.properties if p.prop.type == registry.country]
    rest = [p for p in entity.properties if p.prop.type != registry.country]
    return first + rest


class QueryMapper:
    def __init__(
        self, query: QueryMapping, cleaner: Cleaner, each: Sequence[EachEntity] = ()
    ) -> None:
        self.cleaner = cleaner
        per_value = {e.name for e in each}
        self.entities = [
            (entity, _country_first(entity))
            for entity in query.entities
            if entity.name not in per_value
        ]
        self.each: list[tuple[EachEntity, EntityMapping, Properties, Properties]] = []
        for found in each:
            assert found.entity is not None
            link = _country_first(found.link) if found.link is not None else []
            self.each.append((found, found.entity, _country_first(found.entity), link))

    def map(self, record: dict[str, str]) -> Mapped:
        out = Mapped()
        produced: dict[str, EntityProxy] = {}
        for entity, properties in self.entities:
            proxy, pending = self._fill(entity, properties, record, produced, out)
            proxy.id = entity.compute_key(record)
            self._keep(entity, proxy, pending, produced, out)
        for found, entity, properties, link_properties in self.each:
            self._per_value(found, entity, properties, link_properties, record, produced, out)
        return out

    def _per_value(
        self,
        found: EachEntity,
        entity: EntityMapping,
        properties: Properties,
        link_properties: Properties,
        record: dict[str, str],
        produced: dict[str, EntityProxy],
        out: Mapped,
    ) -> None:
        """One entity per value of the split column, and one link each."""
        row_id = entity.compute_key(record)
        if row_id is None:
            return
        link = found.link
        refused = len(out.refused)
        for value in found.values(record):
            one = {**record, EACH_COLUMN: value}
            proxy, pending = self._fill(entity, properties, one, produced, out, found.column)
            proxy.id = value_id(row_id, value)
            if not self._keep(entity, proxy, pending, produced, out):
                continue
            if link is None:
                continue
            edge, pending = self._fill(link, link_properties, one, produced, out, found.column)
            schema = link.schema
            if not all(edge.has(end) for end in (schema.edge_source, schema.edge_target) if end):
                continue  # an end was not made from this row (no key, a required value)
            edge.id = link_id(proxy.id, schema)
            self._keep(link, edge, pending, produced, out)
        produced.pop(found.name, None)
        if len(out.refused) > refused:  # a bad cell read with every value is one reject
            out.refused[refused:] = list(dict.fromkeys(out.refused[refused:]))

    @staticmethod
    def _keep(
        entity: EntityMapping,
        proxy: EntityProxy,
        pending: list[tuple[str, str, str]],
        produced: dict[str, EntityProxy],
        out: Mapped,
    ) -> bool:
        if proxy.id is None:
            return False
        if any(pm.required and not proxy.has(pm.prop) for pm in entity.properties):
            return False
        produced[entity.name] = proxy
        out.entities.append(proxy)
        for prop, value, text in pending:
            out.originals[(proxy.id, prop, value)] = text
        return True

    def _fill(
        self,
        entity: EntityMapping,
        properties: Properties,
        record: dict[str, str],
        produced: dict[str, EntityProxy],
        out: Mapped,
        each_column: str | None = None,
    ) -> tuple[EntityProxy, list[tuple[str, str, str]]]:
        """An entity of ``record`` without its id, and the values cleaning changed."""
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
                    refs = pm.refs
                    if each_column is not None:
                        refs = [each_column if r == EACH_COLUMN else r for r in refs]
                    out.refused.append(
                        RowError(
                            f"not a valid {pm.prop.type.name} for {entity.schema.name}:"
                            f"{pm.prop.name}",
                            field=",".join(refs) or pm.prop.name,
                            value=text,
                        )
                    )
                    continue
                added = proxy.unsafe_add(pm.prop, value, cleaned=True)
                if added is not None and value != text:
                    pending.append((pm.prop.name, value, text))
        return proxy, pending


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
