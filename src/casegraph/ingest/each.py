"""One entity per value of a split column: casegraph's extension of FtM mappings.

A FollowTheMoney mapping makes a fixed set of entities per row. Real data often holds a
list of parties in one cell (co-inventors joined by ``**``, directors joined by ``;``).
An entity mapping with ``each`` is made once per value of such a cell, and its optional
``link`` is a relationship entity made once per value too::

    coauthor:
      schema: LegalEntity
      each: {column: Coauthor, split: "**"}
      key: person_id
      properties:
        name: {each: true}
      link:
        schema: UnknownLink
        properties:
          subject: {entity: applicant}
          object: {entity: coauthor}

A per-value entity's id is made from the row's key (its ``key``/``keys``/``key_literal``,
as FtM computes it) and the value, so the same name in two rows is two mentions, and a
link's id from its per-value entity and its schema. Everything else is FtM: the
per-value entity and its link are ordinary entity mappings whose ``each: true``
properties read the value, mapped by the same code as every other entity.

This module checks the extension and turns it into plain FtM entity mappings; a mapping
that says ``strict_ftm: true`` refuses it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from followthemoney import model
from followthemoney.mapping.entity import EntityMapping
from followthemoney.schema import Schema

from casegraph.ingest.yamlpos import Path_

EACH_COLUMN = "\x1feach"
"""The column under which a per-value entity's mappings read the current value; no
source column can be named so (a control character)."""

EXTENSION_KEYS = ("each", "link")
EACH_KEYS = ("column", "split")
LINK_KEYS = ("schema", "properties")
VALUE_SOURCES = ("column", "columns", "literal", "literals", "template", "entity", "join", "split")
EDGE_SCHEMATA = sorted(s.name for s in model.schemata.values() if s.edge)


class Fail(Protocol):
    def __call__(self, at: Path_, problem: str, fix: str | None = None) -> Exception: ...


@dataclass
class EachEntity:
    """An entity mapping made once per value of ``column`` split on ``split``."""

    name: str
    column: str
    split: str
    entity: EntityMapping | None = None  # set once FtM has read the query
    link: EntityMapping | None = None
    link_data: dict[str, Any] | None = None

    def values(self, record: dict[str, str]) -> list[str]:
        """The cell's values: stripped, without empties, each once, in order of first
        appearance."""
        cell = record.get(self.column)
        if not cell:
            return []
        values = dict.fromkeys(part.strip() for part in cell.split(self.split))
        values.pop("", None)
        return list(values)


def value_id(row_id: str, value: str) -> str:
    """The id of the entity made for ``value`` in the row whose key is ``row_id``."""
    return hashlib.sha1(f"{row_id}\x1f{value}".encode()).hexdigest()


def link_id(entity_id: str, schema: Schema) -> str:
    """The id of the ``schema`` link made with the per-value entity ``entity_id``."""
    return hashlib.sha1(f"{entity_id}\x1f{schema.name}".encode()).hexdigest()


def uses_extension(spec: Any) -> str | None:
    """The first casegraph extension an entity mapping uses, if any."""
    if not isinstance(spec, dict):
        return None
    for key in EXTENSION_KEYS:
        if key in spec:
            return key
    properties = spec.get("properties")
    if isinstance(properties, dict):
        for prop_spec in properties.values():
            if isinstance(prop_spec, dict) and "each" in prop_spec:
                return "each"
    return None


def refuse_in_strict_mode(fail: Fail, at: Path_, name: str, spec: Any) -> None:
    used = uses_extension(spec)
    if used is None:
        return
    where: Path_ = (*at, used)
    if used not in spec:  # a property's `each: true`
        where = next(
            (*at, "properties", p, "each")
            for p, s in spec["properties"].items()
            if isinstance(s, dict) and "each" in s
        )
    raise fail(
        where,
        f"entity {name!r} uses '{used}', a casegraph extension of the FollowTheMoney "
        "mapping format (one entity per value of a column), and this mapping says "
        "strict_ftm: true",
        "remove 'strict_ftm: true' to allow casegraph's extensions, or map the column "
        "into one property with 'split'",
    )


def check(fail: Fail, at: Path_, entities: dict[str, Any]) -> dict[str, EachEntity]:
    """Check every use of the extension in a query's ``entities``; return the
    per-value entities by name."""
    found: dict[str, EachEntity] = {}
    for name, spec in entities.items():
        e_at = (*at, "entities", name)
        if "each" in spec:
            found[name] = _each(fail, e_at, name, spec["each"])
        elif "link" in spec:
            raise fail(
                (*e_at, "link"),
                f"entity {name!r} has a 'link' but no 'each': a link is made once per value",
                "add 'each: {column: COLUMN, split: SEPARATOR}', or make the relationship "
                "an ordinary entity of the query",
            )
        for prop_name, prop_spec in (spec.get("properties") or {}).items():
            if "each" in prop_spec and "each" not in spec:
                raise fail(
                    (*e_at, "properties", prop_name, "each"),
                    f"property {prop_name!r} of entity {name!r} takes 'each', but the entity "
                    "has no 'each'",
                    "add 'each: {column: COLUMN, split: SEPARATOR}' to the entity",
                )
    for name, spec in entities.items():
        e_at = (*at, "entities", name)
        for prop_name, prop_spec in (spec.get("properties") or {}).items():
            ref = prop_spec.get("entity")
            if ref in found:
                raise fail(
                    (*e_at, "properties", prop_name, "entity"),
                    f"property {prop_name!r} of entity {name!r} refers to {ref!r}, which is "
                    "made once per value of a column",
                    f"only {ref!r}'s own 'link' can refer to it",
                )
    for name, each in found.items():
        spec = entities[name]
        e_at = (*at, "entities", name)
        takes = _each_properties(fail, e_at, name, spec.get("properties") or {})
        if "link" in spec:
            each.link_data = _link(fail, (*e_at, "link"), name, spec, entities, found)
            takes += _each_properties(
                fail, (*e_at, "link"), f"{name}'s link", each.link_data["properties"]
            )
        if not takes:
            raise fail(
                (*e_at, "each"),
                f"entity {name!r} is made once per value of {each.column!r}, but no property "
                "takes the value",
                "add e.g. 'name: {each: true}' to its properties",
            )
    return found


def _each(fail: Fail, at: Path_, name: str, spec: Any) -> EachEntity:
    e_at = (*at, "each")
    form = "each: {column: COLUMN, split: SEPARATOR}"
    if not isinstance(spec, dict):
        raise fail(e_at, f"'each' of entity {name!r} must be a mapping", f"write '{form}'")
    for key in spec:
        if key not in EACH_KEYS:
            raise fail(
                (*e_at, key),
                f"'each' of entity {name!r} has an unknown key {key!r}",
                f"'each' takes {' and '.join(repr(k) for k in EACH_KEYS)}",
            )
    column, split = spec.get("column"), spec.get("split")
    if not isinstance(column, str) or not column:
        raise fail(e_at, f"'each' of entity {name!r} names no column", f"write '{form}'")
    if not isinstance(split, str) or not split:
        raise fail(
            e_at,
            f"'each' of entity {name!r} has no 'split'",
            "add the separator between the values of one cell, e.g. 'split: \";\"' "
            "(a cell that holds one value is an ordinary entity)",
        )
    return EachEntity(name=name, column=column, split=split)


def _each_properties(fail: Fail, at: Path_, owner: str, properties: dict[str, Any]) -> int:
    takes = 0
    for prop_name, prop_spec in properties.items():
        if "each" not in prop_spec:
            continue
        p_at = (*at, "properties", prop_name)
        if prop_spec["each"] is not True:
            raise fail(
                (*p_at, "each"),
                f"property {prop_name!r} of {_owner(owner)}: 'each' must be true",
                f"write '{prop_name}: {{each: true}}'",
            )
        both = next((k for k in VALUE_SOURCES if k in prop_spec), None)
        if both is not None:
            raise fail(
                (*p_at, both),
                f"property {prop_name!r} of {_owner(owner)} takes both 'each' and {both!r}",
                "a property takes the value ('each: true') or reads the row, not both",
            )
        takes += 1
    return takes


def _owner(owner: str) -> str:
    return owner if owner.endswith("link") else f"entity {owner!r}"


def _link(
    fail: Fail,
    at: Path_,
    name: str,
    spec: dict[str, Any],
    entities: dict[str, Any],
    found: dict[str, EachEntity],
) -> dict[str, Any]:
    link = spec["link"]
    what = f"the link of entity {name!r}"
    if not isinstance(link, dict):
        raise fail(at, f"{what} must be a mapping with 'schema' and 'properties'")
    for key in link:
        if key not in LINK_KEYS:
            raise fail(
                (*at, key),
                f"{what} has an unknown key {key!r}",
                "a link takes 'schema' and 'properties' (its id is made from the value's)"
                if key in ("key", "keys", "key_literal", "id_column")
                else "a link takes 'schema' and 'properties'",
            )
    schema_name = link.get("schema")
    schema = model.get(str(schema_name)) if schema_name else None
    relationships = ", ".join(EDGE_SCHEMATA)
    if schema is None:
        raise fail(
            (*at, "schema") if schema_name else at,
            f"{what} has an unknown schema {schema_name!r}"
            if schema_name
            else f"{what} has no schema",
            f"use a FollowTheMoney relationship: {relationships}",
        )
    if not schema.edge:
        raise fail(
            (*at, "schema"),
            f"{what}: {schema.name} is not a FollowTheMoney relationship (an edge schema)",
            f"use one of {relationships}",
        )
    properties = link.get("properties")
    if not isinstance(properties, dict) or not properties:
        raise fail(
            at,
            f"{what} has no properties",
            f"set both ends, e.g. '{schema.edge_source}: {{entity: ...}}' and "
            f"'{schema.edge_target}: {{entity: {name}}}'",
        )
    ends: dict[str, str] = {}
    for prop_name, prop_spec in properties.items():
        p_at = (*at, "properties", prop_name)
        prop = schema.get(prop_name)
        if prop is None:
            raise fail(p_at, f"{what}: {schema.name} has no property {prop_name!r}")
        if prop.stub:
            raise fail(p_at, f"{what}: {schema.name}:{prop_name} is a reverse property")
        if not isinstance(prop_spec, dict):
            raise fail(
                p_at,
                f"{what}: property {prop_name!r} must be a mapping",
                f"write e.g. '{prop_name}: {{entity: {prop_spec}}}'"
                if isinstance(prop_spec, str) and prop_spec in entities
                else f"write e.g. '{prop_name}: {{column: COLUMN}}'",
            )
        ref = prop_spec.get("entity")
        if ref is None:
            continue
        if ref not in entities:
            raise fail(
                (*p_at, "entity"),
                f"{what}: property {prop_name!r} refers to an entity {ref!r} this query lacks",
                f"name one of {', '.join(repr(e) for e in entities)}",
            )
        if ref in found and ref != name:
            raise fail(
                (*p_at, "entity"),
                f"{what}: property {prop_name!r} refers to {ref!r}, which is made once per "
                "value of another column",
                f"link {name!r} to an entity made once per row",
            )
        target = model.get(str(entities[ref].get("schema")))
        if prop.range is None or target is None or not target.is_a(prop.range):
            wanted = prop.range.name if prop.range is not None else "an entity"
            got = target.name if target is not None else entities[ref].get("schema")
            raise fail(
                (*p_at, "entity"),
                f"{what}: {schema.name}:{prop_name} refers to {wanted} entities, and {ref!r} "
                f"is a {got}",
                f"link {ref!r} through another property of {schema.name}, or choose another "
                "relationship",
            )
        ends[prop_name] = ref
    for end in (schema.edge_source, schema.edge_target):
        if end not in ends:
            raise fail(
                (*at, "properties"),
                f"{what}: the relationship {schema.name} needs both ends, and {end!r} is not set",
                f"add '{end}: {{entity: ...}}'",
            )
    if name not in ends.values():
        raise fail(
            (*at, "properties"),
            f"{what}: neither end of the {schema.name} is {name!r}",
            f"set '{schema.edge_target}: {{entity: {name}}}' (or '{schema.edge_source}')",
        )
    data: dict[str, Any] = {"schema": schema.name, "properties": dict(properties)}
    return data


def plain_entities(entities: dict[str, Any], found: dict[str, EachEntity]) -> dict[str, Any]:
    """The query's entities in plain FtM: a per-value entity without ``each`` and
    ``link``, its ``each: true`` properties reading :data:`EACH_COLUMN`."""
    if not found:
        return entities
    plain: dict[str, Any] = {}
    for name, spec in entities.items():
        if name in found:
            spec = {k: v for k, v in spec.items() if k not in EXTENSION_KEYS}
            spec["properties"] = reading_the_value(spec.get("properties") or {})
        plain[name] = spec
    return plain


def reading_the_value(properties: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for prop_name, prop_spec in properties.items():
        if "each" in prop_spec:
            prop_spec = {k: v for k, v in prop_spec.items() if k != "each"}
            prop_spec["column"] = EACH_COLUMN
        out[prop_name] = prop_spec
    return out


def link_keys(spec: dict[str, Any]) -> dict[str, Any]:
    """The key fields of a per-value entity, which its link needs to be an FtM entity
    mapping (the link's id is made by :func:`link_id`, not from these)."""
    return {k: spec[k] for k in ("key", "keys", "id_column") if k in spec}
