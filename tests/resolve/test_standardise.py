"""Standardisation on values nobody tuned for."""

from __future__ import annotations

import pytest

from casegraph.resolve import standardise as std


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Jürgen MÜLLER", "jurgen muller"),
        ("Valdrenko, Konstantin Dr.-Ing.", "valdrenko konstantin"),
        ("Mr. John  O'Neil", "john o neil"),
        ("Александр Пушкин", "aleksandr pushkin"),
    ],
)
def test_person_names_are_transliterated_and_stripped(raw: str, expected: str) -> None:
    assert std.person_name(raw) == expected


def test_name_order_initials_and_nicknames() -> None:
    assert std.split_person("Smith, John Paul") == ("john", "smith")
    assert std.split_person("John Paul Smith") == ("john", "smith")
    assert std.name_key(["smith", "john"]) == std.name_key(["john", "smith"])
    assert std.given_canon("bob") == std.given_canon("robert") == "robert"
    assert std.given_canon("sasha") == std.given_canon("aleksandr") == "alexander"
    assert std.fold("mueller") == std.fold("muller") == std.fold("muler")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Siemens Aktiengesellschaft", "siemens"),
        ("ACME Holdings Ltd.", "acme holdings"),
        ("Brückner GmbH", "bruckner"),
        ("Globex S.A.", "globex"),
        ("Initech, LLC", "initech"),
    ],
)
def test_company_legal_forms_are_removed(raw: str, expected: str) -> None:
    assert std.org_name(raw) == expected


def test_phones_become_e164_with_the_country_as_hint() -> None:
    assert std.phone("030 1234567", "de") == "+49301234567"
    assert std.phone("+49 (30) 123-4567") == "+49301234567"
    assert std.phone("n/a") is None


def test_dates_keep_their_precision() -> None:
    assert std.date_value("1980") == "1980"
    assert std.date_value("1980-05") == "1980-05"
    assert std.date_value("1980-05-12T00:00:00") == "1980-05-12"
    assert std.date_value("unknown") is None


def test_identifiers_emails_addresses() -> None:
    assert std.identifier("DE89 3704 0044 0532 0130 00") == "DE89370400440532013000"
    assert std.identifier("12-3") is None
    assert std.email(" Bob@Example.ORG ") == "bob@example.org"
    assert std.domain("https://www.example.org/about") == "example.org"
    assert std.address("Max-Joseph-Straße 5 , 80333 München") == (
        "max joseph strasse 5 80333 munchen"
    )
    assert std.postcodes("max joseph strasse 5 80333 munchen") == ["80333"]
