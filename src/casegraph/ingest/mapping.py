"""Loading and checking FollowTheMoney mapping files before any row is written.

The format is FtM's own (``queries`` with ``csv_url`` or ``database`` + ``tables`` +
``joins``; ``entities`` with ``schema``, ``keys``, ``key_literal``, ``properties``
with ``column``/``columns``/``literal``/``template``/``entity``/``required``;
``filters``/``filters_not``). As ``ftm map`` does, the top-level dataset name is the
key prefix of entity ids. ``csv_url`` also reads TSV, XLSX and JSON lines, chosen by
file extension; these optional query keys tune reading: ``format``, ``encoding``,
``delimiter``, ``fieldnames`` (for files without a header row), ``null_values`` and
``sheet``.

casegraph extends the format in one way, checked in :mod:`casegraph.ingest.each`: an
entity mapping with ``each`` is made once per value of a split column, with an optional
``link`` relationship per value. ``strict_ftm: true`` (next to ``queries``) refuses it.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from banal import ensure_list, keys_values
from followthemoney import model
from followthemoney.exc import InvalidMapping
from followthemoney.mapping.entity import EntityMapping
from followthemoney.mapping.query import QueryMapping
from followthemoney.mapping.sql import SQLSource
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from casegraph.errors import InvalidInput
from casegraph.ingest import each
from casegraph.ingest.each import EachEntity
from casegraph.ingest.readers import Reader, ReadOptions, open_reader
from casegraph.ingest.yamlpos import Path_, YamlError, line_of, load_yaml

UNSET_VAR = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


class MappingError(InvalidInput):
    """A mapping that cannot be used; names the file, the line and the fix."""

    def __init__(self, file: Path, line: int | None, problem: str, fix: str | None = None):
        self.file, self.line, self.problem, self.fix = file, line, problem, fix
        where = f"{file}:{line}" if line else str(file)
        super().__init__(f"{where}: {problem}" + (f"\n  fix: {fix}" if fix else ""))


@dataclass
class QueryPlan:
    """One query of a mapping, checked and ready to stream records."""

    index: int
    mapping: QueryMapping
    readers: list[Reader] = field(default_factory=list)
    sql: SQLSource | None = None
    filters: list[tuple[str, set[str]]] = field(default_factory=list)
    filters_not: list[tuple[str, set[str]]] = field(default_factory=list)
    each: list[EachEntity] = field(default_factory=list)

    def accepts(self, record: dict[str, str]) -> bool:
        for column, values in self.filters:
            if _stripped(record.get(column)) not in values:
                return False
        return all(
            _stripped(record.get(column)) not in values for column, values in self.filters_not
        )


def _stripped(value: str | None) -> str | None:
    return value.strip() if value is not None else None


@dataclass
class MappingPlan:
    path: Path
    dataset: str | None
    sha256: str
    queries: list[QueryPlan]

    def input_files(self) -> list[Path]:
        seen: dict[Path, None] = {}
        for query in self.queries:
            for reader in query.readers:
                seen[reader.path] = None
        return list(seen)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _suggest(word: str, options: list[str]) -> str:
    close = difflib.get_close_matches(word, options, n=3, cutoff=0.6)
    return f"did you mean {' or '.join(repr(c) for c in close)}?" if close else ""


class _Checker:
    def __init__(self, path: Path, lines: dict[Path_, int], cli: ReadOptions) -> None:
        self.path = path
        self.lines = lines
        self.cli = cli
        self.base = path.parent

    def fail(self, at: Path_, problem: str, fix: str | None = None) -> MappingError:
        return MappingError(self.path, line_of(self.lines, at), problem, fix)

    def query(
        self, at: Path_, data: Any, index: int, key_prefix: str | None, strict: bool
    ) -> QueryPlan:
        if not isinstance(data, dict):
            raise self.fail(at, "a query must be a mapping with 'entities'")
        entities = data.get("entities")
        if not isinstance(entities, dict) or not entities:
            raise self.fail(at, "query has no 'entities'", "add an 'entities:' section")
        if strict:
            for name, spec in entities.items():
                each.refuse_in_strict_mode(self.fail, (*at, "entities", name), name, spec)
        for name, spec in entities.items():
            self.entity((*at, "entities", name), name, spec, entities)
        per_value = each.check(self.fail, at, entities)
        data = dict(data)
        data["entities"] = each.plain_entities(entities, per_value)
        readers: list[Reader] = []
        if "database" in data:
            data["database"] = self.database(at, data["database"])
        elif "csv_url" in data or "csv_urls" in data:
            readers = self.files(at, data)
        else:
            raise self.fail(
                at, "query names no data", "add 'csv_url: FILE' or 'database:' + 'tables:'"
            )
        try:
            mapping = QueryMapping(model, data, key_prefix=key_prefix)
        except InvalidMapping as exc:
            raise self.fail(at, f"invalid mapping: {exc}") from exc
        except SQLAlchemyError as exc:
            raise self.fail((*at, "tables"), f"cannot read the database tables: {exc}") from exc
        plan = QueryPlan(index=index, mapping=mapping, readers=readers)
        plan.each = [
            self.bind_each(at, found, entities[name], mapping, key_prefix)
            for name, found in per_value.items()
        ]
        plan.filters = _filters(data.get("filters"))
        plan.filters_not = _filters(data.get("filters_not"))
        data["entities"] = entities  # the columns as the file names them
        if isinstance(mapping.source, SQLSource):
            plan.sql = mapping.source
            known = set().union(*(t.refs for t in plan.sql.tables))
            self.columns(at, data, mapping, known, "the database tables")
        else:
            for reader in readers:
                self.columns(at, data, mapping, reader.columns(), reader.label)
        return plan

    def bind_each(
        self,
        at: Path_,
        found: EachEntity,
        spec: dict[str, Any],
        mapping: QueryMapping,
        key_prefix: str | None,
    ) -> EachEntity:
        """Attach FtM's mapping of a per-value entity and make the one of its link; the
        query reads the split column and the link's columns (SQL selects only those)."""
        found.entity = next(e for e in mapping.entities if e.name == found.name)
        mapping.refs.add(found.column)
        if found.link_data is not None:
            link_at = (*at, "entities", found.name, "link")
            link_data = {
                **found.link_data,
                **each.link_keys(spec),
                "properties": each.reading_the_value(found.link_data["properties"]),
            }
            try:
                found.link = EntityMapping(
                    model, mapping, f"{found.name}.link", link_data, key_prefix=key_prefix
                )
                found.link.bind()
            except InvalidMapping as exc:
                raise self.fail(link_at, f"invalid link of entity {found.name!r}: {exc}") from exc
            mapping.refs.update(found.link.refs)
        mapping.refs.discard(each.EACH_COLUMN)
        return found

    def entity(self, at: Path_, name: str, spec: Any, entities: dict[str, Any]) -> None:
        if not isinstance(spec, dict):
            raise self.fail(at, f"entity {name!r} must be a mapping with 'schema' and 'keys'")
        schema_name = spec.get("schema")
        if not schema_name:
            raise self.fail(at, f"entity {name!r} has no schema", "add e.g. 'schema: Person'")
        schema = model.get(str(schema_name))
        if schema is None:
            hint = _suggest(str(schema_name), sorted(model.schemata))
            raise self.fail(
                (*at, "schema"),
                f"unknown schema {schema_name!r} in entity {name!r}",
                hint or "use a FollowTheMoney schema such as Person, Company or Payment",
            )
        if not keys_values(spec, "key", "keys") and not spec.get("id_column"):
            raise self.fail(
                at, f"entity {name!r} has no key", "add 'key: COLUMN' or 'keys: [COLUMNS]'"
            )
        properties = spec.get("properties") or {}
        if not isinstance(properties, dict):
            raise self.fail((*at, "properties"), "'properties' must be a mapping")
        for prop_name, prop_spec in properties.items():
            prop_at = (*at, "properties", prop_name)
            prop = schema.get(prop_name)
            if prop is None:
                hint = _suggest(str(prop_name), sorted(schema.properties))
                raise self.fail(
                    prop_at,
                    f"schema {schema.name} has no property {prop_name!r}",
                    hint or f"see the properties of {schema.name} in the FollowTheMoney model",
                )
            if prop.stub:
                raise self.fail(
                    prop_at,
                    f"{schema.name}:{prop_name} is a reverse property and cannot be set",
                    f"set it from the other side ({prop.reverse!r})" if prop.reverse else None,
                )
            if not isinstance(prop_spec, dict):
                raise self.fail(prop_at, f"property {prop_name!r} needs 'column', 'literal', ...")
            ref = prop_spec.get("entity")
            if ref is not None and ref not in entities:
                raise self.fail(
                    (*prop_at, "entity"),
                    f"property {prop_name!r} refers to an entity {ref!r} this query lacks",
                    _suggest(str(ref), list(entities)) or "name an entity of the same query",
                )

    def _expand(self, at: Path_, value: str) -> str:
        expanded = os.path.expandvars(value)
        missing = UNSET_VAR.search(expanded)
        if missing:
            raise self.fail(
                at,
                f"environment variable {missing.group(1)} is not set",
                f"export {missing.group(1)}=... before running the ingest",
            )
        return expanded

    def files(self, at: Path_, data: dict[str, Any]) -> list[Reader]:
        key = "csv_url" if "csv_url" in data else "csv_urls"
        options = self.read_options(at, data)
        readers = []
        urls = keys_values(data, "csv_url", "csv_urls")
        resolved = []
        for url in urls:
            text = self._expand((*at, key), str(url))
            if text.startswith(("http://", "https://")):
                raise self.fail(
                    (*at, key),
                    f"{text} is a remote URL; casegraph reads local files only",
                    "download the file and point csv_url at the local copy",
                )
            path = Path(text.removeprefix("file://"))
            if not path.is_absolute():
                path = self.base / path
            if not path.is_file():
                raise self.fail(
                    (*at, key),
                    f"file not found: {text}",
                    f"relative paths are read from the mapping's folder ({self.base})",
                )
            try:
                readers.append(open_reader(path, options))
            except (ValueError, OSError) as exc:
                raise self.fail((*at, key), f"cannot read {path.name}: {exc}") from exc
            resolved.append(str(path))
        data[key] = resolved if key == "csv_urls" else resolved[0]
        return readers

    def read_options(self, at: Path_, data: dict[str, Any]) -> ReadOptions:
        fieldnames = data.get("fieldnames")
        if fieldnames is not None and not isinstance(fieldnames, list):
            raise self.fail((*at, "fieldnames"), "'fieldnames' must be a list of column names")
        return ReadOptions(
            format=self.cli.format or data.get("format"),
            encoding=self.cli.encoding or data.get("encoding"),
            delimiter=self.cli.delimiter or data.get("delimiter"),
            fieldnames=[str(f) for f in fieldnames] if fieldnames else None,
            null_values={str(v) for v in ensure_list(data.get("null_values"))},
            sheet=data.get("sheet"),
        )

    def database(self, at: Path_, value: Any) -> str:
        url_text = self._expand((*at, "database"), str(value))
        try:
            url = make_url(url_text)
        except Exception as exc:
            raise self.fail((*at, "database"), f"not a database URL: {url_text}") from exc
        if url.get_backend_name() == "sqlite":
            if not url.database:
                raise self.fail((*at, "database"), "the SQLite URL names no file")
            path = Path(url.database)
            if not path.is_absolute():
                path = self.base / path
            if not path.is_file():
                raise self.fail(
                    (*at, "database"),
                    f"database file not found: {url.database}",
                    f"relative paths are read from the mapping's folder ({self.base})",
                )
            return url.set(database=str(path)).render_as_string(hide_password=False)
        if url.get_backend_name() == "postgresql" and url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        return url.render_as_string(hide_password=False)

    def columns(
        self, at: Path_, data: dict[str, Any], mapping: QueryMapping, known: set[str], where: str
    ) -> None:
        for ref, ref_at, reader in _references(at, data):
            if ref not in known:
                hint = _suggest(ref, sorted(known))
                raise self.fail(
                    ref_at,
                    f"column {ref!r} is not in {where}"
                    if reader is None
                    else f"{reader} reads column {ref!r}, which is not in {where}",
                    hint or f"the columns are: {', '.join(sorted(known))}",
                )


