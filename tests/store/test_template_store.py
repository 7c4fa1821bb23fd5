"""The migrated template that the ``workspace`` fixture copies (tests/template_store.py):
a copy is what migrating gives, and each copy is a store of its own."""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from psycopg.errors import DuplicateTable
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import Connection

from casegraph.config import Settings, normalise_database_url
from casegraph.service import Workspace
from tests.conftest import POSTGRES_URL
from tests.template_store import Templates, schema_url, sqlite_path

CATALOG = {
    "postgresql": [
        "SELECT table_name, column_name, ordinal_position, data_type, character_maximum_length,"
        " column_default, is_nullable, is_generated, generation_expression"
        " FROM information_schema.columns WHERE table_schema = current_schema()",
        "SELECT indexname, replace(indexdef, current_schema() || '.', '')"
        " FROM pg_indexes WHERE schemaname = current_schema()",
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)"
        " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace",
        "SELECT sequencename, data_type, start_value, increment_by, last_value"
        " FROM pg_sequences WHERE schemaname = current_schema()",
        "SELECT event_object_table, trigger_name, action_timing, action_statement"
        " FROM information_schema.triggers WHERE trigger_schema = current_schema()",
        "SELECT table_name, view_definition FROM information_schema.views"
        " WHERE table_schema = current_schema()",
        "SELECT proname, pg_get_functiondef(oid) FROM pg_proc"
        " WHERE pronamespace = current_schema()::regnamespace",
    ],
    "sqlite": [
        "SELECT type, name, tbl_name, sql FROM sqlite_master",
        "PRAGMA journal_mode",
        "PRAGMA user_version",
    ],
}


def describe(workspace: Workspace) -> dict[str, Any]:
    """Every object of the store's schema and every row of every table, in order."""
    found: dict[str, Any] = {}
    with workspace.engine.connect() as conn:
        for query in CATALOG[workspace.engine.dialect.name]:
            found[query] = sorted(tuple(map(repr, row)) for row in conn.exec_driver_sql(query))
        for table in inspect(conn).get_table_names():
            found[table] = rows(conn, table)
        conn.rollback()
    return found


def rows(conn: Connection, table: str) -> list[tuple[str, ...]]:
    return sorted(tuple(map(repr, row)) for row in conn.execute(text(f'SELECT * FROM "{table}"')))


@pytest.fixture
def another(store: Settings, tmp_path: Path) -> Iterator[Settings]:
    """A second empty store of the same kind as ``store``."""
    if not store.database_url:
        yield Settings(data_dir=tmp_path / "another", operator="tester")
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(normalise_database_url(POSTGRES_URL))
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield Settings(
            data_dir=tmp_path / "another", database_url=schema_url(POSTGRES_URL, schema),
            operator="tester",
        )  # fmt: skip
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_a_copy_of_the_template_is_what_migrating_gives(
    store: Settings, another: Settings, templates: Templates
) -> None:
    migrated, _, _ = Workspace.init(store)
    templates.make(another)
    copied = Workspace.open(another)
    try:
        assert describe(copied) == describe(migrated)
        if not store.database_url:  # the folder and the file as private as init makes them
            for made, copy in ((store.data_dir, another.data_dir), (sqlite_path(store),
                               sqlite_path(another))):  # fmt: skip
                assert stat.S_IMODE(copy.stat().st_mode) == stat.S_IMODE(made.stat().st_mode)
    finally:
        migrated.close()
        copied.close()


def test_each_copy_is_a_store_of_its_own(
    store: Settings, another: Settings, templates: Templates
) -> None:
    templates.make(store)
    templates.make(another)
    first, second = Workspace.open(store), Workspace.open(another)
    try:
        with first.engine.begin() as conn:
            conn.execute(text("UPDATE edges_epoch SET epoch = epoch + 41"))
        with second.engine.connect() as conn:
            assert conn.execute(text("SELECT epoch FROM edges_epoch")).scalar_one() == 1
            conn.rollback()
    finally:
        first.close()
        second.close()
    with pytest.raises((FileExistsError, DuplicateTable)):
        templates.make(store)  # never over a store that exists
