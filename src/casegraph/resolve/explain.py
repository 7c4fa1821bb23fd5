"""Why two subjects may be one, in words: the one place where the models' comparisons
and levels get the phrases people read, and where the facts of two whole subjects are
compared.

Splink names a comparison by its output column ("birth_date") and a level by its chart
label ("Damerau-Levenshtein distance of birth_date <= 1"). ``WORDS`` maps each pair
(comparison, level) to a phrase ("dates of birth one digit apart"); ``COMPARISONS``
names each comparison. A level whose chart label repeats within its comparison (two
"Array intersection size >= 1" levels of the address, one on the whole address, one on
its postcode) is told apart by the columns its condition compares:
"Array intersection size >= 1 [postcodes]". A level without words shows its raw label;
the tests fail until it has them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from followthemoney import model as ftm
from followthemoney.types import registry

from casegraph.model.names import record_name
from casegraph.resolve import standardise as std

COMPARISONS = {
    "name": "Name",
    "birth_date": "Date of birth",
    "ids": "Identifiers",
    "phones": "Phone",
    "emails": "E-mail",
    "addresses": "Address",
    "countries": "Country",
    "neighbours": "Connections",
    "domains": "Website or e-mail domain",
    "classes": "Sector or classification",
}

_NAME_FOLD = "(Exact match on name_fold) OR (Array intersection size >= 1)"
WORDS: dict[tuple[str, str], str] = {
    # people's names
    ("name", "name_key is NULL"): "no name to compare",
    ("name", "Different first names"): "different first names",
    ("name", "Exact match on name_key"): "the same name",
    ("name", f"{_NAME_FOLD} OR (Match on reversed cols: first_name and last_name "
             "(both directions))"):
        "the same name, written another way (accents, order or an alias)",
    ("name", "(Exact match on last_name) AND (Exact match on first_canon)"):
        "the same surname, and first names that are forms of one name (Bob, Robert)",
    ("name", "(Jaro-Winkler distance of last_name >= 0.92) AND "
             "(Jaro-Winkler distance of first_name >= 0.92)"): "names a letter or two apart",
    ("name", "(Exact match on last_name) AND (Exact match on first_initial)"):
        "the same surname and first initial",
    ("name", "Exact match on last_name"): "the same surname only",
    ("name", "((Jaro-Winkler distance of last_name >= 0.85) OR (Exact match on last_phon)) "
             "AND ((Jaro-Winkler distance of first_name >= 0.85) OR "
             "(Exact match on first_initial))"): "names that are spelt or sound alike",
    ("name", "Array intersection size >= 1"): "one word of the name in common",
    ("name", "All other comparisons"): "different names",
    # organisations' names (the null, exact and last levels read as above)
    ("name", _NAME_FOLD): "the same name, written another way (legal form, accents or an alias)",
    ("name", "Jaro-Winkler distance of display >= 0.95"): "nearly the same name",
    ("name", "(Jaro-Winkler distance of display >= 0.88) AND (Array subset)"):
        "similar names, neither with words the other lacks",
    # the same level in models trained before it asked for no extra words
    ("name", "Jaro-Winkler distance of display >= 0.88"): "similar names",
    ("name", "Array intersection size >= 2"): "two words of the name in common",
    # dates of birth
    ("birth_date", "birth_date is NULL"): "no date of birth on one side",
    ("birth_date", "Exact match on birth_date"): "the same date of birth",
    ("birth_date", "Damerau-Levenshtein distance of birth_date <= 1"):
        "dates of birth one digit apart",
    ("birth_date", "Exact match on birth_ym"): "the same month and year of birth",
    ("birth_date", "Exact match on birth_year"): "the same year of birth",
    ("birth_date", "Full dates of birth in different years"):
        "dates of birth in different years",
    ("birth_date", "All other comparisons"): "different dates of birth",
    # identifiers
    ("ids", "ids is NULL"): "no identifier on one side",
    ("ids", "Array intersection size >= 1"): "the same identifier",
    ("ids", "Damerau-Levenshtein distance of id0 <= 1"): "identifiers one character apart",
    ("ids", "All other comparisons"): "different identifiers",
    # phones and e-mails
    ("phones", "phones is NULL"): "no phone number on one side",
    ("phones", "Array intersection size >= 1 [phones_own]"): "the same phone number",
    ("phones", "Array intersection size >= 1 [phones]"):
        "the same phone number, a line others share too",
    ("phones", "All other comparisons"): "different phone numbers",
    ("emails", "emails is NULL"): "no e-mail address on one side",
    ("emails", "Array intersection size >= 1"): "the same e-mail address",
    ("emails", "All other comparisons"): "different e-mail addresses",
    # addresses
    ("addresses", "addresses is NULL"): "no address on one side",
    ("addresses", "Array intersection size >= 1 [addresses]"): "the same address",
    ("addresses", "(Jaro-Winkler distance of address0 >= 0.95) AND (Exact match on house0)"):
        "nearly the same address, with the same house number",
    ("addresses", "(Array intersection size >= 3) AND (Exact match on house0)"):
        "addresses alike in most words, with the same house number",
    ("addresses", "Array intersection size >= 1 [postcodes]"): "the same postcode",
    ("addresses", "Different house numbers"): "different house numbers",
    ("addresses", "All other comparisons"): "different addresses",
    # countries
    ("countries", "countries is NULL"): "no country on one side",
    ("countries", "Array intersection size >= 1"): "a country in common",
    ("countries", "All other comparisons"): "no country in common",
    # connections: the names of the people and companies each record is linked to
    ("neighbours", "neighbours is NULL"): "no connections on one side",
    ("neighbours", "Array intersection size >= 2"): "share two or more connections",
    ("neighbours", "Array intersection size >= 1"): "share a connection",
    ("neighbours", "All other comparisons"): "no connection in common",
    ("neighbours", "Array intersection size >= 2 [neighbours_rare]"):
        "share two or more connections that few others have",
    ("neighbours", "Array intersection size >= 1 [neighbours_rare]"):
        "share a connection that few others have",
    ("neighbours", "Array intersection size >= 2 [neighbours]"):
        "share two or more connections that many others have too",
    ("neighbours", "Array intersection size >= 1 [neighbours]"):
        "share a connection that many others have too",
    ("neighbours", "Several rare connections each, none shared, in one source"):
        "each has several connections few others have, in one source, and they share none",
    # organisations only
    ("domains", "domains is NULL"): "no website or e-mail domain on one side",
    ("domains", "Array intersection size >= 1"): "the same website or e-mail domain",
    ("domains", "All other comparisons"): "different websites or e-mail domains",
    ("classes", "classes is NULL"): "no sector or classification on one side",
    ("classes", "Array intersection size >= 2"): "two or more sectors or classifications in common",
    ("classes", "Array intersection size >= 1"): "a sector or classification in common",
    ("classes", "All other comparisons"): "no sector or classification in common",
}  # fmt: skip

_COLUMN = re.compile(r"(\w+)_l\b")  # "addresses_l" (not array_length)


def level_keys(comparison: dict[str, Any]) -> list[str]:
    """The key of each level of a comparison (as a Splink model or its settings hold
    it) in ``WORDS``: its chart label, with the columns its condition compares when the
    label repeats within the comparison."""
    levels = comparison["comparison_levels"]
    labels = [str(level.get("label_for_charts", "")) for level in levels]
    keys = []
    for label, level in zip(labels, levels, strict=True):
        if labels.count(label) > 1:
            columns = dict.fromkeys(_COLUMN.findall(str(level.get("sql_condition", ""))))
            label = f"{label} [{', '.join(columns)}]"
        keys.append(label)
    return keys


def phrase(comparison: str, key: str) -> str:
    """The words for a level (its raw key when it has none yet)."""
    return WORDS.get((comparison, key), key)


def comparison_label(comparison: str) -> str:
    return COMPARISONS.get(comparison, comparison)


# --- the facts of two whole subjects -------------------------------------------------

# the kinds of fact compared, in the order they are shown and weigh as reasons
NAMES, BORN, IDS, EMAILS, PHONES, ADDRESSES, SITES, DATES, COUNTRIES, OTHER = (
    "names", "born", "ids", "emails", "phones", "addresses", "websites", "dates",
    "countries", "other",
)  # fmt: skip
KINDS = (NAMES, BORN, DATES, COUNTRIES, IDS, ADDRESSES, PHONES, EMAILS, SITES, OTHER)
KIND_LABELS = {NAMES: "Names", BORN: "Born", DATES: "Dates", COUNTRIES: "Countries",
               IDS: "Identifiers", ADDRESSES: "Addresses", PHONES: "Phones",
               EMAILS: "E-mail addresses", SITES: "Websites", OTHER: "Other facts"}  # fmt: skip
_TYPES = {"name": NAMES, "country": COUNTRIES, "identifier": IDS, "iban": IDS,
          "address": ADDRESSES, "phone": PHONES, "email": EMAILS, "url": SITES,
          "date": DATES, "entity": "entity"}  # fmt: skip
_NAME_PARTS = {"firstName", "middleName", "lastName", "fatherName", "motherName"}
_LEFT_OUT = {"namesMentioned", "indexText", "id"}
_NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def number(n: int) -> str:
    return _NUMBERS[n] if 0 <= n < len(_NUMBERS) else f"{n:,}"


@lru_cache(maxsize=4096)
def _prop(schema: str, prop: str) -> tuple[str, str]:
    """(kind, label) of a property of a schema ("entity" for a link to another)."""
    found = ftm.get(schema)
    item = found.get(prop) if found is not None else None
    if item is None:
        return OTHER, prop
    if prop == "birthDate":
        return BORN, item.label
    return _TYPES.get(item.type.name, OTHER), item.label


@dataclass(frozen=True)
class Fact:
    kind: str
    prop: str
    label: str  # the property as people read it ("Tax number")
    value: str
    text: str  # how it is shown (a country's name)
    key: str  # what it is compared by (a phone in E.164, an address's key)
    source: str
    record: str


@dataclass
class Side:
    """One subject of a review item: its records (as the reader sees them), their facts,
    and its connections ((connected subject, its name, kind of relationship))."""

    subject: str
    records: list[dict[str, Any]]
    facts: list[Fact] = field(default_factory=list)
    connections: list[tuple[str, str, str]] = field(default_factory=list)

    def keys(self, kind: str, prop: str | None = None) -> dict[str, list[Fact]]:
        out: dict[str, list[Fact]] = {}
        for f in self.facts:
            if f.kind == kind and (prop is None or f.prop == prop):
                out.setdefault(f.key, []).append(f)
        return out


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text)
    return "".join(c for c in plain if not unicodedata.combining(c)).casefold()


def _name_key(value: str, person: bool) -> str:
    tokens = (std.person_name(value) if person else std.org_name(value)).split()
    return " ".join(sorted(_fold(t) for t in tokens))


def record_facts(record: dict[str, Any], person: bool) -> list[Fact]:
    """The facts of one record (``{"id", "source", "schema", "properties"}``) by kind,
    each with the key it is compared by. A name given in parts (first, last) is one
    name, as the record's display name reads it."""
    schema, props = str(record["schema"]), record["properties"]
    countries = sorted({v.lower() for p, vs in props.items() for v in vs
                        if _prop(schema, p)[0] == COUNTRIES})  # fmt: skip
    hint = countries[0] if countries else None
    source, entity = str(record["source"]), str(record["id"])
    out = []
    if not props.get("name") and (joined := record_name(props, person)):
        out.append(Fact(NAMES, "name", "Name", joined, joined, _name_key(joined, person),
                        source, entity))  # fmt: skip
    for prop in sorted(props):
        kind, label = _prop(schema, prop)
        if kind == "entity" or prop in _LEFT_OUT or prop in _NAME_PARTS:
            continue
        for value in dict.fromkeys(props[prop]):
            text, key = value, _key(kind, value, person, hint)
            if kind == COUNTRIES:
                text = registry.country.caption(value) or value
            out.append(Fact(kind, prop, label, value, text, key, source, entity))
    return out