def _filters(value: Any) -> list[tuple[str, set[str]]]:
    if not isinstance(value, dict):
        return []
    return [
        (str(k), {str(v) for v in ensure_list(values) if v is not None})
        for k, values in value.items()
    ]


def _references(at: Path_, data: dict[str, Any]) -> Iterator[tuple[str, Path_, str | None]]:
    """Every column a query mentions, with where it is mentioned and, for casegraph's
    extension, what reads it."""
    for kind in ("filters", "filters_not"):
        for column in data.get(kind) or {}:
            yield str(column), (*at, kind, column), None
    for name, spec in data["entities"].items():
        e_at = (*at, "entities", name)
        for key in ("key", "keys"):
            for ref in ensure_list(spec.get(key)):
                yield str(ref), (*e_at, key), None
        if spec.get("id_column"):
            yield str(spec["id_column"]), (*e_at, "id_column"), None
        properties: list[tuple[Path_, str | None, dict[str, Any]]] = [
            (e_at, None, spec.get("properties") or {})
        ]
        if "each" in spec:
            each_at = (*e_at, "each", "column")
            yield str(spec["each"]["column"]), each_at, f"'each' of entity {name!r}"
        if "link" in spec:
            link = f"the link of entity {name!r}"
            properties.append(((*e_at, "link"), link, spec["link"]["properties"]))
        for owner_at, owner, props in properties:
            for prop_name, prop_spec in props.items():
                p_at = (*owner_at, "properties", prop_name)
                reader = owner or (f"entity {name!r}" if "each" in spec else None)
                for key in ("column", "columns"):
                    for ref in ensure_list(prop_spec.get(key)):
                        yield str(ref), (*p_at, key), reader
                template = prop_spec.get("template")
                if template:
                    for ref in re.findall(r"{{([^(}})]*)}}", str(template)):
                        yield ref, (*p_at, "template"), reader


