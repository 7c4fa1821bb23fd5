"""From statements to one comparable row per source entity (the input to Splink).

One pass over the visible statements, grouped by entity. Persons go to the person
table, organisations (and LegalEntity, which may be either) to the organisation table.
Relationship entities (Directorship, Payment, Call, Family ...) and entity-valued
properties become *context*: each record carries the names of the entities it is
connected to, because in investigative data connections tell two John Smiths apart.
Entities first seen on the same source record (payer and payee of one payment, two
inventors on one patent) are recorded as cannot-link pairs.

Standardising a record's values is most of the cost of a read, and a record whose
statements did not change standardises the same way. What a read takes from each entity
(its source, schema, record, references, caption and standardised features) is kept as
an ``EntityRecord`` (``Extracted.fresh``, stored by resolution) under a key of its
statements, its schema and source, and the code and libraries that standardise them
(``VERSION``). A later run passes the records of entities whose statements did not
change as ``kept`` and the statements of the others as ``rows``; a run that reads every
statement passes the records as ``cache`` and standardises only those whose key
changed. What depends on other records (context, shared phones, cannot-links) is
computed from all of them on every run.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations, groupby
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from followthemoney import model as ftm

from casegraph.model.statements import StatementValue
from casegraph.resolve import standardise as std
from casegraph.store.resolve_records import REF_SEPARATOR, EntityRecord

# entity id -> (feature key, features as JSON): what a previous run kept of each entity
Cache = dict[str, tuple[str, str | None]]
# what standardising one record needs: entity id, schema, source, its (property, value)
# pairs, its group and the text its digest is taken of
Task = tuple[str, str, str, list[tuple[str, str]], str, str]
BATCH = 2000  # records standardised together
PARALLEL_FROM = 5_000  # records of a run to standardise before worker processes start
WORKERS = max(1, min(4, os.cpu_count() or 1))


def _version() -> str:
    """What the features depend on besides the statements: this module, the
    standardisation and the libraries it calls."""
    import phonenumbers
    import rigour

    digest = hashlib.sha1()
    for module in (__file__, std.__file__):
        with open(module, "rb") as fh:
            digest.update(fh.read())
    for library in (phonenumbers, rigour):
        digest.update(str(getattr(library, "__version__", "")).encode())
    return digest.hexdigest()[:16]


VERSION = _version()

PERSON = "person"
ORGANISATION = "organisation"
GROUPS = (PERSON, ORGANISATION)

SCHEMA_GROUPS: dict[str, tuple[str, ...]] = {
    "Person": ("Person",),
    "Company": ("Company", "Organization", "LegalEntity"),
    "Organization": ("Organization", "Company", "PublicBody", "LegalEntity"),
    "LegalEntity": ("LegalEntity", "Organization", "Company", "PublicBody"),
}

# one list column per kind of value; None when a record has no such value
LIST_COLUMNS = ("name_keys", "name_tokens", "countries", "phones", "emails", "ids",
                "addresses", "address_tokens", "postcodes", "domains", "neighbours",
                "neighbours_rare", "classes", "phones_own")  # fmt: skip
SCALAR_COLUMNS = ("unique_id", "source", "schema", "display", "name_key", "name_fold",
                  "first_name", "last_name", "first_canon", "first_initial", "last_phon",
                  "birth_date", "birth_ym", "birth_year", "id0", "phone0", "email0",
                  "postcode0", "house0", "domain0", "address0", "rich_context",
                  "digest")  # fmt: skip
_ID_TYPES = {"identifier", "iban"}
# an entity connected to more records than this (an agency running many sites, a
# nominee director of hundreds of companies) says little about who any of them is
HUB_DEGREE = 20
# a connected name listed in the context of more records than this is common context
# (a big employer, the city council): sharing it says less than sharing a rare co-author
RARE_CONTEXT = 5
_CLASS_PROPS = {"classification", "sector", "keywords"}
_CAPTION_PROPS = {"name", "title", "subject", "fileName"}


@lru_cache(maxsize=4096)
def group_of(schema: str) -> str | None:
    if schema not in ftm.schemata:
        return None
    obj = ftm.get(schema)
    assert obj is not None
    if obj.is_a("Person"):
        return PERSON
    if obj.is_a("Organization") or schema == "LegalEntity":
        return ORGANISATION
    return None


# the columns computed on every run from all records (context, shared phones); the
# others are each record's own features, kept between runs
DERIVED = ("neighbours", "neighbours_rare", "phones_own", "rich_context")
FEATURES = pa.schema(
    [(n, pa.string()) for n in SCALAR_COLUMNS if n not in DERIVED]
    + [(n, pa.list_(pa.string())) for n in LIST_COLUMNS if n not in DERIVED]
)
TABLE = pa.schema(
    [(n, pa.string()) for n in SCALAR_COLUMNS] + [(n, pa.list_(pa.string())) for n in LIST_COLUMNS]
)
PARSE_BATCH = 50_000  # records' features parsed together


def _parse(lines: list[str]) -> pa.Table:
    """Features kept as JSON lines, as an Arrow table (parsed in Arrow, not in Python)."""
    from io import BytesIO

    from pyarrow import json as pj

    if not lines:
        return FEATURES.empty_table()
    options = pj.ParseOptions(explicit_schema=FEATURES, unexpected_field_behavior="ignore")
    # a block holds whole lines: room for the longest (a record of thousands of aliases)
    block = max(1 << 20, 4 * max(map(len, lines)) + 1)
    return pj.read_json(BytesIO("\n".join(lines).encode()), parse_options=options,
                        read_options=pj.ReadOptions(block_size=block))  # fmt: skip


@dataclass
class Extracted:
    """Records per group, their context and the cannot-link pairs found while reading."""

    tables: dict[str, pa.Table] = field(default_factory=dict)
    skipped: int = 0  # entities of a resolvable schema with nothing comparable (no name)
    cannot_link: set[tuple[str, str]] = field(default_factory=set)
    record_keys: dict[str, str] = field(default_factory=dict)
    # entities read from statements whose record was not in the cache as it is now
    fresh: list[EntityRecord] = field(default_factory=list)
    read: set[str] = field(default_factory=set)  # every entity read from statements
    standardised: int = 0  # records standardised on this run (the rest reused)

    def table(self, group: str) -> pa.Table:
        """The group's records as an Arrow table (the columns of ``TABLE``)."""
        return self.tables.get(group, TABLE.empty_table())

    def count(self, group: str) -> int:
        return int(self.table(group).num_rows)


