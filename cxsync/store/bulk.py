"""Raw DBAPI statements for the store's hot paths (a sync touches every record several times).

SQLAlchemy Core builds a parameter dict per row and runs each column's type processor
through its compiled-statement machinery; for one record that costs more than SQLite's
own insert. Here a statement is rendered once per table, column set and dialect, rows go
to the driver as tuples through one ``executemany``, and JSON is serialised once per value
with orjson. The values stored are the ones SQLAlchemy would store: every non-JSON column
still goes through its SQLAlchemy type's own bind and result processors, and JSON ``None``
is stored as JSON ``null`` as SQLAlchemy's ``JSON`` type does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import JSON, Column, Table
from sqlalchemy.engine import Connection, Dialect

__all__ = [
    "CHUNK",
    "dumps",
    "execute_many",
    "fetch_in",
    "insert_rows",
    "json_reader",
    "loads",
]

# Values per IN (...) list: well under SQLite's and PostgreSQL's bind-parameter limits.
CHUNK = 1000

Convert = Callable[[Any], Any] | None


def dumps(value: Any) -> str:
    """JSON text for a store column (compact UTF-8; non-string keys as strings like json)."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)


def json_reader(dialect: Dialect) -> Convert:
    """How a JSON column's value comes back: SQLite hands back text, psycopg decodes it."""
    if dialect.name == "sqlite":
        return lambda v: None if v is None else orjson.loads(v)
    return None


def _quote(dialect: Dialect, name: str) -> str:
    return str(dialect.identifier_preparer.quote(name))


def _placeholder(dialect: Dialect, column: Column[Any]) -> str:
    if dialect.name == "postgresql":
        # JSON text is sent as a string: cast it, as SQLAlchemy's own JSON binding does
        return "%s::json" if isinstance(column.type, JSON) else "%s"
    return "?"


def _bind(dialect: Dialect, column: Column[Any]) -> Convert:
    if isinstance(column.type, JSON):
        return dumps
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _result(dialect: Dialect, column: Column[Any]) -> Convert:
    if isinstance(column.type, JSON):
        return json_reader(dialect)
    if dialect.name != "sqlite":
        # psycopg returns these columns as Python types already (SQLAlchemy's own
        # processors there only concern NUMERIC, and need the driver's type code)
        return None
    return column.type.dialect_impl(dialect).result_processor(dialect, None)


@lru_cache(maxsize=256)
def _insert_sql(
    dialect: Dialect,
    table: Table,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    update: tuple[tuple[str, str], ...] | None,
) -> tuple[str, tuple[Convert, ...]]:
    q = dialect.identifier_preparer
    cols = [table.c[name] for name in columns]
    sql = (
        f"INSERT INTO {q.format_table(table)} ({', '.join(_quote(dialect, c) for c in columns)}) "
        f"VALUES ({', '.join(_placeholder(dialect, c) for c in cols)})"
    )
    if update is not None:
        target = ", ".join(_quote(dialect, k) for k in keys)
        if update:
            sets = ", ".join(f"{_quote(dialect, c)} = {expr}" for c, expr in update)
            sql += f" ON CONFLICT ({target}) DO UPDATE SET {sets}"
        else:
            sql += f" ON CONFLICT ({target}) DO NOTHING"
    return sql, tuple(_bind(dialect, c) for c in cols)


def _convert(rows: Iterable[Sequence[Any]], converters: Sequence[Convert]) -> list[tuple[Any, ...]]:
    active = [(i, f) for i, f in enumerate(converters) if f is not None]
    if not active:
        return [tuple(row) for row in rows]
    out: list[tuple[Any, ...]] = []
    for row in rows:
        values = list(row)
        for i, f in active:
            values[i] = f(values[i])
        out.append(tuple(values))
    return out


def execute_many(conn: Connection, sql: str, params: Sequence[tuple[Any, ...]]) -> None:
    """One executemany on the driver's own cursor, inside ``conn``'s transaction (an empty
    batch is not sent)."""
    if not params:
        return
    cursor = conn.connection.cursor()
    try:
        cursor.executemany(sql, params)
    finally:
        cursor.close()


def _fetch_all(conn: Connection, sql: str, params: tuple[Any, ...]) -> list[Any]:
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def insert_rows(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    keys: Sequence[str] = (),
    update: Sequence[str] | Mapping[str, str] | None = None,
) -> None:
    """INSERT rows (tuples in ``columns`` order), optionally ON CONFLICT (keys) DO UPDATE.

    ``update`` names the columns taken from the new row (``excluded``), or maps a column
    to an SQL expression over ``excluded`` and the table; an empty ``update`` means DO
    NOTHING, ``None`` a plain INSERT.
    """
    if update is None:
        spec = None
    elif isinstance(update, Mapping):
        spec = tuple(update.items())
    else:
        spec = tuple((c, f"excluded.{_quote(conn.dialect, c)}") for c in update)
    sql, converters = _insert_sql(conn.dialect, table, tuple(columns), tuple(keys), spec)
    params = _convert(rows, converters)
    for start in range(0, len(params), 10 * CHUNK):
        execute_many(conn, sql, params[start : start + 10 * CHUNK])


def _chunks(values: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def fetch_in(
    conn: Connection,
    table: Table,
    columns: Sequence[str],
    equal: Mapping[str, Any],
    in_column: str,
    values: Sequence[Any],
    order_by: Sequence[str] = (),
) -> Iterator[tuple[Any, ...]]:
    """Rows whose ``equal`` columns match and whose ``in_column`` is one of ``values``
    (queried a thousand values at a time), converted as SQLAlchemy would convert them."""
    d = conn.dialect
    p = "%s" if d.name == "postgresql" else "?"
    cols = [table.c[name] for name in columns]
    converters = [(i, f) for i, f in enumerate(_result(d, c) for c in cols) if f is not None]
    where = " AND ".join(f"{_quote(d, c)} = {p}" for c in equal)
    head = (
        f"SELECT {', '.join(_quote(d, c) for c in columns)} "
        f"FROM {d.identifier_preparer.format_table(table)} WHERE {where}"
        f"{' AND ' if where else ''}{_quote(d, in_column)} IN "
    )
    tail = f" ORDER BY {', '.join(_quote(d, c) for c in order_by)}" if order_by else ""
    fixed = tuple(equal.values())
    for chunk in _chunks(list(values)):
        sql = f"{head}({', '.join([p] * len(chunk))}){tail}"
        for row in _fetch_all(conn, sql, fixed + tuple(chunk)):
            if not converters:
                yield tuple(row)
                continue
            out = list(row)
            for i, f in converters:
                out[i] = f(out[i])
            yield tuple(out)
