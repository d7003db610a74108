"""Names the site already knows (patients and guardians in the scheduling store), for redaction.

Read with plain SQL so that redaction does not depend on the scheduling models; a database that
does not exist yet, or has no such tables, simply knows no names. Never creates a database.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

_TABLES = ("patients", "guardians")


def site_known_names(database_url: str) -> list[str]:
    if database_url.startswith("sqlite:///") and not Path(database_url.removeprefix("sqlite:///")).exists():
        return []
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            present = set(inspect(conn).get_table_names())
            names: list[str] = []
            for table in _TABLES:
                if table in present:
                    names += [r[0] for r in conn.execute(text(f"SELECT name FROM {table}")) if r[0]]
            return names
    except SQLAlchemyError:
        return []
    finally:
        engine.dispose()
