"""Standardisation of FtM property values into comparable keys, for data nobody tuned for.

Names are transliterated to ASCII, lower-cased, stripped of punctuation, honorifics and
(for organisations) legal forms; given names are mapped through a nickname table.
Dates keep their precision (``1980``, ``1980-05``, ``1980-05-12``); phones become E.164
using the record's country as a hint; identifiers lose their punctuation.
"""

from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers
from rigour.addresses import address_fingerprint, normalize_address
from rigour.names import remove_org_types, remove_person_prefixes
from rigour.text.phonetics import metaphone
from rigour.text.translit import ascii_text

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_DIGITS = re.compile(r"\d+")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")
_POSTCODE = re.compile(r"\b(\d{4,6}|[a-z]{1,2}\d[a-z\d]? ?\d[a-z]{2})\b")

# given-name variants -> one canonical form (compared as "same given name")
_NICKNAMES: dict[str, tuple[str, ...]] = {
    "william": ("bill", "billy", "will", "willy", "liam", "wilhelm", "willem"),
    "robert": ("bob", "bobby", "rob", "robbie", "bert"),
    "richard": ("rick", "ricky", "dick", "rich", "richie"),
    "james": ("jim", "jimmy", "jamie"),
    "john": ("jack", "johnny", "jon", "johann", "johannes", "hans", "jan", "juan", "ivan"),
    "joseph": ("joe", "joey", "josef", "jose", "giuseppe", "sepp"),
    "thomas": ("tom", "tommy", "thom"),
    "michael": ("mike", "mick", "mickey", "michel", "micha", "mikhail", "miguel"),
    "christopher": ("chris", "kit", "christoph"),
    "charles": ("charlie", "chuck", "karl", "carl", "carlos", "karel"),
    "edward": ("ed", "eddie", "ted", "ned", "eduard", "eduardo"),
    "elizabeth": ("liz", "lizzy", "beth", "betty", "eliza", "elisabeth", "lisa", "elsbeth"),
    "margaret": ("maggie", "meg", "peggy", "marge", "greta", "gretchen", "margarete"),
    "katherine": ("kate", "katie", "kathy", "katharina", "kathi", "katrin", "catherine",
                  "katarina", "ekaterina", "katya", "kati"),
    "alexander": ("alex", "sasha", "sascha", "aleksandr", "alexandr", "oleksandr",
                  "alejandro", "alessandro", "sandro", "xander"),
    "alexandra": ("alexa", "sandra", "aleksandra", "oleksandra"),
    "nicholas": ("nick", "nicky", "nikolai", "nikolaus", "klaus", "nicolas", "mykola"),
    "daniel": ("dan", "danny", "dani"),
    "david": ("dave", "davy"),
    "anthony": ("tony", "anton", "antonio", "antoine"),
    "andrew": ("andy", "drew", "andreas", "andrei", "andrey", "andres", "andrea"),
    "stephen": ("steve", "stefan", "steven", "stephan", "esteban", "stepan"),
    "peter": ("pete", "piotr", "pyotr", "pedro", "pierre", "pietro", "petr"),
    "matthew": ("matt", "matthias", "mathias", "matteo", "mateo", "matvei"),
    "benjamin": ("ben", "benny", "benji"),
    "samuel": ("sam", "sammy"),
    "jennifer": ("jen", "jenny"),
    "susan": ("sue", "susie", "suzanne", "susanne"),
    "patricia": ("pat", "patty", "trish"),
    "patrick": ("paddy", "pat", "patrice"),
    "rebecca": ("becky", "becca"),
    "deborah": ("debbie", "deb"),
    "jessica": ("jess", "jessie"),
    "frederick": ("fred", "freddy", "fritz", "friedrich"),
    "henry": ("harry", "hank", "heinrich", "heinz", "enrique", "henri"),
    "francis": ("frank", "franz", "francesco", "francisco", "paco", "franziska"),
    "joanna": ("jo", "joanne", "johanna", "hanna", "hannah"),
    "mohammed": ("muhammad", "mohamed", "mohammad", "muhammed", "mehmet", "mohamad",
                 "mahmoud"),
    "yusuf": ("youssef", "yousef", "joseph_"),
    "ibrahim": ("abraham", "ebrahim"),
    "dmitry": ("dmitri", "dima", "dimitri"),
    "vladimir": ("volodymyr", "vova", "volodya"),
    "mikhail_": ("misha",),
    "sergei": ("sergey", "serhiy", "sergio", "serge"),
    "yevgeny": ("evgeny", "evgeni", "zhenya", "eugene", "eugen"),
    "anastasia": ("nastya", "anastasiya"),
    "natalia": ("natasha", "natalya", "natalie", "nathalie"),
    "maria": ("mary", "marie", "mariya", "mia", "mitzi", "maja", "maya"),
    "wolfgang": ("wolf",),
    "gerhard": ("gerd", "gert"),
    "juergen": ("jurgen", "jorg", "joerg", "jorge_"),
    "christian": ("chris_", "christiaan", "cristian"),
    "ulrich": ("uli", "ulli"),
    "bernhard": ("bernd", "bernard", "bernardo"),
    "barbara": ("babs", "barb"),
    "victoria": ("vicky", "viktoria"),
}
NICKNAMES: dict[str, str] = {
    variant.rstrip("_"): canon.rstrip("_")
    for canon, variants in _NICKNAMES.items()
    for variant in variants
}
# German/Scandinavian digraphs, so Müller, Mueller and Muller share a key
_DIGRAPHS = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("ph", "f"), ("th", "t"), ("ck", "k"))


