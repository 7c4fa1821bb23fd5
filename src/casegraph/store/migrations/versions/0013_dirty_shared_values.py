"""Shared values waiting for their edges: the index refresh rebuilds the "same:" edges
of each value once, after every subject of the refresh is indexed, instead of once per
batch that holds one of its subjects.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dirty_shared_values",
        sa.Column("field", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(255), primary_key=True),
    )


def downgrade() -> None:
    op.drop_table("dirty_shared_values")
