"""Connecting to SQLite or PostgreSQL, and the few dialect differences cxsync cares about."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, create_engine, event
from sqlalchemy.engine import Connection, make_url

from cxsync.errors import ConfigError
from cxsync.store.bulk import CHUNK, dumps, insert_rows, loads

__all__ = ["CHUNK", "as_utc", "aware", "connect", "display_url", "upsert", "utcnow"]

# JSON columns read and written by SQLAlchemy itself (runs, health history, outbox…) use
# the same serialiser as the bulk paths.
_JSON = {"json_serializer": dumps, "json_deserializer": loads}
# SQLite's default page cache is 2 MiB; a large store's indexes are touched on every page
# of a sync, so a bigger cache saves re-reading them (bounded: memory stays flat).
_SQLITE_CACHE_KIB = 64 * 1024


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands datetimes back naive; every datetime leaving the store is aware UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def aware(value: datetime) -> datetime:
    """:func:`as_utc` for a column that is never NULL."""
    result = as_utc(value)
    assert result is not None
    return result


def display_url(url: str) -> str:
    """The URL with any password masked, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparseable URL is reported by connect(); never echo it whole
        return "<unparseable store URL>"


def _normalise(url: str | None, work_dir: Path) -> str:
    if url is None:
        work_dir.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{(work_dir / 'state.db').resolve()}"
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def connect(url: str | None, work_dir: Path) -> Engine:
    """An engine for the store; SQLite gets WAL and a busy timeout for concurrent runs."""
    full = _normalise(url, work_dir)
    try:
        parsed = make_url(full)
    except Exception as exc:
        raise ConfigError("store_url is not a valid database URL") from exc
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(full, connect_args={"timeout": 30}, **_JSON)

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute(f"PRAGMA cache_size=-{_SQLITE_CACHE_KIB}")
            cur.execute("PRAGMA temp_store=MEMORY")
            cur.close()

        return engine
    if parsed.get_backend_name() == "postgresql":
        return create_engine(full, pool_pre_ping=True, **_JSON)
    raise ConfigError(f"store_url: unsupported database {parsed.get_backend_name()!r}")


def upsert(
    conn: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    update: Sequence[str] | None = None,
) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE (or DO NOTHING when ``update`` is empty).

    Every row has the same keys; columns left out get their table default, as they would
    through SQLAlchemy.
    """
    if not rows:
        return
    given = list(rows[0])
    defaults = {
        c.name: c.default.arg  # type: ignore[attr-defined]
        for c in table.columns
        if c.name not in rows[0] and c.default is not None and c.default.is_scalar
    }
    columns = update if update is not None else [c for c in given if c not in keys]
    insert_rows(
        conn,
        table,
        [*given, *defaults],
        ([r[c] for c in given] + list(defaults.values()) for r in rows),
        keys=keys,
        update=columns,
    )