@lru_cache(maxsize=200_000)
def _ascii_word(word: str) -> str:
    return word if word.isascii() else ascii_text(word)


def ascii_words(value: str) -> str:
    """``value`` in ASCII, transliterated word by word: far fewer words than values are
    distinct (a street or family name recurs in many addresses and full names), and a
    transliteration costs about a tenth of a millisecond."""
    return value if value.isascii() else " ".join(_ascii_word(w) for w in value.split())


@lru_cache(maxsize=500_000)
def clean_text(value: str) -> str:
    """ASCII, lower case, runs of anything but letters and digits as one space."""
    return _NON_ALNUM.sub(" ", ascii_words(value).lower()).strip()


# titles and honorifics wherever they stand ("Valdrenko, Konstantin Dr.-Ing.")
_TITLES = frozenset(
    [
        "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "ing", "dipl", "mag", "phd", "md", "jr",
        "sr", "sir", "dame", "lord", "lady", "herr", "frau", "hr", "fr", "rev", "msc", "bsc",
        "llm", "mba", "ii", "iii",
    ]
)


@lru_cache(maxsize=200_000)
def person_name(value: str) -> str:
    text = clean_text(remove_person_prefixes(clean_text(value)))
    return " ".join(t for t in text.split() if t not in _TITLES)


@lru_cache(maxsize=200_000)
def org_name(value: str) -> str:
    """An organisation's name without its legal form (Ltd, GmbH, S.A., LLC ...)."""
    text = clean_text(value)
    stripped = clean_text(remove_org_types(ascii_words(value).lower()))
    return stripped or text


def split_person(value: str) -> tuple[str, str]:
    """(given, family) of a full name: "Family, Given" or "Given [Middle] Family"."""
    if "," in value:
        family, _, given = value.partition(",")
        given_tokens = person_name(given).split()
        return (given_tokens[0] if given_tokens else ""), person_name(family)
    tokens = person_name(value).split()
    if not tokens:
        return "", ""
    if len(tokens) == 1:
        return "", tokens[0]
    return tokens[0], tokens[-1]


def given_canon(given: str) -> str:
    return NICKNAMES.get(given, given)


