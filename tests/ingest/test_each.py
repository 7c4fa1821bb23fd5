"""One entity per value of a split column (casegraph's ``each`` extension of FtM
mappings), on both stores; its strict-FtM refusal and its configuration errors."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from followthemoney import model
from followthemoney.mapping.query import QueryMapping
from sqlalchemy import select

from casegraph.access.context import AccessContext
from casegraph.config import Settings
from casegraph.ingest.cleaning import Cleaner
from casegraph.ingest.each import value_id
from casegraph.ingest.mapper import Mapped, QueryMapper, statement_rows
from casegraph.ingest.mapping import MappingError, MappingPlan, load_mapping
from casegraph.model.clock import utcnow
from casegraph.service import Workspace
from casegraph.store.tables import statements
from tests.conftest import add_source, env_for

PLAIN = """patents:
  queries:
    - csv_url: people.csv
      entities:
        applicant:
          schema: LegalEntity
          key: person_id
          properties:
            name:
              column: Name
            country:
              column: Country
"""
COAUTHOR = """        coauthor:
          schema: LegalEntity
          each:
            column: Coauthor
            split: "**"
          key: person_id
          properties:
            name:
              each: true
            country:
              column: Country
          link:
            schema: UnknownLink
            properties:
              subject:
                entity: applicant
              object:
                entity: coauthor
              role:
                literal: co-author
