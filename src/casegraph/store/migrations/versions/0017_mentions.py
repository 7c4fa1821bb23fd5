"""Mentions: the identifiers and known names found in each document's text, and the
analysts' decisions on them (kept apart, so that they outlive a re-reading).

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("doc_files", sa.Column("country", sa.String(2), nullable=True))
    op.add_column("doc_files", sa.Column("scanned", sa.Integer(), nullable=False,
                                         server_default="0"))  # fmt: skip
    op.create_index("ix_doc_files_scanned", "doc_files", ["scanned"])
    op.create_table(
        "doc_mentions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("char_start", sa.Integer(), nullable=False),
        sa.Column("char_end", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(255), nullable=False),
        sa.Column("rule", sa.String(16), nullable=False),
        sa.Column("field", sa.String(16), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
    )
    op.create_index("ix_doc_mentions_sha256", "doc_mentions", ["sha256", "page"])
    op.create_index("ix_doc_mentions_key", "doc_mentions", ["field", "key"])
    op.create_table(
        "mention_decisions",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("page", sa.Integer(), primary_key=True),
        sa.Column("char_start", sa.Integer(), primary_key=True),
        sa.Column("char_end", sa.Integer(), primary_key=True),
        sa.Column("canonical_id", sa.String(255), primary_key=True),
        sa.Column("text", sa.String(255), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("decided_by", sa.String(128), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_mention_decisions_canonical_id", "mention_decisions", ["canonical_id"])


def downgrade() -> None:
    op.drop_table("mention_decisions")
    op.drop_table("doc_mentions")
    op.drop_index("ix_doc_files_scanned", table_name="doc_files")
    op.drop_column("doc_files", "scanned")
    op.drop_column("doc_files", "country")