@lru_cache(maxsize=200_000)
def fold(token: str) -> str:
    """A spelling-tolerant key: transliteration digraphs folded, doubled letters single."""
    for digraph, single in _DIGRAPHS:
        token = token.replace(digraph, single)
    return re.sub(r"(.)\1+", r"\1", token)


@lru_cache(maxsize=200_000)
def phonetic(token: str) -> str:
    return metaphone(token) if token.isalpha() else token


def name_key(tokens: list[str]) -> str:
    """Order-independent key of a name (swapped given and family names agree)."""
    return " ".join(sorted(tokens))


def fold_key(tokens: list[str]) -> str:
    """The spelling-tolerant, order-independent key of a name's tokens: the one form in
    which records and the context they list are compared."""
    return name_key([fold(t) for t in tokens])


def date_value(value: str) -> str | None:
    """ISO date text with whatever precision the source had, or None."""
    match = _DATE.match(value.strip())
    if match is None:
        return None
    year, month, day = match.groups()
    return "-".join(part for part in (year, month, day) if part)


@lru_cache(maxsize=200_000)
def phone(value: str, country: str | None = None) -> str | None:
    """E.164 with the record's country as the default region; digits otherwise."""
    region = country.upper() if country and len(country) == 2 else None
    try:
        number = phonenumbers.parse(value, region)
        if phonenumbers.is_possible_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    except phonenumbers.NumberParseException:
        pass
    digits = "".join(_DIGITS.findall(value))
    return digits if len(digits) >= 6 else None


def email(value: str) -> str | None:
    text = value.strip().lower()
    return text if "@" in text else None


def identifier(value: str) -> str | None:
    """Tax ids, passport numbers, IBANs: upper case, letters and digits only."""
    text = re.sub(r"[^A-Za-z0-9]", "", value).upper()
    return text if len(text) >= 4 else None


@lru_cache(maxsize=200_000)
def address(value: str) -> str | None:
    text = normalize_address(value)
    return clean_text(text) if text else None


@lru_cache(maxsize=200_000)
def address_key(value: str) -> str | None:
    """The street address without postcode, keywords abbreviated one way ("Avenue" and
    "Ave." agree, "Industriestraße" and "Industriestr." too)."""
    text = address_fingerprint(value) or ""
    codes = set(postcodes(text))
    tokens = [t[: -len("strasse")] + "str" if t.endswith("strasse") else t
              for t in clean_text(text).split() if t not in codes]  # fmt: skip
    return " ".join(tokens) or None


# a number that opens an address written house-number-first ("1723 W 35th St",
# "12 High Street") is its house number, not a postcode
_DIRECTIONS = {"n", "s", "e", "w", "ne", "nw", "se", "sw", "north", "south", "east", "west"}
_STREET_WORDS = {"st", "street", "ave", "av", "avenue", "blvd", "boulevard", "rd", "road",
                 "dr", "drive", "ln", "lane", "way", "pl", "place", "ct", "court", "pkwy",
                 "parkway", "hwy", "highway", "ter", "terrace", "sq", "square"}  # fmt: skip


def postcodes(text: str) -> list[str]:
    found = [m.replace(" ", "") for m in _POSTCODE.findall(text)]
    tokens = clean_text(text).split()
    if found and tokens and tokens[0] == found[0] and len(tokens) > 1 and (
        tokens[1] in _DIRECTIONS or _STREET_WORDS.intersection(tokens[1:4])
    ):
        return found[1:]
    return found


def domain(value: str) -> str | None:
    text = value.strip().lower()
    text = text.split("@", 1)[1] if "@" in text else re.sub(r"^[a-z]+://", "", text)
    text = text.split("/", 1)[0].removeprefix("www.")
    return text if "." in text else None


def house_number(address_text: str, codes: list[str] | None) -> str | None:
    """The first short number of an address that is not its postcode."""
    return next((t for t in address_text.split()
                 if t.isdigit() and len(t) <= 5 and t not in (codes or ())), None)  # fmt: skip
