"""Two people of the same name are told apart on their result rows (birth date,
country, identifier, number of sources), from the sources the reader may see only; and
their phone numbers, read nationally by ingest (``format: de``), are found however they
are pasted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from casegraph.access.context import AccessContext
from casegraph.search.engine import Hit
from casegraph.service import Session, Workspace
from tests.api.test_api import add_users
from tests.conftest import add_source

SUBSCRIBERS = """msisdn,name,born,country,id,email
0152-77310458,Peter Maier,23.11.1985,de,L6GH13WC0,
0151 48273390,Peter Maier,03.02.1968,at,L2KX90MT6,Peter.Maier@Example.de
"""
MAPPING = """subscribers:
  queries:
    - csv_url: subscribers.csv
      entities:
        person:
          schema: Person
          key: msisdn
          properties:
            name: {column: name}
            birthDate: {column: born, format: "%d.%m.%Y"}
            country: {column: country}
            idNumber: {column: id}
            phone: {column: msisdn, format: de}
            email: {column: email}
"""
SECRET = [  # what only the cleared may see of the older Peter Maier
    {
        "id": "k-maier",
        "schema": "Person",
        "properties": {
            "name": ["Maier, Peter"],
            "birthDate": ["1968-02-04"],
            "nationality": ["ch"],
            "taxNumber": ["99/815/08150"],
        },
    },
    {
        "id": "acct",
        "schema": "BankAccount",
        "properties": {"iban": ["DE89370400440532013000"], "bankName": ["Kaltenbrunner Bank"]},
    },
]
VIEWER = AccessContext(actor="vic", justification="telling two people called Maier apart")


@pytest.fixture
def maiers(workspace: Workspace, ctx: AccessContext, tmp_path: Path) -> Workspace:
    (tmp_path / "subscribers.csv").write_text(SUBSCRIBERS)
    (tmp_path / "subscribers.yml").write_text(MAPPING)
    (tmp_path / "kyc.ijson").write_text("".join(json.dumps(e) + "\n" for e in SECRET))
    with workspace.session(ctx) as s:
        add_source(s, "subscribers", "PUBLIC")
        add_source(s, "kyc", "SECRET")
        s.ingest.mapping(tmp_path / "subscribers.yml", source="subscribers")
        s.ingest.ftm(tmp_path / "kyc.ijson", "kyc")
        add_users(s, {"vic": "viewer"}, cleared=("vic",))  # PUBLIC only: no kyc
        s.resolve.run()
        older = by_birth(s.search.search("peter maier").hits)["1968-02-03"]
        if older.sources != ["kyc", "subscribers"]:  # the model may leave them for review
            kyc = next(h.id for h in s.search.search("peter maier").hits if h.sources == ["kyc"])
            s.resolve.merge(older.id, kyc, "the same passport in the KYC file")
    return workspace


def by_birth(hits: list[Hit]) -> dict[str, Hit]:
    return {d: h for h in hits for d in h.particulars.dates}


def test_same_named_people_are_told_apart_by_what_they_may_see(
    maiers: Workspace, ctx: AccessContext
) -> None:
    with maiers.session(VIEWER) as s:
        result = s.search.search("peter maier")
        hits = result.hits
        assert len(hits) == 2 and {h.caption for h in hits} == {"Peter Maier"}
        younger, older = by_birth(hits)["1985-11-23"], by_birth(hits)["1968-02-03"]
        assert younger.id != older.id
        assert older.particulars.to_dict() == {
            "date_label": "Born",
            "dates": ["1968-02-03"],
            "countries": ["at"],
            "identifier": {"prop": "idNumber", "label": "ID Number", "value": "L2KX90MT6"},
            "sources": 1,
        }
        assert younger.particulars.countries == ["de"]
        assert younger.particulars.identifier is not None
        assert younger.particulars.identifier.value == "L6GH13WC0"
        shown = json.dumps(result.to_dict())
        for secret in ("1968-02-04", '"ch"', "99/815/08150", "Tax"):  # kyc is not visible
            assert secret not in shown
        page_two = s.search.search("schema:Person", limit=1, page=2).hits  # listed, unranked
        assert page_two and page_two[0].particulars.date_label == "Born"
        assert page_two[0].particulars.dates
    with maiers.session(ctx) as s:  # cleared for kyc: its facts join, and its tax number wins
        older = by_birth(s.search.search("peter maier").hits)["1968-02-03"]
        told = older.particulars
        assert told.dates == ["1968-02-03", "1968-02-04"] and told.countries == ["at", "ch"]
        assert told.identifier is not None and told.identifier.label == "Tax Number"
        assert told.identifier.value == "99/815/08150" and told.sources == 2
        account = s.search.search("DE89 3704 0044 0532 0130 00").hits
        assert [h.schema for h in account] == ["BankAccount"]
        assert account[0].particulars.identifier is not None
        assert account[0].particulars.identifier.label == "IBAN"


def ids(s: Session, query: str) -> list[str]:
    return [h.id for h in s.search.search(query).hits]


def test_pasted_phone_numbers_e_mails_and_identifiers_find_the_subject(maiers: Workspace) -> None:
    with maiers.session(VIEWER) as s:
        older = by_birth(s.search.search("peter maier").hits)["1968-02-03"].id
        younger = by_birth(s.search.search("peter maier").hits)["1985-11-23"].id
        for pasted in (
            "+49 151 48273390",
            "0049 151 48273390",
            "0151 48273390",
            "0151-48273390",
            "(0151) 48273390",
            "+49 (0)151 48273390",
            "4915148273390",
            "phone:0151-48273390",
            "phone:+49 151 48273390",
            "maier 0151 48273390",
            "<peter.maier@example.de>",
            "l2kx90mt6",
        ):
            assert ids(s, pasted) == [older], pasted
        assert ids(s, "maier -0151-48273390") == [younger]
        assert ids(s, "0152 77310458 OR 0151/48273390") == sorted([younger, older]) or set(
            ids(s, "0152 77310458 OR 0151/48273390")
        ) == {younger, older}
        hit = s.search.search("0151-48273390").hits[0]
        assert any("<mark>4915148273390</mark>" in line for line in hit.highlights)
        assert ids(s, "0151 48273391") == []  # one digit off is another number
        assert ids(s, "DE89 3704 0044 0532 0130 00") == []  # the account is in kyc
