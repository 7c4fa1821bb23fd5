"""The language of each document's text (stated by the file, else recognised from the
text), for the search page's facet. Read contents are queued to be scanned again, when
their language is found (their mentions are found again too; decisions stay).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("doc_files", sa.Column("language", sa.String(8), nullable=True))
    op.execute("UPDATE doc_files SET scanned = 0 WHERE stage = 'done'")


def downgrade() -> None:
    op.drop_column("doc_files", "language")
