"""Data for the screening benchmark (``screening.py``): the real UN and OFAC sanctions
lists as one list source, a generated population, and list entries planted in it with
the alterations real records show.

Nothing here is written into the repository: the lists are read from the shared data
folder at run time and every file is written to a temporary folder.

* ``read_lists`` -- the UN consolidated list (individuals and entities) and the OFAC SDN
  list (individuals and organisations; vessels and aircraft left out) with OFAC's
  aliases (``alt.csv``). OFAC's remarks give birth dates (``DOB 12 Jan 1960``, ``DOB
  1960``, ``DOB circa 1960``, ``DOB Jan 1960``; ranges left out), nationalities and
  passport numbers; countries become ISO codes through FollowTheMoney.
* ``population`` -- people from ``people_gen.Generator`` (seeded households of eight
  cultures living in eight European countries), with name, birth date (to the day,
  to the year or unknown), nationality and, for some, an address.
* ``plant`` -- people made from real list individuals that have a birth date, each
  altered in one or two of five ways (``ALTERATIONS``), with the answer key.
* ``padding`` -- generated list entries (words of real list names recombined), to
  make a list of a given size for the scale run.
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from followthemoney.types import registry

sys.path.insert(0, str(Path(__file__).resolve().parent))

from people_gen import Generator, Rates

LIST_SOURCE = "watchlist"
POPULATION_SOURCE = "population"
ALTERATIONS = ("reorder", "translit", "drop_middle", "year_off", "alias")


def shared_data() -> Path:
    """The ``shared/data`` folder: $CASEGRAPH_SHARED_DATA, else next to the repository."""
    configured = os.environ.get("CASEGRAPH_SHARED_DATA")
    if configured:
        return Path(configured).resolve()
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def ftm_id(dataset: str, key: str) -> str:
    """The id a mapping with ``key: COLUMN`` gives an entity: sha1 of the dataset name
    followed by the stripped cell."""
    digest = hashlib.sha1(dataset.encode("utf-8"))
    digest.update(key.strip().encode("utf-8"))
    return digest.hexdigest()


# --------------------------------------------------------------------------- the lists


@dataclass
class Entry:
    """One list entry. For a person, ``parts`` is (given, middle, family) words where
    the list says which is which (OFAC's "FAMILY, Given Middle"; the UN's first name
    field, the fields between and the last field)."""

    id: str
    schema: str  # Person | Organization
    name: str
    aliases: list[str] = field(default_factory=list)
    births: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    passports: list[str] = field(default_factory=list)
    parts: tuple[list[str], list[str], list[str]] | None = None
    generated: bool = False


def _country(text: str) -> str | None:
    code = registry.country.clean(text.strip())
    return str(code).lower() if code else None


def _add(values: list[str], value: str | None) -> None:
    value = " ".join((value or "").replace(";", ",").split())
    if value and value not in values:
        values.append(value)


def _text(node: ET.Element, tag: str) -> str:
    return " ".join((node.findtext(tag) or "").split())


def read_un(path: Path) -> list[Entry]:
    root = ET.parse(path).getroot()
    out: list[Entry] = []
    for node in root.iter("INDIVIDUAL"):
        fields = [_text(node, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME",
                                             "FOURTH_NAME")]  # fmt: skip
        fields = [f for f in fields if f]
        if not fields:
            continue
        entry = Entry(f"un-{_text(node, 'DATAID')}", "Person", " ".join(fields))
        words = [w for f in fields for w in f.split()]
        family = fields[-1].split() if len(fields) > 1 else words[-1:]
        given = words[:1]
        middle = words[1 : len(words) - len(family)]
        if len(words) > 1:
            entry.parts = (given, middle, family)
        for alias in node.iter("INDIVIDUAL_ALIAS"):
            _add(entry.aliases, _text(alias, "ALIAS_NAME"))
        for born in node.iter("INDIVIDUAL_DATE_OF_BIRTH"):
            day, year = _text(born, "DATE"), _text(born, "YEAR")
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day):
                _add(entry.births, day)
            elif re.fullmatch(r"\d{4}", year):
                _add(entry.births, year)
        for nationality in node.iter("NATIONALITY"):
            for value in nationality.iter("VALUE"):
                _add(entry.nationalities, _country(value.text or ""))
        for document in node.iter("INDIVIDUAL_DOCUMENT"):
            if "passport" in _text(document, "TYPE_OF_DOCUMENT").lower():
                _add(entry.passports, _text(document, "NUMBER"))
        out.append(entry)
    for node in root.iter("ENTITY"):
        name = _text(node, "FIRST_NAME")
        if not name:
            continue
        entry = Entry(f"un-{_text(node, 'DATAID')}", "Organization", name)
        for alias in node.iter("ENTITY_ALIAS"):
            _add(entry.aliases, _text(alias, "ALIAS_NAME"))
        out.append(entry)
    return out


def _cell(value: str) -> str:
    value = value.strip()
    return "" if value == "-0-" else value


MONTHS = {m: i + 1 for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul",
                                          "aug", "sep", "oct", "nov", "dec"))}  # fmt: skip
_DOB = re.compile(r"^(?:circa )?(?:(\d{1,2}) )?(?:([A-Za-z]{3}) )?(\d{4})$")


def ofac_birth(text: str) -> str | None:
    """"12 Jan 1960" -> 1960-01-12, "Jan 1960" -> 1960-01, "circa 1960" -> 1960;
    ranges and anything else -> None."""
    match = _DOB.match(text.strip())
    if match is None:
        return None
    day, month, year = match.groups()
    if month is None:
        return year if day is None else None
    number = MONTHS.get(month.lower())
    if number is None:
        return None
    return f"{year}-{number:02d}" + (f"-{int(day):02d}" if day else "")


_PASSPORT = re.compile(r"(.+?)(?: \(| issued| expires|$)")


def read_remarks(entry: Entry, remarks: str) -> None:
    for part in remarks.split(";"):
        part = part.strip().rstrip(".").strip()
        part = part.removeprefix("alt. ")
        if part.startswith("DOB "):
            _add(entry.births, ofac_birth(part[4:]))
        elif part.lower().startswith("nationality "):
            _add(entry.nationalities, _country(part[len("nationality "):]))
        elif (part.startswith("Passport ") and (found := _PASSPORT.match(part[9:]))
              and any(c.isdigit() for c in found.group(1))):  # fmt: skip
            _add(entry.passports, found.group(1))


def read_ofac(sdn: Path, alt: Path) -> list[Entry]:
    entries: dict[str, Entry] = {}
    with sdn.open(newline="", encoding="utf-8", errors="replace") as fh:
        for row in csv.reader(fh):
            if len(row) < 12:
                continue
            number, name, kind = _cell(row[0]), _cell(row[1]), _cell(row[2]).lower()
            if not name or kind in ("vessel", "aircraft"):
                continue
            person = kind == "individual"
            entry = Entry(f"ofac-{number}", "Person" if person else "Organization", name)
            if person and name.count(",") == 1:
                family, given = (p.split() for p in name.split(","))
                if family and given:
                    entry.parts = (given[:1], given[1:], family)
            read_remarks(entry, _cell(row[11]))
            entries[number] = entry
    with alt.open(newline="", encoding="utf-8", errors="replace") as fh:
        for row in csv.reader(fh):
            if len(row) >= 4 and _cell(row[0]) in entries:
                _add(entries[_cell(row[0])].aliases, _cell(row[3]))
    return list(entries.values())


def read_lists(folder: Path) -> list[Entry]:
    return [*read_un(folder / "UN_consolidated.xml"),
            *read_ofac(folder / "sdn.csv", folder / "alt.csv")]  # fmt: skip


def name_key(name: str) -> str:
    """A name compared as "the same name": case-folded, spaces tidied, a person's
    "FAMILY, Given" read as "Given FAMILY"."""
    text = " ".join(name.split())
    if text.count(",") == 1:
        family, given = (p.strip() for p in text.split(","))
        if family and given:
            text = f"{given} {family}"
    return text.casefold()


def word_key(name: str) -> str:
    """A name's words in any order, case and punctuation ignored."""
    return " ".join(sorted(re.findall(r"[^\W_]+", name.casefold())))