def _entities(rows: Iterable[StatementValue]) -> Iterator[tuple[str, list[StatementValue]]]:
    for entity_id, group in groupby(rows, key=lambda r: r.entity_id):
        yield entity_id, list(group)


def _uniq(values: Iterable[str | None]) -> list[str] | None:
    out = sorted({v for v in values if v})
    return out or None


def _person_names(props: dict[str, list[str]]) -> tuple[str, str, list[list[str]]]:
    """(given, family, token lists of every name) of a person."""
    given = std.person_name(props["firstName"][0]) if props.get("firstName") else ""
    family = std.person_name(props["lastName"][0]) if props.get("lastName") else ""
    names = [std.person_name(v).split() for k in ("name", "alias", "previousName")
             for v in props.get(k, [])]  # fmt: skip
    if given or family:
        middle = [std.person_name(v) for v in props.get("middleName", [])]
        names.insert(0, " ".join(p for p in (given, *middle, family) if p).split())
    elif props.get("name"):
        given, family = std.split_person(props["name"][0])
    given = given.split(" ")[0] if given else ""
    family = family.split(" ")[-1] if family else ""
    return given, family, [n for n in names if n]


def _org_names(props: dict[str, list[str]]) -> list[list[str]]:
    return [
        tokens
        for key in ("name", "alias", "previousName", "abbreviation")
        for v in props.get(key, [])
        if (tokens := std.org_name(v).split())
    ]