def load_mapping(
    path: Path, source: str | None = None, cli: ReadOptions | None = None
) -> MappingPlan:
    """Parse and check a mapping file; nothing is read from the data yet."""
    path = Path(path)
    if not path.is_file():
        raise MappingError(path, None, "mapping file not found", "check the path")
    try:
        data, lines = load_yaml(path)
    except YamlError as exc:
        raise MappingError(path, exc.line, str(exc), "fix the YAML syntax") from exc
    except UnicodeDecodeError as exc:
        raise MappingError(path, None, "mapping is not UTF-8 text") from exc
    if not isinstance(data, dict) or not data:
        raise MappingError(path, 1, "a mapping file must be a YAML mapping (see FtM mappings)")
    checker = _Checker(path, lines, cli or ReadOptions())
    queries: list[tuple[Path_, Any]] = []
    dataset: str | None
    strict: Any
    strict_at: Path_
    if "entities" in data:  # a bare query, as in FtM's test fixtures
        dataset = None
        queries.append(((), data))
        strict, strict_at = data.get("strict_ftm", False), ("strict_ftm",)
    else:
        if len(data) > 1:
            raise MappingError(
                path, 1, "a mapping file must describe one dataset", "split it into several files"
            )
        dataset, meta = next(iter(data.items()))
        dataset = str(dataset)
        if not isinstance(meta, dict):
            raise checker.fail((dataset,), f"dataset {dataset!r} must be a mapping with 'queries'")
        if "queries" in meta:
            if not isinstance(meta["queries"], list) or not meta["queries"]:
                raise checker.fail((dataset, "queries"), "'queries' must be a non-empty list")
            queries.extend(((dataset, "queries", i), q) for i, q in enumerate(meta["queries"]))
        elif "query" in meta:
            queries.append(((dataset, "query"), meta["query"]))
        else:
            raise checker.fail((dataset,), f"dataset {dataset!r} has no 'queries'")
        strict, strict_at = meta.get("strict_ftm", False), (dataset, "strict_ftm")
    if not isinstance(strict, bool):
        raise checker.fail(strict_at, "'strict_ftm' must be true or false")
    key_prefix = dataset if dataset is not None else source
    plans = [checker.query(at, q, i, key_prefix, strict) for i, (at, q) in enumerate(queries)]
    return MappingPlan(path=path, dataset=dataset, sha256=sha256_file(path), queries=plans)
