"""Leads: screening configurations, resumable runs, the digests of what each run
compared, the leads found with the decisions on them, and red-flag hits.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("against", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(300), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_run", sa.Integer(), nullable=True),
    )
    op.create_index("ix_screenings_against", "screenings", ["against"])
    op.create_table(
        "screen_runs",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("screening", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("entries_key", sa.String(40), nullable=False),
        sa.Column("cursor", sa.String(255), nullable=True),
        sa.Column("subjects", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("changed_subjects", sa.Integer(), nullable=False),
        sa.Column("changed_entries", sa.Integer(), nullable=False),
        sa.Column("compared", sa.BigInteger(), nullable=False),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=True),
    )
    op.create_index("ix_screen_runs_screening", "screen_runs", ["screening"])
    op.create_table(
        "screen_digests",
        sa.Column("screening", sa.String(20), primary_key=True),
        sa.Column("side", sa.String(1), primary_key=True),
        sa.Column("canonical_id", sa.String(255), primary_key=True),
        sa.Column("digest", sa.String(20), nullable=False),
    )
    op.create_table(
        "leads",
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("against", sa.String(64), nullable=False),
        sa.Column("subject_id", sa.String(255), nullable=False),
        sa.Column("entry_id", sa.String(255), nullable=False),
        sa.Column("subject_caption", sa.Text(), nullable=False),
        sa.Column("entry_caption", sa.Text(), nullable=False),
        sa.Column("subject_entities", sa.Text(), nullable=False),
        sa.Column("entry_entities", sa.Text(), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("strength", sa.Float(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(128), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("screening", sa.String(20), nullable=False),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_leads_against", "leads", ["against"])
    op.create_index("ix_leads_subject_id", "leads", ["subject_id"])
    op.create_index("ix_leads_case_id", "leads", ["case_id"])
    op.create_index("ix_leads_rank", "leads", ["against", "score"])
    op.create_table(
        "flag_hits",
        sa.Column("id", sa.String(20), primary_key=True),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(300), nullable=False),
        sa.Column("subjects", sa.Text(), nullable=False),
        sa.Column("edges", sa.Text(), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("shape", sa.String(16), nullable=False),
        sa.Column("sources", sa.Text(), nullable=False),
        sa.Column("active", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(128), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("case_id", sa.String(32), nullable=True),
        sa.Column("found_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_flag_hits_rule", "flag_hits", ["rule"])
    op.create_index("ix_flag_hits_case_id", "flag_hits", ["case_id"])


def downgrade() -> None:
    op.drop_table("flag_hits")
    op.drop_table("leads")
    op.drop_table("screen_digests")
    op.drop_table("screen_runs")
    op.drop_table("screenings")
