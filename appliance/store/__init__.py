"""Storage: SQLAlchemy models and sessions, alembic migrations (SQLite by default, PostgreSQL too)."""