def _features(task: Task) -> dict[str, Any] | None:
    entity_id, schema, source, values, group, digest_src = task
    props: dict[str, list[str]] = defaultdict(list)
    for prop, value in values:
        props[prop].append(value)
    if group == PERSON:
        given, family, names = _person_names(props)
    else:
        given, family, names = "", "", _org_names(props)
    if not names:
        return None
    countries = _uniq(v.lower() for p, vs in props.items() if _type(schema, p) == "country"
                      for v in vs)  # fmt: skip
    hint = countries[0] if countries else None
    phones = _uniq(std.phone(v, hint) for v in props.get("phone", []))
    emails = _uniq(std.email(v) for v in props.get("email", []))
    ids = _uniq(std.identifier(v) for p, vs in props.items()
                if _type(schema, p) in _ID_TYPES for v in vs)  # fmt: skip
    addresses = _uniq(std.address(v) for v in props.get("address", []))
    address_keys = _uniq(std.address_key(v) for v in props.get("address", []))
    address_tokens = _uniq(t for a in addresses or [] for t in a.split() if len(t) > 1)
    postcodes = _uniq(p for a in addresses or [] for p in std.postcodes(a))
    domains = _uniq([*(std.domain(v) for v in props.get("website", [])),
                     *(std.domain(v) for v in emails or [])])  # fmt: skip
    births = sorted(filter(None, (std.date_value(v) for v in props.get("birthDate", []))))
    birth = max(births, key=len) if births else None
    key = std.name_key(names[0])
    folded = std.fold_key(names[0])
    return {
        "unique_id": entity_id,
        "source": source,
        "schema": schema,
        "display": " ".join(names[0]),
        "name_key": key,
        "name_fold": folded,
        "first_name": given or None,
        "last_name": family or None,
        "first_canon": std.given_canon(given) if given else None,
        "first_initial": given[:1] or None,
        "last_phon": std.phonetic(std.fold(family)) if family else None,
        "birth_date": birth,
        "birth_ym": birth[:7] if birth and len(birth) >= 7 else None,
        "birth_year": birth[:4] if birth else None,
        "name_keys": _uniq(std.name_key(n) for n in names),
        "name_tokens": _uniq(t for n in names for t in n),
        "countries": countries,
        "phones": phones,
        "emails": emails,
        "ids": ids,
        "addresses": address_keys,
        "address_tokens": address_tokens,
        "postcodes": postcodes,
        "domains": domains,
        "classes": _uniq(std.clean_text(v) for p in _CLASS_PROPS for v in props.get(p, [])),
        "id0": ids[0] if ids else None,
        "phone0": phones[0] if phones else None,
        "email0": emails[0] if emails else None,
        "postcode0": postcodes[0] if postcodes else None,
        "domain0": domains[0] if domains else None,
        "address0": address_keys[0] if address_keys else None,
        "house0": std.house_number(address_keys[0], postcodes) if address_keys else None,
        "digest": hashlib.sha1(digest_src.encode()).hexdigest(),
    }


# what tells two holders of one phone number apart: their dates of birth (a household's
# landline), their street addresses (an agency's switchboard answering for its sites)
_PHONE_HOLDER = {PERSON: "birth_date", ORGANISATION: "address0"}


def _own_phones(phones: list[list[str] | None], marks: list[str | None]) -> list[list[str] | None]:
    """Each record's phone numbers that no other known holder shares: a number held by
    records of two dates of birth (or two street addresses) is a shared line, and
    sharing it says less."""
    holders: dict[str, set[str]] = defaultdict(set)
    for numbers, mark in zip(phones, marks, strict=True):
        for phone in numbers or ():
            if mark is not None:
                holders[phone].add(mark)
    return [_uniq(p for p in numbers if len(holders.get(p, ())) <= 1) if numbers else None
            for numbers in phones]  # fmt: skip


@lru_cache(maxsize=4096)
def _is_edge(schema: str) -> bool:
    obj = ftm.get(schema)
    return obj is not None and obj.edge


@lru_cache(maxsize=4096)
def _type(schema: str, prop: str) -> str | None:
    obj = ftm.get(schema)
    if obj is None:
        return None
    found = obj.get(prop)
    return found.type.name if found is not None else None


def _standardise(tasks: list[Task]) -> list[str | None]:
    """Each record's features as JSON (as they are kept), or None: nothing comparable."""
    return [json.dumps(f, separators=(",", ":")) if (f := _features(t)) is not None
            else None for t in tasks]  # fmt: skip


