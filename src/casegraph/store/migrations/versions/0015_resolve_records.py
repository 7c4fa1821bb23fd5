"""What resolution read of every entity, kept between runs, and the entities written or
erased since: a run reads the statements of those only (``resolve_features`` becomes
``resolve_records``, which a first run under this code fills again).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("resolve_features")
    op.create_table(
        "resolve_records",
        sa.Column("entity_id", sa.String(255), primary_key=True),
        sa.Column("feature_key", sa.String(40), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("schema", sa.String(64), nullable=False),
        sa.Column("record_key", sa.String(255), nullable=True),
        sa.Column("refs", sa.Text(), nullable=True),
        sa.Column("caption", sa.Text(), nullable=True),
        sa.Column("features", sa.Text(), nullable=True),
    )
    op.create_table("resolve_pending", sa.Column("entity_id", sa.String(255), primary_key=True))
    op.create_table(
        "resolve_read_state",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("version", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("resolve_read_state")
    op.drop_table("resolve_pending")
    op.drop_table("resolve_records")
    op.create_table(
        "resolve_features",
        sa.Column("entity_id", sa.String(255), primary_key=True),
        sa.Column("feature_key", sa.String(40), nullable=False),
        sa.Column("features", sa.Text(), nullable=False),
    )
