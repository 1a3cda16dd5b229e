"""Per-record state between stages and runs: the values the CRM held when last read, the
values cxsync wants, the values cxsync wrote last, and the dirty marks that say which
records the next stage plans.

Every record of a sync passes through here several times, so reads and writes go through
the raw bulk paths (:mod:`cxsync.store.bulk`), and the calls a stage makes together are
folded into one transaction (:meth:`RecordState.save_pulled`,
:meth:`RecordState.record_applied`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.engine import Connection

from cxsync.store import tables as t
from cxsync.store.bulk import execute_many, fetch_in, insert_rows
from cxsync.store.database import CHUNK, utcnow

__all__ = ["RecordState"]

KEY = ("scope", "object_type", "record_id")
Values = Mapping[str, Mapping[str, Any]]
# a new record_state row starts clean; merging values into an existing one keeps its mark
_INSERT_ONLY = frozenset({"dirty"})


def _json_by_id(
    conn: Connection, table: Any, column: str, scope: str, object_type: str, ids: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """``column`` (a JSON object) of each record that has a non-empty one."""
    rows = fetch_in(
        conn,
        table,
        ("record_id", column),
        {"scope": scope, "object_type": object_type},
        "record_id",
        list(ids),
    )
    return {rid: value for rid, value in rows if value}  # fresh dicts from the JSON


def _merge(
    conn: Connection,
    table: Any,
    column: str,
    scope: str,
    object_type: str,
    values: Values,
    extra: Mapping[str, Any],
    *,
    before: Values | None = None,
    settled: Collection[str] = (),
) -> None:
    """Merge new keys into each record's JSON ``column`` (read, then write in ``conn``).

    ``before`` gives the column's current value for records the caller already read in
    this run (only the others are read here). ``extra`` columns are set on every row,
    except the ``_INSERT_ONLY`` ones: those only fill a new row, or any row in ``settled``.
    """
    before, settled = before or {}, set(settled)
    current = _json_by_id(
        conn, table, column, scope, object_type, [r for r in values if r not in before]
    )
    tail = tuple(extra.values())
    groups: dict[bool, list[tuple[Any, ...]]] = {}
    for rid, v in values.items():
        base = before.get(rid)
        if base is None:
            base = current.get(rid, {})
        groups.setdefault(rid in settled, []).append(
            (scope, object_type, rid, {**base, **v}, *tail)
        )
    for settle, rows in groups.items():
        updated = [column, *(c for c in extra if settle or c not in _INSERT_ONLY)]
        insert_rows(conn, table, (*KEY, column, *extra), rows, keys=KEY, update=updated)


class RecordState:
    _engine: Engine

    # values cxsync wrote ----------------------------------------------------------------
    def get_written(
        self, scope: str, object_type: str, record_ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        with self._engine.connect() as conn:
            return _json_by_id(conn, t.written, "fields", scope, object_type, record_ids)

    def record_written(
        self, scope: str, object_type: str, values_by_record: Values, run_id: int | None
    ) -> None:
        if not values_by_record:
            return
        with self._engine.begin() as conn:
            self._merge_written(conn, scope, object_type, values_by_record, run_id)

    def _merge_written(
        self, conn: Connection, scope: str, object_type: str, values: Values, run_id: int | None
    ) -> None:
        extra = {"run_id": run_id, "updated_at": utcnow()}
        _merge(conn, t.written, "fields", scope, object_type, values, extra)

    # what the CRM holds, what cxsync wants -----------------------------------------------
    def get_crm_values(
        self, scope: str, object_type: str, ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        with self._engine.connect() as conn:
            return _json_by_id(conn, t.record_state, "crm_values", scope, object_type, ids)

    def get_desired(
        self, scope: str, object_type: str, ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        with self._engine.connect() as conn:
            return _json_by_id(conn, t.record_state, "desired", scope, object_type, ids)

    def get_crm_and_desired(
        self, scope: str, object_type: str, ids: Sequence[str]
    ) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        """:meth:`get_crm_values` and :meth:`get_desired` in one query."""
        crm: dict[str, dict[str, Any]] = {}
        desired: dict[str, dict[str, Any]] = {}
        with self._engine.connect() as conn:
            rows = fetch_in(
                conn,
                t.record_state,
                ("record_id", "crm_values", "desired"),
                {"scope": scope, "object_type": object_type},
                "record_id",
                list(ids),
            )
            for rid, held, wanted in rows:
                if held:
                    crm[rid] = held
                if wanted:
                    desired[rid] = wanted
        return crm, desired

    def replace_crm_values(self, scope: str, object_type: str, values: Values) -> None:
        """What a fresh read of the CRM returned (replaces what was known)."""
        self.save_pulled(scope, object_type, crm_values=values)

    def set_crm_values(self, scope: str, object_type: str, values: Values) -> None:
        """Fields the CRM now holds after a successful write (merged into what was known)."""
        if not values:
            return
        with self._engine.begin() as conn:
            _merge(conn, t.record_state, "crm_values", scope, object_type, values, {"dirty": False})

    def set_desired(self, scope: str, object_type: str, values: Values) -> None:
        """Replace the values cxsync wants for these records (callers pass them whole)."""
        self.save_pulled(scope, object_type, desired=values)

    def save_pulled(
        self,
        scope: str,
        object_type: str,
        crm_values: Values | None = None,
        desired: Values | None = None,
        dirty: Sequence[str] = (),
    ) -> None:
        """What one page of a pull learnt, in one transaction: the values the CRM holds
        (replacing what was known), the values cxsync wants (replaced whole) and dirty
        marks — the same as :meth:`replace_crm_values`, :meth:`set_desired` and
        :meth:`mark_dirty` one after the other."""
        crm_values, desired = crm_values or {}, desired or {}
        marked = set(dirty)
        # one statement per combination of what a record gets: usually a single one
        groups: dict[tuple[bool, bool, bool], list[tuple[Any, ...]]] = {}
        for rid in dict.fromkeys([*crm_values, *desired, *dirty]):
            shape = (rid in crm_values, rid in desired, rid in marked)
            values = [
                dict(v[rid]) for v, has in ((crm_values, shape[0]), (desired, shape[1])) if has
            ]
            groups.setdefault(shape, []).append((scope, object_type, rid, *values, shape[2]))
        with self._engine.begin() as conn:
            for (has_crm, has_desired, is_dirty), rows in groups.items():
                given = [c for c, has in (("crm_values", has_crm), ("desired", has_desired)) if has]
                update = [*given, *(["dirty"] if is_dirty else [])]
                insert_rows(
                    conn, t.record_state, (*KEY, *given, "dirty"), rows, keys=KEY, update=update
                )

    def record_applied(
        self,
        scope: str,
        object_type: str,
        values: Values,
        run_id: int | None,
        *,
        written_before: Values | None = None,
        crm_before: Values | None = None,
        settled: Collection[str] = (),
    ) -> None:
        """Writes the CRM accepted, in one transaction: merged into what cxsync wrote last
        (:meth:`record_written`) and into what the CRM holds (:meth:`set_crm_values`).

        ``written_before`` and ``crm_before`` are what the store held for some of these
        records when their writes were planned (from :meth:`get_written` and
        :meth:`get_crm_and_desired`), so they are not read again; the caller guarantees
        nothing recorded other values for them since. The dirty marks of the ``settled``
        records are cleared in the same statement (as :meth:`clear_dirty` would).
        """
        if not values:
            return
        with self._engine.begin() as conn:
            extra = {"run_id": run_id, "updated_at": utcnow()}
            _merge(
                conn, t.written, "fields", scope, object_type, values, extra, before=written_before
            )
            _merge(
                conn,
                t.record_state,
                "crm_values",
                scope,
                object_type,
                values,
                {"dirty": False},
                before=crm_before,
                settled=settled,
            )

    # dirty marks -------------------------------------------------------------------------
    def mark_dirty(self, scope: str, object_type: str, ids: Sequence[str]) -> None:
        self.save_pulled(scope, object_type, dirty=ids)

    def dirty(
        self, scope: str, object_type: str, limit: int | None = None, after: str | None = None
    ) -> list[str]:
        """Dirty record ids in id order; ``after`` pages through them (keyset)."""
        c = t.record_state.c
        query = (
            select(c.record_id)
            .where(c.scope == scope, c.object_type == object_type, c.dirty.is_(True))
            .order_by(c.record_id)
        )
        if after is not None:
            query = query.where(c.record_id > after)
        if limit is not None:
            query = query.limit(limit)
        with self._engine.connect() as conn:
            return [str(v) for v in conn.execute(query).scalars()]

    def clear_dirty(self, scope: str, object_type: str, ids: Sequence[str]) -> None:
        if not ids:
            return
        with self._engine.begin() as conn:
            d = conn.dialect
            p = "%s" if d.name == "postgresql" else "?"
            table = d.identifier_preparer.format_table(t.record_state)
            head = f"UPDATE {table} SET dirty = {p} WHERE scope = {p} AND object_type = {p} "
            # a thousand ids per statement: one UPDATE per id cost as much as the pull's
            # own writes on a large sync
            for start in range(0, len(ids), CHUNK):
                chunk = list(ids[start : start + CHUNK])
                sql = f"{head}AND record_id IN ({', '.join([p] * len(chunk))})"
                execute_many(conn, sql, [(False, scope, object_type, *chunk)])
