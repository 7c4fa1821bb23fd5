"""Facet bitmaps: subject ordinals, and per (field, value, source) the subjects whose
document holds the value, as a Roaring bitmap; filled from the documents already there.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from pyroaring import BitMap

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

# (field, value, source, canonical id) of every document, as search_index writes them
KEYS = """
SELECT 'schema' AS field, d.schema AS value, d.source AS source, d.canonical_id AS cid
  FROM search_docs d
UNION ALL SELECT 'source', '', d.source, d.canonical_id FROM search_docs d
UNION ALL SELECT 'adult_on', substr(d.adult_on, 1, 4), d.source, d.canonical_id
  FROM search_docs d WHERE d.adult_on IS NOT NULL
UNION ALL SELECT v.field, v.value, d.source, d.canonical_id
  FROM search_values v JOIN search_docs d ON d.id = v.doc_id
  WHERE v.field IN ('country', 'year')
"""


def upgrade() -> None:
    op.create_table(
        "search_subjects",
        sa.Column("ord", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("canonical_id", sa.String(255), nullable=False, unique=True),
    )
    bitmaps = op.create_table(
        "search_bitmaps",
        sa.Column("field", sa.String(32), primary_key=True),
        sa.Column("value", sa.String(255), primary_key=True),
        sa.Column("source", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("members", sa.Integer, nullable=False),
        sa.Column("bits", sa.LargeBinary, nullable=False),
    )
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "INSERT INTO search_subjects (canonical_id) "
            "SELECT DISTINCT canonical_id FROM search_docs ORDER BY canonical_id"
        )
    )
    found: dict[tuple[str, str, str], BitMap] = {}
    rows = conn.execute(
        sa.text(
            f"SELECT k.field, k.value, k.source, o.ord FROM ({KEYS}) AS k "
            "JOIN search_subjects o ON o.canonical_id = k.cid"
        ).execution_options(stream_results=True, yield_per=100_000)
    )
    for field, value, source, ord_ in rows:
        key = (str(field), str(value), str(source))
        if key not in found:
            found[key] = BitMap()
        found[key].add(int(ord_))
    items = sorted(found.items())
    for start in range(0, len(items), 200):
        op.bulk_insert(
            bitmaps,
            [
                {"field": f, "value": v, "source": s, "version": 1,
                 "members": len(bits), "bits": bits.serialize()}
                for (f, v, s), bits in items[start : start + 200]
            ],
        )  # fmt: skip


def downgrade() -> None:
    op.drop_table("search_bitmaps")
    op.drop_table("search_subjects")
