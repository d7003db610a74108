"""Database engine, sessions and migrations.

Every table lives on `Base` (models in the module of their concern import it); the schema is
only ever created by alembic (`migrate`), never by `create_all`, so an installed box and a test
run the same migrations. SQLite runs in WAL mode with foreign keys on.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class Base(DeclarativeBase):
    pass


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

    return engine


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def migrate(url: str, revision: str = "heads") -> None:
    """Bring the schema at `url` up to `revision` (alembic upgrade).

    Each concern (scheduling, audit, privacy, …) keeps its own migration branch off the baseline,
    labelled with its name, so "heads" means every concern's latest schema.
    """
    command.upgrade(alembic_config(url), revision)


def open_database(url: str) -> tuple[Engine, sessionmaker]:
    """Migrate, then return the engine and a session factory."""
    migrate(url)
    engine = make_engine(url)
    return engine, sessionmaker(engine, expire_on_commit=False)