def _record(entity_id: str, stmts: list[StatementValue]) -> tuple[EntityRecord, str]:
    """What a read keeps of an entity (without its features), and the text of its
    statements that its key and its record's digest are taken of."""
    first = stmts[0]
    digest_src = "|".join(sorted(f"{s.prop}={s.value}" for s in stmts))
    key = hashlib.sha1(
        f"{VERSION}\x1f{first.schema}\x1f{first.source}\x1f{digest_src}".encode()
    ).hexdigest()
    record_key = next((s.record_key for s in stmts if s.record_key), None)
    refs = sorted({s.value for s in stmts if s.prop_type == "entity"})
    caption = None
    if group_of(first.schema) is None and not _is_edge(first.schema):
        name = next((s.value for s in stmts if s.prop in _CAPTION_PROPS), None)
        caption = std.fold_key(std.clean_text(name).split()) if name else None
    record = EntityRecord(entity_id, key, first.source, first.schema, record_key,
                          REF_SEPARATOR.join(refs) or None, caption or None, None)  # fmt: skip
    return record, digest_src


@dataclass
class _Pending:
    """A resolvable record read, waiting for its features (in the order read)."""

    record: EntityRecord
    group: str
    fresh: bool  # its record is not kept as it is: store it once it has its features
    task: Task | None = None  # set while it still needs standardising


class _Standardiser:
    """Features for records in the order they are read: cached ones at once, the rest
    standardised in batches. Once more than ``PARALLEL_FROM`` records of a run need
    standardising (a full run), batches go to worker processes while the reading goes
    on; below that (incremental runs, small workspaces) they run here."""

    def __init__(self, out: Extracted, take: Callable[[_Pending], None]) -> None:
        self.out, self.take = out, take
        self.batch: list[_Pending] = []
        self.waiting: deque[tuple[list[_Pending], Any]] = deque()
        self.pool: Any = None

    def add(self, item: _Pending, stmts: list[StatementValue] | None, digest_src: str) -> None:
        """``stmts``: the record's statements when it needs standardising."""
        if stmts is not None:
            r = item.record
            self.out.standardised += 1
            item.task = (r.entity_id, r.schema, r.source, [(s.prop, s.value) for s in stmts],
                         item.group, digest_src)  # fmt: skip
        self.batch.append(item)
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        batch, self.batch = self.batch, []
        tasks = [i.task for i in batch if i.task is not None]
        if self.pool is None and self.out.standardised > PARALLEL_FROM:
            self.pool = multiprocessing.get_context("spawn").Pool(WORKERS)
        if self.pool is None or not tasks:
            self._done(batch, _standardise(tasks))
            return
        self.waiting.append((batch, self.pool.apply_async(_standardise, (tasks,))))
        while len(self.waiting) > 2 * WORKERS:
            done, result = self.waiting.popleft()
            self._done(done, result.get())

    def _done(self, batch: list[_Pending], made: list[str | None]) -> None:
        found = iter(made)
        for item in batch:
            if item.task is not None:
                item.record = item.record._replace(features=next(found))
            if item.fresh:
                self.out.fresh.append(item.record)
            self.take(item)

    def finish(self) -> None:
        try:
            self._flush()
            while self.waiting:
                done, result = self.waiting.popleft()
                self._done(done, result.get())
        finally:
            if self.pool is not None:
                self.pool.terminate()


