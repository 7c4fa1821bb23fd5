"""Long value lists bound as one parameter, on both stores: short and long lists (past
the length SQLite gets as a plain ``IN`` list), as an index lookup and as a filter,
strings (with quotes, backslashes and separators) and integers, select exactly what
they list."""

from __future__ import annotations

from sqlalchemy import select

from casegraph.service import Workspace
from casegraph.store.tables import search_subjects
from casegraph.store.value_lists import SQLITE_IN_LIST, one_of


def test_one_of_selects_exactly_the_listed_values(workspace: Workspace) -> None:
    count = SQLITE_IN_LIST + 500
    rows = [{"ord": i + 1, "canonical_id": f"cg-{i:06d}"} for i in range(count)]
    with workspace.engine.begin() as conn:
        conn.execute(search_subjects.delete())
        conn.execute(search_subjects.insert(), rows)
        ords, ids = search_subjects.c.ord, search_subjects.c.canonical_id
        for step in (count // 3, 2, 1):  # 3, half and all of them: IN lists and JSON
            wanted = rows[::step]
            names = [r["canonical_id"] for r in wanted] + ["cg-none"]
            numbers = [r["ord"] for r in wanted] + [count + 7]
            for lookup in (True, False):
                by_name = select(ords).where(one_of(conn, ids, names, lookup=lookup))
                by_number = select(ids).where(one_of(conn, ords, numbers, lookup=lookup))
                assert sorted(conn.execute(by_name).scalars()) == [r["ord"] for r in wanted]
                assert sorted(conn.execute(by_number).scalars()) == sorted(
                    r["canonical_id"] for r in wanted
                )
        assert not conn.execute(select(ids).where(one_of(conn, ids, []))).all()
        odd = ['a "quoted" id', "back\\slash\\", "{braces},comma", "NULL", "", " space ", "ünï"]
        conn.execute(
            search_subjects.insert(),
            [{"ord": count + 100 + i, "canonical_id": c} for i, c in enumerate(odd)],
        )
        for lookup in (True, False):
            query = select(ids).where(one_of(conn, ids, [*odd, "cg-000001"], lookup=lookup))
            assert sorted(conn.execute(query).scalars()) == sorted([*odd, "cg-000001"])
