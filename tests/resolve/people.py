"""A small, seeded population in two sources with known duplicates, for resolve tests."""

from __future__ import annotations

import csv
import random
from pathlib import Path

GIVEN = ["anna", "bernd", "clara", "dieter", "elena", "felix", "greta", "hans", "ines", "jonas",
         "katrin", "lars", "mia", "nils", "olga", "paul", "rosa", "sven", "tanja", "uwe"]
FAMILY = ["albrecht", "brandt", "claassen", "dorsch", "eggert", "fiedler", "gruber", "hartung",
          "imhof", "jansen", "kessler", "lindner", "moser", "nowak", "oswald", "pohl", "quast",
          "riedel", "seidel", "thiel", "ullrich", "vogt", "wenzel", "zander"]
COLUMNS = ["id", "given", "family", "born", "phone", "street", "city"]


def mapping(dataset: str) -> str:
    return f"""{dataset}:
  queries:
    - csv_url: {dataset}.csv
      entities:
        person:
          schema: Person
          key: id
          properties:
            firstName: {{column: given}}
            lastName: {{column: family}}
            birthDate: {{column: born}}
            phone: {{column: phone, format: de}}
            address: {{template: "{{{{street}}}}, {{{{city}}}}"}}
            country: {{literal: de}}
"""


def _typo(rng: random.Random, word: str) -> str:
    i = rng.randrange(1, len(word))
    return word[:i] + word[i + 1 :]


def write(folder: Path, people: int = 120, seed: int = 3) -> dict[tuple[str, str], int]:
    """registry.csv and bank.csv (+ mappings); returns (source, row id) -> person."""
    rng = random.Random(seed)
    truth: dict[tuple[str, str], int] = {}
    rows: dict[str, list[list[str]]] = {"registry": [], "bank": []}
    for p in range(people):
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        born = f"19{rng.randint(40, 99)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        phone = f"030 {rng.randint(1000000, 9999999)}"
        street = f"{rng.choice(FAMILY).title()}str. {rng.randint(1, 99)}"
        record = [given.title(), family.title(), born, phone, street, "Berlin"]
        rid = f"r{p}"
        rows["registry"].append([rid, *record])
        truth[("registry", rid)] = p
        if p % 3 == 0:  # a third of the people also bank, written a little differently
            variant = list(record)
            if p % 2:
                variant[1] = _typo(rng, variant[1])
            if p % 5 == 0:
                variant[3] = ""
            bid = f"b{p}"
            rows["bank"].append([bid, *variant])
            truth[("bank", bid)] = p
    for name, content in rows.items():
        with (folder / f"{name}.csv").open("w", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(COLUMNS)
            writer.writerows(content)
        (folder / f"{name}.yml").write_text(mapping(name))
    return truth


def add_namesakes(folder: Path) -> None:
    """Two different people with one very common name, and a payment between two
    entities of the same name (named in one record: they are different)."""
    with (folder / "registry.csv").open("a", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["x1", "John", "Smith", "1950-01-01", "", "Hafenweg 1", "Hamburg"])
        writer.writerow(["x2", "John", "Smith", "1988-07-07", "", "Bergstr. 9", "Munich"])
    (folder / "payments.csv").write_text(
        "id,payer,payee,amount\np1,Peter Maier,Peter Maier,500\n"
    )
    (folder / "payments.yml").write_text("""payments:
  queries:
    - csv_url: payments.csv
      entities:
        payer:
          schema: Person
          keys: [id, payer]
          key_literal: payer
          properties:
            name: {column: payer}
        payee:
          schema: Person
          keys: [id, payee]
          key_literal: payee
          properties:
            name: {column: payee}
        payment:
          schema: Payment
          key: id
          properties:
            payer: {entity: payer}
            beneficiary: {entity: payee}
            amount: {column: amount}
""")