def _key(kind: str, value: str, person: bool, country: str | None) -> str:
    """What a value is compared by: as the models standardise it, where they do."""
    found: str | None = None
    if kind == NAMES:
        found = _name_key(value, person)
    elif kind in (BORN, DATES):
        found = std.date_value(value)
    elif kind == COUNTRIES:
        found = value.lower()
    elif kind == IDS:
        found = std.identifier(value)
    elif kind == ADDRESSES:
        found = std.address_key(value)
    elif kind == PHONES:
        found = std.phone(value, country)
    elif kind == EMAILS:
        found = std.email(value)
    elif kind == SITES:
        found = std.domain(value)
    return found or _fold(value)


def shared_keys(left: Side, right: Side, kind: str) -> set[str]:
    return set(left.keys(kind)) & set(right.keys(kind))


# --- reasons -----------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    text: str
    comparison: str  # of the models, so that the waterfall's phrase is not said twice
    against: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "comparison": self.comparison, "against": self.against}


def _stated(facts: Iterable[Fact]) -> str:
    """ "in two sources" / "in two records of registry" / "" (one record)."""
    found = list(facts)
    sources = {f.source for f in found}
    records = {f.record for f in found}
    if len(sources) > 1:
        return f" in {number(len(sources))} sources"
    if len(records) > 1:
        return f" in {number(len(records))} records of {next(iter(sources))}"
    return ""


