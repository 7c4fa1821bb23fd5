"""Values pasted into the search box are read the way ingest stores them: any common
writing of a phone number ingest keeps yields that number, and an IBAN, e-mail address
or identifier its normal form; the query language is unchanged around them."""

from __future__ import annotations

import phonenumbers
import pytest
from followthemoney.types import registry
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType

from casegraph.search import pasted
from casegraph.search.query import And, Filter, Or, Range, Words, parse

REGIONS = sorted(phonenumbers.SUPPORTED_REGIONS)
KINDS = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE)


@st.composite
def stored_numbers(draw: st.DrawFn) -> tuple[str, PhoneNumber]:
    """A region and a valid number of it (its example number, the last digits drawn)."""
    region = draw(st.sampled_from(REGIONS))
    example = phonenumbers.example_number_for_type(region, draw(st.sampled_from(KINDS)))
    assume(example is not None)
    nsn = phonenumbers.national_significant_number(example)
    tail = draw(st.integers(0, 999))
    number = phonenumbers.parse(f"+{example.country_code}{nsn[:-3]}{tail:03d}")
    assume(phonenumbers.is_valid_number(number))
    assume(phonenumbers.region_code_for_number(number) == region)
    return region, number


def writings(number: PhoneNumber, sep: str) -> list[str]:
    """How people write one number: international, with 00, nationally, E.164 with and
    without its +, groups apart by ``sep``."""
    international = phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    written = [international, "00" + international[1:], national, e164, e164[1:]]
    return [w.replace(" ", sep).replace("-", sep) if sep != " " else w for w in written]


@settings(max_examples=150, deadline=None)
@given(stored_numbers(), st.sampled_from([" ", "-", "/", ".", ""]))
def test_any_common_writing_of_a_stored_phone_finds_it(
    drawn: tuple[str, PhoneNumber], sep: str
) -> None:
    region, number = drawn
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    international, _, national, *_ = writings(number, sep)
    for written in (international, national):  # ingest keeps it, with the region as format
        assume(registry.phone.clean_text(written, format=region.lower()) == e164)
    for text in writings(number, sep):
        if len(pasted.digits(text)) < pasted.MIN_PHONE_DIGITS:
            continue  # "40000" nationally (Ascension Island) reads as a number, not a phone
        assert e164 in pasted.phones(text), text
        if not any(c.isspace() for c in text):
            continue
        tree = parse(text)  # pasted with its spaces: one value, not words apart
        assert isinstance(tree, Or), (text, tree)
        phone = [n for n in tree.nodes if isinstance(n, Filter) and n.field == "phone"]
        assert phone and e164 in pasted.phones(phone[0].value), (text, tree)


@pytest.mark.parametrize(
    "text",
    [
        "+49 151 48273390",
        "0049 151 48273390",
        "0151 48273390",
        "0151-48273390",
        "(0151) 48273390",
        "+49 (0)151 48273390",
        "0151/48273390",
        "4915148273390",
    ],
)
def test_the_demo_phone_in_its_usual_writings(text: str) -> None:
    assert "+4915148273390" in pasted.phones(text)


def test_a_national_number_is_read_only_where_it_is_valid() -> None:
    found = pasted.phones("0151 48273390")
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(n)) for n in found)
    assert len(found) < 10  # not one guess per region
    assert pasted.phones("2015") == frozenset()  # a year is not a phone number
    assert pasted.phones("+49 151") == frozenset()


def test_ibans_e_mails_and_identifiers() -> None:
    assert pasted.iban_value("DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert pasted.iban_value("de89370400440532013000") == "DE89370400440532013000"
    assert pasted.iban_value("DE89 3704 0044 0532 0130 01") is None  # check digits
    assert pasted.values("DE89 3704 0044 0532 0130 00") == [("id", "DE89370400440532013000")]
    assert pasted.values("<Peter.Maier@Example.de>") == [("email", "peter.maier@example.de")]
    assert pasted.values("mailto:a.b@c.org") == [("email", "a.b@c.org")]
    assert pasted.values("HRB-4711") == [("id", "HRB4711")]
    assert pasted.values("12/345/67890")[-1] == ("id", "1234567890")
    assert pasted.values("maier") == [] and pasted.values("2015") == []


def test_the_query_language_around_pasted_values() -> None:
    iban = parse("DE89 3704 0044 0532 0130 00 acme")
    assert iban is not None and "Filter(field='id', value='DE89370400440532013000'" in str(iban)
    assert "Words(words=('acme',)" in str(iban)  # the word after the IBAN stays a word
    excluded = parse("maier -0151-48273390")
    assert "Not(node=Or(" in str(excluded)
    assert parse("phone:0151-48273390") == Filter("phone", "0151-48273390")
    assert parse("phone:+49 151 48273390 maier") == And(
        (Filter("phone", "+49 151 48273390"), Words(("maier",)))
    )
    assert parse("year:[1970 TO 1980]") == Range("year", "1970", "1980")
    assert parse("(2015 OR 2016)") == Or((Words(("2015",)), Words(("2016",))))
    grouped = parse("(0151 48273390 OR maier)")
    assert isinstance(grouped, Or) and isinstance(grouped.nodes[0], Or)
    assert parse("maier*") == Words(("maier*",))
    quoted = parse('"+49 151 48273390"')
    assert isinstance(quoted, Or) and Filter("phone", "+49 151 48273390", True) in quoted.nodes
