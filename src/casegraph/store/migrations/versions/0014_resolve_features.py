"""Standardised records kept between resolution runs: a record whose statements did not
change is not standardised again (the key covers its statements, schema, source and the
standardising code).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resolve_features",
        sa.Column("entity_id", sa.String(255), primary_key=True),
        sa.Column("feature_key", sa.String(40), nullable=False),
        sa.Column("features", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("resolve_features")