def _listed(values: Sequence[str], most: int = 3) -> str:
    """ "A, B and two more"; values that hold commas (addresses) apart by semicolons."""
    shown = list(values[:most])
    more = len(values) - len(shown)
    text = ("; " if any("," in v for v in shown) else ", ").join(shown)
    return f"{text} and {number(more)} more" if more > 0 else text


def _distance(a: str, b: str) -> int:
    """Damerau-Levenshtein distance (optimal string alignment) of two short texts."""
    rows = [list(range(len(b) + 1))]
    for i, x in enumerate(a, 1):
        row = [i]
        for j, y in enumerate(b, 1):
            cost = 0 if x == y else 1
            row.append(min(rows[-1][j] + 1, row[j - 1] + 1, rows[-1][j - 1] + cost))
            if i > 1 and j > 1 and x == b[j - 2] and a[i - 2] == y:
                row[j] = min(row[j], rows[-2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


def _names(left: Side, right: Side, captions: tuple[str, str], person: bool) -> list[Reason]:
    a, b = captions
    both = [f for side in (left, right) for f in side.facts if f.kind == NAMES]
    if _name_key(a, person) == _name_key(b, person):
        same = [f for f in both if f.prop == "name" and _name_key(f.value, person)
                == _name_key(a, person)]  # fmt: skip
        if _fold(a) != _fold(b):  # "Limited" and "Ltd", accents, order
            return [Reason(f"the same name, written two ways ({a}; {b})" + _stated(same),
                           "name")]  # fmt: skip
        return [Reason("the same name" + _stated(same), "name")]
    shared = shared_keys(left, right, NAMES)
    if shared:
        facts = [f for f in both if f.key in shared]
        return [Reason(f"a name in common ({_listed(sorted({f.text for f in facts}))})", "name")]
    apart = _distance(_fold(a), _fold(b))
    if 0 < apart <= 2:
        return [Reason(f"names differ by {number(apart)} letter{'s' if apart > 1 else ''}",
                       "name")]  # fmt: skip
    return []


def _births(left: Side, right: Side) -> list[Reason]:
    mine, theirs = left.keys(BORN), right.keys(BORN)
    if not mine or not theirs:
        return []
    shared = set(mine) & set(theirs)
    if shared:
        key = max(shared, key=lambda k: (len(k), len(mine[k]) + len(theirs[k])))
        return [Reason(f"the same date of birth ({key})" + _stated(mine[key] + theirs[key]),
                       "birth_date")]  # fmt: skip
    pairs = [(x, y) for x in mine for y in theirs]
    if any(x.startswith(y) or y.startswith(x) for x, y in pairs):
        x, y = next((x, y) for x, y in pairs if x.startswith(y) or y.startswith(x))
        return [Reason(f"dates of birth that agree as far as both go ({x} and {y})",
                       "birth_date")]  # fmt: skip
    x, y = min(pairs, key=lambda p: _distance(*p))
    if len(x) == len(y) and _distance(x, y) == 1:
        return [Reason(f"dates of birth one digit apart ({x} and {y})", "birth_date")]
    if x[:4] == y[:4]:
        return [Reason(f"the same year of birth ({x[:4]}), other days ({x} and {y})",
                       "birth_date")]  # fmt: skip
    return [Reason(f"different dates of birth ({x} and {y})", "birth_date", against=True)]


_SHARED = (  # kind, comparison of the models, words for one shared value
    (IDS, "ids", "the same identifier"),
    (EMAILS, "emails", "the same e-mail address"),
    (PHONES, "phones", "the same phone number"),
    (ADDRESSES, "addresses", "the same address"),
    (SITES, "domains", "the same website"),
)


def reasons(left: Side, right: Side, captions: tuple[str, str], person: bool) -> list[Reason]:
    """Why two subjects may be one and why not, from their facts and connections, the
    strongest evidence first: identifiers, date of birth, name, e-mail, phone, address,
    website, connections, other dates, countries."""
    out: list[Reason] = []
    for kind, comparison, words in _SHARED[:1]:
        out += _shared(left, right, kind, comparison, words)
    out += _births(left, right)
    out += _names(left, right, captions, person)
    for kind, comparison, words in _SHARED[1:]:
        out += _shared(left, right, kind, comparison, words)
    out += _connections(left, right)
    out += _other_identifiers(left, right)
    dates = shared_keys(left, right, DATES)
    for key in sorted(dates):
        facts = left.keys(DATES)[key] + right.keys(DATES)[key]
        out.append(Reason(f"the same {in_sentence(facts[0].label)} ({key})" + _stated(facts), ""))
    countries = shared_keys(left, right, COUNTRIES)
    if countries:
        names = sorted({left.keys(COUNTRIES)[k][0].text for k in countries})
        out.append(Reason(f"{'a country' if len(names) == 1 else 'countries'} in common "
                          f"({_listed(names)})", "countries"))  # fmt: skip
    return out


def _shared(left: Side, right: Side, kind: str, comparison: str, words: str) -> list[Reason]:
    shared = sorted(shared_keys(left, right, kind))
    if not shared:
        return []
    if len(shared) == 1:
        facts = left.keys(kind)[shared[0]] + right.keys(kind)[shared[0]]
        return [Reason(f"{words} ({facts[0].text})" + _stated(facts), comparison)]
    texts = [left.keys(kind)[k][0].text for k in shared]
    plural = {"the same identifier": "identifiers", "the same e-mail address": "e-mail addresses",
              "the same phone number": "phone numbers", "the same address": "addresses",
              "the same website": "websites"}[words]  # fmt: skip
    return [Reason(f"{number(len(shared))} {plural} in common ({_listed(texts)})", comparison)]


def _other_identifiers(left: Side, right: Side) -> list[Reason]:
    """Evidence against: an identifier of one kind (a passport number) on both sides,
    and none of that kind the same."""
    out = []
    props = sorted({f.prop for f in left.facts if f.kind == IDS}
                   & {f.prop for f in right.facts if f.kind == IDS})  # fmt: skip
    for prop in props:
        mine, theirs = left.keys(IDS, prop), right.keys(IDS, prop)
        if set(mine) & set(theirs):
            continue
        label = mine[next(iter(mine))][0].label
        a, b = (next(iter(side.values()))[0].text for side in (mine, theirs))
        out.append(Reason(f"different {_plural(label)} ({a} and {b})", "ids", against=True))
    return out


def in_sentence(label: str) -> str:
    """A property's label inside a sentence: "Passport number" -> "passport number",
    "ID Number" -> "ID number", "V.A.T. Identifier" -> "V.A.T. identifier"."""
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in label.split())


def _plural(label: str) -> str:
    """ "Passport number" -> "passport numbers", "ID Number" -> "ID numbers"."""
    return in_sentence(label) + "s"


def _connections(left: Side, right: Side) -> list[Reason]:
    theirs = {other for other, _, _ in right.connections}
    names = {other: name for other, name, _ in left.connections if other in theirs}
    names.pop(left.subject, None)
    names.pop(right.subject, None)
    if not names:
        return []
    n = len(names)
    listed = _listed(sorted(names.values(), key=str.casefold))
    return [Reason(f"share {number(n)} connection{'s' if n > 1 else ''} ({listed})",
                   "neighbours")]  # fmt: skip


def waterfall_reasons(steps: Sequence[dict[str, Any]], said: Iterable[Reason]) -> list[Reason]:
    """The strongest pair's comparisons that added or took away evidence, in words, where
    the facts did not already say it (the model may have seen what the facts do not show:
    a name's rarity, a transliteration)."""
    covered = {r.comparison for r in said}
    out = []
    for step in sorted(steps, key=lambda s: -abs(s["weight"] + s["tf_adjustment"])):
        weight = step["weight"] + step["tf_adjustment"]
        if abs(weight) < 0.5 or step["comparison"] in covered:
            continue
        out.append(Reason(str(step["words"]), str(step["comparison"]), against=weight < 0))
    return out
