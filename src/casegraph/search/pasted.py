"""Values pasted into the search box: phone numbers, IBANs, e-mail addresses and
identifiers, in whatever formatting they were copied with, read the way ingest stores
them so that they match the value fields of the index.

Ingest stores a phone number in E.164 ("+4915148273390"): international numbers as
written, national ones in the region the mapping names (``format: de``). That region is
a property of one column of one mapping and is not kept with the data, so a national
number typed into the search box ("0151-48273390") is read in every region where it is
a valid number; only numbers some visible source holds can match, and a number that is
valid in several regions is, as typed, one of them. Ingest keeps valid numbers only
(see FtM's phone type), so whichever region a mapping named, its numbers are found by
any of their usual writings: "+49 151 48273390", "0049 151 48273390", "0151 48273390",
"0151-48273390", "(0151) 48273390", "+49 (0)151 48273390".
"""

from __future__ import annotations

import re
import string
from functools import lru_cache

import phonenumbers

from casegraph.resolve import standardise

MIN_PHONE_DIGITS = 7  # fewer digits are a year, a house number, an amount
MAX_PHONE_DIGITS = 17  # E.164 allows 15, plus a trunk prefix and a spare
# a run of digit groups, the way numbers are written: "+49 (0)151 482-733/90", and a
# bracketed trunk prefix and area code apart, as Russian numbers are: "(8 12) 34-50-00"
_GROUP = r"(?:\(\d{1,5}(?:[ \-/.]?\d{1,5})?\)|\d+)"
PHONE_RUN = re.compile(rf"(?:\+|00)?{_GROUP}(?:[ \-/.]?{_GROUP})*")
# an IBAN as written: two letters, two digits, then groups (of four, mostly)
IBAN_RUN = re.compile(r"[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]{1,4})+")
_IBAN_LENGTH = (15, 34)
_EMAIL = re.compile(r"^[^@\s<>\"]+@[^@\s<>\"]+\.[A-Za-z]{2,}$")
_ENDS = frozenset(string.whitespace) | {")"}  # what may follow a pasted run
_LETTERS = {c: str(10 + i) for i, c in enumerate(string.ascii_uppercase)}


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def run_at(query: str, pos: int) -> str | None:
    """The phone number or IBAN written from ``pos`` on, spaces and all, if one is; a
    run ends at a space, a closing parenthesis or the end of the query."""
    iban = IBAN_RUN.match(query, pos)
    if iban is not None:
        groups = iban.group().split(" ")
        for n in range(len(groups), 0, -1):  # the longest run of groups that is one
            candidate = " ".join(groups[:n])
            end = pos + len(candidate)
            if _ends(query, end) and iban_value(candidate) is not None:
                return candidate
    phone = PHONE_RUN.match(query, pos)
    if phone is not None:
        text = phone.group().rstrip(" -/.")
        end = pos + len(text)
        if _ends(query, end) and MIN_PHONE_DIGITS <= len(digits(text)) <= MAX_PHONE_DIGITS:
            return text
    return None


def _ends(query: str, end: int) -> bool:
    return end == len(query) or query[end] in _ENDS


@lru_cache(maxsize=4096)
def phones(text: str) -> frozenset[str]:
    """Every E.164 number ``text`` can be as written: as an international number (with
    "+" or "00"), else as a national number of each region where it is valid, or as an
    E.164 number without its "+"."""
    raw = text.strip()
    count = len(digits(raw))
    if not MIN_PHONE_DIGITS <= count <= MAX_PHONE_DIGITS:
        return frozenset()
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    if raw.startswith("+"):
        return frozenset(filter(None, [valid_phone(raw, None)]))
    found = {valid_phone(raw, region) for region in phonenumbers.SUPPORTED_REGIONS}
    found.add(valid_phone("+" + digits(raw), None))
    return frozenset(n for n in found if n is not None)


def valid_phone(text: str, region: str | None) -> str | None:
    """The E.164 number ``text`` writes, if it is a valid number (of ``region``, when it
    has no country code)."""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def iban_value(text: str) -> str | None:
    """The IBAN ``text`` spells (letters and digits, upper case), when its check digits
    agree."""
    value = re.sub(r"[\s\-.]", "", text).upper()
    low, high = _IBAN_LENGTH
    if not low <= len(value) <= high or not value.isalnum() or not value[:2].isalpha():
        return None
    moved = value[4:] + value[:4]
    number = "".join(_LETTERS.get(c, c) for c in moved)
    return value if number.isdigit() and int(number) % 97 == 1 else None


def email_value(text: str) -> str | None:
    """An e-mail address as pasted: "<a@b.de>", "mailto:a@b.de" or "a@b.de," alike."""
    value = text.strip().strip("<>,;").removeprefix("mailto:")
    return standardise.email(value) if _EMAIL.match(value) else None


def identifier_value(text: str) -> str | None:
    """An identifier as the index keeps it, for a word that looks like one: letters and
    digits mixed, or digits with punctuation ("HRB-4711", "DE123456789", "12/345/678")."""
    if "@" in text:
        return None
    has_digit = any(c.isdigit() for c in text)
    has_letter = any(c.isalpha() for c in text)
    punctuated = any(c in "-/." for c in text)
    if not has_digit or not (has_letter or punctuated):
        return None
    value = standardise.identifier(text)
    return value if value is not None and len(value) >= 5 else None


def values(text: str) -> list[tuple[str, str]]:
    """The value fields (``search_values``: "phone", "email", "id") ``text`` may be a
    value of, each with ``text`` normalised for it (a phone number as written: see
    ``phones``); empty when it looks like none of them."""
    out: list[tuple[str, str]] = []
    mail = email_value(text)
    if mail is not None:
        return [("email", mail)]
    iban = iban_value(text)
    if iban is not None:
        return [("id", iban)]
    if phones(text):  # the search reads the number in each region it may be from
        out.append(("phone", text.strip()))
    ident = identifier_value(text)
    if ident is None and out:
        ident = standardise.identifier(text)  # digits alone: a tax or account number too
    if ident is not None:
        out.append(("id", ident[:255]))
    return out
