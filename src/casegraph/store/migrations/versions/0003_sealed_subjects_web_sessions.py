"""Subjects flagged as sealed; signed-in web sessions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sealed_subjects",
        sa.Column("canonical_id", sa.String(255), primary_key=True),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("sealed_by", sa.String(128), nullable=False),
        sa.Column("sealed_at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_sessions")
    op.drop_table("sealed_subjects")
