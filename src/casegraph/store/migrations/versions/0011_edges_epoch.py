"""The edges' epoch: one counter, bumped by every transaction that changes an edge, so
that a process holding the graph's structure in memory knows when to read it again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    epoch = op.create_table(
        "edges_epoch",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("epoch", sa.Integer, nullable=False),
    )
    op.bulk_insert(epoch, [{"id": 1, "epoch": 1}])


def downgrade() -> None:
    op.drop_table("edges_epoch")
