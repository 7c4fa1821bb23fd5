"""For revisions: long values of a text column cut to ``most`` characters and an
ellipsis, as ``casegraph.model.display.cut`` cuts them for the indexer."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op


def cut_long_values(table: str, column: str, most: int) -> None:
    op.get_bind().execute(
        sa.text(
            f"UPDATE {table} SET {column} = substr({column}, 1, :keep) || :cut "
            f"WHERE length({column}) > :most"
        ),
        {"keep": most - 1, "cut": "\u2026", "most": most},
    )
