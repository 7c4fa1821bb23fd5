"""A seeded synthetic workspace for the search and graph benchmarks, and their shared
plumbing (stores, sessions, percentiles, tables).

Seeding 1,000,000 subjects through ingest and indexing would take hours, so the
derived tables are written directly, through the store's own bulk writers
(``search_index.insert_docs`` and ``graph_store.insert_edges``), with ``Document`` and
``Edge`` objects shaped exactly as the indexer builds them (a sample of each seeding is
checked against ``search.documents.build`` on the equivalent statements).

The population:

* subjects in communities (log-normal sizes, median ~150), 80 % people and 20 %
  companies; people have a given name (3,000 names), in 35 % of cases a middle name,
  and a family name (20,000 names), both drawn Zipf-like so that common names are
  common; companies a brand word, often a sector word and a legal form;
* nationality / jurisdiction from 20 countries, birth / incorporation dates, an id
  number (60 %), a phone (80 % of people): households of two or three people (one
  person in ten) share a family name and a landline, the rest have a mobile;
  1 % of people are minors (sealed: they never match a search);
* every subject has a document in ``registry``; a quarter of the people with a phone
  also one in ``telecom`` (name and phone), so those match through two documents;
* edges: a degree-corrected stochastic block model (each end drawn with probability
  proportional to a heavy-tailed Pareto weight capped at 300x the minimum, the second
  end in the first one's community with probability 0.8); kinds by the ends' schemata
  (Call, Payment, Associate, Family, Ownership, Directorship) with dates, amounts and
  shares, plus the ``same:phone`` edges the shared landlines make, exactly as the
  indexer derives them. Average degree 2 * edges / subjects (10 by default).

Sources are registered through the service; the store's schema is the migration's.
A store whose sources carry this seeding's fingerprint and whose counts match is reused.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import os
import random
import sys
import tempfile
import time
import uuid
from array import array
from bisect import bisect
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from itertools import accumulate, combinations
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from casegraph.access.context import AccessContext
from casegraph.config import Settings, normalise_database_url
from casegraph.graph.edges import ENDS
from casegraph.model.amounts import SECONDS
from casegraph.model.edges import Edge
from casegraph.model.search_documents import Document
from casegraph.model.statements import StatementRow
from casegraph.search.documents import build
from casegraph.search.text import tokens
from casegraph.service import Workspace
from casegraph.store import graph_store, search_index
from casegraph.store.engine import make_engine

sys.path.insert(0, str(Path(__file__).resolve().parent))

import people_gen

GEN_VERSION = 2
DEFAULT_POSTGRES = os.environ.get(
    "CASEGRAPH_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
SOURCES = {
    "registry": "Synthetic company and civil registry",
    "telecom": "Synthetic subscriber and call records",
    "bank": "Synthetic payment records",
}
# (code, calling code, national digits, share)
# fmt: off
COUNTRIES = (
    ("de", 49, 10, 0.22), ("fr", 33, 9, 0.08), ("nl", 31, 9, 0.06), ("it", 39, 10, 0.07),
    ("pl", 48, 9, 0.06), ("ua", 380, 9, 0.05), ("tr", 90, 10, 0.06), ("ng", 234, 10, 0.03),
    ("gb", 44, 10, 0.07), ("es", 34, 9, 0.06), ("ru", 7, 10, 0.04), ("ch", 41, 9, 0.03),
    ("at", 43, 10, 0.03), ("cy", 357, 8, 0.02), ("ae", 971, 9, 0.02), ("ro", 40, 9, 0.03),
    ("rs", 381, 9, 0.02), ("lt", 370, 8, 0.01), ("gr", 30, 10, 0.02), ("pt", 351, 9, 0.02),
)
# fmt: on
FORMS = ("GmbH", "Ltd", "SA", "BV", "Srl", "LLC", "AG", "Sp. z o.o.", "Holding", "Limited")
SECTORS = (
    "Trading", "Logistics", "Consulting", "Invest", "Capital", "Shipping", "Energy",
    "Construction", "Import Export", "Services", "Holdings", "Properties", "Media",
    "Technologies", "Foods", "Textiles", "Pharma", "Security", "Travel", "Automotive",
    "Metals", "Agro", "Finance", "Partners", "Global", "Development", "Resources",
    "Marine", "Software", "Industries",
)  # fmt: skip
ONSETS = ("", "", "b", "br", "d", "f", "g", "h", "j", "k", "kr", "l", "m", "n", "p", "r",
          "s", "sch", "st", "t", "tr", "v", "w", "z")  # fmt: skip
VOWELS = ("a", "e", "i", "o", "u", "a", "e", "i", "o", "ei", "au", "ie")
CODAS = ("", "", "", "n", "r", "l", "s", "m", "nd", "rt", "ck", "ll", "t")
GIVEN_ENDS = ("a", "o", "e", "an", "in", "el", "ia", "us", "ina", "er", "ie", "on", "ik",
              "ette", "ard", "is", "ana", "iel", "ya", "em")  # fmt: skip
FAMILY_ENDS = ("er", "mann", "son", "ova", "ski", "ez", "ini", "berg", "enko", "ic", "ly",
               "ford", "stein", "ou", "idis", "oglu", "sen", "ard", "", "ov", "escu", "aki",
               "elli", "ani", "ovic", "ier", "ke", "ton", "well", "wood")  # fmt: skip
ACCENTS = {"a": "ä", "o": "ö", "u": "ü", "e": "é", "n": "ñ", "c": "ç", "s": "ş"}
KIND_MIX = {
    ("P", "P"): (("Call", 0.55), ("Payment", 0.15), ("Associate", 0.20), ("Family", 0.10)),
    ("P", "C"): (("Payment", 0.40), ("Directorship", 0.30), ("Ownership", 0.30)),
    ("C", "C"): (("Payment", 0.60), ("Ownership", 0.40)),
}
KIND_SOURCE = {
    "Call": "telecom",
    "Payment": "bank",
    "Associate": "registry",
    "Family": "registry",
    "Ownership": "registry",
    "Directorship": "registry",
}
RELATIONS = ("business partner", "friend", "colleague", "neighbour")
FAMILY_RELATIONS = ("sibling", "cousin", "spouse", "parent")
NOW = datetime(2025, 1, 1)
SEED_BATCH = 50_000  # documents or edges per transaction while seeding


# --- names -------------------------------------------------------------------------------


def _word(rng: random.Random, ends: Sequence[str], syllables: int) -> str:
    parts = [rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables)]
    word = "".join(parts) + rng.choice(ends)
    if rng.random() < 0.05:  # a letter with a diacritic: tokens fold it (ö -> o)
        at = [i for i, c in enumerate(word) if c in ACCENTS]
        if at:
            i = rng.choice(at)
            word = word[:i] + ACCENTS[word[i]] + word[i + 1 :]
    return word.capitalize()


def _round_robin(lists: Sequence[Sequence[str]]) -> list[str]:
    out = []
    for i in range(max(len(items) for items in lists)):
        out += [items[i] for items in lists if i < len(items)]
    return out


def _pool(
    rng: random.Random, size: int, ends: Sequence[str], taken: set[str], real: Sequence[str] = ()
) -> list[str]:
    """``size`` names whose search tokens are distinct (and not in ``taken``): the real
    ones first (they get the most common ranks), then made-up ones."""
    out: list[str] = []
    candidates = iter(real)
    while len(out) < size:
        name = next(candidates, None) or _word(rng, ends, rng.choice((1, 2, 2, 2, 3)))
        folded = tokens(name)
        if len(folded) != 1 or not 4 <= len(folded[0]) <= 12 or folded[0] in taken:
            continue
        taken.add(folded[0])
        out.append(name)
    return out


@dataclass
class Table:
    items: list[str]
    cum: list[float]

    @classmethod
    def zipf(cls, items: list[str], offset: float) -> Table:
        return cls(items, list(accumulate(1.0 / (rank + offset) for rank in range(len(items)))))

    def draw(self, rng: random.Random) -> str:
        return self.items[bisect(self.cum, rng.random() * self.cum[-1])]


@dataclass
class Names:
    given: Table
    family: Table
    brands: Table

    @classmethod
    def make(cls, seed: int) -> Names:
        rng = random.Random(f"names-{seed}")
        taken: set[str] = set()
        real_given = _round_robin([names for pair in people_gen.GIVEN.values() for names in pair])
        real_family = _round_robin(
            [people_gen._family_table(culture)[0] for culture in people_gen.FAMILY]
        )
        given = _pool(rng, 3_000, GIVEN_ENDS, taken, real_given)
        family = _pool(rng, 20_000, FAMILY_ENDS, taken, real_family)
        brands = _pool(rng, 5_000, ("", "a", "ex", "on", "ix", "co", "tec", "ia"), taken)
        return cls(Table.zipf(given, 30), Table.zipf(family, 100), Table.zipf(brands, 50))


# --- the population ---------------------------------------------------------------------


def canonical_id(i: int) -> str:
    return "cg-" + hashlib.sha1(f"subject:{i}".encode()).hexdigest()[:24]


def entity_id(source: str, i: int) -> str:
    return hashlib.sha1(f"{source}:{i}".encode()).hexdigest()


@dataclass
class Params:
    subjects: int
    edges: int
    seed: int

    @property
    def fingerprint(self) -> str:
        return (
            f"synthetic benchmark data v{GEN_VERSION}: seed {self.seed}, "
            f"{self.subjects} subjects, {self.edges} edges"
        )


@dataclass
class Subject:
    """One generated subject: its statements as (prop, type, value) per source."""

    i: int
    schema: str
    props: list[tuple[str, str, str]]
    telecom: list[tuple[str, str, str]] | None = None


class Population:
    """Subjects 0..n-1 in communities; made in one seeded pass, in order."""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.names = Names.make(params.seed)
        rng = random.Random(f"structure-{params.seed}")
        n = params.subjects
        # communities: contiguous ranges of subject numbers
        starts = [0]
        while starts[-1] < n:
            size = max(5, min(5_000, int(rng.lognormvariate(math.log(150), 0.9))))
            starts.append(min(n, starts[-1] + size))
        self.starts = starts
        self.community = array("i", bytes(4 * n))
        for c in range(len(starts) - 1):
            for i in range(starts[c], starts[c + 1]):
                self.community[i] = c
        self.company = bytearray(1 if rng.random() < 0.2 else 0 for _ in range(n))
        # Pareto(1.5) weights, capped: expected degree is proportional to the weight
        weights = [min(300.0, (1.0 - rng.random()) ** (-1 / 1.5)) for _ in range(n)]
        self.cum = array("d", accumulate(weights))
        self.ids = [canonical_id(i) for i in range(n)]
        self.landlines: list[tuple[str, list[int]]] = []  # (phone, household members)
        self.telecom_docs: set[int] = set()

    def subjects(self) -> Iterator[Subject]:
        """The subjects in order (households are consecutive people)."""
        rng = random.Random(f"subjects-{self.params.seed}")
        countries = [c for c in COUNTRIES]
        shares = list(accumulate(c[3] for c in countries))
        n = self.params.subjects
        i = 0
        while i < n:
            country = countries[bisect(shares, rng.random() * shares[-1])]
            if self.company[i]:
                yield self._company(rng, i, country)
                i += 1
                continue
            size = 1
            if rng.random() < 0.05:
                size = rng.choice((2, 2, 3))
            members = [j for j in range(i, min(n, i + size)) if not self.company[j]]
            members = [
                j for k, j in enumerate(members) if k == 0 or members[k - 1] == j - 1
            ]  # consecutive people only
            family = self.names.family.draw(rng)
            landline = self._phone(rng, country) if len(members) > 1 else None
            if landline is not None:
                self.landlines.append((landline[1], members))
            for j in members:
                yield self._person(rng, j, country, family, landline)
            i = members[-1] + 1

    def _phone(self, rng: random.Random, country: tuple[str, int, int, float]) -> tuple[str, str]:
        """(as written, E.164)."""
        _, calling, digits, _ = country
        national = str(rng.randrange(2 * 10 ** (digits - 1), 10**digits))
        written = f"+{calling} {national[:3]} {national[3:]}"
        return written, f"+{calling}{national}"

    def _date(self, rng: random.Random, first: int, last: int) -> str:
        day = int(rng.random() * 336)  # 12 months of 28 days: valid everywhere
        return f"{rng.randrange(first, last + 1)}-{day // 28 + 1:02d}-{day % 28 + 1:02d}"

    def _person(
        self,
        rng: random.Random,
        i: int,
        country: tuple[str, int, int, float],
        family: str,
        landline: tuple[str, str] | None,
    ) -> Subject:
        given = self.names.given.draw(rng)
        middle = self.names.given.draw(rng) if rng.random() < 0.35 else None
        full = " ".join(p for p in (given, middle, family) if p)
        minor = rng.random() < 0.01
        born = self._date(rng, 2010, 2016) if minor else self._date(rng, 1940, 2004)
        props = [
            ("name", "name", full),
            ("firstName", "name", given),
            ("lastName", "name", family),
            ("birthDate", "date", born),
            ("nationality", "country", country[0]),
        ]
        phone = landline or (self._phone(rng, country) if rng.random() < 0.8 else None)
        if phone is not None:
            props.append(("phone", "phone", phone[0]))
        if rng.random() < 0.6:
            number = f"{country[0].upper()}{rng.randrange(10**9):09d}"
            props.append(("idNumber", "identifier", number))
        telecom = None
        if phone is not None and (landline is not None or rng.random() < 0.25):
            telecom = [("name", "name", full), ("phone", "phone", phone[0])]
            self.telecom_docs.add(i)
        return Subject(i, "Person", props, telecom)

    def _company(self, rng: random.Random, i: int, country: tuple[str, int, int, float]) -> Subject:
        brand = self.names.brands.draw(rng) if rng.random() < 0.6 else self.names.family.draw(rng)
        parts = [brand]
        if rng.random() < 0.7:
            parts.append(rng.choice(SECTORS))
        parts.append(rng.choice(FORMS))
        props = [
            ("name", "name", " ".join(parts)),
            ("jurisdiction", "country", country[0]),
            ("incorporationDate", "date", self._date(rng, 1950, 2024)),
        ]
        if rng.random() < 0.8:
            props.append(
                ("registrationNumber", "identifier", f"HR{rng.randrange(10**7):07d}{country[0]}")
            )
        if rng.random() < 0.4:
            props.append(("phone", "phone", self._phone(rng, country)[0]))
        return Subject(i, "Company", props)

    # --- documents, as search.documents.build makes them ---------------------------------

    def documents(self, subject: Subject) -> list[Document]:
        out = [document(subject.i, "registry", subject.schema, subject.props)]
        if subject.telecom is not None:
            out.append(document(subject.i, "telecom", subject.schema, subject.telecom))
        return out

    # --- edges ------------------------------------------------------------------------------

    def _pick(self, rng: random.Random, lo: int, hi: int) -> int:
        base = self.cum[lo - 1] if lo else 0.0
        r = base + rng.random() * (self.cum[hi - 1] - base)
        return min(hi - 1, bisect(self.cum, r, lo, hi))

    def shared_edges(self) -> list[Edge]:
        """``same:phone`` edges between the documents holding each household landline
        (``graph.edges.shared_edges``, on the same holders the indexer would find)."""
        out: list[Edge] = []
        for phone, members in self.landlines:
            docs = sorted(
                [(canonical_id(j), "registry") for j in members]
                + [(canonical_id(j), "telecom") for j in members if j in self.telecom_docs]
            )
            for (a, sa), (b, sb) in combinations(docs, 2):
                if a != b:
                    origin = f"phone:{phone}"
                    out.append(Edge(a, b, "same:phone", origin, None, None, None, sa, sb, False,
                                    label=phone))  # fmt: skip
        return out

    def relationship_edges(self, count: int) -> Iterator[list[Edge]]:
        rng = random.Random(f"edges-{self.params.seed}")
        n = self.params.subjects
        batch: list[Edge] = []
        for k in range(count):
            while True:
                a = self._pick(rng, 0, n)
                if rng.random() < 0.8:
                    c = self.community[a]
                    b = self._pick(rng, self.starts[c], self.starts[c + 1])
                else:
                    b = self._pick(rng, 0, n)
                if a != b:
                    break
            batch.append(self._edge(rng, k, a, b))
            if len(batch) >= SEED_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    def _edge(self, rng: random.Random, k: int, a: int, b: int) -> Edge:
        pa, pb = "C" if self.company[a] else "P", "C" if self.company[b] else "P"
        if (pa, pb) == ("C", "P"):
            a, b, pa, pb = b, a, pb, pa
        mix = KIND_MIX[(pa, pb)]
        r, kind = rng.random(), mix[-1][0]
        for name, weight in mix:
            if r < weight:
                kind = name
                break
            r -= weight
        if kind == "Payment" and rng.random() < 0.5:
            a, b = b, a
        source = KIND_SOURCE[kind]
        origin = hashlib.sha1(f"{source}:{kind}:{k}".encode()).hexdigest()
        start: str | None = None
        end: str | None = None
        amount: float | None = None
        share: float | None = None
        label: str | None = None
        if kind in ("Call", "Payment"):
            start = end = self._date(rng, 2015, 2024)
            amount = (
                float(rng.randint(5, 3600))
                if kind == "Call"
                else round(math.exp(rng.uniform(3, 13)), 2)
            )
        elif kind in ("Ownership", "Directorship"):
            start = self._date(rng, 1990, 2024)
            if kind == "Ownership":
                share = float(rng.choice((5, 10, 25, 33, 50, 51, 75, 100)))
            else:
                label = "director"
        else:
            label = rng.choice(RELATIONS if kind == "Associate" else FAMILY_RELATIONS)
        unit = {"Call": SECONDS, "Payment": "EUR"}.get(kind)
        return Edge(
            self.ids[a], self.ids[b], kind, origin, origin, entity_id(source, a),
            entity_id(source, b), source, source, ENDS[kind][2], start, end, amount, share,
            label, unit,
        )  # fmt: skip


@cache
def _word_tokens(word: str) -> tuple[str, ...]:
    """Tokens of one word of a name (names are made of a few thousand words, and
    transliterating a non-ASCII one takes a tenth of a millisecond)."""
    return tokens(word)


def document(i: int, source: str, schema: str, props: list[tuple[str, str, str]]) -> Document:
    """The document ``build`` makes of these statements (checked on a sample)."""
    names: dict[str, None] = {}
    terms: dict[str, None] = {}
    details: dict[str, None] = {}
    body: dict[str, None] = {}
    values: set[tuple[str, str]] = set()
    adult = None
    for prop, kind, value in props:
        if kind == "name":
            names[value] = None
            terms.update(dict.fromkeys(t for word in value.split() for t in _word_tokens(word)))
            continue
        details[f"{prop}: {value}"] = None
        if kind == "date":
            values.add((f"date:{prop}", value))
            values.add(("year", value[:4]))
            if prop == "birthDate":
                adult = f"{int(value[:4]) + 18}{value[4:]}"
        elif kind == "country":
            values.add(("country", value))
        elif kind == "phone":
            normal = "+" + "".join(ch for ch in value if ch.isdigit())
            values.add(("phone", normal))
            body.update(dict.fromkeys(tokens(normal)))
        elif kind == "identifier":
            values.add(("id", "".join(ch for ch in value if ch.isalnum()).upper()))
            body.update(dict.fromkeys(tokens(value)))
        body.update(dict.fromkeys(tokens(value)))
    name_list = list(names)
    return Document(
        canonical_id=canonical_id(i),
        source=source,
        schema=schema,
        caption=name_list[0],
        names=name_list,
        details=list(details),
        terms=" ".join(terms),
        body=" ".join(body),
        adult_on=adult,
        values=values,
    )


def check_documents(subjects: Sequence[Subject]) -> None:
    """The generated documents are what the indexer would build from the statements."""
    for subject in subjects:
        for source, props in (("registry", subject.props), ("telecom", subject.telecom)):
            if props is None:
                continue
            rows = [
                StatementRow("x", source, entity_id(source, subject.i), canonical_id(subject.i),
                             subject.schema, prop, kind, value, None, None, NOW, NOW)
                for prop, kind, value in props
            ]  # fmt: skip
            expected = build(rows, frozenset())
            made = document(subject.i, source, subject.schema, props)
            if expected != made:
                raise SystemExit(f"generator out of step with documents.build:\n{expected}\n{made}")


# --- stores --------------------------------------------------------------------------------


@dataclass
class Store:
    name: str  # sqlite | postgresql
    settings: Settings
    admin_url: str | None = None  # PostgreSQL: the database, for the schema
    schema: str | None = None

    def reset(self) -> None:
        """Start from an empty store."""
        if self.admin_url is None:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.settings.data_dir / 'casegraph.db'}{suffix}").unlink(missing_ok=True)
            return
        admin = create_engine(self.admin_url)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {self.schema}"))
        admin.dispose()

    def drop(self) -> None:
        if self.admin_url is None:
            self.reset()
            return
        admin = create_engine(self.admin_url)
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
        admin.dispose()


def stores(args: argparse.Namespace) -> list[Store]:
    out = []
    workdir = Path(args.workdir)
    if args.store in ("sqlite", "both"):
        out.append(Store("sqlite", Settings(data_dir=workdir / "ws-sqlite", operator="benchmark")))
    if args.store in ("postgresql", "both"):
        sep = "&" if "?" in args.postgres else "?"
        url = f"{args.postgres}{sep}options=-csearch_path%3D{args.schema}"
        settings = Settings(
            data_dir=workdir / "ws-postgresql", database_url=url, operator="benchmark"
        )
        out.append(
            Store("postgresql", settings, normalise_database_url(args.postgres), args.schema)
        )
    return out


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--edges", type=int, default=5_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--store", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--workdir",
        default=str(Path(tempfile.gettempdir()) / "casegraph-bench-search-graph"),
        help="where the SQLite workspace is kept between runs",
    )
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="PostgreSQL database URL")
    parser.add_argument("--schema", default="bench_search", help="PostgreSQL schema to use")
    parser.add_argument("--queries", type=int, default=200, help="queries per category")
    parser.add_argument(
        "--max-minutes", type=float, default=None,
        help="stop a category early after this long (what was measured is reported)",
    )  # fmt: skip
    parser.add_argument("--drop", action="store_true", help="drop the seeded store afterwards")
    parser.add_argument(
        "--cold", action="store_true",
        help="measure without reading the store's files into memory first",
    )  # fmt: skip
    parser.add_argument(
        "--analyze", action="store_true",
        help="SQLite: measure with planner statistics (ANALYZE); by default any are removed, "
        "as casegraph never gathers them",
    )  # fmt: skip


def context() -> AccessContext:
    return AccessContext(
        actor="benchmark", justification="synthetic search and graph benchmark run", local=True
    )


def counts(ws: Workspace) -> tuple[int, int, list[str]]:
    with ws.engine.connect() as conn:
        subjects = conn.exec_driver_sql(
            "SELECT COUNT(*) FROM search_docs WHERE source = 'registry'"
        ).scalar_one()
        edges = conn.exec_driver_sql("SELECT COUNT(*) FROM edges").scalar_one()
        titles = list(conn.exec_driver_sql("SELECT title FROM sources ORDER BY name").scalars())
    return int(subjects), int(edges), [str(t) for t in titles]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def prepare(store: Store, params: Params) -> tuple[Workspace, float | None]:
    """The seeded workspace (reused when it matches); the seconds seeding took, if it ran."""
    try:
        ws, before, after = Workspace.init(store.settings)  # a reused store is migrated
        if before != after:
            log(f"{store.name}: migrated {before} -> {after}")
        found = counts(ws)
        if (
            found[:2] == (params.subjects, params.edges)
            and all(params.fingerprint in t for t in found[2])
            and len(found[2]) == len(SOURCES)
        ):
            log(f"{store.name}: reusing the seeded store ({params.fingerprint})")
            return ws, None
        ws.close()
        log(f"{store.name}: store does not match ({found[:2]}); seeding afresh")
    except Exception as exc:  # no workspace yet, or not a casegraph store
        log(f"{store.name}: no seeded store ({type(exc).__name__}); seeding")
    store.reset()
    started = time.perf_counter()
    ws, _, _ = Workspace.init(store.settings)
    seed(ws, params)
    return ws, time.perf_counter() - started


def _bulk(ws: Workspace) -> Any:
    """A connection tuned for loading (settings of this connection only)."""
    engine = make_engine(ws.settings.store_url)
    conn = engine.connect()
    if engine.dialect.name == "sqlite":
        conn.exec_driver_sql("PRAGMA cache_size=-2000000")  # 2 GB for the index b-trees
    else:
        conn.exec_driver_sql("SET synchronous_commit = off")
        conn.exec_driver_sql("SET maintenance_work_mem = '1GB'")
    conn.commit()
    return conn


def seed(ws: Workspace, params: Params) -> None:
    with ws.session(context()) as s:
        for name, title in SOURCES.items():
            s.sources.add(name, title=f"{title} ({params.fingerprint})", team="analysts",
                          marking="PUBLIC", legal_basis="synthetic benchmark data",
                          retention_days=3650)  # fmt: skip
    population = Population(params)
    started = time.perf_counter()
    conn = _bulk(ws)
    try:
        docs: list[Document] = []
        sample: list[Subject] = []
        written = 0
        for subject in population.subjects():
            if len(sample) < 2_000:
                sample.append(subject)
            docs += population.documents(subject)
            if len(docs) >= SEED_BATCH:
                search_index.insert_docs(conn, docs)
                conn.commit()
                written += len(docs)
                docs = []
                _progress("documents", written, started)
        check_documents(sample)
        search_index.insert_docs(conn, docs)
        conn.commit()
        log(f"  {written + len(docs):,} documents in {time.perf_counter() - started:.0f} s")
        started = time.perf_counter()
        shared = population.shared_edges()[: params.edges]
        graph_store.insert_edges(conn, shared)
        conn.commit()
        written = len(shared)
        for batch in population.relationship_edges(params.edges - len(shared)):
            graph_store.insert_edges(conn, batch)
            conn.commit()
            written += len(batch)
            _progress("edges", written, started)
        log(f"  {written:,} edges ({len(shared):,} same:phone) in "
            f"{time.perf_counter() - started:.0f} s")  # fmt: skip
    finally:
        conn.close()
        conn.engine.dispose()
    started = time.perf_counter()
    # casegraph never runs ANALYZE on SQLite, so neither does the benchmark; PostgreSQL's
    # autovacuum would get there on its own, this only saves waiting for it
    with ws.engine.connect() as conn:
        if ws.engine.dialect.name == "sqlite":
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        else:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("VACUUM ANALYZE")
    log(f"  checkpoint / vacuum in {time.perf_counter() - started:.0f} s")


def sqlite_statistics(ws: Workspace, analyze: bool) -> str:
    """SQLite only: gather planner statistics, or remove any (casegraph never runs
    ANALYZE, so a real workspace has none). What the store measures with."""
    if ws.engine.dialect.name != "sqlite":
        return "autovacuum (VACUUM ANALYZE after seeding)"
    started = time.perf_counter()
    with ws.engine.connect() as conn:
        if analyze:
            conn.exec_driver_sql("ANALYZE")
        else:
            for table in ("sqlite_stat1", "sqlite_stat4"):
                exists = conn.exec_driver_sql(
                    "SELECT 1 FROM sqlite_master WHERE name = ?", (table,)
                ).first()
                if exists:
                    conn.exec_driver_sql(f"DELETE FROM {table}")
        conn.commit()
    ws.engine.dispose()  # new connections load the statistics (or their absence)
    if analyze:
        return f"ANALYZE ({time.perf_counter() - started:.0f} s before measuring)"
    return "none (as casegraph leaves it)"


def warm(store: Store, ws: Workspace, cold: bool) -> str:
    """Read the store's files once before measuring, so that the measurement sees a
    store held in memory, as on a server that has been up a while (the seeding's
    writes may have left the files partly on disk only): SQLite's database file through
    the page cache, PostgreSQL's tables and indexes with ``pg_prewarm`` (when the
    extension can be had). What was done, for the report."""
    if cold:
        return "not read before measuring (--cold)"
    started = time.perf_counter()
    if store.admin_url is None:
        with open(store.settings.data_dir / "casegraph.db", "rb") as db:
            while db.read(1 << 24):
                pass
        return f"read once before measuring ({time.perf_counter() - started:.0f} s)"
    admin = create_engine(store.admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_prewarm SCHEMA public")
            pages = conn.execute(
                text(
                    "SELECT SUM(public.pg_prewarm(c.oid, 'read')) FROM pg_class c "
                    "JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = :schema AND c.relkind IN ('r', 'i')"
                ),
                {"schema": store.schema},
            ).scalar_one()
    except SQLAlchemyError as exc:  # the run goes on, cold, and says so
        return f"not read before measuring (pg_prewarm: {type(exc).__name__})"
    finally:
        admin.dispose()
    return (
        f"read once before measuring (pg_prewarm, {int(pages or 0) * 8 // 1024:,} MB "
        f"in {time.perf_counter() - started:.0f} s)"
    )


def _progress(what: str, done: int, started: float) -> None:
    if done % 500_000 < SEED_BATCH:
        log(f"  {done:,} {what} ({done / (time.perf_counter() - started):,.0f}/s)")


# --- measuring -----------------------------------------------------------------------------


class Budget:
    """Wall-clock budget of one category: ``spent()`` once it is used up."""

    def __init__(self, minutes: float | None) -> None:
        self.until = None if minutes is None else time.perf_counter() + minutes * 60

    @classmethod
    def warmup(cls) -> Budget:
        return cls(1.0)

    def spent(self) -> bool:
        return self.until is not None and time.perf_counter() > self.until


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def summary(ours: Sequence[float], base: Sequence[float]) -> dict[str, float]:
    out = {
        "ours_p50_ms": round(percentile(ours, 50), 2),
        "ours_p95_ms": round(percentile(ours, 95), 2),
        "baseline_p50_ms": round(percentile(base, 50), 2),
        "baseline_p95_ms": round(percentile(base, 95), 2),
    }
    out["ratio_p50"] = round(out["ours_p50_ms"] / out["baseline_p50_ms"], 3)
    out["ratio_p95"] = round(out["ours_p95_ms"] / out["baseline_p95_ms"], 3)
    return out


def markdown(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    def cell(v: Any) -> str:
        if isinstance(v, float):
            return f"{v:,.2f}" if not math.isnan(v) else "-"
        if isinstance(v, int):
            return f"{v:,}"
        return str(v)

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def today() -> str:
    return date.today().isoformat()


def new_schema_name() -> str:
    return f"bench_{uuid.uuid4().hex[:8]}"


if __name__ == "__main__":
    # seed (or check) the stores without measuring anything
    parser = argparse.ArgumentParser(description="seed the search and graph benchmark stores")
    add_arguments(parser)
    args = parser.parse_args()
    for item in stores(args):
        workspace, seconds = prepare(item, Params(args.subjects, args.edges, args.seed))
        log(f"{item.name}: {counts(workspace)[:2]} seeded in {seconds or 0:.0f} s")
        workspace.close()
