#!/usr/bin/env python3
"""Generate the fictional "Operation Kaltenbrunn" demo investigation.

A procurement official at a municipal utility steers construction contracts to
two contractors; the contractors pay inflated "consulting" and "licence" fees to
a chain of shell companies (Cyprus, UK, BVI, Slovakia, Latvia, UAE), and the money
comes back to the official's family through a front company run by his
brother-in-law, with cash picked up by couriers.

Everything here is invented: names, companies, numbers, addresses, banks.

Sources written (each with a FollowTheMoney mapping):

    registry/  companies.csv, officers.csv  (cp1252, CRLF)   registry.yml
    bank/      str_reports.xlsx                               bank.yml
    phone/     subscribers.tsv, calls.tsv                     phone.yml
    tips/      tips.jsonl                                     tips.yml
    court/     court.sqlite                                   court.yml
    sources.yml, answer_key.csv

Usage:  python demo/generate.py [--out DIR]      (default: the demo/ folder)

The output is fully deterministic: a fixed seed, per-source ``random.Random``
instances, fixed reference dates, and normalised zip/xlsx metadata.
Dependencies: Python 3.11 standard library + openpyxl.
"""

# ruff: noqa: RUF001  -- Cyrillic names and addresses are test data, not look-alike typos
from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sqlite3
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import pairwise
from pathlib import Path
from random import Random
from typing import ClassVar

SEED = 20240630
REF_DATE = date(2024, 6, 30)  # "today" of the investigation
ZIP_TIME = (2024, 6, 30, 0, 0, 0)

# ---------------------------------------------------------------------------
# Generic helpers
# ---------------------------------------------------------------------------


def rng_for(name: str) -> Random:
    """One independent, reproducible RNG per source (str seeds are stable)."""
    return Random(f"{SEED}:{name}")


def ftm_id(dataset: str, *values: str | None, literal: str | None = None) -> str:
    """Re-implementation of FtM ``EntityMapping.compute_key`` with
    ``key_prefix=dataset``: sha1(prefix + key_literal + sorted(key values))."""
    digest = hashlib.sha1(dataset.encode("utf-8"))
    if literal:
        digest.update(literal.encode("utf-8"))
    parts = sorted(v.strip().encode("utf-8") for v in values if v and v.strip())
    if not parts:
        raise ValueError("no key values")
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


_FOLD = str.maketrans({"ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ı": "i", "ħ": "h"})


def cp1252_safe(text: str) -> str:
    """What a Windows registry export does to characters outside cp1252."""
    out = []
    for ch in text:
        try:
            ch.encode("cp1252")
            out.append(ch)
        except UnicodeEncodeError:
            base = unicodedata.normalize("NFKD", ch.translate(_FOLD))
            base = "".join(c for c in base if not unicodedata.combining(c))
            base.encode("cp1252")  # raise if still not representable
            out.append(base)
    return "".join(out)


def fold_umlauts(text: str) -> str:
    """German ASCII transcription: ü->ue, ß->ss, é->e ..."""
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("Ä", "Ae"), ("Ö", "Oe"),
                 ("Ü", "Ue"), ("ß", "ss"), ("ø", "oe"), ("Ø", "Oe")):
        text = text.replace(a, b)
    base = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in base if not unicodedata.combining(c))


def strip_accents(text: str) -> str:
    """Naive ASCII folding: ü->u, ß->ss, é->e (what many bank systems do)."""
    text = text.replace("ß", "ss").replace("ø", "o").replace("Ø", "O")
    base = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in base if not unicodedata.combining(c))


def d(iso: str) -> date:
    return date.fromisoformat(iso)


