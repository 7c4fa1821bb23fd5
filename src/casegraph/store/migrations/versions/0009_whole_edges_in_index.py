"""Whole edges in the ``src`` index: every column a reader sees of an edge (origin,
direction, amount, share, label) joins the covering ``src`` index, so that the edges
among a set of subjects (an expansion, the steps of a path, a case's graph) are read
from that index alone, without one table row per edge. PostgreSQL holds them as
``INCLUDE`` columns, SQLite as trailing key columns.

An index entry has a size limit on PostgreSQL, so labels are cut to ``DISPLAY_MAX``
characters first (as the indexer now writes them; the relationship's own statements
keep the whole text).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

from casegraph.store.migrations.cut_text import cut_long_values

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KEY = ["src", "dst", "kind", "source", "source2", "start_date", "end_date", "id"]
WHOLE = ["origin", "directed", "amount", "share", "label"]
DISPLAY_MAX = 200  # casegraph.model.display.DISPLAY_MAX when this revision was written


def upgrade() -> None:
    cut_long_values("edges", "label", DISPLAY_MAX)
    op.drop_index("ix_edges_src_walk", table_name="edges")
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_edges_src_whole", "edges", KEY, postgresql_include=WHOLE)
    else:
        op.create_index("ix_edges_src_whole", "edges", KEY + WHOLE)


def downgrade() -> None:
    op.drop_index("ix_edges_src_whole", table_name="edges")
    op.create_index("ix_edges_src_walk", "edges", KEY)
