"""Search index and graph edges, derived from statements (rebuildable at any time).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "dirty_subjects",
        sa.Column("canonical_id", sa.String(255), primary_key=True),
        sa.Column("source", sa.String(64), primary_key=True),
    )
    op.create_table(
        "search_docs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("canonical_id", sa.String(255), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("schema", sa.String(64), nullable=False),
        sa.Column("caption", sa.Text, nullable=False),
        sa.Column("names", sa.Text, nullable=False),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("terms", sa.Text, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("adult_on", sa.String(10), nullable=True),
    )
    op.create_index(
        "ix_search_docs_subject", "search_docs", ["canonical_id", "source"], unique=True
    )
    op.create_index("ix_search_docs_adult_on", "search_docs", ["adult_on"])
    op.create_table(
        "search_values",
        sa.Column("doc_id", sa.Integer, nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
    )
    op.create_index("ix_search_values_field", "search_values", ["field", "value"])
    op.create_index("ix_search_values_doc", "search_values", ["doc_id"])
    op.create_table(
        "search_terms",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("term", sa.String(64), nullable=False, unique=True),
        sa.Column("docs", sa.Integer, nullable=False),
    )
    op.create_table(
        "search_term_variants",
        sa.Column("variant", sa.String(64), primary_key=True),
        sa.Column("term", sa.String(64), primary_key=True),
    )
    op.create_table(
        "edges",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("src", sa.String(255), nullable=False),
        sa.Column("dst", sa.String(255), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("origin", sa.String(255), nullable=False),
        sa.Column("origin_subject", sa.String(255), nullable=True),
        sa.Column("src_entity", sa.String(255), nullable=True),
        sa.Column("dst_entity", sa.String(255), nullable=True),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("source2", sa.String(64), nullable=False),
        sa.Column("directed", sa.Integer, nullable=False),
        sa.Column("start_date", sa.String(32), nullable=True),
        sa.Column("end_date", sa.String(32), nullable=True),
        sa.Column("amount", sa.Float, nullable=True),
        sa.Column("share", sa.Float, nullable=True),
        sa.Column("label", sa.Text, nullable=True),
    )
    op.create_index("ix_edges_src", "edges", ["src"])
    op.create_index("ix_edges_dst", "edges", ["dst"])
    op.create_index("ix_edges_origin", "edges", ["origin"])
    op.create_index("ix_edges_origin_subject", "edges", ["origin_subject", "source"])
    # selective column first: refreshes look edges up by end entity
    op.create_index("ix_edges_src_entity", "edges", ["src_entity", "source"])
    op.create_index("ix_edges_dst_entity", "edges", ["dst_entity", "source2"])
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("CREATE VIRTUAL TABLE search_fts USING fts5(terms, body, tokenize='unicode61')")
        op.execute(
            "CREATE VIRTUAL TABLE search_terms_trigram USING fts5("
            "term, content='search_terms', content_rowid='id', tokenize='trigram')"
        )
        op.execute(
            "CREATE TRIGGER search_terms_ai AFTER INSERT ON search_terms BEGIN "
            "INSERT INTO search_terms_trigram(rowid, term) VALUES (new.id, new.term); END"
        )
        op.execute(
            "CREATE TRIGGER search_terms_ad AFTER DELETE ON search_terms BEGIN "
            "INSERT INTO search_terms_trigram(search_terms_trigram, rowid, term) "
            "VALUES ('delete', old.id, old.term); END"
        )
    else:
        # the extension lives in one schema per database (public unless it was already
        # installed elsewhere); its operator class is named with that schema
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
        where = bind.exec_driver_sql(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
            "ON e.extnamespace = n.oid WHERE e.extname = 'pg_trgm'"
        ).scalar_one()
        op.execute(
            "ALTER TABLE search_docs ADD COLUMN tsv tsvector GENERATED ALWAYS AS "
            "(setweight(to_tsvector('simple', terms), 'A') || "
            "setweight(to_tsvector('simple', body), 'B')) STORED"
        )
        op.execute("CREATE INDEX ix_search_docs_tsv ON search_docs USING gin (tsv)")
        op.execute(
            "CREATE INDEX ix_search_terms_trigram ON search_terms "
            f"USING gin (term {where}.gin_trgm_ops)"
        )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TABLE search_terms_trigram")
        op.execute("DROP TABLE search_fts")
    for name in ("edges", "search_term_variants", "search_terms", "search_values",
                 "search_docs", "dirty_subjects"):  # fmt: skip
        op.drop_table(name)