def rand_date(rng: Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


def fmt_de(value: date) -> str:
    return value.strftime("%d.%m.%Y")


def fmt_us(value: date) -> str:
    return value.strftime("%m/%d/%Y")


_UA_LAT = {
    "А": "A", "Б": "B", "В": "V", "Г": "H", "Ґ": "G", "Д": "D", "Е": "E", "Є": "Ye",
    "Ж": "Zh", "З": "Z", "И": "Y", "І": "I", "Ї": "Yi", "Й": "Y", "К": "K", "Л": "L",
    "М": "M", "Н": "N", "О": "O", "П": "P", "Р": "R", "С": "S", "Т": "T", "У": "U",
    "Ф": "F", "Х": "Kh", "Ц": "Ts", "Ч": "Ch", "Ш": "Sh", "Щ": "Shch", "Ь": "",
    "Ю": "Yu", "Я": "Ya", "'": "",
}


def ua_translit(text: str) -> str:
    """Ukrainian national transliteration (KMU 2010, simplified)."""
    out = []
    for ch in text:
        up = ch.upper()
        if up in _UA_LAT:
            lat = _UA_LAT[up]
            out.append(lat if ch == up else lat.lower())
        else:
            out.append(ch)
    return "".join(out)


# IBANs ----------------------------------------------------------------------


def iban(country: str, bban: str) -> str:
    """Build an IBAN with valid ISO 13616 check digits."""
    rearranged = bban + country + "00"
    digits = "".join(str(int(c, 36)) for c in rearranged)
    check = 98 - int(digits) % 97
    return f"{country}{check:02d}{bban}"


def digits(rng: Random, n: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def alnum(rng: Random, n: int, alphabet: str = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789") -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


# Phone numbers ---------------------------------------------------------------


@dataclass(frozen=True)
class Phone:
    cc: str   # country calling code, without "+"
    ndc: str  # area / network code, without trunk prefix
    sub: str  # subscriber number

    @property
    def e164(self) -> str:
        return f"+{self.cc}{self.ndc}{self.sub}"

    def intl(self) -> str:
        """Bank KYC style: +49 151 48273390"""
        return f"+{self.cc} {self.ndc} {self.sub}"

    def dial00(self) -> str:
        """Carrier CDR style: 004915148273390"""
        return f"00{self.cc}{self.ndc}{self.sub}"

    def national(self, sep: str = "-") -> str:
        """As people write it: 0151-48273390 (only for German numbers)."""
        if self.cc != "49":
            return self.intl()
        return f"0{self.ndc}{sep}{self.sub}"


def ph(text: str) -> Phone:
    cc, ndc, sub = text.split()
    return Phone(cc.lstrip("+"), ndc, sub)


_RANDOM_PHONE_PLANS = [
    # (weight, cc, [ndc...], subscriber length) -- all verified valid ranges
    (30, "49", ["151", "152", "157", "176", "177", "179"], 8),
    (22, "49", ["160", "162", "170", "171", "172", "175"], 7),
    (18, "49", ["5673"], 6),
    (8, "49", ["561"], 7),
    (4, "380", ["67", "50"], 7),
    (2, "357", ["99"], 6),
    (2, "421", ["905"], 6),
    (2, "43", ["664"], 7),
    (2, "44", ["7400"], 6),
]


def random_phone(rng: Random, used: set[str], country: str | None = None) -> Phone:
    plans = [p for p in _RANDOM_PHONE_PLANS if country is None or p[1] == country]
    weights = [p[0] for p in plans]
    while True:
        _, cc, ndcs, n = rng.choices(plans, weights=weights)[0]
        phone = Phone(cc, rng.choice(ndcs), str(rng.randint(1, 9)) + digits(rng, n - 1))
        if phone.e164 not in used:
            used.add(phone.e164)
            return phone


# ---------------------------------------------------------------------------
# The story's actors
# ---------------------------------------------------------------------------


@dataclass
class Person:
    key: str
    true_id: str
    first: str
    last: str
    dob: date
    nat: str  # ISO country code
    address: str  # current address
    old_address: str | None = None
    moved: date | None = None
    phones: dict[str, Phone] = field(default_factory=dict)
    emails: list[str] = field(default_factory=list)
    id_number: str | None = None
    passport: str | None = None
    title: str = ""
    role: str = ""

    @property
    def full(self) -> str:
        return f"{self.first} {self.last}"

    def address_at(self, when: date) -> str:
        if self.old_address and self.moved and when < self.moved:
            return self.old_address
        return self.address


@dataclass
class Org:
    key: str
    true_id: str
    schema: str  # Company / Organization
    name: str
    jurisdiction: str
    address: str
    reg_no: str = ""
    incorporated: date | None = None
    legal_form: str = ""
    tax_no: str = ""
    vat: str = ""
    role: str = ""


KALT = "Kaltenbrunn"

PEOPLE: dict[str, Person] = {p.key: p for p in [
    Person("valdrenko", "person/konstantin-valdrenko", "Konstantin", "Valdrenko", d("1971-09-14"),
           "DE",
           "Am Sonnenhang 3, 34569 Kaltenbrunn", "Lindenallee 14, 34567 Kaltenbrunn",
           d("2022-05-01"),
           {"mobile": ph("+49 151 48273390"), "burner": ph("+49 176 20583317"),
            "ua": ph("+380 67 4412907"), "work": ph("+49 160 5512034")},
           ["k.valdrenko@stadtwerke-kaltenbrunn.example", "kostja71@posteo.example"],
           id_number="L4K7TX9R2", passport="C8F2K1X7P", title="Dr.-Ing.",
           role="Head of procurement, Stadtwerke Kaltenbrunn GmbH (the official)"),
    Person("marta", "person/marta-valdrenko", "Marta", "Valdrenko", d("1974-03-02"), "PL",
           "Am Sonnenhang 3, 34569 Kaltenbrunn", "Lindenallee 14, 34567 Kaltenbrunn",
           d("2022-05-01"),
           {"mobile": ph("+49 160 9182734")}, ["marta.valdrenko@gmx.example"],
           id_number="L7MN30RZ4",
           role="Wife of the official, née Jaskulska; receives 'management fees'"),
    Person("lukas", "person/lukas-valdrenko", "Lukas", "Valdrenko", d("1998-07-21"), "DE",
           "Birkenhof 12, 04299 Leipzig", "Lindenallee 14, 34567 Kaltenbrunn", d("2020-10-01"),
           {"mobile": ph("+49 176 31190452")}, ["lukas.v98@mailbox.example"], id_number="L9PC21XK8",
           role="Son of the official; car paid by the front company"),
    Person("jaskulski", "person/tomasz-jaskulski", "Tomasz", "Jaskulski", d("1969-11-30"), "PL",
           "Gartenstraße 7, 34571 Kaltenbrunn-Weiler", phones={"mobile": ph("+49 170 5528193")},
           emails=["t.jaskulski@rosenhag.example"], id_number="AWX482913",
           role="Brother-in-law; owner of the front company Rosenhag"),
    Person("grosskopf", "person/juergen-grosskopf", "Jürgen", "Großkopf", d("1965-05-19"), "DE",
           "Seeblick 9, 34580 Wendelsee", "Industriestraße 21, 34577 Kaltenbrunn", d("2021-03-01"),
           {"mobile": ph("+49 171 2039485")}, ["j.grosskopf@nordlicht-bau.example"],
           id_number="L1RT57NP3",
           role="Managing director, Nordlicht Bauservice GmbH"),
    Person("maier_a", "person/peter-maier-1968", "Peter", "Maier", d("1968-02-03"), "DE",
           "Mühlweg 5, 34567 Kaltenbrunn", phones={"mobile": ph("+49 175 6619023")},
           emails=["p.maier@nordlicht-bau.example"], id_number="L2KX90MT6",
           role="Co-director of Nordlicht Bauservice GmbH (NOT the electrician)"),
    Person("maier_b", "person/peter-maier-1985", "Peter", "Maier", d("1985-11-23"), "DE",
           "Schillerplatz 2, 34568 Kaltenbrunn", phones={"mobile": ph("+49 152 77310458")},
           emails=["elektro.maier@web.example"], id_number="L6GH13WC0",
           role="Unrelated electrician with the same name (namesake, must not merge)"),
    Person("sabine", "person/sabine-brannigvald", "Sabine", "Brannigvald", d("1970-12-08"), "DE",
           "Zur Kiesgrube 2, 34579 Kaltenbrunn", phones={"mobile": ph("+49 172 4410937")},
           emails=["s.brannigvald@brannigvald-tiefbau.example"], id_number="L3VB88QZ1",
           role="Managing director, Brannigvald Tiefbau GmbH"),
    Person("henrik", "person/henrik-brannigvald", "Henrik", "Brannigvald", d("1966-04-25"), "DE",
           "Zur Kiesgrube 2, 34579 Kaltenbrunn", phones={"mobile": ph("+49 157 30928814")},
           id_number="L3VB71PX5", role="Shareholder, Brannigvald Tiefbau GmbH; husband of Sabine"),
    Person("brueckner", "person/helene-brueckner-sauvage", "Hélène", "Brückner-Sauvage",
           d("1963-10-17"), "FR",
           "Opernring 12, 60311 Frankfurt am Main", phones={"mobile": ph("+49 177 8820461")},
           emails=["h.brueckner@bs-partner.example"], passport="19FR88231", title="Dr.",
           role="Lawyer who set up the offshore structure"),
    Person("kyriakides", "person/andreas-kyriakides-moll", "Andreas", "Kyriakides-Moll",
           d("1958-01-29"), "CY",
           "Arch. Makariou III 155, 3026 Limassol, Cyprus", phones={"mobile": ph("+357 99 482113")},
           emails=["andreas@akm-corporate.example"], passport="K00731842",
           role="Cypriot nominee director (Azurmere)"),
    Person("morozenko", "person/jelena-morozenko", "Jelena", "Morozenko", d("1980-06-11"), "LV",
           "Brīvības iela 88-12, Rīga, LV-1001, Latvia", phones={"mobile": ph("+371 2918 4407")},
           passport="LV5518203", role="Latvian nominee board member (Marenholt)"),
    Person("thistlewood", "person/robert-thistlewood", "Robert", "Thistlewood", d("1955-08-03"),
           "GB",
           "14 Harbour Walk, Douglas, Isle of Man IM1 2AB",
           phones={"mobile": ph("+44 7400 552310")},
           emails=["bob@kestrel-nominees.example"], passport="533018274",
           role="Professional nominee director (UK/BVI); 'Bob'"),
    Person("horbalenko", "person/dmytro-horbalenko", "Dmytro", "Horbalenko", d("1990-02-14"), "UA",
           "Hafenstraße 19, 34567 Kaltenbrunn", phones={"mobile": ph("+49 162 7730158"),
                                                        "ua": ph("+380 50 3318862")},
           passport="FK118302", role="Cash courier ('Dima')"),
    Person("hollweck_a", "person/stefan-hollweck-1987", "Stefan", "Hollweck", d("1987-06-06"), "DE",
           "Feldstraße 3, 34575 Kaltenbrunn", phones={"mobile": ph("+49 179 40218836")},
           id_number="L8ZT42KD2", role="Driver / cash courier (NOT the pensioner)"),
    Person("hollweck_b", "person/stefan-hollweck-1951", "Stefan", "Hollweck", d("1951-01-15"), "DE",
           "Am Kirchberg 11, 34562 Tannfeld", phones={"landline": ph("+49 5673 81204")},
           id_number="L0QW55RT7",
           role="Unrelated pensioner with the same name (namesake, must not merge)"),
    Person("okonkwo", "person/milan-okonkwo-ruiz", "Milan", "Okonkwo-Ruiz", d("1976-09-09"), "SK",
           "Obchodná 41, 811 06 Bratislava, Slovakia", phones={"mobile": ph("+421 905 118274")},
           emails=["milan@veltrada.example"], passport="SK2210493",
           role="Director of Veltrada Consulting s.r.o."),
    Person("sondervik", "person/ingrid-sondervik", "Ingrid", "Søndervik", d("1982-03-27"), "DE",
           "Kastanienweg 8, 34567 Kaltenbrunn", phones={"mobile": ph("+49 151 90347721")},
           emails=["i.sondervik@nordlicht-bau.example"], id_number="L5NB62HV9",
           role="Bookkeeper (Prokuristin) at Nordlicht; later a witness"),
    Person("lemaitre", "person/francois-lemaitre-dubois", "François", "Lemaître-Dubois",
           d("1961-12-01"), "FR",
           "27 Rue des Tanneurs, L-1420 Luxembourg", phones={"mobile": ph("+352 621 448190")},
           emails=["f.lemaitre@lemaitre-fiduciaire.example"], passport="17CF40219",
           role="Luxembourg fiduciary; nominee shareholder of Azurmere"),
    Person("woellenstein", "person/gerda-woellenstein", "Gerda", "Wöllenstein", d("1967-07-07"),
           "DE",
           "Ulmenstraße 40, 34567 Kaltenbrunn", phones={"mobile": ph("+49 160 2278815")},
           emails=["g.woellenstein@stadtwerke-kaltenbrunn.example"], id_number="L4DF09SB3",
           role="Deputy head of procurement, Stadtwerke; witness"),
    Person("kettelbach", "person/rainer-kettelbach", "Rainer", "Kettelbach", d("1960-03-15"), "DE",
           "Parkallee 2, 34567 Kaltenbrunn", phones={"mobile": ph("+49 171 5540032")},
           emails=["r.kettelbach@stadtwerke-kaltenbrunn.example"], id_number="L2AC78JN1",
           role="Managing director, Stadtwerke Kaltenbrunn GmbH"),
]}

ORGS: dict[str, Org] = {o.key: o for o in [
    Org("stadt", "org/stadt-kaltenbrunn", "Organization", "Stadt Kaltenbrunn", "DE",
        "Rathausplatz 1, 34567 Kaltenbrunn", role="The city; owns the utility"),
    Org("sta", "org/staatsanwaltschaft-kaltenbrunn", "Organization",
        "Staatsanwaltschaft Kaltenbrunn", "DE",
        "Justizplatz 4, 34567 Kaltenbrunn", role="Public prosecutor"),
    Org("finanzamt", "org/finanzamt-kaltenbrunn", "Organization", "Finanzamt Kaltenbrunn", "DE",
        "Steuerstraße 1, 34567 Kaltenbrunn", role="Tax office (recurring court party)"),
    Org("jobcenter", "org/jobcenter-kaltenbrunn", "Organization", "Jobcenter Landkreis Kaltenbrunn",
        "DE",
        "Bahnhofstraße 30, 34567 Kaltenbrunn", role="Job centre (recurring court party)"),
    Org("stadtwerke", "company/stadtwerke-kaltenbrunn", "Company", "Stadtwerke Kaltenbrunn GmbH",
        "DE",
        "Werkstraße 1, 34567 Kaltenbrunn", "HRB 2207", d("1994-01-01"), "GmbH",
        "045/200/00117", "DE113720045", role="Municipal buyer"),
    Org("nordlicht", "company/nordlicht-bauservice", "Company", "Nordlicht Bauservice GmbH", "DE",
        "Industriestraße 21, 34577 Kaltenbrunn", "HRB 4821", d("2009-03-16"), "GmbH",
        "045/221/30817", "DE281734562", role="Winning contractor #1"),
    Org("brannigvald", "company/brannigvald-tiefbau", "Company", "Brannigvald Tiefbau GmbH", "DE",
        "Zur Kiesgrube 4, 34579 Kaltenbrunn", "HRB 3390", d("2004-07-01"), "GmbH",
        "045/218/11402", "DE244518873", role="Winning contractor #2"),
    Org("azurmere", "company/azurmere-holdings", "Company", "Azurmere Holdings Ltd", "CY",
        "Arch. Makariou III 155, 3026 Limassol, Cyprus", "HE 312457", d("2017-06-12"),
        "Private Limited Company",
        "", "CY10312457K", role="Cyprus shell, collects licence and consulting fees"),
    Org("kestrelmoor", "company/kestrelmoor-trading", "Company", "Kestrelmoor Trading Limited",
        "GB",
        "Suite 4, 27 Old Gloucester Row, London WC1N 3AX", "10987654", d("2018-02-20"),
        "Private limited company", role="UK shell, 'project management services'"),
    Org("veltrada", "company/veltrada-consulting", "Company", "Veltrada Consulting s.r.o.", "SK",
        "Obchodná 41, 811 06 Bratislava", "51234567", d("2017-10-03"), "s.r.o.",
        "", "SK2120665432", role="Slovak shell, 'consulting'"),
    Org("paloverde", "company/paloverde-ventures", "Company", "Paloverde Ventures Inc.", "VG",
        "Palmgrove Chambers, Road Town, Tortola, British Virgin Islands", "1876543",
        d("2016-11-08"),
        "BVI Business Company", role="BVI shell (only visible as shareholder / counterparty)"),
    Org("marenholt", "company/marenholt-invest", "Company", "Marenholt Invest SIA", "LV",
        "Brīvības iela 88, Rīga, LV-1001", "40103987654", d("2018-05-14"), "SIA",
        role="Latvian shell"),
    Org("silvercairn", "company/silvercairn-advisory", "Company", "Silvercairn Advisory FZE", "AE",
        "Business Centre 4, RAK Economic Zone, Ras Al Khaimah, UAE", "5012345", d("2019-01-20"),
        "FZE",
        role="UAE shell (bank and tips only)"),
    Org("rosenhag", "company/rosenhag-immobilienverwaltung", "Company",
        "Rosenhag Immobilienverwaltung UG (haftungsbeschränkt)", "DE",
        "Gartenstraße 7, 34571 Kaltenbrunn-Weiler", "HRB 5512", d("2018-09-03"),
        "UG (haftungsbeschränkt)",
        "045/233/50981", role="Front company / front bank account holder"),
    Org("kanzlei", "company/brueckner-sauvage-partner", "Company",
        "Brückner-Sauvage & Partner Rechtsanwälte mbB", "DE",
        "Opernring 12, 60311 Frankfurt am Main", "PR 1184", d("2011-04-01"), "PartG mbB",
        role="Law firm of Dr. Brückner-Sauvage"),
    Org("kestrel_nominees", "company/kestrel-corporate-nominees", "Company",
        "Kestrel Corporate Nominees Ltd", "GB",
        "14 Harbour Walk, Douglas, Isle of Man IM1 2AB", "08765432", d("2013-09-02"),
        "Private limited company", role="Corporate director of the UK shell"),
    Org("lemaitre_fid", "company/lemaitre-fiduciaire", "Company", "Lemaître Fiduciaire S.A.", "LU",
        "27 Rue des Tanneurs, L-1420 Luxembourg", "B123456", d("2008-02-11"), "S.A.",
        role="Luxembourg fiduciary; nominee shareholder of Azurmere"),
    Org("brenneisen", "company/autohaus-brenneisen", "Company", "Autohaus Brenneisen GmbH", "DE",
        "Ringstraße 90, 34567 Kaltenbrunn", "HRB 6120", d("1998-05-04"), "GmbH", "045/210/77120",
        role="Car dealer (Porsche for the son)"),
    Org("quendmark", "company/quendmark-bau", "Company", "Quendmark Bau AG", "DE",
        "Hafenkai 3, 34590 Eschenrode", "HRB 1733", d("1989-10-10"), "AG", "045/250/10044",
        role="Losing bidder who challenged the award"),
    Org("nordlicht_bau", "company/nordlicht-bau-hamburg", "Company", "Nordlicht Bau GmbH", "DE",
        "Veddeler Damm 88, 20539 Hamburg", "HRB 99812", d("1999-06-21"), "GmbH", "47/712/00981",
        role="Unrelated Hamburg company with a similar name (must not merge)"),
    Org("azurmere_capital", "company/azurmere-capital", "Company", "Azurmere Capital Ltd", "MT",
        "Triq il-Kbira 12, Sliema SLM 1549, Malta", "C 81234", d("2017-09-01"),
        "Limited Liability Company",
        role="Unrelated Maltese company with a similar name (must not merge)"),
]}

P, ORG = PEOPLE, ORGS


class AnswerKey:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[str, str]] = {}

    def add(self, source: str, entity_id: str, true_id: str, schema: str) -> None:
        existing = self.rows.get((source, entity_id))
        if existing is not None and existing != (true_id, schema):
            raise ValueError(f"conflicting answer key for {source}/{entity_id}: {existing} vs "
                             f"{true_id}")
        self.rows[(source, entity_id)] = (true_id, schema)


# ---------------------------------------------------------------------------
# Background (noise) identities
# ---------------------------------------------------------------------------

FIRST = {
    "DE": (["Andreas", "Björn", "Christian", "Dieter", "Florian", "Günter", "Hannes", "Jörg",
            "Jonas", "Klaus", "Lars", "Markus", "Matthias", "Niklas", "Ralf", "Sören", "Thomas",
            "Tobias", "Uwe", "Wolfgang", "Michael", "Sebastian", "Frank", "Holger", "Karl-Heinz",
            "Moritz", "Jan", "Felix"],
           ["Anja", "Birgit", "Claudia", "Dörte", "Elke", "Franziska", "Gabriele", "Hannelore",
            "Ines", "Jana", "Katrin", "Lea", "Monika", "Nicole", "Petra", "Renate", "Tanja", "Ute",
            "Ursula", "Käthe", "Lena", "Miriam", "Jutta", "Sünje", "Anna", "Sophie", "Marlene",
            "Heike"]),
    "FR": (["Émile", "Jérôme", "Benoît", "Loïc", "Théo", "Rémi", "Gaëtan"],
           ["Céline", "Thérèse", "Zoé", "Aurélie", "Mélanie", "Noémie", "Anaïs"]),
    "PL": (["Zbigniew", "Krzysztof", "Wojciech", "Paweł", "Łukasz"],
           ["Małgorzata", "Agnieszka", "Katarzyna", "Joanna", "Beata"]),
    "GB": (["James", "Oliver", "George", "William", "Edward", "Harry"],
           ["Charlotte", "Emily", "Harriet", "Sophie", "Amelia", "Imogen"]),
    "CY": (["Christos", "Georgios", "Kyriakos", "Nikos", "Stelios"],
           ["Eleni", "Maria", "Panayiota", "Stella", "Androulla"]),
    "SK": (["Ján", "Marek", "Tomáš", "Juraj", "Pavol"],
           ["Lucia", "Zuzana", "Katarína", "Jana", "Mária"]),
    "LV": (["Jānis", "Andris", "Mārtiņš", "Edgars"], ["Ilze", "Līga", "Inese", "Kristīne"]),
    "TR": (["Mehmet", "Emre", "Hakan", "Murat"], ["Ayşe", "Elif", "Zeynep", "Özlem"]),
    "AT": (["Alois", "Florian", "Georg", "Stefan"], ["Theresa", "Magdalena", "Johanna", "Vroni"]),
}
UA_FIRST = (["Олександр", "Андрій", "Сергій", "Юрій", "Віктор", "Богдан", "Тарас", "Василь"],
            ["Олена", "Ірина", "Наталія", "Оксана", "Тетяна", "Галина", "Марія", "Софія"])

SUR_STEMS = {
    "DE": ["Brannig", "Quend", "Treub", "Mirsch", "Zirn", "Eschel", "Pfeff", "Rössl", "Schlenk",
           "Stöck", "Wirtl", "Mürr", "Lämm", "Golz", "Fremm", "Knaus", "Zwick", "Oll", "Brüm",
           "Sauk", "Nöll", "Hattl", "Jorn", "Pflüg", "Rietz", "Strüb", "Quast", "Wolp", "Drosk",
           "Fenn", "Gürt", "Hask", "Kirsl", "Nübl", "Ploss", "Schwind", "Tröls", "Urb", "Zedl"],
    "FR": ["Duverg", "Sauvan", "Morvill", "Castagn", "Bréhaul", "Quint", "Raven", "Tissand",
           "Vaugren", "Péric", "Aubr", "Lacroiss", "Montfauc"],
    "PL": ["Jaskul", "Wroblew", "Kaczmar", "Gorzel", "Pietrasz", "Szymcz", "Dąbrow", "Lewand",
           "Mazurk"],
    "GB": ["Thistle", "Harrow", "Ashcomb", "Brindle", "Cotter", "Dunmor", "Elsw", "Gorrin", "Marw",
           "Pennick", "Quill", "Rudg", "Stallard", "Trowbr", "Wexcomb"],
    "CY": ["Kyriak", "Papadrom", "Charalamb", "Stavrin", "Loizid", "Evagor", "Panay", "Hadjikyr",
           "Savvid"],
    "SK": ["Hrub", "Kolár", "Mráz", "Pavl", "Bart", "Ďurč", "Zelen", "Kocúr"],
    "LV": ["Bērz", "Kalniņ", "Ozolin", "Liepiņ", "Zvaigzn", "Krūmiņ"],
    "TR": ["Demirt", "Yıldır", "Kaplan", "Aydınl", "Özkur", "Çelikt"],
    "AT": ["Pichl", "Zaun", "Grabn", "Moosb", "Oberw", "Hinterw", "Stodl"],
}
SUR_ENDS = {
    "DE": ["bach", "berger", "wald", "hofer", "mann", "meier", "stedt", "hauser", "inger", "brück",
           "ler", "eder", "ke", "sen", "gruber", "reiter", "kötter", "rieder", "hagen", "rath"],
    "FR": ["et", "eau", "ier", "ault", "on", "ard", "elle"],
    "PL": ["ski", "czyk", "ak", "iewicz", "owski"],
    "GB": ["wood", "ton", "field", "ham", "ley", "by", "more", "ridge"],
    "CY": ["ides", "ou", "akis", "opoulos", "iou"],
    "SK": ["ík", "ovič", "ák", "uš", "ovský"],
    "LV": ["s", "š", "ovs", "ietis"],
    "TR": ["aş", "ım", "oğlu", "er"],
    "AT": ["huber", "egger", "wieser", "bichler", "leitner"],
}
UA_STEMS = ["Шолом", "Кирич", "Ткачен", "Лисич", "Підгор", "Завал", "Бондарч", "Грицен", "Остап",
            "Кравч", "Савч", "Дорош", "Мельнич", "Пастух", "Гончар", "Левад"]
UA_ENDS = ["енко", "ук", "ович", "ишин", "ко", "ак"]

DE_TOWNS = [("Kaltenbrunn", "3456"), ("Kaltenbrunn-Weiler", "3457"), ("Wendelsee", "3458"),
            ("Tannfeld", "3456"), ("Eschenrode", "3459"), ("Grauwinkel", "3460"),
            ("Mooshagen", "3461"),
            ("Oberfeld am Kaltbach", "3462"), ("Frankfurt am Main", "6031"), ("Leipzig", "0422"),
            ("Hamburg", "2053"), ("Kassenbrück", "3463")]
DE_STREETS = ["Lindenweg", "Birkenallee", "Am Mühlbach", "Hauptstraße", "Bahnhofstraße",
              "Kirchgasse", "Schulstraße", "Gartenweg", "Rosenstraße", "Eichendorffstraße",
              "Goethering", "Am Anger", "Brunnenstraße", "Fliederweg", "Mühlenstraße", "Jahnstraße",
              "Talstraße", "Schlossplatz", "Kastanienallee", "Am Hohlweg", "Weiherstraße",
              "Lerchenfeld", "Grüner Winkel", "Steinbruchweg"]
FOREIGN_ADDR = {
    # country: (streets, [(town, postcode prefix)], country name, digits after prefix)
    "CY": (["Oleandrou", "Spyrou Araouzou", "Agias Fylaxeos", "Gladstonos", "Anexartisias"],
           [("Limassol", "30"), ("Nicosia", "10"), ("Larnaca", "60")], "Cyprus", 2),
    "GB": (["Kingsmead Lane", "Harbour Walk", "Old Gloucester Row", "Fenwick Court", "Marlow Yard"],
           [("London", "EC1V"), ("Manchester", "M4"), ("Leeds", "LS1")], "United Kingdom", 0),
    "SK": (["Obchodná", "Štúrova", "Mlynské nivy", "Hlavná"],
           [("Bratislava", "81"), ("Košice", "04"), ("Žilina", "01")], "Slovakia", 3),
    "LV": (["Brīvības iela", "Elizabetes iela", "Krišjāņa Valdemāra iela"],
           [("Rīga", "LV-10"), ("Jūrmala", "LV-20")], "Latvia", 2),
    "LU": (["Rue des Tanneurs", "Boulevard Pétrusse", "Rue du Fossé"],
           [("Luxembourg", "L-1"), ("Esch-sur-Alzette", "L-4")], "Luxembourg", 3),
    "MT": (["Triq il-Kbira", "Triq San Pawl", "Triq ir-Repubblika"],
           [("Sliema", "SLM "), ("Valletta", "VLT ")], "Malta", 4),
    "AT": (["Mariahilfer Gürtel", "Linzer Straße", "Grabengasse"],
           [("Wien", "11"), ("Graz", "80")], "Austria", 2),
    "FR": (["Rue Lamartine", "Avenue Foch", "Rue des Lilas"],
           [("Strasbourg", "670"), ("Metz", "570")], "France", 2),
    "PL": (["ul. Długa", "ul. Ogrodowa", "ul. Kwiatowa"],
           [("Wrocław", "50-"), ("Poznań", "60-")], "Poland", 3),
    "TR": (["Atatürk Caddesi", "Bağdat Caddesi"], [("Istanbul", "34"), ("Izmir", "35")], "Turkey",
           3),
    "UA": (["вул. Сумська", "вул. Пушкінська", "просп. Науки"], [("Харків", "61"), ("Київ", "01")],
           "Україна", 3),
}


class Faker:
    """Generates unique background (noise) people and companies."""

    def __init__(self, rng: Random, used_names: set[str], used_phones: set[str]) -> None:
        self.rng = rng
        self.used_names = used_names
        self.used_phones = used_phones

    def surname(self, origin: str) -> str:
        return self.rng.choice(SUR_STEMS[origin]) + self.rng.choice(SUR_ENDS[origin])

    def address(self, country: str) -> str:
        rng = self.rng
        if country == "DE":
            town, plz = rng.choice(DE_TOWNS)
            street = f"{rng.choice(DE_STREETS)} {rng.randint(1, 120)}"
            return f"{street}, {plz}{rng.randint(0, 9)} {town}"
        streets, towns, cname, ndig = FOREIGN_ADDR[country]
        town, pc = rng.choice(towns)
        street = rng.choice(streets)
        num = rng.randint(1, 99)
        code = pc + digits(rng, ndig)
        if country == "GB":
            code = f"{pc} {rng.randint(1, 9)}{rng.choice('ABDEFGHJ')}{rng.choice('LNPQRSTUWXYZ')}"
            return f"{num} {street}, {town} {code}"
        if country == "UA":
            return f"{street}, {num}, {town}, {code}, {cname}"
        if country in ("LU", "FR"):
            return f"{num} {street}, {code} {town}"
        if country == "MT":
            return f"{street} {num}, {town} {code}, {cname}"
        return f"{street} {num}, {code} {town}, {cname}"

    def person(self, origin: str | None = None, min_year: int = 1945, max_year: int = 2002,
               country: str | None = None) -> dict:
        rng = self.rng
        if origin is None:
            origin = rng.choices(["DE", "DE", "DE", "DE", "DE", "DE", "PL", "TR", "FR", "AT", "UA"],
                                 k=1)[0]
        for _ in range(1000):
            female = rng.random() < 0.5
            if origin == "UA":
                cyr_first = rng.choice(UA_FIRST[1 if female else 0])
                cyr_last = rng.choice(UA_STEMS) + rng.choice(UA_ENDS)
                first, last = ua_translit(cyr_first), ua_translit(cyr_last)
            else:
                cyr_first = cyr_last = None
                first = rng.choice(FIRST[origin][1 if female else 0])
                last = self.surname(origin)
            full = f"{first} {last}"
            if full in self.used_names:
                continue
            self.used_names.add(full)
            if country is None:
                country = "DE" if origin == "DE" or rng.random() < 0.7 else origin
            return {
                "first": first, "last": last, "full": full,
                "cyr_first": cyr_first, "cyr_last": cyr_last,
                "female": female, "origin": origin,
                "nat": origin if origin != "AT" or rng.random() < 0.5 else "DE",
                "dob": rand_date(rng, date(min_year, 1, 1), date(max_year, 12, 28)),
                "country": country,
                "address": self.address(country),
                "phone": random_phone(rng, self.used_phones, "49" if country == "DE" else None),
                "id_number": "L" + alnum(rng, 8),
            }
        raise RuntimeError("name space exhausted")

    COMPANY_STEMS_A: ClassVar[list[str]] = ["Al", "Bre", "Cor", "Dal", "Ebr", "Fal", "Gel", "Hav",
                                            "Ist", "Jor", "Kal", "Lun", "Mor", "Nev", "Orv", "Pel",
                                            "Quar", "Ros", "Sel", "Tar", "Ulv", "Var", "Wes", "Xan",
                                            "Yor", "Zel", "Brix", "Cald", "Dorn", "Frey", "Grim",
                                            "Hald", "Kess", "Lorn"]
    COMPANY_STEMS_B: ClassVar[list[str]] = ["vik", "mar", "dor", "ling", "tan", "ven", "rath",
                                            "holm", "stein", "bury", "gard", "wyn", "lis", "tor",
                                            "brook", "feld", "hagen", "quist", "mont", "ford",
                                            "lund"]
    SECTORS: ClassVar[dict[str, list[str]]] = {
        "DE": ["Bau", "Haustechnik", "Logistik", "Immobilien", "Consulting", "Handels",
               "Elektrotechnik", "Dach- und Fassadenbau", "Gebäudereinigung", "Software",
               "Metallbau", "Transport", "Garten- und Landschaftsbau", "Verwaltungs",
               "Beteiligungs", "Personaldienstleistungen", "Tiefbau", "Sanitär", "Gerüstbau",
               "Energietechnik", "Autoservice", "Gastronomie"],
        "EN": ["Trading", "Holdings", "Investments", "Consulting", "Capital", "Ventures",
               "Logistics", "Properties", "Management Services", "Commodities", "Maritime",
               "Advisory"],
        "SK": ["Consulting", "Trade", "Invest", "Stav", "Logistik"],
        "LV": ["Invest", "Trans", "Group", "Būve", "Consult"],
        "LU": ["Participations", "Invest", "Finance", "Holding"],
        "FR": ["Conseil", "Immobilier", "Négoce", "Services"],
    }

    def company(self, jurisdiction: str) -> dict:
        rng = self.rng
        for _ in range(1000):
            stem = rng.choice(self.COMPANY_STEMS_A) + rng.choice(self.COMPANY_STEMS_B)
            sector = ""
            if jurisdiction in ("DE", "AT"):
                sector = rng.choice(self.SECTORS["DE"])
                form = rng.choices(["GmbH", "UG (haftungsbeschränkt)", "AG", "GmbH & Co. KG",
                                    "e.K."],
                                   weights=[60, 12, 4, 10,
                                            6] if jurisdiction == "DE" else [80, 0, 5, 10, 5])[0]
                if form == "e.K.":
                    owner = self.surname("DE")
                    name = f"{sector} {owner} e.K."
                elif rng.random() < 0.15:
                    name = f"{stem} & {self.surname('DE')} {sector} {form}"
                else:
                    name = f"{stem} {sector} {form}"
                name = name.replace("Verwaltungs ", "Verwaltungs-").replace("Beteiligungs ",
                                                                            "Beteiligungs-")
                name = name.replace("Handels ", "Handels-")
            elif jurisdiction in ("CY", "GB", "MT"):
                forms = ["Ltd", "Limited", "LLP"] if jurisdiction == "GB" else ["Ltd", "Limited"]
                form = rng.choice(forms)
                sector = rng.choice(self.SECTORS["EN"])
                name = f"{stem} {sector} {form}"
            elif jurisdiction == "SK":
                form = rng.choice(["s.r.o.", "a.s."])
                name = f"{stem} {rng.choice(self.SECTORS['SK'])} {form}"
            elif jurisdiction == "LV":
                form = "SIA"
                name = f"SIA {stem} {rng.choice(self.SECTORS['LV'])}" if rng.random() < 0.5 else \
                    f"{stem} {rng.choice(self.SECTORS['LV'])} SIA"
            elif jurisdiction == "LU":
                form = rng.choice(["S.A.", "S.à r.l."])
                name = f"{stem} {rng.choice(self.SECTORS['LU'])} {form}"
            else:
                form = rng.choice(["SARL", "SAS"])
                name = f"{stem} {rng.choice(self.SECTORS['FR'])} {form}"
            if name in self.used_names or "Nordlicht" in name or "Azurmere" in name:
                continue
            self.used_names.add(name)
            return {"name": name, "form": form, "jurisdiction": jurisdiction, "sector": sector,
                    "address": self.address(jurisdiction)}
        raise RuntimeError("company name space exhausted")


# ---------------------------------------------------------------------------
# Source 1: corporate registry (cp1252 CSV)
# ---------------------------------------------------------------------------

REG_COUNTRY = {  # how the consolidated registry spells jurisdictions / nationalities
    "DE": "Deutschland", "CY": "Zypern", "GB": "Vereinigtes Königreich", "SK": "Slowakei",
    "LV": "Lettland", "LU": "Luxemburg", "MT": "Malta", "AT": "Österreich",
    "VG": "Britische Jungferninseln",
    "FR": "Frankreich", "PL": "Polen", "TR": "Türkei", "UA": "Ukraine",
}
DEMONYM = {"DE": "German", "CY": "Cypriot", "GB": "British", "SK": "Slovak", "LV": "Latvian",
           "LU": "Luxembourgish", "MT": "Maltese", "AT": "Austrian", "FR": "French", "PL": "Polish",
           "TR": "Turkish", "UA": "Ukrainian"}
REGISTERS = {
    "DE": "Amtsgericht {town}", "CY": "Department of Registrar of Companies, Nicosia",
    "GB": "Companies House", "SK": "Obchodný register Okresného súdu Bratislava I",
    "LV": "Uzņēmumu reģistrs", "LU": "Registre de Commerce et des Sociétés Luxembourg",
    "MT": "Malta Business Registry", "AT": "Firmenbuch Handelsgericht Wien",
}
PURPOSE = {
    "DE": ["Erbringung von Bauleistungen aller Art",
           "Handel mit Waren aller Art, soweit nicht erlaubnispflichtig",
           "Verwaltung eigenen Vermögens", "Planung und Ausführung haustechnischer Anlagen",
           "Erwerb, Verwaltung und Veräußerung von Immobilien",
           "Unternehmensberatung, ausgenommen Rechts- und Steuerberatung",
           "Güterkraftverkehr und Logistikdienstleistungen",
           "Entwicklung und Vertrieb von Software", "Gebäudereinigung und Hausmeisterdienste",
           "Garten- und Landschaftsbau"],
    "EN": ["Holding of investments", "General trading", "Provision of consultancy services",
           "Management of real estate", "Import and export of goods",
           "Financial intermediation (non-regulated)"],
}
SECTOR_PURPOSE = {
    "Bau": "Erbringung von Bauleistungen aller Art",
    "Haustechnik": "Planung und Ausführung haustechnischer Anlagen",
    "Logistik": "Güterkraftverkehr und Logistikdienstleistungen",
    "Immobilien": "Erwerb, Verwaltung und Veräußerung von Immobilien",
    "Consulting": "Unternehmensberatung, ausgenommen Rechts- und Steuerberatung",
    "Handels": "Handel mit Waren aller Art, soweit nicht erlaubnispflichtig",
    "Elektrotechnik": "Elektroinstallation und Handel mit Elektrobedarf",
    "Dach- und Fassadenbau": "Dachdecker- und Fassadenarbeiten",
    "Gebäudereinigung": "Gebäudereinigung und Hausmeisterdienste",
    "Software": "Entwicklung und Vertrieb von Software",
    "Metallbau": "Metall- und Stahlbau, Schlosserarbeiten", "Transport": "Güterkraftverkehr",
    "Garten- und Landschaftsbau": "Garten- und Landschaftsbau",
    "Verwaltungs": "Verwaltung eigenen Vermögens; Übernahme der Geschäftsführung bei "
                   "Personengesellschaften",
    "Beteiligungs": "Erwerb und Verwaltung von Beteiligungen",
    "Personaldienstleistungen": "Arbeitnehmerüberlassung und Personalvermittlung",
    "Tiefbau": "Tief-, Straßen- und Kanalbau", "Sanitär": "Sanitär-, Heizungs- und Klimatechnik",
    "Gerüstbau": "Gerüstbau und Gerüstvermietung",
    "Energietechnik": "Planung und Errichtung von Photovoltaik- und Energieanlagen",
    "Autoservice": "Kfz-Reparatur und Handel mit Kraftfahrzeugen",
    "Gastronomie": "Betrieb von Gaststätten und Catering",
    "Trading": "General trading", "Holdings": "Holding of investments",
    "Investments": "Holding of investments",
    "Capital": "Investment holding", "Ventures": "Holding of investments",
    "Logistics": "Freight forwarding and logistics",
    "Properties": "Management of real estate", "Management Services": "Management services",
    "Commodities": "Trading in commodities", "Maritime": "Ship management and chartering",
    "Advisory": "Provision of consultancy services",
}


def build_registry(key: AnswerKey, used_names: set[str],
                   used_phones: set[str]) -> tuple[list[dict], list[dict]]:
    rng = rng_for("registry")
    fk = Faker(rng, used_names, used_phones)
    src = "registry"
    companies: list[dict] = []
    officers: list[dict] = []
    used_ids: set[str] = set()

    def new_id(prefix: str) -> str:
        while True:
            value = f"{prefix}-{rng.randint(100000, 999999)}"
            if value not in used_ids:
                used_ids.add(value)
                return value

    def regno(jur: str, form: str = "", address: str = "") -> tuple[str, str]:
        if jur == "DE":
            town = KALT
            for big in ("Frankfurt am Main", "Leipzig", "Hamburg", "Eschenrode"):
                if address.endswith(big):
                    town = big
            kind = "HRA" if ("KG" in form or "e.K." in form) else "HRB"
            return f"{kind} {rng.randint(1000, 9999)}", REGISTERS["DE"].format(town=town)
        number = {
            "CY": lambda: f"HE {rng.randint(100000, 450000)}",
            "GB": lambda: f"{rng.randint(1000000, 15999999):08d}",
            "SK": lambda: f"{rng.randint(30000000, 56999999)}",
            "LV": lambda: f"40{digits(rng, 9)}",
            "LU": lambda: f"B{rng.randint(10000, 280000)}",
            "MT": lambda: f"C {rng.randint(10000, 99999)}",
            "AT": lambda: f"FN {rng.randint(10000, 599999)}{rng.choice('abdfghikmpstvwxyz')}",
        }[jur]()
        return number, REGISTERS[jur]

    def add_company(cid: str, name: str, form: str, reg: str, register: str, jur: str, inc: date,
                    address: str, purpose: str, status: str = "", dissolved: date | None = None,
                    tax: str = "", vat: str = "") -> dict:
        if not status:
            status = "aktiv" if jur in ("DE", "AT") else "Active"
        row = {
            "company_id": cid, "name": name, "legal_form": form, "registration_number": reg,
            "register": register, "jurisdiction": REG_COUNTRY[jur],
            "incorporation_date": inc.isoformat(),
            "dissolution_date": dissolved.isoformat() if dissolved else "", "status": status,
            "registered_address": address, "business_purpose": purpose, "tax_number": tax,
            "vat_number": vat,
        }
        companies.append(row)
        return row

    def add_officer(company: dict, relation: str, role: str, otype: str, oid: str, oname: str,
                    start: date | None, end: date | None = None, dob: str = "", nat: str = "",
                    address: str = "", ojur: str = "", oreg: str = "", share: str = "") -> None:
        officers.append({
            "relation_id": "", "company_id": company["company_id"], "company_name": company["name"],
            "relation": relation, "role": role, "officer_type": otype, "officer_id": oid,
            "officer_name": oname, "officer_birth_date": dob, "officer_nationality": nat,
            "officer_address": address, "officer_jurisdiction": ojur,
            "officer_registration_number": oreg,
            "share_percent": share, "start_date": start.isoformat() if start else "",
            "end_date": end.isoformat() if end else "",
        })

    def person_name(first: str, last: str, jur: str, title: str = "") -> str:
        if jur == "DE":
            return f"{last}, {first}" + (f", {title}" if title else "")
        if jur == "GB":
            return f"{last.upper()}, {first}"
        return f"{first} {last}"

    def nat_label(code: str, jur: str) -> str:
        return REG_COUNTRY[code] if jur in ("DE", "AT") else DEMONYM[code]

    def person_dob(dob: date, jur: str) -> str:
        if jur == "GB":
            return dob.strftime("%Y-%m")  # Companies House publishes month and year only
        if jur == "LV":
            return str(dob.year)
        return dob.isoformat()

    # ---- actor companies ----------------------------------------------------
    comp: dict[str, dict] = {}
    purposes = {
        "stadtwerke": "Versorgung mit Strom, Gas, Wasser und Wärme; Betrieb öffentlicher "
                      "Einrichtungen der Stadt Kaltenbrunn",
        "nordlicht": "Erbringung von Bauleistungen aller Art, insbesondere Sanierung öffentlicher "
                     "Gebäude",
        "brannigvald": "Tief-, Straßen- und Kanalbau",
        "rosenhag": "Verwaltung von Immobilien und eigenem Vermögen",
        "kanzlei": "Gemeinsame Berufsausübung als Rechtsanwälte",
        "brenneisen": "Handel mit Kraftfahrzeugen und Kfz-Werkstatt",
        "quendmark": "Hoch- und Ingenieurbau",
        "nordlicht_bau": "Trockenbau, Innenausbau und Fassadenarbeiten",
        "azurmere": "Holding of investments; licensing of intellectual property",
        "kestrelmoor": "Management consultancy activities other than financial management",
        "veltrada": "Podnikateľské poradenstvo (business consulting)",
        "marenholt": "Holding company activities",
        "kestrel_nominees": "Provision of nominee and corporate director services",
        "lemaitre_fid": "Services fiduciaires et domiciliation de sociétés",
        "azurmere_capital": "Investment holding",
    }
    for k, purpose in purposes.items():
        org = ORG[k]
        cid = new_id("CO")
        town = "Hamburg" if k == "nordlicht_bau" else KALT
        register = REGISTERS[org.jurisdiction].format(town=town)
        if k == "kanzlei":
            register = "Amtsgericht Frankfurt am Main (Partnerschaftsregister)"
        comp[k] = add_company(cid, org.name, org.legal_form, org.reg_no, register, org.jurisdiction,
                              org.incorporated, org.address, purpose, tax=org.tax_no, vat=org.vat)
        key.add(src, ftm_id(src, cid), org.true_id, "Company")

    # ---- actor officers -----------------------------------------------------
    def actor_officer(pkey: str, jur: str, oid: str | None = None, name: str | None = None,
                      address: str | None = None, when: date = REF_DATE) -> tuple[str, dict]:
        p = P[pkey]
        oid = oid or new_id("OF")
        key.add(src, ftm_id(src, oid), p.true_id, "Person")
        return oid, dict(oname=name or person_name(p.first, p.last, jur,
                                                   p.title if pkey == "valdrenko" else ""),
                         dob=person_dob(p.dob, jur), nat=nat_label(p.nat, jur),
                         address=address or p.address_at(when))

    def org_officer(okey: str, oid: str | None = None, name: str | None = None) -> tuple[str, dict]:
        org = ORG[okey]
        oid = oid or new_id("OF")
        key.add(src, ftm_id(src, oid), org.true_id, org.schema)
        return oid, dict(oname=name or org.name, ojur=REG_COUNTRY[org.jurisdiction],
                         oreg=org.reg_no,
                         address=org.address)

    # Stadtwerke: owned by the city, run by Kettelbach, Valdrenko holds Prokura
    sid, skw = org_officer("stadt", oid="PB-KALTENBRUNN")
    add_officer(comp["stadtwerke"], "shareholder", "Gesellschafter", "public_body", sid,
                start=d("1994-01-01"), share="100,00", **skw)
    oid, kw = actor_officer("kettelbach", "DE")
    add_officer(comp["stadtwerke"], "director", "Geschäftsführer", "person", oid,
                start=d("2012-01-01"), **kw)
    oid, kw = actor_officer("valdrenko", "DE", when=d("2016-03-01"))
    add_officer(comp["stadtwerke"], "director", "Prokurist", "person", oid, start=d("2016-03-01"),
                **kw)

    # Nordlicht: Großkopf + Maier (A) + Søndervik (Prokura); Azurmere buys 51 % in 2018
    g_oid, gkw = actor_officer("grosskopf", "DE",
                               when=d("2009-03-16"))  # register never updated the address
    add_officer(comp["nordlicht"], "director", "Geschäftsführer", "person", g_oid,
                start=d("2009-03-16"), **gkw)
    add_officer(comp["nordlicht"], "shareholder", "Gesellschafter", "person", g_oid,
                start=d("2009-03-16"),
                end=d("2018-04-19"), share="85,00", **gkw)
    add_officer(comp["nordlicht"], "shareholder", "Gesellschafter", "person", g_oid,
                start=d("2018-04-20"), share="34,00", **gkw)
    m_oid, mkw = actor_officer("maier_a", "DE")
    add_officer(comp["nordlicht"], "director", "Geschäftsführer", "person", m_oid,
                start=d("2012-07-01"), **mkw)
    add_officer(comp["nordlicht"], "shareholder", "Gesellschafter", "person", m_oid,
                start=d("2012-07-01"), share="15,00", **mkw)
    oid, kw = actor_officer("sondervik", "DE")
    add_officer(comp["nordlicht"], "director", "Prokuristin", "person", oid, start=d("2017-01-15"),
                **kw)
    # the German shareholder list names Azurmere without linking to the Cyprus record:
    oid, kw = org_officer("azurmere", name="Azurmere Holdings Limited")
    kw["address"] = "Limassol/Zypern"
    add_officer(comp["nordlicht"], "shareholder", "Gesellschafterin", "company", oid,
                start=d("2018-04-20"), share="51,00", **kw)

    # Brannigvald Tiefbau
    oid, kw = actor_officer("sabine", "DE")
    add_officer(comp["brannigvald"], "director", "Geschäftsführerin", "person", oid,
                start=d("2004-07-01"), **kw)
    add_officer(comp["brannigvald"], "shareholder", "Gesellschafterin", "person", oid,
                start=d("2004-07-01"), share="50,00", **kw)
    oid, kw = actor_officer("henrik", "DE")
    add_officer(comp["brannigvald"], "shareholder", "Gesellschafter", "person", oid,
                start=d("2004-07-01"), share="50,00", **kw)

    # Rosenhag: the brother-in-law's front company
    oid, kw = actor_officer("jaskulski", "DE")
    add_officer(comp["rosenhag"], "director", "Geschäftsführer", "person", oid,
                start=d("2018-09-03"), **kw)
    add_officer(comp["rosenhag"], "shareholder", "Gesellschafter", "person", oid,
                start=d("2018-09-03"), share="100,00", **kw)

    # Law firm
    oid, kw = actor_officer("brueckner", "DE", name="Brückner-Sauvage, Hélène, Dr.")
    add_officer(comp["kanzlei"], "director", "Partnerin", "person", oid, start=d("2011-04-01"),
                **kw)

    # Azurmere (CY): nominee director, Luxembourg fiduciary as shareholder (linked record)
    k_oid, kkw = actor_officer("kyriakides", "CY")
    add_officer(comp["azurmere"], "director", "Director", "person", k_oid, start=d("2017-06-12"),
                **kkw)
    oid, kw = org_officer("lemaitre_fid", oid=comp["lemaitre_fid"]["company_id"])
    add_officer(comp["azurmere"], "shareholder", "Shareholder", "company", oid,
                start=d("2017-06-12"), share="100", **kw)

    # Kestrelmoor (GB): Bob Thistlewood + his corporate director; PSC is the BVI company
    t_oid, tkw = actor_officer("thistlewood", "GB", name="THISTLEWOOD, Robert James")
    add_officer(comp["kestrelmoor"], "director", "Director", "person", t_oid, start=d("2018-02-20"),
                **tkw)
    oid, kw = org_officer("kestrel_nominees", oid=comp["kestrel_nominees"]["company_id"])
    add_officer(comp["kestrelmoor"], "director", "Corporate Director", "company", oid,
                start=d("2018-02-20"), **kw)
    oid, kw = org_officer("paloverde", name="Paloverde Ventures Inc")
    add_officer(comp["kestrelmoor"], "shareholder", "Person with significant control (75-100%)",
                "company", oid,
                start=d("2018-02-20"), share="100", **kw)
    add_officer(comp["kestrel_nominees"], "director", "Director", "person", t_oid,
                start=d("2013-09-02"), **tkw)
    add_officer(comp["kestrel_nominees"], "shareholder", "Shareholder", "person", t_oid,
                start=d("2013-09-02"), share="100", **tkw)

    # Veltrada (SK): Okonkwo-Ruiz sells to Azurmere in 2019 (linked record)
    oid, kw = actor_officer("okonkwo", "SK")
    add_officer(comp["veltrada"], "director", "konatel", "person", oid, start=d("2017-10-03"), **kw)
    add_officer(comp["veltrada"], "shareholder", "spolocník", "person", oid, start=d("2017-10-03"),
                end=d("2019-06-30"), share="100", **kw)
    oid, kw = org_officer("azurmere", oid=comp["azurmere"]["company_id"])
    add_officer(comp["veltrada"], "shareholder", "spolocník", "company", oid, start=d("2019-07-01"),
                share="100", **kw)

    # Marenholt (LV): nominee board member; Paloverde again, unlinked, different spelling
    oid, kw = actor_officer("morozenko", "LV")
    add_officer(comp["marenholt"], "director", "valdes locekle", "person", oid,
                start=d("2018-05-14"), **kw)
    oid, kw = org_officer("paloverde", name="PALOVERDE VENTURES INC.")
    kw["address"] = "Road Town, Tortola"
    add_officer(comp["marenholt"], "shareholder", "dalibnieks", "company", oid,
                start=d("2018-05-14"), share="100", **kw)

    # Lemaître Fiduciaire (LU)
    oid, kw = actor_officer("lemaitre", "LU")
    add_officer(comp["lemaitre_fid"], "director", "Administrateur délégué", "person", oid,
                start=d("2008-02-11"), **kw)
    add_officer(comp["lemaitre_fid"], "shareholder", "Actionnaire", "person", oid,
                start=d("2008-02-11"), share="100", **kw)

    # Namesakes: Peter Maier (B), electrician; Stefan Hollweck (B), retired farmer-machinery dealer
    fk.used_names.update({"Elektro Maier e.K.", "Hollweck Landtechnik GmbH"})
    reg, register = regno("DE", "e.K.", "Schillerplatz 2, 34568 Kaltenbrunn")
    elektro = add_company(new_id("CO"), "Elektro Maier e.K.", "e.K.", reg, register, "DE",
                          d("2014-02-01"),
                          "Schillerplatz 2, 34568 Kaltenbrunn",
                          "Elektroinstallation und Elektrohandel",
                          tax=f"045/2{digits(rng, 2)}/{digits(rng, 5)}")
    oid, kw = actor_officer("maier_b", "DE")
    add_officer(elektro, "director", "Inhaber", "person", oid, start=d("2014-02-01"), **kw)
    reg, register = regno("DE")
    landtechnik = add_company(new_id("CO"), "Hollweck Landtechnik GmbH", "GmbH", reg, register,
                              "DE", d("1985-04-01"),
                              "Am Kirchberg 11, 34562 Tannfeld",
                              "Handel mit und Reparatur von Landmaschinen",
                              tax=f"045/2{digits(rng, 2)}/{digits(rng, 5)}")
    oid, kw = actor_officer("hollweck_b", "DE")
    add_officer(landtechnik, "director", "Geschäftsführer", "person", oid, start=d("1985-04-01"),
                end=d("2016-12-31"), **kw)
    add_officer(landtechnik, "shareholder", "Gesellschafter", "person", oid, start=d("1985-04-01"),
                share="100,00", **kw)

    # ---- background ---------------------------------------------------------
    kyr_companies, bob_companies = 7, 9
    bg_people: list[tuple[str, dict, str,
                          int]] = []  # (officer id, row kwargs, jurisdiction, birth year)
    jur_weights = {"DE": 62, "CY": 10, "GB": 10, "SK": 4, "LV": 4, "LU": 4, "MT": 3, "AT": 3}
    jurs = [j for j, w in jur_weights.items() for _ in range(w)]
    origin_for = {"DE": None, "AT": "AT", "CY": "CY", "GB": "GB", "SK": "SK", "LV": "LV",
                  "LU": "FR", "MT": "GB"}
    bg_companies: list[dict] = []
    TARGET_COMPANIES, TARGET_OFFICERS = 600, 900

    def bg_person(jur: str, start: date) -> tuple[str, dict]:
        """A background officer aged 21+ at the appointment date (serial officers are reused)."""
        latest = start.year - 21
        if bg_people and rng.random() < 0.12:
            cand = [bp for bp in bg_people if bp[2] == jur and bp[3] <= latest]
            if cand:
                oid, kw, _, _ = rng.choice(cand)
                return oid, kw
        person = fk.person(origin_for[jur], max(1925, latest - 45), min(1999, latest - 1),
                           country=jur)
        oid = new_id("OF")
        kw = dict(oname=person_name(person["first"], person["last"], jur),
                  dob=person_dob(person["dob"], jur),
                  nat=nat_label(person["nat"], jur), address=person["address"])
        bg_people.append((oid, kw, jur, person["dob"].year))
        return oid, kw

    while len(companies) < TARGET_COMPANIES:
        jur = rng.choice(jurs)
        info = fk.company(jur)
        reg, register = regno(jur, info["form"], info["address"])
        inc = rand_date(rng, d("1986-01-01"), d("2023-12-31"))
        dissolved = None
        status = ""
        if rng.random() < 0.1 and inc < d("2021-01-01"):
            dissolved = rand_date(rng, inc + timedelta(days=400), d("2024-05-31"))
            status = "gelöscht" if jur in ("DE", "AT") else "Dissolved"
        elif rng.random() < 0.04:
            status = "in Liquidation" if jur in ("DE", "AT") else "In liquidation"
        lang = "DE" if jur in ("DE", "AT") else "EN"
        tax = ""
        if jur == "DE" and rng.random() < 0.6:
            tax = f"0{rng.randint(20, 58)}/{rng.randint(100, 299)}/{digits(rng, 5)}"
        vat = ""
        if jur == "DE" and rng.random() < 0.3:
            vat = f"DE{rng.randint(100000000, 349999999)}"
        elif jur == "CY" and rng.random() < 0.4:
            vat = f"CY{rng.randint(10000000, 39999999)}{rng.choice('ABCDKLMNX')}"
        purpose = SECTOR_PURPOSE.get(info["sector"]) or rng.choice(PURPOSE[lang])
        row = add_company(new_id("CO"), info["name"], info["form"], reg, register, jur, inc,
                          info["address"],
                          purpose, status, dissolved, tax, vat)
        bg_companies.append(row)

    # three Cypriot corporate-secretary firms serve many of the Cypriot companies
    secretaries = [r for r in bg_companies if r["jurisdiction"] == REG_COUNTRY["CY"]][:3]
    for sec in secretaries:
        sec["business_purpose"] = "Provision of company secretarial and administration services"

    # officers for background companies
    role_dir = {"DE": "Geschäftsführer", "AT": "Geschäftsführer", "CY": "Director",
                "GB": "Director",
                "SK": "konatel", "LV": "valdes loceklis", "LU": "Administrateur", "MT": "Director"}
    role_sh = {"DE": "Gesellschafter", "AT": "Gesellschafter", "CY": "Shareholder",
               "GB": "Shareholder",
               "SK": "spolocník", "LV": "dalibnieks", "LU": "Actionnaire", "MT": "Shareholder"}
    kyr_dup_id = None
    country_of = {v: k for k, v in REG_COUNTRY.items()}
    for row in bg_companies:
        jur = country_of[row["jurisdiction"]]
        inc = d(row["incorporation_date"])
        form = row["legal_form"]
        # directors
        if jur == "CY" and kyr_companies > 0:
            kyr_companies -= 1
            if kyr_companies == 3:
                # a data-entry duplicate of the nominee director, with a new officer id
                kyr_dup_id = kyr_dup_id or new_id("OF")
                oid, kw = actor_officer("kyriakides", "CY", oid=kyr_dup_id,
                                        name="Andreas Kyriakides Moll")
            else:
                oid, kw = k_oid, kkw
            add_officer(row, "director", "Director", "person", oid, start=max(inc, d("1986-03-01")),
                        **kw)
        elif jur == "GB" and bob_companies > 0:
            bob_companies -= 1
            add_officer(row, "director", "Director", "person", t_oid,
                        start=max(inc, d("1984-10-01")), **tkw)
        else:
            if form == "e.K.":
                role = "Inhaber"
            elif form == "AG":
                role = "Vorstand"
            elif "KG" in form:
                role = "persönlich haftender Gesellschafter"
            else:
                role = role_dir[jur]
            oid, kw = bg_person(jur, inc)
            last_day = d(row["dissolution_date"]) if row["dissolution_date"] else d("2024-05-31")
            add_officer(row, "director", role, "person", oid, start=inc, **kw)
            if rng.random() < 0.18 and form != "e.K.":
                start2 = rand_date(rng, inc, last_day)
                oid2, kw2 = bg_person(jur, start2)
                if oid2 != oid:
                    end2 = rand_date(rng, start2, last_day) if rng.random() < 0.3 else None
                    add_officer(row, "director", role, "person", oid2, start=start2, end=end2,
                                **kw2)
        if jur == "CY" and rng.random() < 0.5:
            sec = rng.choice(secretaries)
            add_officer(row, "director", "Secretary", "company", sec["company_id"], sec["name"],
                        start=inc,
                        ojur=sec["jurisdiction"], oreg=sec["registration_number"],
                        address=sec["registered_address"])
    # shareholders for a share of the background companies, up to the officer target
    candidates = [r for r in bg_companies if r["legal_form"] not in ("e.K.",)]
    rng.shuffle(candidates)
    ci = 0
    corporate_owners: list[dict] = []
    while len(officers) < TARGET_OFFICERS and ci < len(candidates):
        row = candidates[ci]
        ci += 1
        jur = country_of[row["jurisdiction"]]
        inc = d(row["incorporation_date"])
        n = rng.choice([1, 1, 2, 2, 3])
        shares = [100] if n == 1 else ([50, 50] if n == 2 and rng.random() < 0.5 else
                                       sorted(rng.sample(range(5, 95), n - 1)))
        if n > 1 and len(shares) == n - 1:
            cuts = [0, *shares, 100]
            shares = [b - a for a, b in pairwise(cuts)]
        for pct in shares:
            pct_s = f"{pct},00" if jur in ("DE", "AT") else str(pct)
            r = rng.random()
            if r < 0.2 and corporate_owners:
                owner = rng.choice(corporate_owners)
                if owner["company_id"] == row["company_id"]:
                    continue
                add_officer(row, "shareholder", role_sh[jur], "company", owner["company_id"],
                            owner["name"], inc,
                            share=pct_s, ojur=owner["jurisdiction"],
                            oreg=owner["registration_number"],
                            address=owner["registered_address"])
            elif r < 0.25:
                # a foreign corporate owner that is not in this registry (singleton)
                oj = rng.choice(["CY", "GB", "MT", "LU"])
                info = fk.company(oj)
                add_officer(row, "shareholder", role_sh[jur], "company", new_id("OF"), info["name"],
                            inc,
                            share=pct_s, ojur=REG_COUNTRY[oj], address=info["address"])
            else:
                oid, kw = bg_person(jur, inc)
                add_officer(row, "shareholder", role_sh[jur], "person", oid, start=inc, share=pct_s,
                            **kw)
        if rng.random() < 0.3:
            corporate_owners.append(row)

    # the officer export spells out the legal form of the municipal utility
    for r in officers:
        if r["company_id"] == comp["stadtwerke"]["company_id"]:
            r["company_name"] = "Stadtwerke Kaltenbrunn Gesellschaft mit beschränkter Haftung"

    # stable order and relation ids
    companies.sort(key=lambda r: r["company_id"])
    order = {r["company_id"]: i for i, r in enumerate(companies)}
    officers.sort(key=lambda r: (order[r["company_id"]], r["relation"], r["start_date"],
                                 r["officer_id"]))
    for i, r in enumerate(officers, 1):
        r["relation_id"] = f"REL-{i:06d}"
    for row in companies + officers:
        for k2, v in row.items():
            row[k2] = cp1252_safe(v)
    return companies, officers


# ---------------------------------------------------------------------------
# Source 2: bank suspicious-transaction reports (xlsx)
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Bank:
    name: str
    bic: str
    country: str
    code: str  # bank code used inside the BBAN


BANKS = {
    "SPK": Bank("Kaltenbrunner Sparkasse", "KASPDE51XXX", "DE", "52051373"),
    "VB": Bank("Volksbank Kaltenbrunn-Wendelsee eG", "VBKWDE51XXX", "DE", "52069149"),
    "NHP": Bank("Nordhafen Privatbank AG", "NHPBDEFFXXX", "DE", "50032100"),
    "MSB": Bank("Messestadt Bank Leipzig eG", "MSBLDE81XXX", "DE", "86095484"),
    "ESV": Bank("Eschenroder Volksbank eG", "ESVBDE51XXX", "DE", "52061303"),
    "HDB": Bank("Hansische Direktbank AG", "HDBKDEHHXXX", "DE", "20041177"),
    "MSP": Bank("Mooshagener Sparkasse", "MOSPDE51XXX", "DE", "52250030"),
    "HMB": Bank("Hellenic Meridian Bank Ltd", "HMBLCY2NXXX", "CY", "018"),
    "BMB": Bank("Baltic Meridian Bank AS", "BMBALV2XXXX", "LV", "BMBA"),
    "TOB": Bank("Tatranská obchodná banka, a.s.", "TOBASKBXXXX", "SK", "1111"),
    "GHB": Bank("Gulf Horizon Bank PJSC", "GHBKAEADXXX", "AE", "033"),
    "ALP": Bank("Alpenländische Handelsbank AG", "ALHBATWWXXX", "AT", "19430"),
    "BLX": Bank("Banque Lemaire & Associés S.A.", "BLEALULLXXX", "LU", "071"),
    "VMB": Bank("Valletta Merchant Bank plc", "VAMBMTMTXXX", "MT", "VAMB"),
}
DOMESTIC_BANKS = ["SPK", "VB", "ESV", "HDB", "MSP", "NHP"]


def make_iban(rng: Random, bank: Bank) -> str:
    c = bank.country
    if c == "DE":
        return iban("DE", bank.code + digits(rng, 10))
    if c == "CY":
        return iban("CY", bank.code + digits(rng, 5) + digits(rng, 16))
    if c == "LV":
        return iban("LV", bank.code + digits(rng, 13))
    if c == "SK":
        return iban("SK", bank.code + digits(rng, 16))
    if c == "AE":
        return iban("AE", bank.code + digits(rng, 16))
    if c == "AT":
        return iban("AT", bank.code + digits(rng, 11))
    if c == "LU":
        return iban("LU", bank.code + digits(rng, 13))
    if c == "MT":
        return iban("MT", bank.code + digits(rng, 5) + digits(rng, 18))
    raise ValueError(c)


def build_bank(key: AnswerKey, used_names: set[str],
               used_phones: set[str]) -> dict[str, list[dict]]:
    rng = rng_for("bank")
    fk = Faker(rng, used_names, used_phones)
    src = "bank"
    reports: list[dict] = []
    accounts: list[dict] = []
    txs: list[dict] = []

    acct: dict[str, tuple[str, Bank]] = {}

    def account(k: str, bank_key: str) -> tuple[str, Bank]:
        if k not in acct:
            bank = BANKS[bank_key]
            acct[k] = (make_iban(rng, bank), bank)
        return acct[k]

    # actor accounts (fixed banks)
    for k, b in [("stadtwerke", "SPK"), ("nordlicht", "SPK"), ("brannigvald", "VB"),
                 ("rosenhag", "SPK"),
                 ("valdrenko_joint", "SPK"), ("lukas", "MSB"), ("grosskopf", "VB"),
                 ("maier_a", "SPK"),
                 ("kanzlei", "NHP"), ("brueckner", "NHP"), ("azurmere", "HMB"),
                 ("kestrelmoor", "BMB"),
                 ("veltrada", "TOB"), ("paloverde", "BMB"), ("marenholt", "BMB"),
                 ("silvercairn", "GHB"),
                 ("brenneisen", "SPK"), ("maier_b", "VB"), ("lemaitre_fid", "BLX"),
                 ("nordlicht_bau", "HDB"),
                 ("azurmere_capital", "VMB")]:
        account(k, b)

    class Report:
        def __init__(self, report_id: str, bank_key: str, filed: date, category: str,
                     narrative: str) -> None:
            self.id = report_id
            self.bank = BANKS[bank_key]
            self.filed = filed
            self.cp: dict[tuple[str, str], str] = {}  # (type, name) -> party id
            self.n_sub = 0
            status = "an LKA weitergeleitet" if rng.random() < 0.5 else "in Bearbeitung"
            reports.append({"report_id": report_id, "reporting_bank": self.bank.name,
                            "filed_on": filed, "category": category, "narrative": narrative,
                            "status": status})

        def subject(self, ptype: str, name: str, iban_: str, bank: Bank, true_id: str | None = None,
                    opened: date | None = None, **holder) -> str:
            self.n_sub += 1
            hid = f"{self.id}-S{self.n_sub:02d}"
            accounts.append({
                "account_id": f"{self.id}-A{len(accounts) + 1:04d}", "report_id": self.id,
                "iban": iban_, "account_number": iban_[-10:] if iban_.startswith("DE") else "",
                "bic": bank.bic, "bank_name": bank.name,
                "account_type": holder.pop("account_type", "Girokonto"),
                "currency": holder.pop("currency", "EUR"), "opened": opened,
                "holder_id": hid, "holder_type": ptype, "holder_name": name,
                "holder_birth_date": holder.get("dob"), "holder_nationality": holder.get("nat", ""),
                "holder_id_number": holder.get("id_number", ""),
                "holder_register_no": holder.get("reg", ""),
                "holder_address": holder.get("address", ""),
                "holder_phone": holder.get("phone", ""),
                "holder_email": holder.get("email", ""),
            })
            if true_id:
                key.add(src, ftm_id(src, hid), true_id,
                        "Person" if ptype == "person" else "Company")
            return hid

        def party(self, ptype: str, name: str, true_id: str | None = None) -> str:
            pk = (ptype, name)
            if pk not in self.cp:
                self.cp[pk] = f"{self.id}-CP{len(self.cp) + 1:03d}"
            pid = self.cp[pk]
            if true_id:
                key.add(src, ftm_id(src, pid), true_id,
                        "Person" if ptype == "person" else "Company")
            return pid

        def tx(self, when: date, amount: float, currency: str, payer: tuple, beneficiary: tuple,
               purpose: str, channel: str | None = None) -> None:
            """payer/beneficiary: (party_id, type, name, iban, bank)"""
            p_id, p_type, p_name, p_iban, p_bank = payer
            b_id, b_type, b_name, b_iban, b_bank = beneficiary
            if channel is None:
                channel = "SEPA" if (p_bank and p_bank.country in ("DE", "CY", "LV", "SK", "AT",
                                                                   "LU", "MT")
                                     and b_bank and b_bank.country in ("DE", "CY", "LV", "SK", "AT",
                                                                       "LU", "MT")
                                     and currency == "EUR") else "SWIFT"
            booked = when
            value_day = when + timedelta(days=rng.choice([0, 0, 0, 1, 1, 2]))
            txs.append({
                "tx_id": "", "report_id": self.id, "booking_date": booked, "value_date": value_day,
                "amount": round(amount, 2), "currency": currency, "channel": channel,
                "payer_party_id": p_id, "payer_type": p_type, "payer_name": p_name,
                "payer_iban": p_iban or "", "payer_bic": p_bank.bic if p_bank else "",
                "payer_bank": p_bank.name if p_bank else "",
                "beneficiary_party_id": b_id, "beneficiary_type": b_type,
                "beneficiary_name": b_name,
                "beneficiary_iban": b_iban or "",
                "beneficiary_bic": b_bank.bic if (b_bank and b_iban) else "",
                "beneficiary_bank": b_bank.name if (b_bank and b_iban) else "",
                "reference": purpose,
            })

        def cp_actor(self, ptype: str, name: str, actor_key: str,
                     acct_key: str | None = None) -> tuple:
            true_id = (P[actor_key].true_id if actor_key in P else ORG[actor_key].true_id)
            pid = self.party(ptype, name, true_id)
            if acct_key is None:
                return (pid, ptype, name, None, None)
            iban_, bank = acct[acct_key]
            return (pid, ptype, name, iban_, bank)

    def spread(start: date, end: date, n: int) -> list[date]:
        days = sorted(rng.sample(range((end - start).days + 1), n))
        out = []
        for x in days:
            dd = start + timedelta(days=x)
            while dd.weekday() >= 5:
                dd += timedelta(days=1)
            out.append(dd)
        return out

    def amt(lo: float, hi: float) -> float:
        return round(rng.uniform(lo, hi), 2)

    # ---- R1: Nordlicht ------------------------------------------------------
    r1 = Report("STR-2021-00417", "SPK", d("2021-11-18"),
                "Weiterleitung öffentlicher Gelder / Scheinrechnungen",
                "Zahlungseingänge der Stadtwerke Kaltenbrunn GmbH werden zeitnah als 'Beratungs-' "
                "und "
                "'Projektsteuerungshonorare' an Gesellschaften in der Slowakei und im Vereinigten "
                "Königreich "
                "weitergeleitet. Leistungserbringung nicht plausibel.")
    nl = ORG["nordlicht"]
    iban_nl, bank_nl = acct["nordlicht"]
    s_nl = r1.subject("company", "Nordlicht Bauservice GmbH", iban_nl, bank_nl, nl.true_id,
                      d("2009-04-01"),
                      reg="HRB 4821 AG Kaltenbrunn",
                      address="Industriestraße 21, 34577 Kaltenbrunn",
                      phone="+49 5673 44810", email="buchhaltung@nordlicht-bau.example",
                      account_type="Geschäftskonto")
    NL = (s_nl, "company", "Nordlicht Bauservice GmbH", iban_nl, bank_nl)
    swk_names = ["STADTWERKE KALTENBRUNN GMBH", "Stadtwerke Kaltenbrunn"]
    projects = ["Sanierung Grundschule Wiesenweg", "Dachsanierung Hallenbad",
                "Umbau Betriebshof Werkstraße", "Brandschutz Rathaus Anbau",
                "Sanierung Kita Sonnenblume", "Neubau Pumpwerk Nord"]
    received = []
    for i, when in enumerate(spread(d("2019-02-01"), d("2021-10-15"), 14)):
        a = amt(85000, 620000)
        received.append((when, a))
        payer = r1.cp_actor("company", swk_names[i % 2], "stadtwerke", "stadtwerke")
        r1.tx(when, a, "EUR", payer, NL,
              f"AR {when.year}-{i + 11:03d} {rng.choice(projects)} Abschlag {i % 4 + 1}")
    for i, (when, a) in enumerate(received[:9]):
        ben = r1.cp_actor("company", "Veltrada Consulting s. r. o.", "veltrada", "veltrada")
        r1.tx(when + timedelta(days=rng.randint(2, 6)), a * rng.uniform(0.07, 0.095), "EUR", NL,
              ben,
              f"Beratungsleistungen Projektsteuerung Rg. VC-{when.year}-{i + 3:02d}")
    for i, (when, a) in enumerate(received[8:]):
        ben = r1.cp_actor("company", "KESTRELMOOR TRADING LTD", "kestrelmoor", "kestrelmoor")
        r1.tx(when + timedelta(days=rng.randint(3, 9)), a * rng.uniform(0.05, 0.08), "EUR", NL, ben,
              f"Project management services inv. KT/{when.year}/{40 + i}")
    for when in spread(d("2019-06-01"), d("2021-09-30"), 3):
        ben = r1.cp_actor("company", "Brueckner-Sauvage & Partner Rechtsanwaelte mbB", "kanzlei",
                          "kanzlei")
        r1.tx(when, amt(4800, 14500), "EUR", NL, ben,
              f"Honorar Rechnung {when.year}/{rng.randint(100, 400)} Gesellschaftsrecht")
    for when in spread(d("2019-12-01"), d("2021-07-30"), 4):
        ben = r1.cp_actor("person", "Grosskopf, Juergen", "grosskopf", "grosskopf")
        r1.tx(when, amt(15000, 40000), "EUR", NL, ben, "Sonderzahlung GF")
    for when in spread(d("2020-06-01"), d("2021-06-30"), 2):
        ben = r1.cp_actor("person", "Maier, Peter", "maier_a", "maier_a")
        r1.tx(when, amt(5000, 12000), "EUR", NL, ben, "Tantieme")

    # ---- R2: Brannigvald ----------------------------------------------------
    r2 = Report("STR-2022-00093", "VB", d("2022-02-24"),
                "Zahlungen an Briefkastengesellschaft (Zypern)",
                "Regelmäßige 'Lizenzgebühren' an eine zyprische Holding ohne erkennbare "
                "Geschäftstätigkeit, "
                "finanziert aus Aufträgen der Stadtwerke Kaltenbrunn.")
    br = ORG["brannigvald"]
    iban_br, bank_br = acct["brannigvald"]
    s_br = r2.subject("company", "Brannigvald Tiefbau GmbH", iban_br, bank_br, br.true_id,
                      d("2004-08-02"),
                      reg="HRB 3390", address=br.address, phone="+49 5673 29011",
                      email="info@brannigvald-tiefbau.example", account_type="Geschäftskonto")
    BR = (s_br, "company", "Brannigvald Tiefbau GmbH", iban_br, bank_br)
    rec2 = []
    for i, when in enumerate(spread(d("2019-05-01"), d("2022-01-31"), 10)):
        a = amt(60000, 450000)
        rec2.append((when, a))
        payer = r2.cp_actor("company", "SWK Stadtwerke Kaltenbrunn GmbH", "stadtwerke",
                            "stadtwerke")
        r2.tx(when, a, "EUR", payer, BR,
              f"Rechnung {when.year}/{300 + i} Kanalsanierung Los {i % 3 + 1}")
    for when, a in rec2[:7]:
        ben = r2.cp_actor("company", "AZURMERE HOLDINGS LTD", "azurmere", "azurmere")
        r2.tx(when + timedelta(days=rng.randint(5, 12)), a * rng.uniform(0.08, 0.1), "EUR", BR, ben,
              f"Licence fee Q{(when.month - 1) // 3 + 1}/{when.year}")

    # ---- R3: Rosenhag (front account) ---------------------------------------
    r3 = Report("STR-2022-00811", "SPK", d("2022-09-30"),
                "Bargeldabhebungen unterhalb der Meldeschwelle",
                "Zuflüsse aus Zypern ('Darlehen') werden in Teilbeträgen knapp unter 10.000 EUR "
                "bar abgehoben oder an Familienangehörige einer Amtsperson der Stadtwerke "
                "Kaltenbrunn überwiesen.")
    ro = ORG["rosenhag"]
    iban_ro, bank_ro = acct["rosenhag"]
    s_ro = r3.subject("company", "Rosenhag Immobilienverwaltung UG (haftungsbeschränkt)", iban_ro,
                      bank_ro,
                      ro.true_id, d("2018-09-10"), reg="HRB 5512", address=ro.address,
                      phone="+49 170 5528193", email="t.jaskulski@rosenhag.example",
                      account_type="Geschäftskonto")
    RO = (s_ro, "company", "Rosenhag Immobilienverwaltung UG (haftungsbeschränkt)", iban_ro,
          bank_ro)
    for i, when in enumerate(spread(d("2019-03-15"), d("2022-08-31"), 8)):
        payer = r3.cp_actor("company", "Azurmere Holdings Limited", "azurmere", "azurmere")
        r3.tx(when, amt(20000, 80000), "EUR", payer, RO,
              f"Darlehen gem. Vertrag vom 12.03.2019, Tranche {i + 1}")
    marta_months = []
    m = d("2020-09-01")
    while m <= d("2022-08-01"):
        marta_months.append(m)
        m = (m.replace(day=28) + timedelta(days=5)).replace(day=1)
    for when in marta_months:
        ben = r3.cp_actor("person", "Marta Valdrenko", "marta", "valdrenko_joint")
        r3.tx(when + timedelta(days=2), amt(2500, 3800), "EUR", RO, ben,
              f"Verwaltungshonorar {when.month:02d}/{when.year}")
    ben = r3.cp_actor("company", "Autohaus Brenneisen GmbH", "brenneisen", "brenneisen")
    r3.tx(d("2021-06-14"), 68400.00, "EUR", RO, ben,
          "Kaufpreis Fzg. FIN WP1ZZZ95ZMLB40217, Käufer L. Valdrenko")
    for when in spread(d("2020-11-01"), d("2022-06-30"), 6):
        ben = r3.cp_actor("person", "Lukas Valdrenko", "lukas", "lukas")
        r3.tx(when, amt(800, 1500), "EUR", RO, ben, "Mietzuschuss")
    couriers = [("Horbalenko, Dmytro", "horbalenko"), ("Hollweck, Stefan", "hollweck_a"),
                ("Jaskulski, Tomasz", "jaskulski")]
    for i, when in enumerate(spread(d("2019-04-01"), d("2022-09-15"), 14)):
        name, ck = couriers[0] if i % 3 != 2 else couriers[1 + (i // 3) % 2]
        ben = r3.cp_actor("person", name, ck)
        r3.tx(when, amt(9000, 9900), "EUR", RO, ben, "Barauszahlung an Bevollmächtigten",
              channel="CASH")

    # ---- R4: the official's joint account -----------------------------------
    r4 = Report("STR-2023-00052", "SPK", d("2023-01-27"), "PEP-nahe Person / ungeklärte Zuflüsse",
                "Gemeinschaftskonto eines leitenden Angestellten der Stadtwerke Kaltenbrunn. "
                "Laufende Zuflüsse "
                "einer UG sowie einer lettischen Gesellschaft ohne erkennbaren Rechtsgrund.")
    v, mv = P["valdrenko"], P["marta"]
    iban_vj, bank_vj = acct["valdrenko_joint"]
    s_kv = r4.subject("person", "Valdrenko, Konstantin", iban_vj, bank_vj, v.true_id,
                      d("2003-05-12"),
                      dob=v.dob, nat="DE", id_number=v.id_number,
                      address=v.address_at(d("2023-01-27")),
                      phone=v.phones["mobile"].intl(), email=v.emails[1],
                      account_type="Gemeinschaftskonto")
    s_mv = r4.subject("person", "Valdrenko, Marta", iban_vj, bank_vj, mv.true_id, d("2003-05-12"),
                      dob=mv.dob, nat="PL", id_number=mv.id_number,
                      address=mv.address_at(d("2023-01-27")),
                      phone=mv.phones["mobile"].intl(), email=mv.emails[0],
                      account_type="Gemeinschaftskonto")
    KV = (s_kv, "person", "Valdrenko, Konstantin", iban_vj, bank_vj)
    MV = (s_mv, "person", "Valdrenko, Marta", iban_vj, bank_vj)
    later = [d("2022-09-01"), d("2022-10-01"), d("2022-11-01"), d("2022-12-01")]
    for when in [*marta_months[-10:], *later]:
        payer = r4.cp_actor("company", "ROSENHAG IMMOBILIENVERWALTUNG UG", "rosenhag", "rosenhag")
        r4.tx(when + timedelta(days=2), amt(2500, 3800), "EUR", payer, MV,
              f"Verwaltungshonorar {when.month:02d}/{when.year}")
    for i, when in enumerate(spread(d("2021-03-01"), d("2022-12-15"), 3)):
        payer = r4.cp_actor("company", "SIA MARENHOLT INVEST", "marenholt", "marenholt")
        r4.tx(when, amt(12000, 25000), "EUR", payer, MV,
              f"Consulting agreement MI-{2021 + i // 2}-0{i + 1}")
    for when in spread(d("2022-01-05"), d("2022-12-20"), 6):
        ben = r4.cp_actor("company", "Stadtwerke Kaltenbrunn GmbH", "stadtwerke", "stadtwerke")
        r4.tx(when, amt(140, 260), "EUR", KV, ben,
              f"Abschlag Strom/Gas Vertragskonto 40{digits(rng, 6)}")
    # ordinary household payments to background payees (added below)
    household = r4

    # ---- R5: the lawyer's private account -----------------------------------
    r5 = Report("STR-2023-00377", "NHP", d("2023-06-12"), "Zuflüsse aus Hochrisikojurisdiktion",
                "USD-Zahlungen einer Freizonengesellschaft (VAE) an eine Rechtsanwältin, "
                "Weiterleitung an "
                "eine luxemburgische Treuhandgesellschaft.")
    hb = P["brueckner"]
    iban_hb, bank_hb = acct["brueckner"]
    s_hb = r5.subject("person", "Dr. Hélène Brückner-Sauvage", iban_hb, bank_hb, hb.true_id,
                      d("2011-05-02"),
                      dob=hb.dob, nat="FR", id_number=hb.passport, address=hb.address,
                      phone=hb.phones["mobile"].intl(), email=hb.emails[0],
                      account_type="Privatgirokonto")
    HB = (s_hb, "person", "Dr. Hélène Brückner-Sauvage", iban_hb, bank_hb)
    for i, when in enumerate(spread(d("2022-03-01"), d("2023-05-15"), 3)):
        payer = r5.cp_actor("company", "SILVERCAIRN ADVISORY FZE", "silvercairn", "silvercairn")
        r5.tx(when, amt(18000, 42000), "USD", payer, HB,
              f"Legal advisory services INV-SA-{i + 7:03d}")
    for when in spread(d("2022-04-01"), d("2023-05-30"), 2):
        ben = r5.cp_actor("company", "Lemaitre Fiduciaire SA", "lemaitre_fid", "lemaitre_fid")
        r5.tx(when, amt(9000, 20000), "EUR", HB, ben, "Treuhandgebühr / fiduciary fee")

    # ---- R6: Latvian FIU exchange (Marenholt + Paloverde accounts) ----------
    r6 = Report("FIU-LV-2022-118", "BMB", d("2022-11-03"),
                "FIU exchange: layering through Latvian accounts",
                "Received via FIU-to-FIU exchange. Accounts of a BVI company and a Latvian SIA "
                "with common "
                "beneficial owner; funds received from a UK company and forwarded to the UAE and "
                "to a German resident.")
    mh, pv = ORG["marenholt"], ORG["paloverde"]
    iban_mh, bank_mh = acct["marenholt"]
    iban_pv, bank_pv = acct["paloverde"]
    s_mh = r6.subject("company", "SIA Marenholt Invest", iban_mh, bank_mh, mh.true_id,
                      d("2018-06-01"),
                      reg="40103987654", address=strip_accents(mh.address),
                      phone=P["morozenko"].phones["mobile"].intl(),
                      account_type="Current account")
    s_pv = r6.subject("company", "Paloverde Ventures Inc.", iban_pv, bank_pv, pv.true_id,
                      d("2017-01-09"),
                      reg="BVI 1876543", address=pv.address, account_type="Current account")
    MH = (s_mh, "company", "SIA Marenholt Invest", iban_mh, bank_mh)
    PV = (s_pv, "company", "Paloverde Ventures Inc.", iban_pv, bank_pv)
    for i, when in enumerate(spread(d("2019-03-01"), d("2022-06-30"), 5)):
        payer = r6.cp_actor("company", "Kestrelmoor Trading Limited", "kestrelmoor", "kestrelmoor")
        r6.tx(when, amt(30000, 70000), "EUR", payer, PV, f"Intercompany loan drawdown {i + 1}")
    for when in spread(d("2019-04-01"), d("2022-07-31"), 4):
        r6.tx(when, amt(25000, 60000), "EUR", PV, MH, f"Capital contribution {when.year}")
    for i, when in enumerate(spread(d("2020-02-01"), d("2022-09-30"), 3)):
        ben = r6.cp_actor("company", "Silvercairn Advisory FZ-E", "silvercairn", "silvercairn")
        r6.tx(when, amt(30000, 55000), "USD", MH, ben, f"Advisory fee SA/{when.year}/{i + 2}")
    for i, when in enumerate(spread(d("2021-03-01"), d("2022-10-15"), 3)):
        ben = r6.cp_actor("person", "VALDRENKO MARTA", "marta", "valdrenko_joint")
        r6.tx(when, amt(12000, 25000), "EUR", MH, ben,
              f"Consulting agreement MI-{2021 + i // 2}-0{i + 1}")

    # ---- R7: Slovak FIU exchange (Veltrada) ---------------------------------
    r7 = Report("FIU-SK-2022-0412", "TOB", d("2022-05-19"),
                "FIU exchange: consulting invoices without substance",
                "Received via FIU-to-FIU exchange. Slovak consulting company receives fees from a "
                "German construction "
                "company and forwards 85-95 % to a Cypriot holding within days.")
    ve = ORG["veltrada"]
    iban_ve, bank_ve = acct["veltrada"]
    s_ve = r7.subject("company", "Veltrada Consulting, s.r.o.", iban_ve, bank_ve, ve.true_id,
                      d("2017-10-20"),
                      reg="IČO 51 234 567", address=ve.address,
                      phone=P["okonkwo"].phones["mobile"].intl(),
                      email="milan@veltrada.example", account_type="Current account")
    VE = (s_ve, "company", "Veltrada Consulting, s.r.o.", iban_ve, bank_ve)
    for i, when in enumerate(spread(d("2019-02-10"), d("2021-10-31"), 7)):
        payer = r7.cp_actor("company", "NORDLICHT BAUSERVICE GMBH", "nordlicht", "nordlicht")
        a = amt(9000, 52000)
        r7.tx(when, a, "EUR", payer, VE,
              f"Beratungsleistungen Projektsteuerung Rg. VC-{when.year}-{i + 3:02d}")
        ben = r7.cp_actor("company", "AZURMERE HOLDINGS LTD.", "azurmere", "azurmere")
        r7.tx(when + timedelta(days=rng.randint(1, 4)), a * rng.uniform(0.85, 0.95), "EUR", VE, ben,
              "Consulting fee")

    # ---- background payees / counterparties for the actor reports -----------
    def bg_cp(report: Report, kind: str | None = None, foreign: bool = False) -> tuple:
        kind = kind or ("company" if rng.random() < 0.45 else "person")
        if kind == "company":
            jur = rng.choice(["CY", "MT", "LU", "AT"]) if foreign else "DE"
            info = fk.company(jur)
            name = info["name"]
            bank = BANKS[{"CY": "HMB", "MT": "VMB", "LU": "BLX",
                          "AT": "ALP"}[jur]] if foreign else BANKS[rng.choice(DOMESTIC_BANKS)]
        else:
            person = fk.person()
            name = rng.choice([person["full"], f"{person['last']}, {person['first']}",
                               strip_accents(person["full"]).upper()])
            bank = BANKS[rng.choice(DOMESTIC_BANKS)]
        pid = report.party(kind, name)
        return (pid, kind, name, make_iban(rng, bank), bank)

    supplier_refs = ["Rg. {n} Baustoffe", "Rechnung {n} Gerüstmiete", "Lieferung Beton LS {n}",
                     "Rg.-Nr. {n} Subunternehmer", "Leasingrate {n}", "Miete Lagerhalle {m}/{y}",
                     "Rechnung {n} Entsorgung"]
    for rep, subj, n in ((r1, NL, 12), (r2, BR, 10)):
        pool = [bg_cp(rep, "company") for _ in range(5)] + [bg_cp(rep, "person") for _ in range(2)]
        for when in spread(d("2019-02-01"), rep.filed - timedelta(days=30), n):
            cp = rng.choice(pool)
            ref = rng.choice(supplier_refs).format(n=rng.randint(1000, 99999), m=when.month,
                                                   y=when.year)
            rep.tx(when, amt(900, 38000), "EUR", subj, cp, ref)
    pool = [bg_cp(household, "company") for _ in range(4)] + [bg_cp(household, "person")]
    for when in spread(d("2022-01-02"), d("2022-12-30"), 12):
        cp = rng.choice(pool)
        household.tx(when, amt(40, 1900), "EUR", rng.choice([KV, MV]), cp,
                     rng.choice(["Lastschrift Versicherung", "Kreditrate Baufinanzierung",
                                 "Rechnung Handwerker", "Dauerauftrag",
                                 "Kartenzahlung Sammelbuchung"]))

    # ---- background STRs (noise) --------------------------------------------
    categories = [
        ("Bargeldnahe Umsätze",
         "Hohe Bareinzahlungen bei geringem deklariertem Einkommen; Weiterleitung an Dritte."),
        ("Durchlaufkonto",
         "Zahlreiche Gutschriften von Privatpersonen, zeitnahe Weiterleitung ins Ausland."),
        ("Scheinrechnungen",
         "Rechnungen ohne erkennbare Gegenleistung zwischen verbundenen Unternehmen."),
        ("Anlagebetrug (Verdacht)",
         "Kunde überweist hohe Beträge an eine ausländische 'Trading-Plattform'."),
        ("Finanzagent", "Konto wird offenbar als Finanzagent ('money mule') genutzt."),
        ("Umsatzsteuerkarussell (Verdacht)", "Kreisförmige Zahlungsströme zwischen Großhändlern."),
        ("Glücksspiel", "Auffällige Zahlungen an und von Glücksspielanbietern."),
    ]
    purposes_p = ["Miete {m}/{y}", "Darlehen Rückzahlung", "Geschenk", "Kaufpreis Pkw",
                  "Rechnung {n}", "Auslage", "Umbuchung", "Provision", "Investment {n}",
                  "Schuld beglichen", "Nachzahlung"]
    purposes_c = ["Rechnung {n}", "RG {n} Warenlieferung", "Invoice {n}", "Beratung Q{q}/{y}",
                  "Vorauszahlung Auftrag {n}", "Gutschrift {n}", "Lizenzgebühr {y}",
                  "Frachtkosten LS {n}"]
    n_bg_reports = 33
    filed_days = sorted(rand_date(rng, d("2020-03-01"),
                                  d("2024-05-31")) for _ in range(n_bg_reports))
    for i, filed in enumerate(filed_days):
        bank_key = rng.choice(DOMESTIC_BANKS)
        cat, narrative = rng.choice(categories)
        rep = Report(f"STR-{filed.year}-{rng.randint(1000, 9999):05d}", bank_key, filed, cat,
                     narrative)
        bank = BANKS[bank_key]
        subj_iban = make_iban(rng, bank)
        if rng.random() < 0.45:
            info = fk.company("DE")
            opened = rand_date(rng, d("2005-01-01"), filed - timedelta(days=400))
            reg = f"HRB {rng.randint(1000, 9999)}"
            phone = random_phone(rng, used_phones, "49").intl() if rng.random() < 0.6 else ""
            sid = rep.subject("company", info["name"], subj_iban, bank, None, opened, reg=reg,
                              address=info["address"], phone=phone, account_type="Geschäftskonto")
            subj = (sid, "company", info["name"], subj_iban, bank)
        else:
            person = fk.person()
            hname = f"{person['last']}, {person['first']}"
            opened = rand_date(rng, d("2005-01-01"), filed - timedelta(days=400))
            email = ""
            if rng.random() < 0.6:
                local = strip_accents(person["first"][0] + "." + person["last"]).lower()
                domain = rng.choice(["@gmx.example", "@web.example", "@mailbox.example"])
                email = local.replace(" ", "") + domain
            sid = rep.subject("person", hname, subj_iban, bank, None, opened,
                              dob=person["dob"], nat=person["nat"], id_number=person["id_number"],
                              address=person["address"], phone=person["phone"].intl(),
                              email=email, account_type="Privatgirokonto")
            subj = (sid, "person", hname, subj_iban, bank)
        pool = [bg_cp(rep, foreign=rng.random() < 0.15) for _ in range(rng.randint(5, 12))]
        for when in spread(filed - timedelta(days=330), filed - timedelta(days=10),
                           rng.randint(13, 22)):
            cp = rng.choice(pool)
            incoming = rng.random() < 0.5
            payer, ben = (cp, subj) if incoming else (subj, cp)
            tmpl = rng.choice(purposes_c if "company" in (payer[1], ben[1]) else purposes_p)
            ref = tmpl.format(n=rng.randint(100, 99999), m=f"{when.month:02d}", y=when.year,
                              q=(when.month - 1) // 3 + 1)
            amount = round(min(250000, rng.lognormvariate(8.0, 1.2)), 2)
            rep.tx(when, amount, "EUR", payer, ben, ref)
        # namesakes and look-alike companies appear as ordinary counterparties in noise reports
        if i == 4:
            ben = rep.cp_actor("person", "Peter Maier", "maier_b", "maier_b")
            rep.tx(filed - timedelta(days=41), 1843.20, "EUR", subj, ben,
                   "Rechnung 2022-118 Elektroinstallation")
        if i == 9:
            ben = rep.cp_actor("company", "NORDLICHT BAU GMBH", "nordlicht_bau", "nordlicht_bau")
            rep.tx(filed - timedelta(days=77), 23650.00, "EUR", subj, ben,
                   "Rg. 21-0447 Trockenbau Hamburg-Harburg")
        if i == 14:
            payer = rep.cp_actor("company", "Azurmere Capital Ltd", "azurmere_capital",
                                 "azurmere_capital")
            rep.tx(filed - timedelta(days=63), 48000.00, "EUR", payer, subj,
                   "Investment return 2022")

    # ---- finish: ordering and ids -------------------------------------------
    txs.sort(key=lambda t: (t["report_id"], t["booking_date"], t["payer_party_id"],
                            t["beneficiary_party_id"], t["amount"]))
    for i, t in enumerate(txs, 1):
        t["tx_id"] = f"TX-{i:06d}"
    reports.sort(key=lambda r: r["report_id"])
    return {"reports": reports, "accounts": accounts, "transactions": txs}


# ---------------------------------------------------------------------------
# Source 3: telecom subscriber data and call detail records (TSV)
# ---------------------------------------------------------------------------

CARRIERS = {"mobile": "Telvanet Mobilfunk GmbH", "prepaid": "Funkwelle Prepaid (Telvanet)",
            "fixed": "Kaltenbrunner Stadtnetz GmbH", "ua": "Dniprocell (roaming partner data)"}


def split_addr(address: str) -> tuple[str, str, str]:
    """'Street 1, 34567 Town' -> (street, postcode, town)"""
    street, rest = address.split(", ", 1)
    rest = rest.split(", ")[0]
    postcode, town = rest.split(" ", 1)
    return street, postcode, town


def build_phone(key: AnswerKey, used_names: set[str],
                used_phones: set[str]) -> tuple[list[dict], list[dict]]:
    rng = rng_for("phone")
    fk = Faker(rng, used_names, used_phones)
    src = "phone"
    subs: list[dict] = []
    phone_obj: dict[str, Phone] = {}

    def add_sub(phone: Phone, carrier: str, stype: str, true_id: str | None, surname: str = "",
                given: str = "",
                company: str = "", dob: date | None = None, address: str = "", country: str = "DE",
                id_doc: str = "", start: date | None = None,
                addr_parts: tuple | None = None) -> None:
        street, postcode, town = addr_parts or split_addr(address)
        row = {
            "msisdn": phone.dial00(), "carrier": carrier, "subscriber_type": stype,
            "surname": surname, "given_names": given, "company_name": company,
            "birth_date": fmt_de(dob) if dob else "", "street": street, "postcode": postcode,
            "city": town,
            "country": country, "id_document": id_doc,
            "contract_start": fmt_de(start) if start else "",
        }
        subs.append(row)
        phone_obj[row["msisdn"]] = phone
        used_phones.add(phone.e164)
        if true_id:
            key.add(src, ftm_id(src, row["msisdn"]), true_id,
                    "Person" if stype == "person" else "Company")

    v = P["valdrenko"]
    add_sub(v.phones["mobile"], CARRIERS["mobile"], "person", v.true_id, "Valdrenko", "Konstantin",
            dob=v.dob,
            address=v.old_address, id_doc=v.id_number, start=d("2011-08-01"))
    # the burner: prepaid, registered at a kiosk with a typo in the name and the year of birth
    add_sub(v.phones["burner"], CARRIERS["prepaid"], "person", v.true_id, "Waldrenko", "Konstantin",
            dob=v.dob.replace(year=1972), address=v.address, id_doc="", start=d("2021-11-02"))
    add_sub(v.phones["ua"], CARRIERS["ua"], "person", v.true_id, "Вальдренко", "Костянтин",
            dob=v.dob,
            country="UA", id_doc="FE118270", start=d("2019-02-14"),
            addr_parts=("вул. Сумська, 112, кв. 7", "61002", "Харків"))
    sw = ORG["stadtwerke"]
    add_sub(v.phones["work"], CARRIERS["mobile"], "company", sw.true_id,
            company="Stadtwerke Kaltenbrunn GmbH",
            address=sw.address, start=d("2016-03-01"))
    swk_fixed = Phone("49", "5673", "4400")
    add_sub(swk_fixed, CARRIERS["fixed"], "company", sw.true_id, company="Stadtwerke Kaltenbrunn",
            address=sw.address, start=d("1997-01-01"))
    nl_fixed = Phone("49", "5673", "44810")
    add_sub(nl_fixed, CARRIERS["fixed"], "company", ORG["nordlicht"].true_id,
            company="Nordlicht Bau-Service GmbH",
            address=ORG["nordlicht"].address, start=d("2009-04-01"))
    br_fixed = Phone("49", "5673", "29011")
    add_sub(br_fixed, CARRIERS["fixed"], "company", ORG["brannigvald"].true_id,
            company="Brannigvald Tiefbau GmbH",
            address=ORG["brannigvald"].address, start=d("2004-07-15"))
    kz_fixed = Phone("49", "69", "80031720")
    add_sub(kz_fixed, CARRIERS["fixed"], "company", ORG["kanzlei"].true_id,
            company="Brückner-Sauvage & Partner Rechtsanwälte", address=ORG["kanzlei"].address,
            start=d("2011-04-01"))

    people_rows = [
        # key, phone slot, carrier, surname, given, address date, id doc?, uppercase-folded?
        ("marta", "mobile", "mobile", None, None, d("2014-01-01"), True, False),
        ("lukas", "mobile", "mobile", None, None, d("2023-01-01"), True, False),
        ("jaskulski", "mobile", "mobile", None, None, d("2019-01-01"), True, False),
        ("grosskopf", "mobile", "mobile", None, None, d("2023-01-01"), True, True),
        ("maier_a", "mobile", "mobile", None, None, d("2023-01-01"), True, False),
        ("maier_b", "mobile", "mobile", None, None, d("2023-01-01"), True, False),
        ("sabine", "mobile", "mobile", None, None, d("2023-01-01"), True, False),
        ("henrik", "mobile", "prepaid", None, None, d("2023-01-01"), False, False),
        ("brueckner", "mobile", "mobile", "Brückner-Sauvage", "Hélène", d("2023-01-01"), False,
         False),
        ("horbalenko", "mobile", "prepaid", "Horbalenko", "Dmytro", d("2023-01-01"), False, False),
        ("hollweck_a", "mobile", "mobile", None, None, d("2023-01-01"), True, False),
        ("hollweck_b", "landline", "fixed", None, None, d("2023-01-01"), False, False),
        ("sondervik", "mobile", "mobile", "Sondervik", "Ingrid", d("2023-01-01"), True, False),
        ("woellenstein", "mobile", "mobile", None, None, d("2023-01-01"), True, True),
        ("kettelbach", "mobile", "mobile", None, None, d("2023-01-01"), True, False),
    ]
    for pk, slot, carrier, surname, given, when, with_id, upper in people_rows:
        p = P[pk]
        surname = surname or p.last
        given = given or p.first
        if upper:
            surname, given = fold_umlauts(surname).upper(), fold_umlauts(given).upper()
        add_sub(p.phones[slot], CARRIERS[carrier], "person", p.true_id, surname, given, dob=p.dob,
                address=p.address_at(when), id_doc=p.id_number if with_id else "",
                start=rand_date(rng, max(d("2008-01-01"), p.dob.replace(year=p.dob.year + 16)),
                                d("2021-12-31")))
    h = P["horbalenko"]
    add_sub(h.phones["ua"], CARRIERS["ua"], "person", h.true_id, "Горбаленко", "Дмитро", dob=h.dob,
            country="UA",
            id_doc=h.passport, start=d("2016-05-20"),
            addr_parts=("вул. Пушкінська, 40", "61057", "Харків"))

    # background subscribers
    TARGET = 300
    while len(subs) < TARGET:
        r = rng.random()
        if r < 0.09:
            info = fk.company("DE")
            phone = random_phone(rng, used_phones, "49")
            add_sub(phone, CARRIERS["fixed" if phone.ndc in ("5673", "561") else "mobile"],
                    "company", None,
                    company=info["name"], address=info["address"],
                    start=rand_date(rng, d("2000-01-01"), d("2022-12-31")))
        elif r < 0.16:
            person = fk.person("UA", 1950, 2003, country="UA")
            phone = random_phone(rng, used_phones, "380")
            street, num, town, code, _ = person["address"].split(", ")
            add_sub(phone, CARRIERS["ua"], "person", None, person["cyr_last"], person["cyr_first"],
                    dob=person["dob"],
                    country="UA", id_doc=alnum(rng, 2, "ABCEHKMOPTX") + digits(rng, 6),
                    start=rand_date(rng,
                                    max(d("2010-01-01"), person["dob"] + timedelta(days=16 * 366)),
                                    d("2022-12-31")),
                    addr_parts=(f"{street}, {num}", code, town))
        else:
            person = fk.person(None, 1940, 2005, country="DE")
            carrier = rng.choice(["mobile", "mobile", "mobile", "prepaid", "fixed"])
            phone = person["phone"] if carrier != "fixed" else random_phone(rng, used_phones, "49")
            if carrier == "fixed" and phone.ndc not in ("5673", "561"):
                carrier = "mobile"
            surname, given = person["last"], person["first"]
            if rng.random() < 0.25:
                surname, given = fold_umlauts(surname).upper(), fold_umlauts(given).upper()
            add_sub(phone, CARRIERS[carrier], "person", None, surname, given,
                    dob=person["dob"] if carrier != "fixed" or rng.random() < 0.5 else None,
                    address=person["address"],
                    id_doc=person["id_number"] if carrier == "mobile" else "",
                    start=rand_date(rng,
                                    max(d("2005-01-01"), person["dob"] + timedelta(days=16 * 366)),
                                    d("2022-12-31")))

    # ---- calls --------------------------------------------------------------
    calls: list[dict] = []
    start, end = datetime(2022, 1, 3), datetime(2023, 12, 29)
    cells = [f"262-07-{rng.randint(10000, 19999)}-{rng.randint(100, 999)}" for _ in range(40)]
    tender_days = [datetime(2022, 3, 14), datetime(2022, 6, 20), datetime(2022, 10, 10),
                   datetime(2023, 2, 6),
                   datetime(2023, 5, 15), datetime(2023, 9, 25)]

    def when_near(anchors: list[datetime] | None = None, night: bool = False) -> datetime:
        if anchors:
            base = rng.choice(anchors) - timedelta(days=rng.randint(0, 6))
        else:
            base = start + timedelta(days=rng.randint(0, (end - start).days))
        hour = rng.choice([21, 22, 23, 6]) if night else rng.choices(range(7, 23),
                                                                     weights=[3, 6, 8, 8, 7, 6, 7,
                                                                              8, 8, 7, 6, 5, 4, 3,
                                                                              2, 1])[0]
        return base.replace(hour=hour, minute=rng.randint(0, 59), second=rng.randint(0, 59))

    def call(a: Phone, b: Phone, when: datetime, sms: bool = False, short: bool = False) -> None:
        if sms:
            dur = 0
        elif short:
            dur = rng.randint(8, 75)
        else:
            dur = int(min(3600, rng.lognormvariate(4.6, 0.9)))
        calls.append({"call_id": "", "a_number": a.dial00(), "b_number": b.dial00(),
                      "start_time": when.strftime("%d.%m.%Y %H:%M:%S"), "duration_s": str(dur),
                      "call_type": "SMS" if sms else "VOICE",
                      "cell_id": rng.choice(cells) if a.cc == "49" else ""})

    def pattern(a: Phone, b: Phone, n: int, anchors=None, night=False, short=False, both=True,
                sms_share=0.2):
        for _ in range(n):
            x, y = (a, b) if (not both or rng.random() < 0.6) else (b, a)
            call(x, y, when_near(anchors, night), sms=rng.random() < sms_share, short=short)

    pv = {k: p.phones for k, p in P.items()}
    pattern(pv["valdrenko"]["burner"], pv["grosskopf"]["mobile"], 42, tender_days, night=True,
            short=True)
    pattern(pv["valdrenko"]["burner"], pv["sabine"]["mobile"], 20, tender_days, night=True,
            short=True)
    pattern(pv["valdrenko"]["burner"], pv["brueckner"]["mobile"], 15)
    pattern(pv["valdrenko"]["mobile"], pv["marta"]["mobile"], 60, sms_share=0.4)
    pattern(pv["valdrenko"]["mobile"], pv["lukas"]["mobile"], 20, sms_share=0.5)
    pattern(pv["valdrenko"]["ua"], pv["horbalenko"]["ua"], 10, night=True, short=True)
    pattern(pv["valdrenko"]["work"], nl_fixed, 15)
    pattern(pv["valdrenko"]["work"], br_fixed, 10)
    pattern(pv["valdrenko"]["work"], pv["woellenstein"]["mobile"], 25)
    pattern(pv["valdrenko"]["work"], pv["kettelbach"]["mobile"], 20)
    pattern(swk_fixed, nl_fixed, 20)
    pattern(pv["brueckner"]["mobile"], pv["kyriakides"]["mobile"], 12)
    pattern(pv["brueckner"]["mobile"], pv["lemaitre"]["mobile"], 10)
    pattern(pv["brueckner"]["mobile"], pv["thistlewood"]["mobile"], 6)
    pattern(kz_fixed, pv["grosskopf"]["mobile"], 8)
    pattern(pv["jaskulski"]["mobile"], pv["horbalenko"]["mobile"], 30, short=True, sms_share=0.3)
    pattern(pv["jaskulski"]["mobile"], pv["hollweck_a"]["mobile"], 20, short=True, sms_share=0.3)
    pattern(pv["jaskulski"]["mobile"], pv["marta"]["mobile"], 18)
    pattern(pv["horbalenko"]["ua"], pv["morozenko"]["mobile"], 8)
    pattern(pv["grosskopf"]["mobile"], pv["okonkwo"]["mobile"], 10)
    pattern(pv["grosskopf"]["mobile"], pv["maier_a"]["mobile"], 30)
    pattern(pv["grosskopf"]["mobile"], pv["sondervik"]["mobile"], 15)
    pattern(pv["sabine"]["mobile"], pv["henrik"]["mobile"], 25, sms_share=0.4)

    # background social graph: every background number has a few contacts
    actor_e164 = {ph_.e164 for phones in pv.values() for ph_ in phones.values()}
    actor_e164 |= {swk_fixed.e164, nl_fixed.e164, br_fixed.e164, kz_fixed.e164}
    bg_phones = [phone_obj[row["msisdn"]] for row in subs]
    bg_phones = [p_ for p_ in bg_phones if p_.e164 not in actor_e164]
    unregistered = [random_phone(rng, used_phones) for _ in range(25)]
    everyone = bg_phones + unregistered
    contacts = {p_.e164: rng.sample(everyone, 4) for p_ in everyone}
    lookup = {p_.e164: p_ for p_ in everyone}
    # namesakes and other actors also have ordinary contacts
    ordinary = [pv["maier_b"]["mobile"], pv["hollweck_b"]["landline"], pv["valdrenko"]["mobile"],
                pv["marta"]["mobile"], pv["kettelbach"]["mobile"], pv["woellenstein"]["mobile"],
                pv["sondervik"]["mobile"], pv["lukas"]["mobile"], pv["hollweck_a"]["mobile"]]
    for a in ordinary:
        for b in rng.sample(bg_phones, 3):
            pattern(a, b, rng.randint(3, 6))
    TARGET_CALLS = 1500
    while len(calls) < TARGET_CALLS:
        a = rng.choice(everyone)
        b = lookup[rng.choice(contacts[a.e164]).e164]
        if a.e164 == b.e164:
            continue
        call(a, b, when_near(), sms=rng.random() < 0.25)

    calls.sort(key=lambda c: (datetime.strptime(c["start_time"], "%d.%m.%Y %H:%M:%S"),
                              c["a_number"], c["b_number"]))
    for i, c in enumerate(calls, 1):
        c["call_id"] = f"CDR-{i:06d}"
    subs.sort(key=lambda s: (s["carrier"], s["msisdn"]))
    return subs, calls


# ---------------------------------------------------------------------------
# Source 4: tip-line reports (JSON lines, nested)
# ---------------------------------------------------------------------------

# Values in tips.jsonl that are deliberately unparseable (listed in README.md): (label, field)
REJECT_MARKERS = {"T11": "subject.email", "T13": "subject.dob", "T15": "subject.phone"}


def build_tips(key: AnswerKey, used_names: set[str],
               used_phones: set[str]) -> tuple[list[dict], list[tuple]]:
    """Returns the tips and the deliberate rejects as (line, report_id, field, value)."""
    rng = rng_for("tips")
    fk = Faker(rng, used_names, used_phones)
    src = "tips"
    tips: list[tuple[dict, list]] = []

    def person_subject(name: str, dob: str = "", phone: str = "", email: str = "",
                       address: str = "",
                       nationality: str = "", employer: str = "") -> dict:
        out = {"type": "person", "name": name, "dob": dob, "phone": phone, "email": email,
               "address": address,
               "nationality": nationality, "employer": employer}
        return {k: v for k, v in out.items() if v}

    def company_subject(name: str, country: str = "", registration: str = "", address: str = "",
                        phone: str = "") -> dict:
        out = {"type": "company", "name": name, "country": country, "registration": registration,
               "address": address, "phone": phone}
        return {k: v for k, v in out.items() if v}

    def tip(report_id: str, received: str, channel: str, language: str, category: str,
            subject: dict,
            text: str, subject_actor: str | None = None, mentions: list[tuple] = (),
            companies: list[tuple] = (),
            credibility: str = "C") -> None:
        # report_id here is only a label; real ids are assigned in date order at the end
        rec: dict = {"report_id": report_id, "received": received, "channel": channel,
                     "language": language,
                     "category": category, "subject": subject}
        pending = []  # answer-key entries, resolved once the final report id is known
        if mentions:
            rec["mentions"] = []
            for m in mentions:
                name, actor, extra = m[0], m[1], (m[2] if len(m) > 2 else {})
                rec["mentions"].append({"name": name, **extra})
                if actor:
                    pending.append(((name,), "mention", P[actor].true_id, "Person"))
        if companies:
            rec["companies"] = []
            for c in companies:
                name, actor, extra = c[0], c[1], (c[2] if len(c) > 2 else {})
                rec["companies"].append({"name": name, **extra})
                if actor:
                    pending.append(((name,), "company", ORG[actor].true_id, ORG[actor].schema))
        rec["text"] = text
        rec["assessment"] = {"credibility": credibility,
                             "priority": "hoch" if credibility in "AB" else "normal"}
        rec["tipster"] = {"anonymous": rng.random() < 0.7, "callback_agreed": rng.random() < 0.2}
        if subject_actor:
            actor = P.get(subject_actor) or ORG[subject_actor]
            schema = "Person" if subject["type"] == "person" else "Company"
            pending.append(((), "subject", actor.true_id, schema))
        tips.append((rec, pending))

    v, g, ma = P["valdrenko"], P["grosskopf"], P["maier_a"]
    tip("T01", "2021-02-11T09:14:00", "webform", "de", "Korruption",
        person_subject("Konstantin Valdrenko", fmt_us(v.dob), v.phones["mobile"].national(),
                       address="Lindenallee 14, Kaltenbrunn", nationality="Deutschland",
                       employer="Stadtwerke Kaltenbrunn"),
        "Herr Valdrenko (Leiter Einkauf bei den Stadtwerken) vergibt seit 2019 praktisch alle "
        "Sanierungsaufträge "
        "an die Firma Nordlicht Bauservice. Die Ausschreibungen sind auf Nordlicht zugeschnitten. "
        "Er trifft sich "
        "regelmäßig mit dem Geschäftsführer Jürgen Großkopf im Restaurant 'Zum Kalten Brunnen'.",
        "valdrenko", [("Jürgen Großkopf", "grosskopf", {"relation": "Geschäftsführer Nordlicht"})],
        [("Nordlicht Bauservice GmbH", "nordlicht", {"country": "Deutschland"})], "B")
    tip("T02", "2021-04-03T16:40:00", "hotline", "de", "Betrug",
        company_subject("Nordlicht Bauservice", "Deutschland",
                        address="Industriestr. 21, Kaltenbrunn",
                        phone=Phone("49", "5673", "44810").national(" ")),
        "Anrufer (ehem. Mitarbeiter) berichtet von systematisch überhöhten Nachträgen bei "
        "städtischen Baustellen. "
        "Rechnungen würden von Peter Maier 'angepasst', bevor sie an die Stadtwerke gehen.",
        "nordlicht",
        [("Peter Maier", "maier_a",
          {"phone": ma.phones["mobile"].national(" "), "relation": "Geschäftsführer"}),
                      ("J. Grosskopf", "grosskopf", {"relation": "Chef"})], credibility="B")
    tip("T03", "2021-06-19T22:05:00", "email", "en", "Money laundering",
        person_subject("Bob Thistlewood", phone=P["thistlewood"].phones["mobile"].intl(),
                       email="bob@kestrel-nominees.example", nationality="British"),
        "Bob Thistlewood is a professional nominee director on the Isle of Man. He sits on the "
        "boards of dozens of "
        "UK shells, among them Kestrelmoor Trading, which is owned by a BVI company (Paloverde).",
        "thistlewood",
        companies=[("Kestrelmoor Trading Ltd", "kestrelmoor", {"country": "United Kingdom"}),
                                  ("Paloverde Ventures Inc", "paloverde", {"country": "BVI"})])
    tip("T04", "2021-09-02T11:30:00", "webform", "uk", "Відмивання коштів",
        person_subject("Костянтин Вальдренко", phone=v.phones["ua"].intl(), nationality="Україна"),
        "Костянтин Вальдренко з Кальтенбрунна регулярно передає готівку через кур'єра Дмитра "
        "Горбаленка. "
        "Гроші йдуть через Латвію.",
        "valdrenko", [("Дмитро Горбаленко", "horbalenko", {"relation": "кур'єр"})])
    tip("T05", "2021-11-23T08:02:00", "webform", "de", "Geldwäsche",
        person_subject("Tomasz Jaskulski", fmt_us(P["jaskulski"].dob),
                       P["jaskulski"].phones["mobile"].national(" "),
                       address="Gartenstraße 7, Kaltenbrunn-Weiler", nationality="Polen"),
        "Der Schwager von Herrn Valdrenko hebt fast jede Woche knapp unter 10.000 Euro bar ab. "
        "Das Geld holen "
        "meistens 'Dima' oder Stefan Hollweck ab.",
        "jaskulski",
        [("Dima", "horbalenko", {"relation": "Kurier"}), ("Stefan Hollweck", "hollweck_a")],
        [("Rosenhag Immobilienverwaltung UG", "rosenhag")], "B")
    tip("T06", "2022-01-15T19:48:00", "webform", "de", "Korruption",
        person_subject("Marta Valdrenko", address="Lindenallee 14, 34567 Kaltenbrunn"),
        "Frau Valdrenko bekommt angeblich ein 'Verwaltungshonorar' von einer Immobilienfirma "
        "ihres Bruders. "
        "Der Sohn fährt seit Sommer einen Porsche vom Autohaus Brenneisen.",
        "marta", [("Lukas Valdrenko", "lukas", {"relation": "Sohn"})],
        [("Autohaus Brenneisen", "brenneisen", {"country": "DE"})])
    tip("T07", "2022-02-08T10:12:00", "email", "de", "Geldwäsche",
        company_subject("Azurmere Holdings Limited", "Zypern", "HE312457", "Limassol"),
        "Die zyprische Azurmere ist Mehrheitsgesellschafterin von Nordlicht und kassiert zugleich "
        "'Lizenzgebühren' "
        "von Brannigvald. Direktor ist ein Treuhänder (Andreas Kyriakides).",
        "azurmere", [("Andreas Kyriakides", "kyriakides", {"relation": "Direktor"})],
        [("Lemaitre Fiduciaire SA", "lemaitre_fid", {"country": "Luxembourg"})])
    tip("T08", "2022-03-30T14:26:00", "hotline", "de", "Korruption",
        person_subject("Sabine Brannigwald", employer="Brannigvald Tiefbau"),
        "Frau Brannigwald hat vor der Submission die Preise der Konkurrenz gekannt. Sie "
        "telefoniert abends mit "
        "Herrn Waldrenko von den Stadtwerken.",
        "sabine", [("Konstantin Waldrenko", "valdrenko")],
        [("Brannigvald Tiefbau GmbH", "brannigvald")])
    tip("T09", "2022-05-12T07:55:00", "email", "en", "Money laundering",
        person_subject("Helene Brueckner-Sauvage", email="h.brueckner@bs-partner.example",
                       nationality="French", employer="Brückner-Sauvage & Partner"),
        "A Frankfurt lawyer set up the Cyprus and UAE companies and is paid from Ras Al Khaimah. "
        "Her Luxembourg "
        "contact is Francois Lemaitre.",
        "brueckner", [("Francois Lemaitre", "lemaitre")],
        [("Silvercairn Advisory FZE", "silvercairn", {"country": "UAE"}),
         ("Azurmere Holdings Ltd", "azurmere", {"country": "Cyprus"})])
    tip("T10", "2022-06-01T12:00:00", "letter", "de", "Vergabeverstoß",
        company_subject("Stadtwerke Kaltenbrunn", "Deutschland",
                        address="Werkstraße 1, Kaltenbrunn"),
        "Schreiben eines Mitarbeiters der Quendmark Bau AG: Die Vergabe 'Sanierung Grundschule "
        "Wiesenweg' sei "
        "manipuliert worden; die stellvertretende Einkaufsleiterin Gerda Wöllenstein habe "
        "Bedenken geäußert.",
        "stadtwerke", [("Gerda Wöllenstein", "woellenstein")],
        [("Nordlicht Bauservice GmbH", "nordlicht"), ("Quendmark Bau AG", "quendmark")], "B")
    tip("T11", "2022-07-19T21:37:00", "webform", "de", "Korruption",
        person_subject("K. Valdrenko", phone=v.phones["mobile"].national(" "),
                       email="k.valdrenko(at)gmx.example"),
        "Herr V. hat privat ein zweites Handy (Prepaid), das er nur für Gespräche mit Baufirmen "
        "nutzt.",
        "valdrenko")
    tip("T12", "2022-08-03T15:03:00", "webform", "de", "Geldwäsche",
        person_subject("Dmitri Gorbalenko", fmt_us(P["horbalenko"].dob),
                       P["horbalenko"].phones["mobile"].national(),
                       nationality="Ukrainian", address="Hafenstr. 19, Kaltenbrunn"),
        "Gorbalenko fährt mit Bargeld in Sporttaschen nach Riga. Auftraggeber ist 'Tomas'.",
        "horbalenko", [("Tomas Jaskulski", "jaskulski")])
    tip("T13", "2022-09-14T18:19:00", "hotline", "de", "Korruption",
        person_subject("Kostja Valdrenko", "ca. 1970", address="Am Sonnenhang 3, Kaltenbrunn"),
        "Anruferin: Der Einkaufsleiter 'Kostja' hat gerade ein Haus am Sonnenhang gekauft, bar "
        "bezahlt.",
        "valdrenko", [("Marta Valdrenko", "marta", {"relation": "Ehefrau"})])
    tip("T14", "2022-10-05T09:41:00", "email", "en", "Fraud",
        company_subject("Veltrada Consulting s.r.o.", "Slovakia", "51 234 567"),
        "Veltrada invoices a German builder for 'project steering' but has no staff. Director: "
        "Milan Okonkwo Ruiz.",
        "veltrada", [("Milan Okonkwo Ruiz", "okonkwo")],
        [("Nordlict Bauservice GmbH", "nordlicht")])
    tip("T15", "2022-11-11T13:13:00", "webform", "de", "Geldwäsche",
        person_subject("Stefan Hollweck", fmt_us(P["hollweck_a"].dob), "0179-40218"),
        "Hollweck (Fahrer) bringt regelmäßig Umschläge zu einer Adresse am Sonnenhang.",
        "hollweck_a", [("Tomasz Jaskulski", "jaskulski")])
    tip("T16", "2022-12-01T20:20:00", "webform", "ru", "Отмывание денег",
        person_subject("Елена Морозенко", nationality="Latvia"),
        "Елена Морозенко числится директором десятков фирм в Риге, в том числе Marenholt Invest.",
        "morozenko", companies=[("Marenholt Invest SIA", "marenholt", {"country": "Latvia"})])
    tip("T17", "2023-01-20T06:58:00", "webform", "de", "Korruption",
        person_subject("Jürgen Großkopf", fmt_us(g.dob), g.phones["mobile"].national(" "),
                       g.emails[0], "Seeblick 9, 34580 Wendelsee"),
        "Großkopf lässt die Buchhaltung Rechnungen von Veltrada und Kestrelmoor ohne "
        "Leistungsnachweis buchen. "
        "Die Buchhalterin Ingrid Søndervik weiß Bescheid.",
        "grosskopf", [("Ingrid Søndervik", "sondervik", {"relation": "Buchhalterin"})],
        [("Nordlicht Bauservice GmbH", "nordlicht")], "A")
    tip("T18", "2023-02-14T11:11:00", "letter", "de", "Geldwäsche",
        company_subject("Rosenhag Immobilien UG", "Deutschland", "HRB 5512"),
        "Die Rosenhag verwaltet keine einzige Immobilie, zahlt aber monatlich an Frau Valdrenko.",
        "rosenhag", [("Tomasz Jaskulski", "jaskulski"), ("Marta Valdrenko", "marta")])
    tip("T19", "2023-03-03T17:45:00", "webform", "de", "Schwarzarbeit",
        person_subject("Peter Maier", fmt_us(P["maier_b"].dob),
                       P["maier_b"].phones["mobile"].national(),
                       address="Schillerplatz 2, Kaltenbrunn"),
        "Der Elektriker Peter Maier arbeitet am Wochenende schwarz und kassiert bar.",
        "maier_b")
    tip("T20", "2023-03-09T08:30:00", "email", "de", "Betrug",
        company_subject("Nordlicht Bauservice GmbH", "Deutschland", "HRB 4821"),
        "Nachtrag: Der Mitgeschäftsführer Peter Maier (nicht der Elektriker!) zeichnet die "
        "Schlussrechnungen ab.",
        "nordlicht", [("Peter Maier", "maier_a", {"relation": "Mitgeschäftsführer"})])
    tip("T21", "2023-04-18T10:05:00", "webform", "de", "Geldwäsche",
        person_subject("Lukas Valdrenko", fmt_us(P["lukas"].dob),
                       address="Birkenhof 12, 04299 Leipzig"),
        "Der Student L. Valdrenko fährt einen Porsche Macan, bezahlt von einer Firma namens "
        "Rosenhag.",
        "lukas", companies=[("Autohaus Brenneisen GmbH", "brenneisen"), ("Rosenhag", "rosenhag")])
    tip("T22", "2023-05-09T15:15:00", "email", "en", "Money laundering",
        company_subject("Silvercairn Advisory FZE", "UAE", "RAKEZ 5012345", "Ras Al Khaimah"),
        "Silvercairn receives funds from Marenholt (Riga) and pays a German lawyer. Local manager "
        "unknown; the "
        "Latvian nominee Jelena Morozenko signs for Marenholt.",
        "silvercairn", [("Jelena Morozenko", "morozenko")], [("Marenholt Invest SIA", "marenholt")])
    tip("T23", "2023-06-22T22:48:00", "webform", "de", "Korruption",
        person_subject("Konstantin Valdrenko", phone=v.phones["burner"].national(),
                       address="Am Sonnenhang 3, 34569 Kaltenbrunn"),
        "Diese Nummer benutzt Valdrenko für Absprachen. Er hat auch Kontakt zu einer Anwältin in "
        "Frankfurt, "
        "Frau Dr. Brückner-Sauvage.",
        "valdrenko", [("Hélène Brückner-Sauvage", "brueckner", {"relation": "Anwältin"})],
        credibility="B")
    tip("T24", "2023-07-30T09:09:00", "email", "de", "Geldwäsche",
        company_subject("Kestrelmoor Trading Limited", "Vereinigtes Königreich", "10987654"),
        "Kestrelmoor ist eine Briefkastenfirma in London; Direktor Robert Thistlewood, "
        "Eigentümerin Paloverde Ventures.",
        "kestrelmoor", [("Robert Thistlewood", "thistlewood")],
        [("Paloverde Ventures", "paloverde", {"country": "BVI"})])
    tip("T25", "2023-09-12T13:50:00", "letter", "de", "Korruption",
        person_subject("Rainer Kettelbach", employer="Stadtwerke Kaltenbrunn GmbH"),
        "Der Geschäftsführer Kettelbach schaut weg. Frau Woellenstein hat ihn mehrfach gewarnt, "
        "dass Valdrenko "
        "Vergaben manipuliert.",
        "kettelbach",
        [("Gerda Woellenstein", "woellenstein"), ("Konstantin Valdrenko", "valdrenko")])
    tip("T26", "2023-10-04T16:16:00", "hotline", "de", "Sozialbetrug",
        person_subject("Stefan Hollweck", fmt_us(P["hollweck_b"].dob),
                       P["hollweck_b"].phones["landline"].national(" "),
                       address="Am Kirchberg 11, Tannfeld"),
        "Rentner Hollweck vermietet seine Einliegerwohnung an Saisonarbeiter, ohne die Einnahmen "
        "anzugeben.",
        "hollweck_b")
    tip("T27", "2023-11-15T07:07:00", "webform", "de", "Schwarzarbeit",
        company_subject("Nordlicht Bau GmbH", "Deutschland", address="Veddeler Damm 88, Hamburg"),
        "Auf der Baustelle in Hamburg-Harburg arbeiten Trockenbauer der Nordlicht Bau ohne "
        "Anmeldung.",
        "nordlicht_bau")
    tip("T28", "2024-01-08T12:34:00", "webform", "de", "Geldwäsche",
        person_subject("Henrik Brannigvald", P["henrik"].dob.strftime("%m/%d/%Y")),
        "Henrik Brannigvald hat 2023 eine Yacht in Kroatien gekauft. Seine Frau Sabine führt die "
        "Firma.",
        "henrik", [("Sabine Brannigvald", "sabine")])
    tip("T29", "2024-02-19T23:59:00", "webform", "uk", "Відмивання коштів",
        person_subject("Діма", phone=P["horbalenko"].phones["ua"].intl()),
        "Діма знову їде до Риги, цього разу з великою сумою готівки.",
        "horbalenko")
    tip("T30", "2024-03-27T10:10:00", "email", "en", "Money laundering",
        person_subject("Francois Lemaitre-Dubois", nationality="French",
                       email="f.lemaitre@lemaitre-fiduciaire.example"),
        "Lemaitre-Dubois' fiduciary holds the shares of Azurmere Holdings for an undisclosed "
        "German principal.",
        "lemaitre",
        companies=[("Lemaître Fiduciaire S.A.", "lemaitre_fid", {"country": "Luxembourg"}),
                               ("Azurmere Holdings Ltd", "azurmere", {"country": "Cyprus"})])
    tip("T31", "2024-05-02T14:14:00", "webform", "de", "Geldwäsche",
        person_subject("Okonkwo-Ruiz, Milan", fmt_us(P["okonkwo"].dob), nationality="Slovak"),
        "Okonkwo-Ruiz hat Veltrada 2019 an eine zyprische Firma abgegeben, kassiert aber weiter.",
        "okonkwo",
        companies=[("Veltrada Consulting", "veltrada"), ("Azurmere Holdings", "azurmere")])

    # ---- background tips (noise) ---------------------------------------------
    person_texts_de = [
        "{name} arbeitet seit Monaten schwarz auf Baustellen in {town} und bezieht gleichzeitig "
        "Bürgergeld.",
        "Mein Nachbar {name} vermietet Wohnungen über Online-Portale, ohne die Einnahmen zu "
        "versteuern.",
        "{name} verkauft hochwertige Uhren gegen Bargeld aus dem Kofferraum, vermutlich "
        "Hehlerware.",
        "{name} betreibt aus einem Handyladen in {town} ein inoffizielles Geldtransfersystem.",
        "{name} hat Soforthilfen für eine Firma beantragt, die nie existiert hat.",
        "{name} nimmt Bargeld von Kunden an und zahlt es auf viele verschiedene Konten ein.",
        "{name} hat mir Geld geliehen und verlangt jetzt 30 % Zinsen im Monat.",
    ]
    person_texts_en = [
        "{name} is offering 'guaranteed returns' of 12 % per month on an online trading platform.",
        "I was asked by {name} to receive money on my account and forward it. "
        "I think it is a scam.",
        "{name} sells cars for cash and never registers the sales.",
    ]
    person_texts_uk = [
        "{name} пропонує роботу в Німеччині без документів і забирає паспорти.",
        "{name} переказує готівку через неофіційних кур'єрів.",
    ]
    company_texts = [
        "Die {name} zahlt ihre Arbeiter schwarz aus; Kolonnen werden täglich am Bahnhof {town} "
        "abgeholt.",
        "{name} stellt Rechnungen für Leistungen aus, die nie erbracht wurden (Abdeckrechnungen).",
        "Bei der {name} werden Bauabfälle illegal im Wald bei {town} entsorgt.",
        "{name} verkauft Fahrzeuge mit manipulierten Tachoständen.",
        "{name} hat seit zwei Jahren keine Löhne mehr gemeldet, beschäftigt aber 20 Leute.",
    ]
    categories = ["Schwarzarbeit", "Steuerhinterziehung", "Betrug", "Geldwäsche", "Sozialbetrug",
                  "Umweltdelikt"]
    TARGET = 150
    while len(tips) < TARGET:
        received = datetime(2021, 1, 4) + timedelta(minutes=rng.randint(0, 60 * 24 * 1240))
        rid = f"BG{len(tips):03d}"
        town = rng.choice(DE_TOWNS)[0]
        mentions, comps = [], []
        if rng.random() < 0.68:
            ua = rng.random() < 0.12
            person = fk.person("UA" if ua else None, 1950, 2004, country="DE")
            if ua:
                name = f"{person['cyr_first']} {person['cyr_last']}"
                lang, text = "uk", rng.choice(person_texts_uk).format(name=name)
            elif rng.random() < 0.15:
                name = person["full"]
                lang, text = "en", rng.choice(person_texts_en).format(name=name)
            else:
                name = rng.choice([person["full"], person["full"],
                                   f"{person['last']}, {person['first']}",
                                   f"{person['first'][0]}. {person['last']}"])
                lang, text = "de", rng.choice(person_texts_de).format(name=name, town=town)
            phone = ""
            if rng.random() < 0.55:
                phone = rng.choice([person["phone"].national(), person["phone"].national(" "),
                                    person["phone"].intl()])
            email = ""
            if rng.random() < 0.25:
                local = f"{strip_accents(person['first'])}.{strip_accents(person['last'])}".lower()
                email = local + rng.choice(["@gmx.example", "@web.example", "@mailbox.example",
                                            "@t-online.example"])
            subject = person_subject(name, fmt_us(person["dob"]) if rng.random() < 0.45 else "",
                                     phone, email,
                                     person["address"] if rng.random() < 0.4 else "",
                                     rng.choice(["", "", "Deutschland", "German", "Polen",
                                                 "Turkish", "Ukrainian"])
                                     if not ua else "Україна")
        else:
            info = fk.company("DE")
            name = info["name"] if rng.random() < 0.7 else info["name"].rsplit(" ", 1)[0]
            lang, text = "de", rng.choice(company_texts).format(name=name, town=town)
            subject = company_subject(name, rng.choice(["Deutschland", "DE", ""]),
                                      address=info["address"] if rng.random() < 0.5 else "")
        for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):
            other = fk.person(None, 1950, 2004, country="DE")
            extra = {"phone": other["phone"].national()} if rng.random() < 0.3 else {}
            mentions.append((other["full"], None, extra))
        if rng.random() < 0.15:
            comps.append((fk.company("DE")["name"], None))
        tip(rid, received.strftime("%Y-%m-%dT%H:%M:%S"),
            rng.choice(["webform", "webform", "hotline", "email", "letter"]),
            lang, rng.choice(categories), subject, text, None, mentions, comps,
            rng.choice("BCCCDDE"))
    # number the reports per year in order of receipt (the hotline also gets unrelated reports)
    tips.sort(key=lambda t: t[0]["received"])
    out, rejects, seq = [], [], {}
    for line, (rec, pending) in enumerate(tips, 1):
        year = rec["received"][:4]
        seq[year] = seq.get(year, 0) + rng.randint(1, 6)
        label = rec["report_id"]
        rec["report_id"] = rid = f"HIN-{year}-{seq[year]:04d}"
        for names, literal, true_id, schema in pending:
            key.add(src, ftm_id(src, rid, *names, literal=literal), true_id, schema)
        if label in REJECT_MARKERS:
            field_ = REJECT_MARKERS[label]
            rejects.append((line, rid, field_, rec["subject"][field_.split(".")[1]]))
        out.append(rec)
    return out, rejects


# ---------------------------------------------------------------------------
# Source 5: court case register (SQLite)
# ---------------------------------------------------------------------------

def build_court(key: AnswerKey, used_names: set[str],
                used_phones: set[str]) -> tuple[list[dict], list[dict]]:
    rng = rng_for("court")
    fk = Faker(rng, used_names, used_phones)
    src = "court"
    cases: list[dict] = []
    parties: list[dict] = []
    LG, AG = "Landgericht Kaltenbrunn", "Amtsgericht Kaltenbrunn"
    VK = "Vergabekammer beim Regierungspräsidium Kaltenbrunn"

    def case(number: str, court: str, ctype: str, matter: str, filed: str, closed: str = "",
             status: str = "",
             outcome: str = "") -> str:
        cid = f"TMP-{len(cases) + 1:05d}"
        cases.append({"case_id": cid, "case_number": number, "court": court, "case_type": ctype,
                      "subject_matter": matter, "filed_date": filed, "closed_date": closed,
                      "status": status or ("abgeschlossen" if closed else "anhängig"),
                      "outcome": outcome})
        return cid

    def party(cid: str, ptype: str, name: str, role: str, actor: str | None = None, birth: str = "",
              address: str = "", counsel: str = "") -> None:
        parties.append({"party_id": "", "case_id": cid, "party_type": ptype, "name": name,
                        "role": role,
                        "birth_date": birth, "address": address, "counsel": counsel,
                        "_actor": actor})

    def court_name(p: Person, title: bool = False) -> str:
        return f"{p.last}, {p.first}" + (f", {p.title}" if title and p.title else "")

    v, g = P["valdrenko"], P["grosskopf"]
    sta = ORG["sta"].name
    # the award challenge
    c = case("VK 3/20", VK, "Vergabenachprüfung",
             "Nachprüfungsantrag Vergabe 'Sanierung Grundschule Wiesenweg'",
             "2020-05-11", "2020-08-02", outcome="zurückgewiesen")
    party(c, "company", "Quendmark Bau AG", "Antragstellerin", "quendmark",
          address=ORG["quendmark"].address,
          counsel="RA Dr. Sievering")
    party(c, "company", "Stadtwerke Kaltenbrunn GmbH", "Antragsgegnerin", "stadtwerke",
          address=ORG["stadtwerke"].address,
          counsel="Brückner-Sauvage & Partner")
    party(c, "company", "Nordlicht Bauservice GmbH", "Beigeladene", "nordlicht",
          address=ORG["nordlicht"].address)
    # defective works claim by the city
    c = case("4 O 211/23", LG, "Zivilsache", "Werkvertrag, Mängelbeseitigungskosten Hallenbad",
             "2023-03-20")
    party(c, "organization", "Stadt Kaltenbrunn, vertreten durch den Oberbürgermeister", "Klägerin",
          "stadt",
          address=ORG["stadt"].address)
    party(c, "company", "Nordlicht Bau-Service GmbH", "Beklagte", "nordlicht",
          address="Industriestr. 21, 34577 Kaltenbrunn")
    party(c, "person", "Maier, Peter", "Zeuge", "maier_a", birth=P["maier_a"].dob.isoformat(),
          address=P["maier_a"].address)
    party(c, "person", "Søndervik, Ingrid", "Zeugin", "sondervik",
          birth=P["sondervik"].dob.isoformat())
    # the official's private neighbour dispute (old address)
    c = case("12 C 418/17", AG, "Zivilsache", "Nachbarrecht, Grenzbebauung", "2017-06-02",
             "2018-02-14", outcome="Vergleich")
    party(c, "person", "Valdrenko, Konstantin", "Kläger", "valdrenko", birth="1971",
          address=v.old_address)
    nb = fk.person("DE", 1950, 1980, country="DE")
    party(c, "person", f"{nb['last']}, {nb['first']}", "Beklagter", birth=str(nb["dob"].year),
          address="Lindenallee 16, 34567 Kaltenbrunn")
    # courier, traffic offence
    c = case("31 Cs 402 Js 1187/22", AG, "Strafsache", "Fahren ohne Fahrerlaubnis", "2022-04-07",
             "2022-06-30",
             outcome="Strafbefehl rechtskräftig")
    party(c, "organization", sta, "Anklagebehörde", "sta")
    party(c, "person", "Gorbalenko, Dmitrij", "Angeklagter", "horbalenko",
          birth=P["horbalenko"].dob.isoformat(),
          address="Hafenstraße 19, 34567 Kaltenbrunn")
    # son vs car dealer
    c = case("5 C 77/23", AG, "Zivilsache", "Kaufrecht, Gewährleistung Kfz", "2023-02-13",
             "2023-09-01", outcome="Klage abgewiesen")
    party(c, "person", "Valdrenko, Lukas", "Kläger", "lukas", birth=P["lukas"].dob.isoformat(),
          address=P["lukas"].address)
    party(c, "company", "Autohaus Brenneisen GmbH", "Beklagte", "brenneisen",
          address=ORG["brenneisen"].address)
    # the main criminal case
    c = case("6 KLs 402 Js 5531/23", LG, "Strafsache",
             "Bestechlichkeit im geschäftlichen Verkehr, Geldwäsche u.a.",
             "2024-03-18", status="Hauptverfahren eröffnet")
    party(c, "organization", sta, "Anklagebehörde", "sta")
    party(c, "person", court_name(v, True), "Angeklagter", "valdrenko", birth=v.dob.isoformat(),
          address=v.address,
          counsel="RA Hollenstedt")
    party(c, "person", "Großkopf, Jürgen", "Angeklagter", "grosskopf", birth=g.dob.isoformat(),
          address=g.address)
    party(c, "person", "Jaskulski, Tomasz", "Angeklagter", "jaskulski",
          birth=P["jaskulski"].dob.isoformat(),
          address=P["jaskulski"].address)
    party(c, "person", "Brannigvald, Sabine", "Angeklagte", "sabine",
          birth=P["sabine"].dob.isoformat())
    party(c, "person", "Wöllenstein, Gerda", "Zeugin", "woellenstein",
          birth=P["woellenstein"].dob.isoformat())
    party(c, "person", "Søndervik, Ingrid", "Zeugin", "sondervik",
          birth=P["sondervik"].dob.isoformat())
    party(c, "person", "Kettelbach, Rainer", "Zeuge", "kettelbach",
          birth=P["kettelbach"].dob.isoformat())
    party(c, "company", "Nordlicht Bauservice Gesellschaft mit beschränkter Haftung",
          "Einziehungsbeteiligte", "nordlicht")
    party(c, "company", "Rosenhag Immobilienverwaltung UG (haftungsbeschränkt)",
          "Einziehungsbeteiligte", "rosenhag")
    # insolvency of the front company
    c = case("IN 44/24", AG, "Insolvenzverfahren", "Insolvenzantrag (Gläubigerantrag)",
             "2024-04-22", status="eröffnet")
    party(c, "organization", ORG["finanzamt"].name, "Antragsteller", "finanzamt",
          address=ORG["finanzamt"].address)
    party(c, "company", "Rosenhag Immobilienverwaltung UG", "Schuldnerin", "rosenhag",
          address=ORG["rosenhag"].address)
    # namesakes
    c = case("14 C 1022/19", AG, "Zivilsache", "Verkehrsunfall, Schadensersatz", "2019-09-09",
             "2020-03-03", outcome="Urteil")
    x = fk.person("DE", 1950, 1995, country="DE")
    party(c, "person", f"{x['last']}, {x['first']}", "Kläger", birth=x["dob"].isoformat(),
          address=x["address"])
    party(c, "person", "Maier, Peter", "Beklagter", "maier_b", birth=P["maier_b"].dob.isoformat(),
          address=P["maier_b"].address)
    c = case("8 C 301/22", AG, "Zivilsache", "Mietsache, Nebenkostenabrechnung", "2022-05-16",
             "2022-11-21", outcome="Vergleich")
    party(c, "person", "Hollweck, Stefan", "Kläger", "hollweck_b", birth="1951",
          address=P["hollweck_b"].address)
    x = fk.person("DE", 1950, 1985, country="DE")
    party(c, "person", f"{x['last']}, {x['first']}", "Beklagte", birth="", address=x["address"])
    c = case("2 Ds 402 Js 771/23", AG, "Strafsache", "Unerlaubtes Entfernen vom Unfallort",
             "2023-05-02", "2023-07-19",
             outcome="Einstellung gegen Auflage (§ 153a StPO)")
    party(c, "organization", sta, "Anklagebehörde", "sta")
    party(c, "person", "Hollweck, Stefan", "Angeklagter", "hollweck_a",
          birth=P["hollweck_a"].dob.isoformat(),
          address=P["hollweck_a"].address)
    # law firm fee claim, contractor claim, look-alike company
    c = case("2 O 88/22", LG, "Zivilsache", "Anwaltshonorar", "2022-02-02", "2022-10-10",
             outcome="Versäumnisurteil")
    party(c, "company", "Brückner-Sauvage & Partner Rechtsanwälte mbB", "Klägerin", "kanzlei",
          address=ORG["kanzlei"].address)
    party(c, "company", fk.company("DE")["name"], "Beklagte")
    c = case("9 C 556/21", AG, "Zivilsache", "Werklohnforderung", "2021-06-01", "2021-12-20",
             outcome="Urteil")
    party(c, "company", "Brannigvald Tiefbau GmbH", "Klägerin", "brannigvald",
          address=ORG["brannigvald"].address)
    x = fk.person("DE", 1950, 1990, country="DE")
    party(c, "person", f"{x['last']}, {x['first']}", "Beklagter", birth=x["dob"].isoformat(),
          address=x["address"])
    c = case("3 O 412/21", LG, "Zivilsache", "Werklohn Trockenbau (Filiale Kaltenbrunn)",
             "2021-08-30", "2022-05-05", outcome="Vergleich")
    party(c, "company", "Nordlicht Bau GmbH", "Klägerin", "nordlicht_bau",
          address=ORG["nordlicht_bau"].address)
    party(c, "company", fk.company("DE")["name"], "Beklagte")
    c = case("VK 7/21", VK, "Vergabenachprüfung", "Nachprüfungsantrag 'Kanalsanierung Los 2'",
             "2021-03-01", "2021-04-12",
             outcome="Antrag zurückgenommen")
    party(c, "company", "Quendmark Bau Aktiengesellschaft", "Antragstellerin", "quendmark")
    party(c, "company", "Stadtwerke Kaltenbrunn", "Antragsgegnerin", "stadtwerke")
    party(c, "company", "Brannigvald Tiefbau Gesellschaft mit beschränkter Haftung", "Beigeladene",
          "brannigvald")

    # ---- background cases -------------------------------------------------------
    civil = [("Zivilsache", "Kaufpreisforderung"), ("Zivilsache", "Mietsache, Räumung"),
             ("Zivilsache", "Darlehensrückzahlung"),
             ("Zivilsache", "Verkehrsunfall, Schadensersatz"), ("Zivilsache", "Werklohnforderung"),
             ("Familiensache", "Unterhalt"), ("Zivilsache", "Arzthaftung")]
    criminal = [("Strafsache", "Betrug"), ("Strafsache", "Diebstahl"),
                ("Strafsache", "Steuerhinterziehung"),
                ("Strafsache", "Körperverletzung"),
                ("Strafsache", "Vorenthalten von Arbeitsentgelt"),
                ("Strafsache", "Urkundenfälschung")]
    admin = [("Sozialsache", "Leistungen nach dem SGB II"), ("Finanzsache", "Einkommensteuer"),
             ("Verwaltungssache", "Baugenehmigung")]
    TARGET_CASES, TARGET_PARTIES = 120, 300
    n_bg = TARGET_CASES - len(cases)
    remaining = TARGET_PARTIES - len(parties)
    # distribute parties: 2 each, a few with 3-5
    sizes = [2] * n_bg
    extra = remaining - 2 * n_bg
    while extra > 0:
        i = rng.randrange(n_bg)
        if sizes[i] < 5:
            sizes[i] += 1
            extra -= 1

    def bg_party(cid: str, role: str, kind: str | None = None, year_only: bool = False) -> None:
        kind = kind or ("person" if rng.random() < 0.72 else "company")
        if kind == "person":
            x = fk.person(None, 1940, 2004, country="DE")
            birth = x["dob"].isoformat() if not year_only else str(x["dob"].year)
            if rng.random() < 0.3:
                birth = ""
            party(cid, "person", f"{x['last']}, {x['first']}", role, birth=birth,
                  address=x["address"] if rng.random() < 0.7 else "")
        else:
            info = fk.company("DE")
            party(cid, "company", info["name"], role,
                  address=info["address"] if rng.random() < 0.6 else "")

    for size in sizes:
        kind = rng.choices(["civil", "criminal", "admin"], weights=[55, 30, 15])[0]
        filed = rand_date(rng, d("2015-01-05"), d("2024-05-31"))
        closed = filed + timedelta(days=rng.randint(40, 700))
        closed_s = closed.isoformat() if closed < REF_DATE and rng.random() < 0.85 else ""
        if kind == "civil":
            ctype, matter = rng.choice(civil)
            chamber = rng.randint(1, 18)
            register = "C" if rng.random() < 0.7 else "O"
            number = f"{chamber} {register} {rng.randint(1, 1400)}/{filed.year % 100:02d}"
            court = AG if " C " in number else LG
            if ctype == "Familiensache":
                number = number.replace(" C ", " F ").replace(" O ", " F ")
                court = AG
            cid = case(number, court, ctype, matter, filed.isoformat(), closed_s,
                       outcome=rng.choice(["Urteil", "Vergleich", "Klagerücknahme",
                                           "Versäumnisurteil"]) if closed_s else "")
            bg_party(cid, "Kläger")
            bg_party(cid, "Beklagter")
            for _ in range(size - 2):
                bg_party(cid, rng.choice(["Streitverkündete", "Zeuge", "Nebenintervenient"]),
                         "person")
        elif kind == "criminal":
            ctype, matter = rng.choice(criminal)
            dept, kind_ = rng.randint(1, 40), rng.choice(["Cs", "Ds", "Ls"])
            js = f"{rng.randint(100, 999)} Js {rng.randint(100, 9999)}/{filed.year % 100:02d}"
            number = f"{dept} {kind_} {js}"
            outcomes = ["Strafbefehl rechtskräftig", "Urteil", "Einstellung (§ 170 Abs. 2 StPO)",
                        "Einstellung gegen Auflage (§ 153a StPO)"]
            cid = case(number, AG, ctype, matter, filed.isoformat(), closed_s,
                       outcome=rng.choice(outcomes) if closed_s else "")
            party(cid, "organization", sta, "Anklagebehörde", "sta")
            bg_party(cid, "Angeklagter", "person", year_only=rng.random() < 0.3)
            for _ in range(size - 2):
                bg_party(cid, rng.choice(["Zeuge", "Nebenkläger", "Mitangeklagter"]), "person")
        else:
            ctype, matter = rng.choice(admin)
            if ctype == "Sozialsache":
                court, org = "Sozialgericht Kaltenbrunn", "jobcenter"
                number = f"S {rng.randint(1, 30)} AS {rng.randint(1, 2500)}/{filed.year % 100:02d}"
            elif ctype == "Finanzsache":
                court, org = "Finanzgericht Kaltenbrunn", "finanzamt"
                number = f"{rng.randint(1, 12)} K {rng.randint(100, 3000)}/{filed.year % 100:02d}"
            else:
                court, org = "Verwaltungsgericht Kaltenbrunn", "stadt"
                number = f"{rng.randint(1, 9)} K {rng.randint(100, 3000)}/{filed.year % 100:02d}.KB"
            cid = case(number, court, ctype, matter, filed.isoformat(), closed_s,
                       outcome=rng.choice(["Urteil", "Klagerücknahme",
                                           "Vergleich"]) if closed_s else "")
            bg_party(cid, "Kläger")
            names = {"jobcenter": ORG["jobcenter"].name, "finanzamt": ORG["finanzamt"].name,
                     "stadt": "Stadt Kaltenbrunn"}
            party(cid, "organization", names[org], "Beklagter", org,
                  address=ORG[org].address if rng.random() < 0.5 else "")
            for _ in range(size - 2):
                bg_party(cid, "Beigeladener")
    # number cases by filing date, parties in case order (ids are assigned by the court system)
    cases.sort(key=lambda c: (c["filed_date"], c["case_id"]))
    renumber = {}
    for i, c in enumerate(cases, 1):
        renumber[c["case_id"]] = f"CASE-{i:05d}"
        c["case_id"] = renumber[c["case_id"]]
    for p in parties:
        p["case_id"] = renumber[p["case_id"]]
    parties.sort(key=lambda p: p["case_id"])  # stable: keeps the order within a case
    for i, p in enumerate(parties, 1):
        p["party_id"] = f"PTY-{i:06d}"
        actor = p.pop("_actor")
        if actor:
            ent = P.get(actor) or ORG[actor]
            schema = {"person": "Person", "company": "Company",
                      "organization": "Organization"}[p["party_type"]]
            key.add(src, ftm_id(src, p["party_id"]), ent.true_id, schema)
    return cases, parties


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------

def write_csv(path: Path, rows: list[dict], encoding: str = "utf-8", delimiter: str = ",",
              lineterminator: str = "\n") -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), delimiter=delimiter,
                            lineterminator=lineterminator, quoting=csv.QUOTE_MINIMAL)
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buf.getvalue().encode(encoding))


def write_xlsx(path: Path, sheets: dict[str, list[dict]]) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        header = list(rows[0].keys())
        ws.append(header)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([row[h] if row[h] != "" else None for h in header])
        for col_idx, name in enumerate(header, 1):
            letter = ws.cell(row=1, column=col_idx).column_letter
            width = 12
            if name in ("narrative", "reference", "holder_address", "payer_name",
                        "beneficiary_name", "holder_name",
                        "bank_name", "payer_bank", "beneficiary_bank"):
                width = 36
            elif "iban" in name:
                width = 30
            ws.column_dimensions[letter].width = width
            for (cell,) in ws.iter_rows(min_row=2, min_col=col_idx, max_col=col_idx):
                if isinstance(cell.value, date):
                    cell.number_format = "DD.MM.YYYY"
                elif name == "amount":
                    cell.number_format = "#,##0.00"
        ws.freeze_panes = "A2"
    fixed = datetime(*ZIP_TIME)
    wb.properties.creator = "FIU Kaltenbrunn (demo)"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    # make the zip container byte-for-byte reproducible (openpyxl stamps "now" into it)
    out = io.BytesIO()
    with zipfile.ZipFile(buf) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>2024-06-30T00:00:00Z\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o644 << 16
            zout.writestr(zi, data)
    path.write_bytes(out.getvalue())


def write_sqlite(path: Path, cases: list[dict], parties: list[dict]) -> None:
    if path.exists():
        path.unlink()
    con = sqlite3.connect(path)
    con.executescript("""
        CREATE TABLE cases (
            case_id TEXT PRIMARY KEY, case_number TEXT NOT NULL, court TEXT NOT NULL,
            case_type TEXT, subject_matter TEXT, filed_date TEXT, closed_date TEXT, status TEXT,
            outcome TEXT);
        CREATE TABLE parties (
            party_id TEXT PRIMARY KEY, case_id TEXT NOT NULL REFERENCES cases(case_id),
            party_type TEXT NOT NULL, name TEXT NOT NULL, role TEXT, birth_date TEXT,
            address TEXT, counsel TEXT);
        CREATE INDEX parties_case ON parties(case_id);
    """)
    con.executemany("INSERT INTO cases VALUES (:case_id, :case_number, :court, :case_type, "
                    ":subject_matter, "
                    ":filed_date, :closed_date, :status, :outcome)",
                    [{k: (v if v != "" else None) for k, v in c.items()} for c in cases])
    con.executemany("INSERT INTO parties VALUES (:party_id, :case_id, :party_type, :name, :role, "
                    ":birth_date, "
                    ":address, :counsel)",
                    [{k: (v if v != "" else None) for k, v in p.items()} for p in parties])
    con.commit()
    con.execute("VACUUM")
    con.close()


# ---------------------------------------------------------------------------
# Mappings (FollowTheMoney mapping format) and sources.yml
# ---------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\- ]*$")
_RESERVED = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}


