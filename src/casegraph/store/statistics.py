"""Planner statistics after bulk changes (PostgreSQL).

PostgreSQL plans a join by the statistics ANALYZE gathered. Autovacuum gathers them on
its own schedule, when it runs at all: a server may have it off, and a load of a
million records outpaces it. A table loaded since its last ANALYZE looks empty to the
planner, which then picks nested loops over hundreds of thousands of rows (a
resolution of 100,000 records ran for over ten minutes where it takes two with
statistics). ``refresh`` analyzes the tables of the workspace that changed by more than
autovacuum's own default share since their last ANALYZE, after ingest and before and
during resolution and the index refresh. SQLite plans without gathered statistics:
nothing to do there."""

from __future__ import annotations

from sqlalchemy.engine import Connection

STALE_SHARE = 0.1  # autovacuum_analyze_scale_factor's default
STALE_ROWS = 50  # autovacuum_analyze_threshold's default


def refresh(conn: Connection) -> list[str]:
    """ANALYZE the tables of this schema changed past the threshold since their last
    statistics (their counts as of the last commit); returns their names. On a
    connection of its own, committed at once: ANALYZE locks its table against other
    ANALYZEs until its transaction ends, which in the caller's would wait on (and
    for) whatever another session holds."""
    if conn.dialect.name != "postgresql":
        return []
    with conn.engine.connect() as own:
        stale = [
            str(name)
            for (name,) in own.exec_driver_sql(
                "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema() "
                "AND n_mod_since_analyze > %(rows)s + %(share)s * greatest(n_live_tup, 0) "
                "ORDER BY relname",
                {"rows": STALE_ROWS, "share": STALE_SHARE},
            )
        ]
        for name in stale:
            own.exec_driver_sql(f'ANALYZE "{name}"')
        own.commit()
    return stale
