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
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, sessionmaker

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


class Base(DeclarativeBase):
    pass


class StoreUnavailable(Exception):
    """The configured database cannot be used; the message names the setting, why, and the fix."""

    code = "store-unavailable"


def describe_url(url: str) -> str:
    """The URL without its password (fit for a message or the journal)."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(not a database URL)"


def _unavailable(url: str, exc: BaseException) -> StoreUnavailable:
    from appliance.config import config_file

    orig = getattr(exc, "orig", None) or exc
    reason = str(orig).strip().splitlines()[0] if str(orig).strip() else type(orig).__name__
    if isinstance(exc, ArgumentError | NoSuchModuleError):
        fix = "write it as dialect+driver://user@host/name (sqlite:///path, postgresql+psycopg://…)"
    else:
        fix = "start the database server, check its address and credentials, or leave it empty for SQLite"
    return StoreUnavailable(
        f"{config_file()}: store.database_url ({describe_url(url)}): cannot be used: {reason}; fix: {fix}"
    )


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
    try:
        command.upgrade(alembic_config(url), revision)
    except SQLAlchemyError as exc:
        raise _unavailable(url, exc) from None


def open_database(url: str) -> tuple[Engine, sessionmaker]:
    """Migrate, then return the engine and a session factory."""
    migrate(url)
    try:
        engine = make_engine(url)
    except SQLAlchemyError as exc:
        raise _unavailable(url, exc) from None
    return engine, sessionmaker(engine, expire_on_commit=False)