def yaml_scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if _PLAIN.match(text) and text.lower() not in _RESERVED and not text.endswith(" "):
        return text
    return json.dumps(text, ensure_ascii=False)


def to_yaml(value, indent: int = 0) -> str:
    """A tiny block-style YAML emitter for dicts, lists and strings.

    Keys starting with '#' become comments."""
    pad = "  " * indent
    lines: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if k.startswith("#"):
                lines.append(f"{pad}# {v}")
            elif isinstance(v, (dict, list)) and v:
                flat = all(not isinstance(x, (dict, list)) for x in v.values()) \
                    if isinstance(v, dict) else False
                if flat and len(v) <= 3 and not any(str(x).startswith("#") for x in v):
                    inner = ", ".join(f"{yaml_scalar(a)}: {yaml_scalar(b)}" for a, b in v.items())
                    lines.append(f"{pad}{yaml_scalar(k)}: {{{inner}}}")
                elif isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v):
                    lines.append(f"{pad}{yaml_scalar(k)}: [{', '.join(yaml_scalar(x) for x in v)}]")
                else:
                    lines.append(f"{pad}{yaml_scalar(k)}:")
                    lines.append(to_yaml(v, indent + 1))
            else:
                lines.append(f"{pad}{yaml_scalar(k)}: {yaml_scalar(v)}")
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                body = to_yaml(item, indent + 1).splitlines()
                while body and body[0].lstrip().startswith("#"):  # comments go above the "- "
                    lines.append(f"{pad}{body.pop(0).lstrip()}")
                first = body[0].lstrip()
                lines.append(f"{pad}- {first}")
                lines.extend(body[1:])
            else:
                lines.append(f"{pad}- {yaml_scalar(item)}")
    return "\n".join(lines)