def extract(
    rows: Iterable[StatementValue],
    schemata: tuple[str, ...] | None = None,
    progress: Callable[[int], None] | None = None,
    cache: Cache | None = None,
    kept: Iterable[EntityRecord] = (),
) -> Extracted:
    """Read the statements of ``rows`` and the records ``kept`` of the other entities;
    return comparable records (of ``schemata``, or of every resolvable schema), context
    and cannot-links. ``cache``: what a previous run kept of the entities of ``rows``,
    reused where their statements did not change."""
    out = Extracted()
    cache = cache or {}
    names: dict[str, str] = {}  # entity id -> name key, for context
    links: list[list[str]] = []  # entities connected through one relationship or reference
    related: list[list[str]] = []  # the parties of each relationship
    by_record: dict[tuple[str, str], list[str]] = defaultdict(list)
    neighbour_ids: dict[str, set[str]] = defaultdict(set)
    middles: set[str] = set()  # documents, e-mails, events: context that is not a party
    lines: dict[str, list[str]] = {g: [] for g in GROUPS}  # features to parse, per group
    parsed: dict[str, list[pa.Table]] = {g: [] for g in GROUPS}

    def take(item: _Pending) -> None:
        r = item.record
        wanted = schemata is None or r.schema in schemata
        if r.features is None:
            out.skipped += int(wanted)
            return
        found = lines[item.group]
        found.append(r.features)  # out of this run's schemata: its name is context
        if len(found) >= PARSE_BATCH:
            parsed[item.group].append(_parse(found))
            found.clear()
        if wanted and r.record_key:
            out.record_keys[r.entity_id] = r.record_key
            by_record[(r.source, r.record_key)].append(r.entity_id)

    def link(r: EntityRecord, group: str | None) -> None:
        edge = _is_edge(r.schema)
        if r.refs:
            refs = r.refs.split(REF_SEPARATOR)
            # a relationship joins its parties; any other entity (a document, an e-mail,
            # a court case, a person or company) is itself one of its references' context
            links.append(refs if edge else [r.entity_id, *refs])
            if edge:  # a relationship joins two different entities
                related.append(refs)
            elif group is None:
                middles.add(r.entity_id)
        if r.caption:
            names[r.entity_id] = r.caption

    standardiser = _Standardiser(out, take)
    count = 0
    for entity_id, stmts in _entities(rows):
        count += 1
        if progress is not None and count % 10_000 == 0:
            progress(count)
        record, digest_src = _record(entity_id, stmts)
        out.read.add(entity_id)
        group = group_of(record.schema)
        link(record, group)
        found = cache.get(entity_id)
        same = found is not None and found[0] == record.feature_key
        if group is None:
            if not same:
                out.fresh.append(record)
            continue
        if same:
            assert found is not None
            standardiser.add(_Pending(record._replace(features=found[1]), group, fresh=False),
                             None, digest_src)  # fmt: skip
        else:
            standardiser.add(_Pending(record, group, fresh=True), stmts, digest_src)
    for record in kept:
        count += 1
        if progress is not None and count % 10_000 == 0:
            progress(count)
        group = group_of(record.schema)
        link(record, group)
        if group is not None:
            standardiser.add(_Pending(record, group, fresh=False), None, "")
    standardiser.finish()
    if progress is not None:
        progress(count)
    features: dict[str, pa.Table] = {}
    for group in GROUPS:
        table = pa.concat_tables([*parsed[group], _parse(lines[group])])
        parsed[group], lines[group] = [], []
        names.update(zip(table.column("unique_id").to_pylist(),
                         table.column("name_fold").to_pylist(), strict=True))  # fmt: skip
        if schemata is not None:
            table = table.filter(pc.is_in(table.column("schema"), pa.array(schemata)))
        features[group] = table
    for members in links:
        for a in members:
            neighbour_ids[a].update(b for b in members if b != a)
    degree = {n: len(ids) for n, ids in neighbour_ids.items()}

    def context(uid: str) -> list[str] | None:
        """Names one step away, and two steps away through a document or event."""
        near = {n for n in neighbour_ids.get(uid, ()) if degree[n] <= HUB_DEGREE}
        far = {m for n in near & middles for m in neighbour_ids[n] if degree[m] <= HUB_DEGREE}
        own = names.get(uid)
        return _uniq(name for n in near | far - {uid} if (name := names.get(n)) != own)

    listed: Counter[str] = Counter()
    neighbours: dict[str, list[list[str] | None]] = {}
    for group in GROUPS:
        neighbours[group] = [context(u) for u in features[group].column("unique_id").to_pylist()]
        listed.update(n for ns in neighbours[group] for n in ns or ())
    for group in GROUPS:  # a name in the context of few records says more than a common one
        table = features[group]
        rare = [_uniq(n for n in ns if listed[n] <= RARE_CONTEXT) if ns else None
                for ns in neighbours[group]]  # fmt: skip
        derived = {
            "neighbours": neighbours.pop(group),
            "neighbours_rare": rare,
            "rich_context": ["yes" if r and len(r) >= 2 else None for r in rare],
            "phones_own": _own_phones(table.column("phones").to_pylist(),
                                      table.column(_PHONE_HOLDER[group]).to_pylist()),
        }  # fmt: skip
        out.tables[group] = pa.Table.from_arrays(
            [table.column(f.name) if f.name not in derived
             else pa.array(derived[f.name], type=f.type) for f in TABLE],
            schema=TABLE,
        )  # fmt: skip
        del features[group]
    for members in [*by_record.values(), *related]:
        for a, b in combinations(sorted(set(members)), 2):
            out.cannot_link.add((a, b))
    return out
