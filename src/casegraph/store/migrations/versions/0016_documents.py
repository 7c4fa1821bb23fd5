"""Documents: each file's content once by SHA-256 with its text per page (full-text
indexed), the files inside each, and every place a file was found in a source.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "doc_files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("schema", sa.String(32), nullable=True),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("error_stage", sa.String(16), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("ocr_languages", sa.String(64), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("paged", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("meta", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(255), nullable=True),
        sa.Column("in_reply_to", sa.String(255), nullable=True),
        sa.Column("dated", sa.String(32), nullable=True),
        sa.Column("processed_at", sa.DateTime(), nullable=True),
    )
    op.create_index("ix_doc_files_stage", "doc_files", ["stage"])
    op.create_index("ix_doc_files_message_id", "doc_files", ["message_id"])
    op.create_index("ix_doc_files_in_reply_to", "doc_files", ["in_reply_to"])
    op.create_table(
        "doc_pages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("page", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("ocr", sa.String(8), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
    )
    op.create_index("ix_doc_pages_page", "doc_pages", ["sha256", "page"], unique=True)
    op.create_index("ix_doc_pages_ocr", "doc_pages", ["ocr"])
    op.create_table(
        "doc_members",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("child", sa.String(64), nullable=False),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("parent_id", sa.String(40), nullable=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("added_by", sa.String(128), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_documents_source", "documents", ["source"])
    op.create_index("ix_documents_sha256", "documents", ["sha256"])
    op.create_index("ix_documents_parent_id", "documents", ["parent_id"])
    if op.get_bind().dialect.name == "sqlite":
        op.execute(
            "CREATE VIRTUAL TABLE doc_fts USING fts5(text, content='doc_pages', "
            "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
        )
        op.execute(
            "CREATE TRIGGER doc_pages_ai AFTER INSERT ON doc_pages BEGIN "
            "INSERT INTO doc_fts(rowid, text) VALUES (new.id, new.text); END"
        )
        op.execute(
            "CREATE TRIGGER doc_pages_ad AFTER DELETE ON doc_pages BEGIN "
            "INSERT INTO doc_fts(doc_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
        )
        op.execute(
            "CREATE TRIGGER doc_pages_au AFTER UPDATE OF text ON doc_pages BEGIN "
            "INSERT INTO doc_fts(doc_fts, rowid, text) VALUES ('delete', old.id, old.text); "
            "INSERT INTO doc_fts(rowid, text) VALUES (new.id, new.text); END"
        )
    else:
        op.execute(
            # ASCII punctuation as spaces: words as SQLite's FTS5 sees them (an e-mail
            # address is three words, not one): store/documents.py
            "ALTER TABLE doc_pages ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple', regexp_replace(text, '[[:punct:]]+', ' ', 'g'))) STORED"
        )
        op.execute("CREATE INDEX ix_doc_pages_tsv ON doc_pages USING gin (tsv)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE doc_fts")
    for name in ("documents", "doc_members", "doc_pages", "doc_files"):
        op.drop_table(name)
