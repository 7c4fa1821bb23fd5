"""Storage: SQLAlchemy Core tables, Alembic migrations, bulk writers, dialect adapters.

No policy lives here; everything dialect-specific does.
"""