def births_agree(left: Sequence[str], right: Sequence[str]) -> bool:
    """A birth date in common (the same year where one gives only the year)."""
    return any(a == b or (min(len(a), len(b)) == 4 and a[:4] == b[:4])
               for a in left for b in right)  # fmt: skip


def listed_twice(entries: Sequence[Entry]) -> dict[str, set[str]]:
    """Entry id -> the other entries of the same person: a person on both lists (or
    twice on one) shares a name with it, in any word order (aliases included), and a
    birth date."""
    by_words: dict[str, set[int]] = {}
    people = [e for e in entries if e.schema == "Person" and not e.generated]
    for n, e in enumerate(people):
        for name in (e.name, *e.aliases):
            by_words.setdefault(word_key(name), set()).add(n)
    out: dict[str, set[str]] = {}
    for n, e in enumerate(people):
        near = {m for name in (e.name, *e.aliases) for m in by_words[word_key(name)]} - {n}
        out[e.id] = {people[m].id for m in near if births_agree(e.births, people[m].births)}
    return out


# --------------------------------------------------------------------------- files

LIST_COLUMNS = ("id", "schema", "name", "aliases", "birth_date", "nationality", "passport")
POPULATION_COLUMNS = ("id", "name", "birth_date", "nationality", "address")


def write_list(entries: Sequence[Entry], folder: Path) -> Path:
    """The list as a CSV and the FtM mapping that loads it; returns the mapping."""
    data = folder / f"{LIST_SOURCE}.csv"
    with data.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(LIST_COLUMNS)
        for e in entries:
            out.writerow([e.id, e.schema, e.name, ";".join(e.aliases), ";".join(e.births),
                          ";".join(e.nationalities), ";".join(e.passports)])  # fmt: skip
    queries = []
    for schema, extra in (("Person", PERSON_PROPS), ("Organization", "")):
        queries.append(LIST_QUERY.format(csv=data, schema=schema, extra=extra))
    mapping = folder / f"{LIST_SOURCE}.yml"
    mapping.write_text(f"{LIST_SOURCE}:\n  queries:\n" + "".join(queries), encoding="utf-8")
    return mapping


