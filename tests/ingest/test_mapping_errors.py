"""Bad mappings are refused before any row is written, naming file, line and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from casegraph.access.context import AccessContext
from casegraph.ingest.mapping import MappingError, load_mapping
from casegraph.service import Workspace, WorkspaceError
from casegraph.store.runs import list_runs
from casegraph.store.statements import count_statements
from tests.conftest import add_source

GOOD = """people:
  queries:
    - csv_url: people.csv
      entities:
        person:
          schema: Person
          key: id
          properties:
            name:
              column: name
            birthDate:
              column: born
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "people.csv").write_text("id,name,born\n1,Anna Maier,1980-01-02\n")
    return tmp_path


def write(folder: Path, text: str) -> Path:
    path = folder / "mapping.yml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("change", "line", "problem", "fix"),
    [
        (("schema: Person", "schema: Persn"), 6, "unknown schema 'Persn'", "'Person'"),
        (("birthDate:", "birthDat:"), 11, "no property 'birthDat'", "'birthDate'"),
        (("column: born", "column: birth"), 12, "column 'birth' is not in people.csv", "born"),
        (("csv_url: people.csv", "csv_url: missing.csv"), 3, "file not found", "mapping's folder"),
        (("key: id", "key: ident"), 7, "column 'ident'", "id"),
        (("    - csv_url", "   - csv_url"), 4, "not valid YAML", "YAML syntax"),
    ],
)
def test_bad_mapping_names_file_line_and_fix(
    folder: Path, change: tuple[str, str], line: int, problem: str, fix: str
) -> None:
    path = write(folder, GOOD.replace(*change))
    with pytest.raises(MappingError) as caught:
        load_mapping(path)
    error = caught.value
    assert error.file == path
    assert error.line == line
    assert problem in error.problem
    assert fix in str(error)


def test_entity_reference_must_exist(folder: Path) -> None:
    text = GOOD.replace("            birthDate:\n              column: born\n", "") + (
        "        link:\n          schema: Associate\n          key: id\n"
        "          properties:\n            person:\n              entity: persn\n"
    )
    with pytest.raises(MappingError) as caught:
        load_mapping(write(folder, text))
    assert "entity 'persn'" in caught.value.problem
    assert caught.value.line == 16


def test_refused_mapping_writes_nothing(
    workspace: Workspace, ctx: AccessContext, folder: Path
) -> None:
    with workspace.session(ctx) as s:
        add_source(s, "people")
    path = write(folder, GOOD.replace("column: born", "column: birth"))
    with pytest.raises(MappingError), workspace.session(ctx) as s:
        s.ingest.mapping(path)
    with workspace.session(ctx) as s:
        assert count_statements(s.conn) == 0
        assert list_runs(s.conn) == []


def test_unregistered_source_is_refused(
    workspace: Workspace, ctx: AccessContext, folder: Path
) -> None:
    with (
        pytest.raises(WorkspaceError, match="casegraph source add people"),
        workspace.session(ctx) as s,
    ):
        s.ingest.mapping(write(folder, GOOD))


def test_remote_urls_are_refused(folder: Path) -> None:
    path = write(folder, GOOD.replace("people.csv", "https://example.org/people.csv"))
    with pytest.raises(MappingError, match="local files only"):
        load_mapping(path)


def test_database_mapping_unknown_column(folder: Path, shared_data: Path) -> None:
    kek = shared_data / "ingest" / "kek_media_ownership"
    text = (kek / "kek.yml").read_text()
    text = text.replace("${FTM_TEST_DATABASE_URI}", f"sqlite:///{kek / 'kek.sqlite'}")
    path = write(folder, text.replace("column: comp.url", "column: comp.website"))
    with pytest.raises(MappingError) as caught:
        load_mapping(path, source="kek")
    assert "comp.website" in caught.value.problem
    assert caught.value.line == 25