"""
MAPPING = PLAIN + COAUTHOR
ROWS = [
    "person_id,Name,Coauthor,Country",
    "1,ACME BV,JAN JANSEN**  ** PIET PUK**JAN JANSEN**,nl",  # an empty and a repeated value
    "2,PIET PUK,,de",
    "3,KEES DE VRIES,JAN JANSEN**MARIA LOPEZ,xx",  # a country FtM refuses
]


def write(folder: Path, mapping: str = MAPPING, rows: list[str] = ROWS) -> Path:
    (folder / "people.csv").write_text("\n".join(rows) + "\n")
    path = folder / "mapping.yml"
    path.write_text(mapping)
    return path


def exported(workspace: Workspace, ctx: AccessContext) -> dict[str, dict[str, Any]]:
    out = io.StringIO()
    with workspace.session(ctx) as s:
        s.export.ftm(out)
    return {e["id"]: e for e in map(json.loads, out.getvalue().splitlines())}


def record_keys(workspace: Workspace, ctx: AccessContext) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {}
    with workspace.session(ctx) as s:
        for entity_id, key in s.conn.execute(
            select(statements.c.entity_id, statements.c.record_key)
        ):
            keys.setdefault(entity_id, set()).add(key)
    return keys


def test_one_entity_and_one_link_per_value(
    workspace: Workspace, ctx: AccessContext, tmp_path: Path
) -> None:
    mapping = write(tmp_path)
    with workspace.session(ctx) as s:
        add_source(s, "patents")
        first = s.ingest.mapping(mapping)
        rejects = list(s.ingest.rejects(first.run_id))
    assert first.status == "completed" and first.records_read == 3
    got = exported(workspace, ctx)
    by_schema = Counter(e["schema"] for e in got.values())
    # 3 applicants + 2 co-authors of row 1 (no empty, one JAN JANSEN) + 2 of row 3
    assert by_schema == {"LegalEntity": 7, "UnknownLink": 4}
    names = {e["id"]: e["properties"]["name"][0] for e in got.values() if "name" in e["properties"]}
    links = [e for e in got.values() if e["schema"] == "UnknownLink"]
    link_of = {e["properties"]["object"][0]: e["id"] for e in links}
    coauthors = set(link_of)
    pairs = Counter(
        (names[e["properties"]["subject"][0]], names[e["properties"]["object"][0]])
        for e in links
    )
    assert pairs == {("ACME BV", "JAN JANSEN"): 1, ("ACME BV", "PIET PUK"): 1,
                     ("KEES DE VRIES", "JAN JANSEN"): 1,
                     ("KEES DE VRIES", "MARIA LOPEZ"): 1}  # fmt: skip
    assert all(e["properties"]["role"] == ["co-author"] for e in links)
    # a namesake in another row is another mention (resolution may merge them later)
    jansens = [i for i, n in names.items() if n == "JAN JANSEN"]
    assert len(jansens) == 2
    # PIET PUK the co-author of row 1 is not PIET PUK the applicant of row 2
    assert len([i for i, n in names.items() if n == "PIET PUK"]) == 2
    assert len(coauthors) == 4
    # other properties of a co-author come from the row's other columns
    assert sorted(str(got[i]["properties"].get("country")) for i in coauthors) == [
        "None", "None", "['nl']", "['nl']"]  # fmt: skip
    # every entity keeps the record it came from, links included
    keys = record_keys(workspace, ctx)
    for coauthor in coauthors:
        (key,) = keys[coauthor]
        assert keys[link_of[coauthor]] == {key}
        subject = got[link_of[coauthor]]["properties"]["subject"][0]
        assert keys[subject] == {key}
    assert {next(iter(keys[i])) for i in jansens} == {"people.csv:2", "people.csv:4"}
    # the refused country of row 3: one reject for the applicant, one (not one per value)
    # for the co-authors
    assert [(r.line, r.field, r.value) for r in rejects] == [(4, "Country", "xx")] * 2

    with workspace.session(ctx) as s:
        again = s.ingest.mapping(mapping)
    assert again.new_statements == 0
    assert set(exported(workspace, ctx)) == set(got)

    # the same values in another order, with other blanks: the same ids, nothing new
    reordered = [ROWS[0], "1,ACME BV,PIET PUK ** JAN JANSEN,nl", *ROWS[2:]]
    write(tmp_path, rows=reordered)
    with workspace.session(ctx) as s:
        third = s.ingest.mapping(mapping)
    assert third.new_statements == 0
    assert set(exported(workspace, ctx)) == set(got)


def test_ids_are_made_from_the_row_key_and_the_value(tmp_path: Path) -> None:
    plan = load_mapping(write(tmp_path))
    names = {
        e.first("name"): e.id for e in _mapped(plan)[0].entities if e.schema.name == "LegalEntity"
    }
    row_key = names["ACME BV"]  # FtM's key of the row: the applicant's id
    assert names["JAN JANSEN"] == value_id(row_key, "JAN JANSEN")
    assert names["PIET PUK"] == value_id(row_key, "PIET PUK")
    each = plan.queries[0].each[0]
    assert each.values({"Coauthor": " b ** a**b****"}) == ["b", "a"]
    assert each.values({"Coauthor": ""}) == each.values({}) == []


def _mapped(plan: MappingPlan) -> list[Mapped]:
    query = plan.queries[0]
    mapper = QueryMapper(query.mapping, Cleaner(), query.each)
    return [mapper.map(record) for _, record in query.readers[0]]  # type: ignore[arg-type]


def test_a_mapping_without_the_extension_is_unchanged(tmp_path: Path) -> None:
    """A plain mapping is mapped as FtM maps it, and adding a per-value entity to it adds
    statements without changing one of the others."""
    seen = utcnow()
    plain = load_mapping(write(tmp_path, PLAIN))
    assert plain.queries[0].each == []
    records = [record for _, record in plain.queries[0].readers[0]]
    ftm = QueryMapping(model, {"csv_url": "x", **_query(PLAIN)}, key_prefix="patents")
    extended = _mapped(load_mapping(write(tmp_path, MAPPING)))
    for record, old, new in zip(records, _mapped(plain), extended, strict=True):
        expected = ftm.map(record)  # type: ignore[arg-type]
        assert {e.id: e.to_dict()["properties"] for e in old.entities} == {
            e.id: e.to_dict()["properties"] for e in expected.values()
        }
        before = set(statement_rows(old, "s", "k", seen))
        after = set(statement_rows(new, "s", "k", seen))
        assert before <= after
        assert not {r.entity_id for r in after - before} & {r.entity_id for r in before}


def _query(text: str) -> dict[str, Any]:
    return dict(yaml.safe_load(text)["patents"]["queries"][0])


# ------------------------------------------------------------------ strict FtM mode

STRICT = MAPPING.replace("patents:\n", "patents:\n  strict_ftm: true\n")


def test_strict_ftm_refuses_the_extension(tmp_path: Path) -> None:
    path = write(tmp_path, STRICT)
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    error = caught.value
    assert error.file == path and error.line == 16  # the `each:` of coauthor
    assert "entity 'coauthor' uses 'each', a casegraph extension" in error.problem
    assert "strict_ftm: true" in error.problem
    assert "remove 'strict_ftm: true'" in str(error)
    # a property's `each: true` alone is refused as well
    strict_plain = PLAIN.replace("patents:\n", "patents:\n  strict_ftm: true\n")
    text = strict_plain.replace("column: Name", "each: true")
    with pytest.raises(MappingError) as caught:
        load_mapping(write(tmp_path, text))
    assert caught.value.line == 11
    assert "entity 'applicant' uses 'each'" in caught.value.problem
    # plain FtM loads in strict mode as it does without it
    plan = load_mapping(write(tmp_path, strict_plain))
    assert [e.name for e in plan.queries[0].mapping.entities] == ["applicant"]


def test_strict_ftm_must_be_true_or_false(tmp_path: Path) -> None:
    with pytest.raises(MappingError) as caught:
        load_mapping(write(tmp_path, STRICT.replace("strict_ftm: true", "strict_ftm: yes please")))
    assert caught.value.line == 2 and "'strict_ftm' must be true or false" in caught.value.problem


def test_strict_refusal_on_the_command_line(store: Settings, tmp_path: Path) -> None:
    casegraph = str(Path(sys.executable).with_name("casegraph"))
    env = env_for(store)
    subprocess.run([casegraph, "init"], env=env, capture_output=True, check=True, timeout=300)
    result = subprocess.run(
        [casegraph, "ingest", str(write(tmp_path, STRICT))],
        env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 2
    assert "mapping.yml:16: entity 'coauthor' uses 'each'" in result.stderr
    assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ bad configuration


@pytest.mark.parametrize(
    ("change", "line", "problem", "fix"),
    [
        (  # each on a missing column
            ("column: Coauthor", "column: Coauthr"),
            16,
            "'each' of entity 'coauthor' reads column 'Coauthr', which is not in people.csv",
            "'Coauthor'",
        ),
        (  # each without split
            ('            split: "**"\n', ""),
            15,
            "'each' of entity 'coauthor' has no 'split'",
            "separator",
        ),
        (  # each that is not a mapping
            ('each:\n            column: Coauthor\n            split: "**"', "each: Coauthor"),
            15,
            "'each' of entity 'coauthor' must be a mapping",
            "each: {column: COLUMN, split: SEPARATOR}",
        ),
        (
            ("split:", "splt:"),
            17,
            "'each' of entity 'coauthor' has an unknown key 'splt'",
            "'column' and 'split'",
        ),
        (  # a link referring to an unknown entity
            ("entity: applicant", "entity: aplicant"),
            28,
            "the link of entity 'coauthor': property 'subject' refers to an entity 'aplicant'",
            "'applicant'",
        ),
        (  # a link schema that is not a relationship
            ("schema: UnknownLink", "schema: Note"),
            25,
            "the link of entity 'coauthor': Note is not a FollowTheMoney relationship",
            "UnknownLink",
        ),
        (
            ("schema: UnknownLink", "schema: UnknownLnk"),
            25,
            "the link of entity 'coauthor' has an unknown schema 'UnknownLnk'",
            "Ownership",
        ),
        (  # an entity reference written as a bare name
            ("subject:\n                entity: applicant", "subject: applicant"),
            27,
            "the link of entity 'coauthor': property 'subject' must be a mapping",
            "subject: {entity: applicant}",
        ),
        (  # a link with one end
            ("              subject:\n                entity: applicant\n", ""),
            26,
            "UnknownLink needs both ends, and 'subject' is not set",
            "subject: {entity: ...}",
        ),
        (  # a link that does not connect the value's entity
            ("                entity: coauthor", "                entity: applicant"),
            26,
            "neither end of the UnknownLink is 'coauthor'",
            "object: {entity: coauthor}",
        ),
        (  # a link whose end has the wrong schema
            ("UnknownLink\n            properties:\n              subject:\n"
             "                entity: applicant\n              object:",
             "Ownership\n            properties:\n              owner:\n"
             "                entity: applicant\n              asset:"),
            30,
            "Ownership:asset refers to Asset entities, and 'coauthor' is a LegalEntity",
            "another relationship",
        ),
        (  # a link with a key of its own
            ("schema: UnknownLink\n", "schema: UnknownLink\n            key: x\n"),
            26,
            "the link of entity 'coauthor' has an unknown key 'key'",
            "its id is made from the value's",
        ),
        (  # a link without each
            ('          each:\n            column: Coauthor\n            split: "**"\n', ""),
            21,
            "entity 'coauthor' has a 'link' but no 'each'",
            "each: {column: COLUMN, split: SEPARATOR}",
        ),
        (  # no property takes the value
            ("            name:\n              each: true\n", ""),
            15,
            "no property takes the value",
            "name: {each: true}",
        ),
        (
            ("each: true\n", "each: true\n              column: Name\n"),
            22,
            "property 'name' of entity 'coauthor' takes both 'each' and 'column'",
            "not both",
        ),
        (
            ("each: true", "each: maybe"),
            21,
            "property 'name' of entity 'coauthor': 'each' must be true",
            "name: {each: true}",
        ),
        (  # `each: true` in an entity made once per row
            ("            name:\n              column: Name\n",
             "            name:\n              each: true\n"),
            10,
            "property 'name' of entity 'applicant' takes 'each', but the entity has no 'each'",
            "add 'each:",
        ),
        (  # an ordinary entity cannot refer to one of many values
            ("            country:\n              column: Country\n        coauthor",
             "            country:\n              column: Country\n            parent:\n"
             "              entity: coauthor\n        coauthor"),
            14,
            "property 'parent' of entity 'applicant' refers to 'coauthor', which is made once",
            "only 'coauthor''s own 'link'",
        ),
    ],
)
def test_bad_extension_names_file_entity_and_field(
    tmp_path: Path, change: tuple[str, str], line: int, problem: str, fix: str
) -> None:
    assert change[0] in MAPPING, change[0]
    path = write(tmp_path, MAPPING.replace(*change))
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    error = caught.value
    assert error.file == path
    assert problem in error.problem
    assert fix in str(error)
    assert error.line == line


def test_a_database_query_reads_the_split_column(tmp_path: Path) -> None:
    """A SQL query selects only the columns a mapping reads: the split one included."""
    with sqlite3.connect(tmp_path / "people.db") as db:
        db.execute("CREATE TABLE people (person_id TEXT, Name TEXT, Coauthor TEXT, Country TEXT)")
        db.executemany("INSERT INTO people VALUES (?, ?, ?, ?)", [r.split(",") for r in ROWS[1:]])
    database = "database: sqlite:///people.db\n      tables: [people]"
    text = MAPPING.replace("csv_url: people.csv", database)
    query = load_mapping(write(tmp_path, text)).queries[0]
    assert query.sql is not None
    mapper = QueryMapper(query.mapping, Cleaner(), query.each)
    made = Counter(e.schema.name for r in query.sql.records for e in mapper.map(r).entities)
    assert made == {"LegalEntity": 7, "UnknownLink": 4}


def test_a_refused_value_names_the_split_column(tmp_path: Path) -> None:
    text = MAPPING.replace("            name:\n              each: true\n",
                           "            name:\n              each: true\n"
                           "            email:\n              each: true\n")  # fmt: skip
    rows = [ROWS[0], "1,ACME BV,info@acme.example**JAN JANSEN,nl"]
    (mapped,) = _mapped(load_mapping(write(tmp_path, text, rows)))
    emails = [e.first("email") for e in mapped.entities if e.schema.name == "LegalEntity"]
    assert sorted(filter(None, emails)) == ["info@acme.example"]
    assert [(r.field, r.value) for r in mapped.refused] == [("Coauthor", "JAN JANSEN")]
