"""Versioned schema migrations.

Each step brings the schema from version ``n - 1`` to ``n`` and is recorded in
``cxsync_schema_version``. Opening a store applies the missing steps in order, inside one
transaction per step; two processes opening at once serialise on a lock (an advisory lock
on PostgreSQL, SQLite's write lock), and a step already applied by the other is skipped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Engine, select, text
from sqlalchemy.engine import Connection

from cxsync.store import tables
from cxsync.store.database import utcnow

__all__ = ["LATEST", "MIGRATIONS", "current_version", "migrate"]

log = logging.getLogger(__name__)


def _v1(conn: Connection) -> None:
    tables.metadata.create_all(conn, tables=list(tables.V1_TABLES), checkfirst=True)


def _v2(conn: Connection) -> None:
    tables.metadata.create_all(conn, tables=list(tables.V2_TABLES), checkfirst=True)


MIGRATIONS: tuple[tuple[int, str, Callable[[Connection], None]], ...] = (
    (1, "base tables", _v1),
    (2, "per-record CRM values, desired values and dirty marks", _v2),
)
LATEST = MIGRATIONS[-1][0]

_PG_LOCK_ID = 0x6378_7379  # "cxsy"


def current_version(conn: Connection) -> int:
    tables.schema_version.create(conn, checkfirst=True)
    value = conn.execute(
        select(tables.schema_version.c.version)
        .order_by(tables.schema_version.c.version.desc())
        .limit(1)
    ).scalar()
    return int(value or 0)


def _serialise(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK_ID})
    else:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def migrate(engine: Engine, target: int = LATEST) -> int:
    """Apply every missing step up to ``target``; returns the version reached."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA journal_mode=WAL")
            conn.commit()
    for version, description, step in MIGRATIONS:
        if version > target:
            break
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            if conn.dialect.name == "sqlite":
                # take SQLite's write lock explicitly (BEGIN IMMEDIATE) so two processes
                # migrating at once serialise; restored below before the pool reuses it
                raw.isolation_level = None  # type: ignore[union-attr]
            trans = None if conn.dialect.name == "sqlite" else conn.begin()
            _serialise(conn)
            try:
                if current_version(conn) < version:
                    step(conn)
                    conn.execute(
                        tables.schema_version.insert().values(version=version, applied_at=utcnow())
                    )
                    log.info("state store migrated to version %d (%s)", version, description)
                if trans is not None:
                    trans.commit()
                else:
                    conn.exec_driver_sql("COMMIT")
            except BaseException:
                if trans is not None:
                    trans.rollback()
                else:
                    conn.exec_driver_sql("ROLLBACK")
                raise
            finally:
                if conn.dialect.name == "sqlite":
                    raw.isolation_level = ""  # type: ignore[union-attr]
    with engine.connect() as conn:
        return current_version(conn)
