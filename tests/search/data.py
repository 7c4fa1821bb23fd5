"""A small investigation for the search and graph tests: three sources (one secret),
people and companies, an ownership chain, payments and calls."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from casegraph.service import Session
from tests.conftest import add_source

CHILD_BORN = date(date.today().year - 10, 1, 1).isoformat()
ENTITIES: dict[str, list[dict[str, Any]]] = {
    "registry": [
        {
            "id": "p-mueller",
            "schema": "Person",
            "properties": {
                "name": ["Jürgen Müller"],
                "birthDate": ["1971-04-02"],
                "nationality": ["de"],
                "phone": ["+49 30 1234567"],
                "email": ["j.mueller@example.de"],
                "passportNumber": ["C01X00T47"],
                "address": ["Hauptstraße 5, 10115 Berlin"],
            },
        },
        {
            "id": "p-smith1",
            "schema": "Person",
            "properties": {"name": ["John Smith"], "birthDate": ["1980-01-01"], "country": ["gb"]},
        },
        {
            "id": "p-smith2",
            "schema": "Person",
            "properties": {"name": ["John Smith"], "birthDate": ["1955-07-07"], "country": ["us"]},
        },
        {
            "id": "p-petrov",
            "schema": "Person",
            "properties": {"name": ["Иван Петров"], "country": ["ru"]},
        },
        {
            "id": "p-child",
            "schema": "Person",
            "properties": {"name": ["Lena Kindler"], "birthDate": [CHILD_BORN]},
        },
        {
            "id": "p-faith",
            "schema": "Person",
            "properties": {"name": ["Omar Faithful"], "religion": ["Zoroastrian"]},
        },
        {
            "id": "c-acme",
            "schema": "Company",
            "properties": {
                "name": ["ACME Holding GmbH"],
                "jurisdiction": ["de"],
                "incorporationDate": ["2001-05-05"],
                "registrationNumber": ["HRB 12345"],
            },
        },
        {
            "id": "c-sub",
            "schema": "Company",
            "properties": {"name": ["ACME Logistics GmbH"], "jurisdiction": ["de"]},
        },
        {
            "id": "c-sub2",
            "schema": "Company",
            "properties": {"name": ["Tiny Parcel Ltd"], "jurisdiction": ["gb"]},
        },
        {
            "id": "own1",
            "schema": "Ownership",
            "properties": {"owner": ["p-mueller"], "asset": ["c-acme"], "percentage": ["50"]},
        },
        {
            "id": "own2",
            "schema": "Ownership",
            "properties": {"owner": ["c-acme"], "asset": ["c-sub"], "percentage": ["40 %"]},
        },
        {
            "id": "own3",
            "schema": "Ownership",
            "properties": {"owner": ["c-sub"], "asset": ["c-sub2"], "percentage": ["100"]},
        },
        {
            "id": "own4",
            "schema": "Ownership",
            "properties": {"owner": ["p-smith1"], "asset": ["c-acme"], "percentage": ["50"]},
        },
    ],
    "bank": [
        {
            "id": "b-mueller",
            "schema": "Person",
            "properties": {"name": ["Juergen Mueller"], "phone": ["+49 (30) 123-4567"]},
        },
        {
            "id": "b-secret",
            "schema": "Person",
            "properties": {"name": ["Hidden Oligarch"], "country": ["cy"]},
        },
        {
            "id": "pay1",
            "schema": "Payment",
            "properties": {
                "payer": ["b-secret"],
                "beneficiary": ["b-mueller"],
                "amount": ["1000"],
                "date": ["2020-01-01"],
            },
        },
        {
            "id": "pay2",
            "schema": "Payment",
            "properties": {
                "payer": ["b-mueller"],
                "beneficiary": ["b-secret"],
                "amount": ["500"],
                "date": ["2020-03-01"],
            },
        },
    ],
    "phones": [
        {"id": "ph-a", "schema": "Person", "properties": {"name": ["Anna Caller"]}},
        {"id": "ph-b", "schema": "Person", "properties": {"name": ["Bruno Receiver"]}},
        {"id": "ph-c", "schema": "Person", "properties": {"name": ["Carla Third"]}},
        {
            "id": "call1",
            "schema": "Call",
            "properties": {
                "caller": ["ph-a"],
                "receiver": ["ph-b"],
                "date": ["2021-01-01"],
                "duration": ["60"],
            },
        },
        {
            "id": "call2",
            "schema": "Call",
            "properties": {"caller": ["ph-b"], "receiver": ["ph-c"], "date": ["2021-02-01"]},
        },
        {
            "id": "call3",
            "schema": "Call",
            "properties": {"caller": ["ph-c"], "receiver": ["ph-a"], "date": ["2020-12-01"]},
        },
        {
            "id": "call4",
            "schema": "Call",
            "properties": {
                "caller": ["ph-a"],
                "receiver": ["ph-b"],
                "date": ["2021-05-01"],
                "duration": ["30"],
            },
        },
    ],
}
MARKINGS = {"registry": "PUBLIC", "bank": "SECRET", "phones": "PUBLIC"}


def write(folder: Path, source: str, entities: list[dict[str, Any]] | None = None) -> Path:
    path = folder / f"{source}.ijson"
    rows = entities if entities is not None else ENTITIES[source]
    path.write_text("".join(json.dumps(e) + "\n" for e in rows))
    return path


def load(s: Session, folder: Path) -> None:
    for source, marking in MARKINGS.items():
        add_source(s, source, marking)
        s.ingest.ftm(write(folder, source), source)