LIST_QUERY = """\
    - csv_url: {csv}
      filters:
        schema: {schema}
      entities:
        entry:
          schema: {schema}
          key: id
          properties:
            name: {{column: name}}
            alias: {{column: aliases, split: ";"}}
{extra}"""
PERSON_PROPS = """\
            birthDate: {column: birth_date, split: ";"}
            nationality: {column: nationality, split: ";"}
            passportNumber: {column: passport, split: ";"}
"""
POPULATION_MAPPING = """\
{source}:
  queries:
    - csv_url: {csv}
      entities:
        person:
          schema: Person
          key: id
          properties:
            name: {{column: name}}
            birthDate: {{column: birth_date}}
            nationality: {{column: nationality}}
            address: {{column: address}}
"""


@dataclass(frozen=True)
class Row:
    """One person of the population: a generated one, or a planted list entry."""

    id: str
    name: str
    birth_date: str
    nationality: str
    address: str


def write_population(rows: Sequence[Row], folder: Path) -> Path:
    data = folder / f"{POPULATION_SOURCE}.csv"
    with data.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(POPULATION_COLUMNS)
        for r in rows:
            out.writerow([r.id, r.name, r.birth_date, r.nationality, r.address])
    mapping = folder / f"{POPULATION_SOURCE}.yml"
    mapping.write_text(POPULATION_MAPPING.format(source=POPULATION_SOURCE, csv=data),
                       encoding="utf-8")  # fmt: skip
    return mapping


# --------------------------------------------------------------------------- population


def population(size: int, seed: int) -> Iterator[Row]:
    """``size`` generated people: most with a birth date (to the day, some to the year
    only), most with a nationality, three in five with an address."""
    rng = random.Random(seed)
    generator = Generator(random.Random(seed + 1), Rates())
    made = 0
    while True:
        for p in generator.household():
            if made >= size:
                return
            made += 1
            name = " ".join(w for w in (p.given, p.middle, p.family) if w)
            draw = rng.random()
            born = (f"{p.year:04d}-{p.month:02d}-{p.day:02d}" if draw < 0.8
                    else str(p.year) if draw < 0.9 else "")  # fmt: skip
            nationality = p.nationality if rng.random() < 0.85 else ""
            address = ""
            if rng.random() < 0.6:
                a = p.addresses[0]
                address = f"{a.street} {a.number}, {a.postcode} {a.city}, {a.country}"
            yield Row(f"gen-{made:07d}", name, born, nationality, address)


# --------------------------------------------------------------------------- alterations

