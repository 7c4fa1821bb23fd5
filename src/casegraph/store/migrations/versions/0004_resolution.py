"""Entity resolution: saved models, judgements, and the last resolve's canonical ids.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "resolve_models",
        sa.Column("grp", sa.String(16), primary_key=True),
        sa.Column("model", sa.Text, nullable=False),
        sa.Column("records", sa.BigInteger, nullable=False),
        sa.Column("trained_at", sa.DateTime, nullable=False),
        sa.Column("trained_by", sa.String(128), nullable=False),
    )
    op.create_table(
        "judgements",
        sa.Column("pair", sa.String(16), primary_key=True),
        sa.Column("origin", sa.String(8), primary_key=True),
        sa.Column("left_id", sa.String(255), nullable=False),
        sa.Column("right_id", sa.String(255), nullable=False),
        sa.Column("left_source", sa.String(64), nullable=False),
        sa.Column("right_source", sa.String(64), nullable=False),
        sa.Column("grp", sa.String(16), nullable=False),
        sa.Column("judgement", sa.String(8), nullable=False),
        sa.Column("probability", sa.Float, nullable=True),
        sa.Column("weight", sa.Float, nullable=True),
        sa.Column("detail", sa.Text, nullable=True),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("reason", sa.Text, nullable=True),
        sa.Column("decided_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_judgements_left", "judgements", ["left_id"])
    op.create_index("ix_judgements_right", "judgements", ["right_id"])
    op.create_index("ix_judgements_review", "judgements", ["origin", "probability"])
    op.create_table(
        "resolved_entities",
        sa.Column("entity_id", sa.String(255), primary_key=True),
        sa.Column("grp", sa.String(16), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("record_key", sa.String(255), nullable=True),
        sa.Column("canonical_id", sa.String(255), nullable=False, index=True),
        sa.Column("digest", sa.String(40), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("resolved_entities")
    op.drop_table("judgements")
    op.drop_table("resolve_models")
