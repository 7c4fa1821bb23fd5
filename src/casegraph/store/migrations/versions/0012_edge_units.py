"""The unit of an edge's amount: the currency a payment states (``EUR``), or ``s`` for
a call's duration, so that money is never added to call time and totals read with their
currency. It joins the covering ``src`` index with the edge's other visible columns.

Existing edges get their unit from their relationship's statements (the ``currency``
property, or the property the amount came from); edges derived later carry it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

KEY = ["src", "dst", "kind", "source", "source2", "start_date", "end_date", "id"]
WHOLE = ["origin", "directed", "amount", "share", "label"]


def _index(whole: list[str]) -> None:
    op.drop_index("ix_edges_src_whole", table_name="edges")
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_edges_src_whole", "edges", KEY, postgresql_include=whole)
    else:
        op.create_index("ix_edges_src_whole", "edges", KEY + whole)


def upgrade() -> None:
    op.add_column("edges", sa.Column("unit", sa.String(8), nullable=True))
    stated = (
        "(SELECT {value} FROM statements s WHERE s.entity_id = edges.origin "
        "AND s.source = edges.source AND s.prop = '{prop}' ORDER BY s.value LIMIT 1)"
    )
    has = stated.format(value="1", prop="{prop}")
    currency = stated.format(value="SUBSTR(UPPER(TRIM(s.value)), 1, 8)", prop="currency")
    op.execute(
        "UPDATE edges SET unit = CASE "
        f"WHEN {has.format(prop='amountEur')} IS NOT NULL THEN 'EUR' "
        f"WHEN {has.format(prop='amount')} IS NOT NULL THEN {currency} "
        f"WHEN {has.format(prop='amountUsd')} IS NOT NULL THEN 'USD' "
        f"WHEN {has.format(prop='duration')} IS NOT NULL THEN 's' END "
        "WHERE amount IS NOT NULL AND kind NOT LIKE 'same:%'"
    )
    _index([*WHOLE, "unit"])


def downgrade() -> None:
    _index(WHOLE)
    op.drop_column("edges", "unit")