# whole words spelled another way (lower case; either direction)
SPELLINGS: tuple[tuple[str, ...], ...] = (
    ("mohammed", "muhammad", "mohamed", "mohammad", "muhammed"),
    ("ahmed", "ahmad"), ("mahmoud", "mahmud"), ("hussein", "husain", "hussain", "husayn"),
    ("hassan", "hasan"), ("hasan", "hassan"), ("omar", "umar"), ("osama", "usama"),
    ("yusuf", "youssef", "yousef"), ("abdul", "abdel", "abd al"), ("abdallah", "abdullah"),
    ("said", "saeed", "sa'id"), ("khalid", "khaled"), ("aleksandr", "alexander"),
    ("aleksey", "alexei", "alexey"), ("sergey", "sergei"), ("yevgeny", "evgeny"),
    ("yuri", "yury", "iurii"), ("nikolay", "nikolai"), ("andrey", "andrei"),
    ("ali", "aly"), ("jose", "josé"), ("mustafa", "mostafa", "moustafa"),
)  # fmt: skip
SPELLING = {w: tuple(v for v in group if v != w) for group in SPELLINGS for w in group}
# rules applied to one place in a word (not its first letter for the vowels)
RULES = (("kh", "h"), ("ou", "u"), ("u", "ou"), ("y", "i"), ("i", "y"), ("ee", "i"),
         ("oo", "u"), ("j", "dj"), ("q", "k"), ("sh", "ch"))  # fmt: skip
DOUBLING = "bdflmnrst"


def word_variants(word: str) -> list[str]:
    """Other spellings of one (lower-case) word."""
    found = list(SPELLING.get(word, ()))
    for old, new in RULES:
        start = 1 if old in ("u", "y", "i", "ou", "ee", "oo") else 0
        at = word.find(old, start)
        if at >= 0:
            found.append(word[:at] + new + word[at + len(old):])
    for i in range(1, len(word)):
        if word[i] == word[i - 1] and word[i] in DOUBLING:  # doubled -> single
            found.append(word[:i] + word[i + 1:])
            break
    for i in range(1, len(word) - 1):
        if (word[i] in DOUBLING and word[i - 1] in "aeiou" and word[i + 1] in "aeiou"):
            found.append(word[: i + 1] + word[i:])  # single -> doubled
            break
    return [v for v in dict.fromkeys(found) if v != word and len(v) > 1]


def title(word: str) -> str:
    """ "AL-AZZAWI" -> "Al-Azzawi", "SAB'AWI" -> "Sab'awi"."""
    return "-".join(p[:1].upper() + p[1:].lower() for p in word.split("-"))


@dataclass
class Planted:
    row: Row
    entry: Entry  # the list entry it was made from
    alterations: list[str]
    detail: list[str]  # what was done, for a person to read


_PLAIN = re.compile(r"[A-Za-z' .,-]+")


def _split_alias(alias: str) -> tuple[list[str], list[str], list[str]] | None:
    """An alias as (given, middle, family) words, when it is a name a record could
    hold: two to five words of Latin letters (no script in brackets, no notes)."""
    if not _PLAIN.fullmatch(alias) or not 2 <= len(alias.split()) <= 5:
        return None
    if alias.count(",") == 1:
        family, given = (p.split() for p in alias.split(","))
        if family and given:
            return given[:1], given[1:], family
        return None
    words = alias.split()
    if len(words) < 2:
        return None
    return words[:1], words[1:-1], words[-1:]


def applicable(entry: Entry) -> list[str]:
    """The alterations that change something of ``entry``."""
    if entry.parts is None or not entry.births:
        return []
    given, middle, family = entry.parts
    out = ["reorder", "year_off"]
    if any(word_variants(w.lower()) for w in (*given, *middle, *family)):
        out.append("translit")
    if middle:
        out.append("drop_middle")
    main = name_key(entry.name)
    if any(_split_alias(a) and name_key(a) != main for a in entry.aliases):
        out.append("alias")
    return out


