"""From statements to one comparable row per source entity (the input to Splink).

One pass over the visible statements, grouped by entity. Persons go to the person
table, organisations (and LegalEntity, which may be either) to the organisation table.
Relationship entities (Directorship, Payment, Call, Family ...) and entity-valued
properties become *context*: each record carries the names of the entities it is
connected to, because in investigative data connections tell two John Smiths apart.
Entities first seen on the same source record (payer and payee of one payment, two
inventors on one patent) are recorded as cannot-link pairs.

Standardising a record's values is most of the cost of a read, and a record whose
statements did not change standardises the same way: the features of each record are
kept (``Extracted.fresh``, stored by resolution) under a key of its statements, its
schema and source, and the code and libraries that standardise them (``VERSION``); a
later run reuses them when the key still matches. What depends on other records
(context, shared phones) is computed on every run.
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
from followthemoney import model as ftm

from casegraph.model.statements import StatementRow
from casegraph.resolve import standardise as std

# entity id -> (feature key, features as JSON): a previous run's standardised records
Cache = dict[str, tuple[str, str]]
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


@dataclass
class Extracted:
    """Records per group, their context and the cannot-link pairs found while reading."""

    rows: dict[str, dict[str, list[Any]]] = field(
        default_factory=lambda: {g: defaultdict(list) for g in GROUPS}
    )
    skipped: int = 0  # entities of a resolvable schema with nothing comparable (no name)
    cannot_link: set[tuple[str, str]] = field(default_factory=set)
    record_keys: dict[str, str] = field(default_factory=dict)
    # records standardised on this run (no usable cached features): id -> (key, JSON)
    fresh: Cache = field(default_factory=dict)

    def table(self, group: str) -> pa.Table:
        """The group's records as an Arrow table; the row lists are released."""
        columns = self.rows[group]
        self.rows[group] = defaultdict(list, {"unique_id": columns.get("unique_id", [])})
        names = [*SCALAR_COLUMNS, *LIST_COLUMNS]
        arrays = [
            pa.array(columns.get(n, []), type=pa.list_(pa.string()))
            if n in LIST_COLUMNS
            else pa.array(columns.get(n, []), type=pa.string())
            for n in names
        ]
        return pa.Table.from_arrays(arrays, names=names)

    def count(self, group: str) -> int:
        return len(self.rows[group].get("unique_id", []))


def _entities(rows: Iterable[StatementRow]) -> Iterator[tuple[str, list[StatementRow]]]:
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


def _own_phones(columns: dict[str, list[Any]], group: str) -> None:
    """Each record's phone numbers that no other known holder shares: a number held by
    records of two dates of birth (or two street addresses) is a shared line, and
    sharing it says less."""
    holders: dict[str, set[str]] = defaultdict(set)
    marks = columns.get(_PHONE_HOLDER[group], [])
    for phones, mark in zip(columns.get("phones", []), marks, strict=True):
        for phone in phones or ():
            if mark is not None:
                holders[phone].add(mark)
    columns["phones_own"] = [
        _uniq(p for p in phones if len(holders.get(p, ())) <= 1) if phones else None
        for phones in columns.get("phones", [])
    ]


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


def _standardise(tasks: list[Task]) -> list[tuple[dict[str, Any], str] | None]:
    """Each record's features, and the same as JSON (as they are kept)."""
    return [(f, json.dumps(f, separators=(",", ":"))) if (f := _features(t)) is not None
            else None for t in tasks]  # fmt: skip


@dataclass
class _Pending:
    """A record read, waiting for its features (in the order records were read)."""

    entity_id: str
    group: str
    source: str
    record_key: str | None
    key: str
    features: dict[str, Any] | None = None
    task: Task | None = None  # set while it still needs standardising


