"""A change to most of a table's rows sets the indexes on the changed columns aside
(SQLite) and builds them again as they were; a small change, or PostgreSQL, keeps them;
a failed change loses nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from casegraph.service import Workspace
from casegraph.store import bulk


def _indexes(conn: Connection) -> dict[str, tuple[str, ...]]:
    return {str(i["name"]): tuple(str(c) for c in i["column_names"])
            for i in inspect(conn).get_indexes("edges")}  # fmt: skip


@pytest.mark.parametrize("share", [0.9, 0.01])
def test_indexes_are_set_aside_for_a_large_change_and_come_back(
    workspace: Workspace, share: float
) -> None:
    with workspace.engine.begin() as conn:
        before = _indexes(conn)
        with bulk.indexes_set_aside(conn, "edges", ("src", "dst"), lambda: share):
            inside = set(before) - set(_indexes(conn))
        assert _indexes(conn) == before
    touching = {n for n, cols in before.items() if {"src", "dst"} & set(cols)}
    assert touching  # the walk indexes lead with src and dst
    large = share >= bulk.SET_ASIDE_SHARE and workspace.engine.dialect.name == "sqlite"
    assert inside == (touching if large else set())
    with workspace.engine.connect() as conn:
        assert _indexes(conn) == before


def test_a_failed_change_keeps_every_index(workspace: Workspace) -> None:
    with workspace.engine.connect() as conn:
        before = _indexes(conn)
    with (pytest.raises(RuntimeError), workspace.engine.begin() as conn,
          bulk.indexes_set_aside(conn, "edges", ("src",), lambda: 1.0)):  # fmt: skip
        raise RuntimeError("the change failed")
    with workspace.engine.connect() as conn:
        assert _indexes(conn) == before