def col(name: str, **extra) -> dict:
    return {"column": name, **extra}


def registry_mapping() -> dict:
    def officer_query(comment: str, otype: str, relation: str, schema: str) -> dict:
        officer_props = {"name": col("officer_name"), "address": col("officer_address")}
        if schema == "Person":
            officer_props.update(birthDate=col("officer_birth_date"),
                                 nationality=col("officer_nationality"))
        else:
            officer_props.update(jurisdiction=col("officer_jurisdiction"),
                                 registrationNumber=col("officer_registration_number"))
        link = ({"schema": "Directorship", "key": "relation_id", "key_literal": "directorship",
                 "properties": {"director": {"entity": "officer"},
                                "organization": {"entity": "company"},
                                "role": col("role"), "startDate": col("start_date"),
                                "endDate": col("end_date")}}
                if relation == "director" else
                {"schema": "Ownership", "key": "relation_id", "key_literal": "ownership",
                 "properties": {"owner": {"entity": "officer"}, "asset": {"entity": "company"},
                                "role": col("role"), "percentage": col("share_percent"),
                                "startDate": col("start_date"), "endDate": col("end_date")}})
        return {
            "#": comment,
            "csv_url": "officers.csv",
            "filters": {"officer_type": otype, "relation": relation},
            "entities": {
                "company": {"schema": "Company", "key": "company_id",
                            "properties": {"name": col("company_name")}},
                "officer": {"schema": schema, "key": "officer_id", "properties": officer_props},
                relation_name[relation]: link,
            },
        }

    relation_name = {"director": "directorship", "shareholder": "ownership"}
    return {"registry": {"queries": [
        {"#": "Companies (one row per registered company)",
         "csv_url": "companies.csv",
         "entities": {"company": {"schema": "Company", "key": "company_id", "properties": {
             "name": col("name"), "legalForm": col("legal_form"),
             "registrationNumber": col("registration_number"),
             "jurisdiction": col("jurisdiction"), "incorporationDate": col("incorporation_date"),
             "dissolutionDate": col("dissolution_date"), "status": col("status"),
             "address": col("registered_address"), "description": col("business_purpose"),
             "taxNumber": col("tax_number"), "vatCode": col("vat_number"),
             "publisher": col("register")}}}},
        officer_query("Natural persons as directors / managing directors / Prokura", "person",
                      "director", "Person"),
        officer_query("Natural persons as shareholders", "person", "shareholder", "Person"),
        officer_query("Corporate directors and secretaries", "company", "director", "Company"),
        officer_query("Corporate shareholders (officer_id = company_id when the register links "
                      "the record)",
                      "company", "shareholder", "Company"),
        officer_query("Public bodies as shareholders", "public_body", "shareholder",
                      "Organization"),
    ]}}