def alter(entry: Entry, alterations: list[str], rng: random.Random, row_id: str) -> Planted:
    assert entry.parts is not None
    given, middle, family = (list(p) for p in entry.parts)
    detail = []
    if "alias" in alterations:
        main = name_key(entry.name)
        aliases = [a for a in entry.aliases if _split_alias(a) and name_key(a) != main]
        if "drop_middle" in alterations:  # an alias with a middle name to drop, if any
            aliases = [a for a in aliases if (_split_alias(a) or ([], [], []))[1]] or aliases
        alias = rng.choice(aliases)
        parts = _split_alias(alias)
        assert parts is not None
        given, middle, family = (list(p) for p in parts)
        detail.append(f"alias “{alias}”")
    if "drop_middle" in alterations:
        if middle:
            detail.append(f"dropped “{' '.join(middle)}”")
            middle = []
        else:
            detail.append("no middle name to drop")
    if "translit" in alterations:
        places = [(part, i) for part in (given, middle, family) for i in range(len(part))]
        able = [(part, i) for part, i in places if word_variants(part[i].lower())]
        rng.shuffle(able)
        for part, i in able[: 1 + (rng.random() < 0.5)]:
            old = part[i]
            part[i] = rng.choice(word_variants(old.lower()))
            detail.append(f"{title(old)}→{title(part[i])}")
        if not able:
            detail.append("no word to respell")
    words = [title(w) for w in (*given, *middle, *family)]
    if "reorder" in alterations:
        words = [title(w) for w in (*family, *given, *middle)]
        detail.append("family name first")
    born = entry.births[0]
    if "year_off" in alterations:
        shifted = f"{int(born[:4]) + rng.choice((-1, 1)):04d}{born[4:]}"
        detail.append(f"born {shifted} (list: {born})")
        born = shifted
    nationality = entry.nationalities[0] if entry.nationalities and rng.random() < 0.8 else ""
    row = Row(row_id, " ".join(words), born, nationality, "")
    return Planted(row, entry, alterations, detail)


def plant(entries: Sequence[Entry], count: int, seed: int) -> list[Planted]:
    """``count`` people made from real list individuals with a birth date: the first
    alteration of each goes round ``ALTERATIONS`` (so each is used about as often),
    half of them get a second one."""
    rng = random.Random(seed)
    pool = [e for e in entries if not e.generated and applicable(e)]
    rng.shuffle(pool)
    out: list[Planted] = []
    used: set[str] = set()
    for n in range(count):
        first = ALTERATIONS[n % len(ALTERATIONS)]
        entry = next(e for e in pool if e.id not in used and first in applicable(e))
        used.add(entry.id)
        alterations = [first]
        others = [a for a in applicable(entry) if a != first]
        if others and rng.random() < 0.5:
            alterations.append(rng.choice(others))
        alterations.sort(key=ALTERATIONS.index)
        planted = alter(entry, alterations, rng, f"planted-{n + 1:03d}")
        if any(d.startswith("no ") for d in planted.detail):  # the pair did not combine
            planted = alter(entry, [first], rng, planted.row.id)
        out.append(planted)
    return out


# --------------------------------------------------------------------------- padding


def padding(entries: Sequence[Entry], count: int, seed: int) -> list[Entry]:
    """``count`` generated list entries, people made of the words of real list names
    (a given name of one, the family name of another), each with up to three
    respelled aliases, a birth date and a nationality of a real entry."""
    rng = random.Random(seed)
    people = [e for e in entries if e.parts is not None]
    given = [e.parts[0] for e in people if e.parts]
    middle = [e.parts[1] for e in people if e.parts and e.parts[1]]
    family = [e.parts[2] for e in people if e.parts]
    countries = [c for e in people for c in e.nationalities]
    out = []
    for n in range(count):
        parts = ([title(w) for w in rng.choice(given)],
                 [title(w) for w in rng.choice(middle)] if rng.random() < 0.3 else [],
                 [title(w) for w in rng.choice(family)])  # fmt: skip
        name = " ".join(w for p in parts for w in p)
        entry = Entry(f"pad-{n + 1:06d}", "Person", name, parts=parts, generated=True)
        for _ in range(rng.randrange(4)):
            words = name.split()
            i = rng.randrange(len(words))
            variants = word_variants(words[i].lower())
            if variants:
                words[i] = title(rng.choice(variants))
                _add(entry.aliases, " ".join(words))
        if rng.random() < 0.8:
            year = rng.randint(1940, 2000)
            entry.births.append(f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                                if rng.random() < 0.7 else str(year))  # fmt: skip
        if countries and rng.random() < 0.6:
            entry.nationalities.append(rng.choice(countries))
        out.append(entry)
    return out
