"""Property: the same rows, twice or in another order, give the same statement set."""

from __future__ import annotations

import csv
import itertools
from pathlib import Path
from tempfile import TemporaryDirectory

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from casegraph.access.context import AccessContext
from casegraph.service import Workspace
from casegraph.store.tables import statements
from tests.conftest import add_source

MAPPING = """{name}:
  queries:
    - csv_url: rows.csv
      entities:
        person:
          schema: Person
          key: id
          properties:
            name:
              column: name
            birthDate:
              column: born
            nationality:
              column: country
        company:
          schema: Company
          key: employer
          properties:
            name:
              column: employer
        job:
          schema: Employment
          keys: [id, employer]
          properties:
            employee:
              entity: person
            employer:
              entity: company
"""

names = st.sampled_from(["Anna Maier", "Peter Maier", "Олег Петров", "José Núñez", "A. B."])
row = st.fixed_dictionaries(
    {
        "id": st.integers(1, 6).map(str),
        "name": names,
        "born": st.sampled_from(["1980-01-02", "1975", "", "not a date"]),
        "country": st.sampled_from(["de", "Germany", "ua", "", "Atlantis"]),
        "employer": st.sampled_from(["Nordlicht GmbH", "Azurmere Ltd", ""]),
    }
)
counter = itertools.count()


def load(workspace: Workspace, ctx: AccessContext, folder: Path, rows: list[dict]) -> set:
    """Ingest ``rows`` into a fresh source; the statements, without the source name."""
    name = f"p{next(counter)}"
    with (folder / "rows.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["id", "name", "born", "country", "employer"])
        writer.writeheader()
        writer.writerows(rows)
    (folder / "m.yml").write_text(MAPPING.format(name="people"))
    with workspace.session(ctx) as s:
        add_source(s, name)
        s.ingest.mapping(folder / "m.yml", source=name)
    cols = (statements.c.entity_id, statements.c.schema, statements.c.prop, statements.c.value)
    with workspace.session(ctx) as s:
        return set(s.conn.execute(select(*cols).where(statements.c.source == name)).all())


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(rows=st.lists(row, min_size=1, max_size=12), seed=st.randoms(use_true_random=False))
def test_order_and_repetition_do_not_change_statements(
    workspace: Workspace, ctx: AccessContext, rows: list[dict], seed: object
) -> None:
    shuffled = list(rows)
    seed.shuffle(shuffled)  # type: ignore[attr-defined]
    with TemporaryDirectory() as tmp:
        folder = Path(tmp)
        once = load(workspace, ctx, folder, rows)
        twice = load(workspace, ctx, folder, rows + rows)
        reordered = load(workspace, ctx, folder, shuffled)
    assert once == twice == reordered
