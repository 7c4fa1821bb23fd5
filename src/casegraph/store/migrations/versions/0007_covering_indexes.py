"""Indexes that answer without touching their tables.

* Edges are walked from either end: the ``src`` and ``dst`` indexes become covering
  ones holding the other end, every column a reader's edge filter checks (kind, both
  sources, dates) and the edge's id.
* Search values are checked per document: the ``doc_id`` index also holds the field and
  the value, so a filter checked for one subject's documents, and a facet counted over
  the matches, read that index alone.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FILTERED = ["kind", "source", "source2", "start_date", "end_date"]


def upgrade() -> None:
    op.drop_index("ix_edges_src", table_name="edges")
    op.drop_index("ix_edges_dst", table_name="edges")
    op.create_index("ix_edges_src_walk", "edges", ["src", "dst", *FILTERED, "id"])
    op.create_index("ix_edges_dst_walk", "edges", ["dst", "src", *FILTERED, "id"])
    op.drop_index("ix_search_values_doc", table_name="search_values")
    op.create_index("ix_search_values_doc_field", "search_values", ["doc_id", "field", "value"])


def downgrade() -> None:
    op.drop_index("ix_search_values_doc_field", table_name="search_values")
    op.create_index("ix_search_values_doc", "search_values", ["doc_id"])
    op.drop_index("ix_edges_dst_walk", table_name="edges")
    op.drop_index("ix_edges_src_walk", table_name="edges")
    op.create_index("ix_edges_src", "edges", ["src"])
    op.create_index("ix_edges_dst", "edges", ["dst"])