class _Standardiser:
    """Features for records in the order they are read: cached ones at once, the rest
    standardised in batches. Once more than ``PARALLEL_FROM`` records of a run need
    standardising (a full run), batches go to worker processes while the reading goes
    on; below that (incremental runs, small workspaces) they run here."""

    def __init__(self, cache: Cache, out: Extracted,
                 take: Callable[[_Pending], None]) -> None:  # fmt: skip
        self.cache, self.out, self.take = cache, out, take
        self.batch: list[_Pending] = []
        self.waiting: deque[tuple[list[_Pending], Any]] = deque()
        self.misses = 0
        self.pool: Any = None

    def add(self, entity_id: str, stmts: list[StatementRow], group: str) -> None:
        first = stmts[0]
        digest_src = "|".join(sorted(f"{s.prop}={s.value}" for s in stmts))
        key = hashlib.sha1(
            f"{VERSION}\x1f{first.schema}\x1f{first.source}\x1f{digest_src}".encode()
        ).hexdigest()
        record_key = next((s.record_key for s in stmts if s.record_key), None)
        item = _Pending(entity_id, group, first.source, record_key, key)
        found = self.cache.get(entity_id)
        if found is not None and found[0] == key:
            item.features = json.loads(found[1])
        else:
            self.misses += 1
            item.task = (entity_id, first.schema, first.source,
                         [(s.prop, s.value) for s in stmts], group, digest_src)  # fmt: skip
        self.batch.append(item)
        if len(self.batch) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        batch, self.batch = self.batch, []
        tasks = [i.task for i in batch if i.task is not None]
        if self.pool is None and self.misses > PARALLEL_FROM:
            self.pool = multiprocessing.get_context("spawn").Pool(WORKERS)
        if self.pool is None or not tasks:
            self._done(batch, _standardise(tasks))
            return
        self.waiting.append((batch, self.pool.apply_async(_standardise, (tasks,))))
        while len(self.waiting) > 2 * WORKERS:
            done, result = self.waiting.popleft()
            self._done(done, result.get())

    def _done(self, batch: list[_Pending], made: list[tuple[dict[str, Any], str] | None]) -> None:
        found = iter(made)
        for item in batch:
            if item.task is not None and (result := next(found)) is not None:
                item.features, text = result
                self.out.fresh[item.entity_id] = (item.key, text)
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
    rows: Iterable[StatementRow],
    schemata: tuple[str, ...] | None = None,
    progress: Callable[[int], None] | None = None,
    cache: Cache | None = None,
) -> Extracted:
    """Read statements once; return comparable records, context and cannot-links.
    ``cache``: a previous run's features (``Extracted.fresh``), reused where the
    record did not change."""
    out = Extracted()
    names: dict[str, str] = {}  # entity id -> name key, for context
    links: list[list[str]] = []  # entities connected through one relationship or reference
    related: list[list[str]] = []  # the parties of each relationship
    by_record: dict[tuple[str, str], list[str]] = defaultdict(list)
    neighbour_ids: dict[str, set[str]] = defaultdict(set)
    middles: set[str] = set()  # documents, e-mails, events: context that is not a party

    def take(item: _Pending) -> None:
        if item.features is None:
            out.skipped += 1
            return
        names[item.entity_id] = str(item.features["name_fold"])  # spelt alike everywhere
        if item.record_key:
            out.record_keys[item.entity_id] = item.record_key
            by_record[(item.source, item.record_key)].append(item.entity_id)
        columns = out.rows[item.group]
        for key, value in item.features.items():
            columns[key].append(value)

    standardiser = _Standardiser(cache or {}, out, take)
    count = 0
    for entity_id, stmts in _entities(rows):
        count += 1
        if progress is not None and count % 10_000 == 0:
            progress(count)
        schema = stmts[0].schema
        group = group_of(schema)
        refs = sorted({s.value for s in stmts if s.prop_type == "entity"})
        edge = _is_edge(schema)
        if refs:
            # a relationship joins its parties; any other entity (a document, an e-mail,
            # a court case, a person or company) is itself one of its references' context
            links.append(refs if edge else [entity_id, *refs])
            if edge:  # a relationship joins two different entities
                related.append(refs)
            elif group is None:
                middles.add(entity_id)
        if group is None or (schemata is not None and schema not in schemata):
            name = next((s.value for s in stmts if s.prop in _CAPTION_PROPS), None)
            if name and not edge:
                names[entity_id] = std.fold_key(std.clean_text(name).split())
            continue
        standardiser.add(entity_id, stmts, group)
    standardiser.finish()
    if progress is not None:
        progress(count)
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
    for group in GROUPS:
        columns = out.rows[group]
        columns["neighbours"] = [context(uid) for uid in columns.get("unique_id", [])]
        listed.update(n for ns in columns["neighbours"] for n in ns or ())
    for group in GROUPS:
        _own_phones(out.rows[group], group)
    for group in GROUPS:  # a name in the context of few records says more than a common one
        columns = out.rows[group]
        columns["neighbours_rare"] = rare = [
            _uniq(n for n in ns if listed[n] <= RARE_CONTEXT) if ns else None
            for ns in columns["neighbours"]
        ]
        columns["rich_context"] = ["yes" if r and len(r) >= 2 else None for r in rare]
    for members in [*by_record.values(), *related]:
        for a, b in combinations(sorted(set(members)), 2):
            out.cannot_link.add((a, b))
    return out