def bank_mapping() -> dict:
    holder_common = {"name": col("holder_name"), "address": col("holder_address"),
                     "phone": col("holder_phone", format="de"), "email": col("holder_email")}
    account = {"schema": "BankAccount", "key": "iban", "properties": {
        "iban": col("iban"), "accountNumber": col("account_number"), "bic": col("bic"),
        "bankName": col("bank_name"),
        "accountType": col("account_type"), "currency": col("currency"),
        "openingDate": col("opened")}}

    def holder_query(ptype: str, schema: str, extra: dict) -> dict:
        return {
            "#": f"KYC'd account holders ({ptype.replace('y', 'ie')}s) of the reported accounts",
            "csv_url": "str_reports.xlsx", "sheet": "accounts",
            "filters": {"holder_type": ptype},
            "entities": {
                "holder": {"schema": schema, "key": "holder_id",
                           "properties": {**holder_common, **extra}},
                "account": account,
                "holding": {"schema": "Ownership", "keys": ["holder_id", "iban"],
                            "key_literal": "account-holder",
                            "properties": {"owner": {"entity": "holder"},
                                           "asset": {"entity": "account"},
                                           "role": {"literal": "Kontoinhaber"},
                                           "startDate": col("opened")}},
            },
        }

    def tx_query(payer: str, beneficiary: str, cash: bool = False) -> dict:
        schema = {"person": "Person", "company": "Company"}
        q = {"#": f"Transactions {payer} -> {beneficiary}" + (" (cash withdrawals, no beneficiary "
                                                              "account)" if cash else ""),
             "csv_url": "str_reports.xlsx", "sheet": "transactions",
             "filters": {"payer_type": payer, "beneficiary_type": beneficiary,
                         **({"channel": "CASH"} if cash else {})}}
        if not cash:
            q["filters_not"] = {"channel": "CASH"}
        ents = {
            "payer": {"schema": schema[payer], "key": "payer_party_id",
                      "properties": {"name": col("payer_name")}},
            "beneficiary": {"schema": schema[beneficiary], "key": "beneficiary_party_id",
                            "properties": {"name": col("beneficiary_name")}},
            "payer_account": {"schema": "BankAccount", "key": "payer_iban", "properties": {
                "iban": col("payer_iban"), "bic": col("payer_bic"), "bankName": col("payer_bank")}},
        }
        if not cash:
            ents["beneficiary_account"] = {"schema": "BankAccount", "key": "beneficiary_iban",
                                           "properties": {
                "iban": col("beneficiary_iban"), "bic": col("beneficiary_bic"),
                "bankName": col("beneficiary_bank")}}
        pay_props = {"payer": {"entity": "payer"}, "beneficiary": {"entity": "beneficiary"},
                     "payerAccount": {"entity": "payer_account"}}
        if not cash:
            pay_props["beneficiaryAccount"] = {"entity": "beneficiary_account"}
        pay_props.update(amount=col("amount"), currency=col("currency"), date=col("booking_date"),
                         purpose=col("reference"), transactionNumber=col("tx_id"),
                         description={"template": "{{channel}} (STR {{report_id}})"})
        ents["payment"] = {"schema": "Payment", "key": "tx_id", "key_literal": "payment",
                           "properties": pay_props}
        q["entities"] = ents
        return q

    return {"bank": {"queries": [
        holder_query("person", "Person",
                     {"birthDate": col("holder_birth_date"),
                      "nationality": col("holder_nationality"),
                                          "idNumber": col("holder_id_number")}),
        holder_query("company", "Company", {"registrationNumber": col("holder_register_no")}),
        tx_query("company", "company"), tx_query("company", "person"),
        tx_query("person", "company"),
        tx_query("person", "person"), tx_query("company", "person", cash=True),
    ]}}


