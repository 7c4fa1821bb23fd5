"""Subject cards from the index: on PostgreSQL the ``(canonical_id, source)`` index of
the search documents also holds their caption, schema and coming of age (``INCLUDE``),
so that showing a neighbourhood's or a case's subjects (``graph_store.cards``) reads
that index alone, without one table row per document. SQLite reads those rows cheaply
and keeps its index as it is.

An index entry has a size limit on PostgreSQL, so captions are cut to ``DISPLAY_MAX``
characters first, on both stores (as the indexer now writes them; the subject's
statements keep every name whole).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

from casegraph.store.migrations.cut_text import cut_long_values

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

KEY = ["canonical_id", "source"]
CARD = ["caption", "schema", "adult_on"]
DISPLAY_MAX = 200  # casegraph.model.display.DISPLAY_MAX when this revision was written


def upgrade() -> None:
    cut_long_values("search_docs", "caption", DISPLAY_MAX)
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_search_docs_subject", table_name="search_docs")
        op.create_index(
            "ix_search_docs_subject", "search_docs", KEY, unique=True, postgresql_include=CARD
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_search_docs_subject", table_name="search_docs")
        op.create_index("ix_search_docs_subject", "search_docs", KEY, unique=True)
