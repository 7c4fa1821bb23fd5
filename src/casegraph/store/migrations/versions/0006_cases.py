"""Cases in full: lifecycle, members, subjects, tasks, notes, comments, evidence with a
chain of custody, events and reviews (replaces the minimal cases table of 0002).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

CASE_COLUMNS = (
    sa.Column("case_type", sa.String(32), nullable=False, server_default="other"),
    sa.Column("legal_basis", sa.Text, nullable=False, server_default=""),
    sa.Column("predicate", sa.Text, nullable=False, server_default=""),
    sa.Column("purpose", sa.Text, nullable=False, server_default=""),
    sa.Column("lead", sa.String(64), nullable=True),
    sa.Column("team", sa.String(64), nullable=True),
    sa.Column("priority", sa.String(16), nullable=False, server_default="normal"),
    sa.Column("status", sa.String(16), nullable=False, server_default="open"),
    sa.Column("review_on", sa.Date, nullable=True),
    sa.Column("retention_days", sa.Integer, nullable=False, server_default="1825"),
    sa.Column("closed_at", sa.DateTime, nullable=True),
    sa.Column("erased_at", sa.DateTime, nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=True),
    sa.Column("version", sa.Integer, nullable=False, server_default="1"),
)


def upgrade() -> None:
    for column in CASE_COLUMNS:
        op.add_column("cases", column)
    op.create_index("ix_cases_review_on", "cases", ["review_on"])
    op.add_column("case_members", sa.Column("added_at", sa.DateTime, nullable=True))
    op.add_column("case_members", sa.Column("added_by", sa.String(128), nullable=True))
    op.create_index("ix_case_members_username", "case_members", ["username"])
    op.create_table(
        "case_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("ref", sa.String(255), nullable=True),
        sa.Column("reason", sa.Text, nullable=True),
    )
    op.create_table(
        "case_subjects",
        sa.Column("case_id", sa.String(32), primary_key=True),
        sa.Column("canonical_id", sa.String(255), primary_key=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_index("ix_case_subjects_canonical_id", "case_subjects", ["canonical_id"])
    op.create_table(
        "case_tasks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), nullable=False, index=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("assignee", sa.String(64), nullable=True, index=True),
        sa.Column("due_on", sa.Date, nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("checklist", sa.Text, nullable=False),  # JSON [{"text", "done"}]
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), nullable=False, index=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("created_by", sa.String(128), nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("updated_by", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "case_note_revisions",
        sa.Column("note_id", sa.Integer, primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "case_comments",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), nullable=False, index=True),
        sa.Column("target", sa.String(32), nullable=False),  # task:3, note:7, evidence:2
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("author", sa.String(128), nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_table(
        "case_evidence",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), nullable=False, index=True),
        sa.Column("sha256", sa.String(64), nullable=False, index=True),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("media_type", sa.String(255), nullable=False),
        sa.Column("filename", sa.Text, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("added_at", sa.DateTime, nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
    )
    op.create_table(
        "case_custody",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("evidence_id", sa.Integer, nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(128), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("party", sa.Text, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
    )
    op.create_table(
        "case_reviews",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("case_id", sa.String(32), nullable=False, index=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("reviewer", sa.String(128), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("next_review", sa.Date, nullable=True),
    )


def downgrade() -> None:
    for name in ("case_reviews", "case_custody", "case_evidence", "case_comments",
                 "case_note_revisions", "case_notes", "case_tasks", "case_subjects",
                 "case_events"):  # fmt: skip
        op.drop_table(name)
    op.drop_index("ix_case_members_username", "case_members")
    op.drop_index("ix_cases_review_on", "cases")
    with op.batch_alter_table("case_members") as batch:
        batch.drop_column("added_by")
        batch.drop_column("added_at")
    with op.batch_alter_table("cases") as batch:
        for column in reversed(CASE_COLUMNS):
            batch.drop_column(column.name)