def phone_mapping() -> dict:
    address = {"template": "{{street}}, {{postcode}} {{city}}"}
    return {"phone": {"queries": [
        {"#": "Subscribers (natural persons); one entity per line/SIM, keyed by the MSISDN",
         "csv_url": "subscribers.tsv", "filters": {"subscriber_type": "person"},
         "entities": {"subscriber": {"schema": "Person", "key": "msisdn", "properties": {
             "name": {"template": "{{given_names}} {{surname}}"}, "firstName": col("given_names"),
             "lastName": col("surname"), "birthDate": col("birth_date", format="%d.%m.%Y"),
             "address": address,
             "country": col("country"), "idNumber": col("id_document"),
             "phone": col("msisdn", format="de")}}}},
        {"#": "Subscribers (companies)",
         "csv_url": "subscribers.tsv", "filters": {"subscriber_type": "company"},
         "entities": {"subscriber": {"schema": "Company", "key": "msisdn", "properties": {
             "name": col("company_name"), "address": address, "country": col("country"),
             "phone": col("msisdn", format="de")}}}},
        {"#": "Call detail records; both ends are keyed by MSISDN so they merge with the "
              "subscriber entities",
         "csv_url": "calls.tsv",
         "entities": {
             "caller": {"schema": "LegalEntity", "key": "a_number",
                        "properties": {"phone": col("a_number", format="de")}},
             "receiver": {"schema": "LegalEntity", "key": "b_number",
                          "properties": {"phone": col("b_number", format="de")}},
             "call": {"schema": "Call", "key": "call_id", "key_literal": "call", "properties": {
                 "caller": {"entity": "caller"}, "receiver": {"entity": "receiver"},
                 "callerNumber": col("a_number", format="de"),
                 "receiverNumber": col("b_number", format="de"),
                 "date": col("start_time", format="%d.%m.%Y %H:%M:%S"),
                 "duration": col("duration_s"),
                 "description": col("call_type"), "recordId": col("call_id")}}}},
    ]}}


