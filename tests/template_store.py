"""Migrated template stores: the ``workspace`` fixture copies one instead of migrating.

Running every Alembic migration for each test cost more than many tests themselves.
The suite now migrates once per run, with the real migrations, and gives each test a
store of its own made from that result:

* SQLite: ``Workspace.init`` migrates a store in a folder of the run's own; its
  write-ahead log is checkpointed into the file and the file closed, and each test gets
  a copy of the file in its own data folder, made private as ``Workspace.init`` makes
  them.
* PostgreSQL: the migrations run once in a scratch schema (dropped after) while every
  statement they send is recorded; each test's own, empty schema is then sent the same
  statements, with the same parameters, in the same order, in one transaction. The
  reads among them are harmless and keep the replay verbatim.

Nothing of one test's store is shared with another's: the template is never handed
out, only copied. Tests of migrating itself (``casegraph init``, ``db upgrade``,
``Workspace.init``) still migrate; ``tests/store/test_template_store.py`` checks that a
copy is what migrating gives.
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

from casegraph.config import Settings, normalise_database_url
from casegraph.service import Workspace
from casegraph.store import migrate
from casegraph.store.engine import make_engine
from casegraph.store.private import private_sqlite_file

# (statement, parameters, executemany) as the driver received them
Recorded = tuple[str, Any, bool]


def schema_url(url: str, schema: str) -> str:
    """``url`` with every connection's search path set to ``schema`` alone."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


def sqlite_path(settings: Settings) -> Path:
    return Path(make_url(settings.store_url).database or "")


def migrate_sqlite(folder: Path) -> Path:
    """Migrate a SQLite store in ``folder``; the path of its file, whole and closed."""
    workspace, _, _ = Workspace.init(Settings(data_dir=folder, operator="template"))
    path = sqlite_path(workspace.settings)
    workspace.close()
    conn = sqlite3.connect(path)  # fold whatever the log still holds into the file
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    return path


def copy_sqlite(template: Path, settings: Settings) -> None:
    """Give the (not yet created) SQLite store of ``settings`` a copy of ``template``."""
    path = sqlite_path(settings)
    if path.exists():
        raise FileExistsError(f"{path} exists: a template is copied into new stores only")
    private_sqlite_file(path)  # as Workspace.init does: the folder 0700, the file 0600
    shutil.copyfile(template, path)  # into that file, which keeps its mode


def record_postgresql(url: str) -> list[Recorded]:
    """Migrate a scratch schema of the PostgreSQL database at ``url``; every statement sent."""
    admin = create_engine(normalise_database_url(url))
    schema = f"t_template_{uuid.uuid4().hex[:12]}"
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = make_engine(normalise_database_url(schema_url(url, schema)))
    sent: list[Recorded] = []

    def record(
        _conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, many: bool
    ) -> None:
        sent.append((statement, parameters, many))

    event.listen(engine, "before_cursor_execute", record)
    try:
        migrate.upgrade(engine)
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    for statement, parameters, _many in sent:  # replayed elsewhere: nothing names this one
        if schema in statement or schema in repr(parameters):
            raise RuntimeError(f"a migration names its schema, cannot replay: {statement}")
    return sent


def replay_postgresql(statements: Sequence[Recorded], settings: Settings) -> None:
    """Send ``statements`` to the (empty) PostgreSQL store of ``settings``, in one
    transaction."""
    engine = make_engine(settings.store_url)
    try:
        with engine.begin() as conn:
            cursor = conn.connection.cursor()
            for statement, parameters, many in statements:
                if many:
                    cursor.executemany(statement, parameters)
                else:
                    cursor.execute(statement, parameters)
            cursor.close()
    finally:
        engine.dispose()


@dataclass
class Templates:
    """The run's templates, each made when a test first needs it."""

    folder: Path
    postgres_url: str
    _sqlite: Path | None = None
    _postgresql: list[Recorded] = field(default_factory=list)

    def make(self, settings: Settings) -> None:
        """Make the new, empty store of ``settings`` a migrated one."""
        if settings.database_url:
            if not self._postgresql:
                self._postgresql = record_postgresql(self.postgres_url)
            replay_postgresql(self._postgresql, settings)
            return
        if self._sqlite is None:
            self._sqlite = migrate_sqlite(self.folder)
        copy_sqlite(self._sqlite, settings)