def tips_mapping() -> dict:
    def note() -> dict:
        return {"schema": "Note", "key": "report_id", "key_literal": "note", "properties": {
            "entity": {"entity": "subject"},
            "name": {"template": "Hinweis {{report_id}} ({{category}})"},
            "description": col("text"), "summary": col("category")}}

    mentions = {}
    for i in range(2):  # the tip form allows at most two people and two companies
        mentions[f"mention_{i}"] = {"schema": "Person", "keys": ["report_id", f"mentions.{i}.name"],
                                    "key_literal": "mention", "properties": {
                                        "name": col(f"mentions.{i}.name", required=True),
                                        "phone": col(f"mentions.{i}.phone", format="de")}}
    companies = {}
    for i in range(2):
        companies[f"company_{i}"] = {"schema": "Company",
                                     "keys": ["report_id", f"companies.{i}.name"],
                                     "key_literal": "company", "properties": {
                                         "name": col(f"companies.{i}.name", required=True),
                                         "jurisdiction": col(f"companies.{i}.country")}}
    return {"tips": {"queries": [
        {"#": "Tips about a person (nested 'subject' object is flattened to subject.*)",
         "csv_url": "tips.jsonl", "filters": {"subject.type": "person"},
         "entities": {"subject": {"schema": "Person", "key": "report_id", "key_literal": "subject",
                                  "properties": {
             "name": col("subject.name"), "birthDate": col("subject.dob", format="%m/%d/%Y"),
             "phone": col("subject.phone", format="de"), "email": col("subject.email"),
             "address": col("subject.address"), "nationality": col("subject.nationality")}},
             "note": note()}},
        {"#": "Tips about a company",
         "csv_url": "tips.jsonl", "filters": {"subject.type": "company"},
         "entities": {"subject": {"schema": "Company", "key": "report_id", "key_literal": "subject",
                                  "properties": {
             "name": col("subject.name"), "jurisdiction": col("subject.country"),
             "registrationNumber": col("subject.registration"), "address": col("subject.address"),
             "phone": col("subject.phone", format="de")}},
             "note": note()}},
        {"#": "People mentioned in a tip (list of objects -> mentions.0.name, mentions.1.name)",
         "csv_url": "tips.jsonl", "entities": mentions},
        {"#": "Companies mentioned in a tip",
         "csv_url": "tips.jsonl", "entities": companies},
    ]}}


def court_mapping() -> dict:
    db = "sqlite:///court.sqlite"
    tables = [{"table": "cases", "alias": "c"}, {"table": "parties", "alias": "p"}]
    joins = [{"left": "c.case_id", "right": "p.case_id"}]

    def party_query(ptype: str, schema: str) -> dict:
        props = {"name": col("p.name"), "address": col("p.address")}
        if schema == "Person":
            props["birthDate"] = col("p.birth_date")
        return {
            "#": f"Parties of type '{ptype}' joined to their case",
            "database": db, "tables": tables, "joins": joins, "filters": {"p.party_type": ptype},
            "entities": {
                "case": {"schema": "CourtCase", "key": "c.case_id",
                         "properties": {"caseNumber": col("c.case_number")}},
                "party": {"schema": schema, "key": "p.party_id", "properties": props},
                "participation": {"schema": "CourtCaseParty", "key": "p.party_id",
                                  "key_literal": "participation",
                                  "properties": {"case": {"entity": "case"},
                                                 "party": {"entity": "party"},
                                                 "role": col("p.role"),
                                                 "description": col("p.counsel")}},
            },
        }

    return {"court": {"queries": [
        {"#": "Cases",
         "database": db, "tables": ["cases"],
         "entities": {"case": {"schema": "CourtCase", "key": "case_id", "properties": {
             "name": {"template": "{{case_number}} ({{court}})"}, "caseNumber": col("case_number"),
             "court": col("court"), "category": col("case_type"),
             "description": col("subject_matter"),
             "fileDate": col("filed_date"), "closeDate": col("closed_date"),
             "status": col("status"),
             "summary": col("outcome")}}}},
        party_query("person", "Person"),
        party_query("company", "Company"),
        party_query("organization", "Organization"),
    ]}}


SOURCES = [
    {"name": "registry",
     "title": "Consolidated corporate registry extract (DE, CY, GB, SK, LV, LU, MT, AT)",
     "team": "financial-crime", "marking": "PUBLIC",
     "legal_basis": "Publicly accessible commercial register data (§ 9 HGB; Directive (EU) "
                    "2017/1132), "
                    "retrieved from the official registers and consolidated by the unit.",
     "retention_days": 3650, "mapping": "registry/registry.yml"},
    {"name": "bank", "title": "Suspicious transaction reports incl. FIU-to-FIU exchange",
     "team": "financial-crime", "marking": "FIU-RESTRICTED",
     "legal_basis": "Reports under § 43 GwG, disclosed by the FIU under § 32 (3) GwG for "
                    "proceedings 402 Js 5531/23; "
                    "use limited to that purpose, no onward disclosure without FIU consent.",
     "retention_days": 1825, "mapping": "bank/bank.yml"},
    {"name": "phone", "title": "Subscriber data and call detail records",
     "team": "intel", "marking": "LAW-ENFORCEMENT",
     "legal_basis": "Subscriber information (§ 100j StPO) and traffic data (§ 100g StPO) ordered "
                    "by the "
                    "Amtsgericht Kaltenbrunn on 2023-11-06 in proceedings 402 Js 5531/23.",
     "retention_days": 730, "mapping": "phone/phone.yml"},
    {"name": "tips", "title": "Whistleblower tip line reports",
     "team": "intel", "marking": "CONFIDENTIAL",
     "legal_basis": "Reports received through the external reporting channel (§§ 19-31 HinSchG); "
                    "identities of "
                    "whistleblowers are withheld and must not be inferred.",
     "retention_days": 1095, "mapping": "tips/tips.yml"},
    {"name": "court", "title": "Court case register extract (Kaltenbrunn courts)",
     "team": "financial-crime", "marking": "PUBLIC",
     "legal_basis": "Extract of the court case register for research and investigative purposes "
                    "(§ 12 EGGVG, § 475 StPO); party data limited to what appears in public "
                    "hearing lists.",
     "retention_days": 3650, "mapping": "court/court.yml"},
]

HEADER = ("# FollowTheMoney mapping for the '{name}' demo source.\n"
          "# GENERATED by demo/generate.py -- edit the generator, not this file.\n"
          "# The top-level key is the dataset name and the key prefix for entity ids.\n")


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="output directory (default: the demo/ folder)")
    args = parser.parse_args(argv)
    out: Path = args.out
    for sub in ("registry", "bank", "phone", "tips", "court"):
        (out / sub).mkdir(parents=True, exist_ok=True)

    used_names: set[str] = set()
    for p in PEOPLE.values():
        used_names.update({p.full, fold_umlauts(p.full), strip_accents(p.full)})
    used_names.update(o.name for o in ORGS.values())
    used_phones = {ph_.e164 for p in PEOPLE.values() for ph_ in p.phones.values()}
    used_phones.update({"+49567344810", "+49567329011", "+4956734400", "+496980031720"})
    key = AnswerKey()

    companies, officers = build_registry(key, used_names, used_phones)
    bank = build_bank(key, used_names, used_phones)
    subscribers, calls = build_phone(key, used_names, used_phones)
    tips, rejects = build_tips(key, used_names, used_phones)
    cases, parties = build_court(key, used_names, used_phones)

    write_csv(out / "registry" / "companies.csv", companies, encoding="cp1252",
              lineterminator="\r\n")
    write_csv(out / "registry" / "officers.csv", officers, encoding="cp1252", lineterminator="\r\n")
    write_xlsx(out / "bank" / "str_reports.xlsx", bank)
    write_csv(out / "phone" / "subscribers.tsv", subscribers, delimiter="\t")
    write_csv(out / "phone" / "calls.tsv", calls, delimiter="\t")
    with open(out / "tips" / "tips.jsonl", "w", encoding="utf-8", newline="\n") as fh:
        for t in tips:
            fh.write(json.dumps(t, ensure_ascii=False) + "\n")
    write_sqlite(out / "court" / "court.sqlite", cases, parties)

    mappings = {"registry": registry_mapping(), "bank": bank_mapping(), "phone": phone_mapping(),
                "tips": tips_mapping(), "court": court_mapping()}
    for source in SOURCES:
        name = source["name"]
        text = HEADER.format(name=name) + to_yaml(mappings[name]) + "\n"
        (out / source["mapping"]).write_text(text, encoding="utf-8")
    (out / "sources.yml").write_text(
        "# Demo sources for casegraph. GENERATED by demo/generate.py.\n"
        "# mapping paths are relative to this file.\n" + to_yaml({"sources": SOURCES}) + "\n",
        encoding="utf-8")

    rows = sorted(((s, e, t, sc) for (s, e), (t, sc) in key.rows.items()),
                  key=lambda r: (r[0], r[2], r[1]))
    write_csv(out / "answer_key.csv",
              [{"source": s, "entity_id": e, "true_id": t, "schema": sc} for s, e, t, sc in rows])

    counts = {
        "registry": f"{len(companies)} companies, {len(officers)} officer rows",
        "bank": f"{len(bank['reports'])} reports, {len(bank['accounts'])} account rows, "
                f"{len(bank['transactions'])} transactions",
        "phone": f"{len(subscribers)} subscribers, {len(calls)} calls",
        "tips": f"{len(tips)} tips",
        "court": f"{len(cases)} cases, {len(parties)} parties",
    }
    for name, text in counts.items():
        print(f"{name:9s} {text}")
    print(f"answer key: {len(rows)} entities, {len({r[2] for r in rows})} real-world actors")
    for line, rid, field_, value in rejects:
        print(f"intentional reject: tips/tips.jsonl line {line} ({rid}) {field_} = {value!r}")


if __name__ == "__main__":
    main()
