"""Cursors, last-written values, the contact/account snapshot and per-record state."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

from sqlalchemy import Engine, and_, select, update

from cxsync.store import tables as t
from cxsync.store.database import CHUNK, aware, upsert, utcnow
from cxsync.store.rows import AccountRow, ContactRow

__all__ = ["Snapshot"]

T = TypeVar("T")


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _contact(r: Any) -> ContactRow:
    return ContactRow(
        contact_id=r["contact_id"],
        account_id=r["account_id"],
        email_normalized=r["email_normalized"],
        verdict=r["verdict"],
        flags=tuple(r["flags"] or ()),
        duplicate_of=r["duplicate_of"],
        roles=tuple(r["roles"] or ()),
        function=r["function"],
        persona=r["persona"],
        display_name=r["display_name"],
        modified_at=aware(r["modified_at"]),
        deleted=bool(r["deleted"]),
    )


def _account(r: Any) -> AccountRow:
    return AccountRow(
        account_id=r["account_id"],
        name=r["name"],
        owner_id=r["owner_id"],
        segment=r["segment"],
        annual_revenue=r["annual_revenue"],
        country=r["country"],
        modified_at=aware(r["modified_at"]),
    )


class Snapshot:
    _engine: Engine

    # cursors ----------------------------------------------------------------------------
    def get_cursor(self, scope: str, stream: str) -> str | None:
        with self._engine.connect() as conn:
            value = conn.execute(
                select(t.cursors.c.value).where(
                    t.cursors.c.scope == scope, t.cursors.c.stream == stream
                )
            ).scalar()
        return None if value is None else str(value)

    def set_cursor(self, scope: str, stream: str, value: str | None) -> None:
        with self._engine.begin() as conn:
            upsert(
                conn,
                t.cursors,
                [{"scope": scope, "stream": stream, "value": value, "updated_at": utcnow()}],
                ["scope", "stream"],
            )

    # values cxsync wrote ----------------------------------------------------------------
    def get_written(
        self, scope: str, object_type: str, record_ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        return self._json_by_id(t.written, t.written.c.fields, scope, object_type, record_ids)

    def record_written(
        self,
        scope: str,
        object_type: str,
        values_by_record: Mapping[str, Mapping[str, Any]],
        run_id: int | None,
    ) -> None:
        self._merge_json(
            t.written,
            "fields",
            scope,
            object_type,
            values_by_record,
            extra={"run_id": run_id, "updated_at": utcnow()},
        )

    # per-record state: what the CRM holds, what cxsync wants, dirty marks ----------------
    def get_crm_values(
        self, scope: str, object_type: str, ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        return self._json_by_id(
            t.record_state, t.record_state.c.crm_values, scope, object_type, ids
        )

    def replace_crm_values(
        self, scope: str, object_type: str, values: Mapping[str, Mapping[str, Any]]
    ) -> None:
        """What a fresh read of the CRM returned (replaces what was known)."""
        rows = [
            {
                "scope": scope,
                "object_type": object_type,
                "record_id": rid,
                "crm_values": dict(v),
                "dirty": False,
            }
            for rid, v in values.items()
        ]
        with self._engine.begin() as conn:
            upsert(
                conn, t.record_state, rows, ["scope", "object_type", "record_id"], ["crm_values"]
            )

    def set_crm_values(
        self, scope: str, object_type: str, values: Mapping[str, Mapping[str, Any]]
    ) -> None:
        """Fields the CRM now holds after a successful write (merged into what was known)."""
        self._merge_json(t.record_state, "crm_values", scope, object_type, values)

    def get_desired(
        self, scope: str, object_type: str, ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        return self._json_by_id(t.record_state, t.record_state.c.desired, scope, object_type, ids)

    def set_desired(
        self, scope: str, object_type: str, values: Mapping[str, Mapping[str, Any]]
    ) -> None:
        """Replace the values cxsync wants for these records (callers pass them whole)."""
        rows = [
            {
                "scope": scope,
                "object_type": object_type,
                "record_id": rid,
                "desired": dict(v),
                "dirty": False,
            }
            for rid, v in values.items()
        ]
        with self._engine.begin() as conn:
            upsert(conn, t.record_state, rows, ["scope", "object_type", "record_id"], ["desired"])

    def mark_dirty(self, scope: str, object_type: str, ids: Sequence[str]) -> None:
        rows = [
            {"scope": scope, "object_type": object_type, "record_id": rid, "dirty": True}
            for rid in dict.fromkeys(ids)
        ]
        with self._engine.begin() as conn:
            upsert(conn, t.record_state, rows, ["scope", "object_type", "record_id"], ["dirty"])

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
        c = t.record_state.c
        with self._engine.begin() as conn:
            for chunk in _chunks(list(ids)):
                conn.execute(
                    update(t.record_state)
                    .where(c.scope == scope, c.object_type == object_type, c.record_id.in_(chunk))
                    .values(dirty=False)
                )

    # contact and account snapshot -------------------------------------------------------
    def upsert_contacts(self, scope: str, rows: Sequence[ContactRow]) -> None:
        payload = [
            {
                "scope": scope,
                "contact_id": r.contact_id,
                "account_id": r.account_id,
                "email_normalized": r.email_normalized,
                "verdict": r.verdict,
                "flags": list(r.flags),
                "duplicate_of": r.duplicate_of,
                "roles": list(r.roles),
                "function": r.function,
                "persona": r.persona,
                "display_name": r.display_name,
                "modified_at": r.modified_at,
                "deleted": r.deleted,
            }
            for r in rows
        ]
        with self._engine.begin() as conn:
            upsert(conn, t.contacts, payload, ["scope", "contact_id"])

    def get_contacts(self, scope: str, ids: Sequence[str]) -> dict[str, ContactRow]:
        return self._rows_by_id(t.contacts, "contact_id", scope, ids, _contact)

    def _rows_by_id(
        self, table: Any, key: str, scope: str, ids: Sequence[str], convert: Callable[[Any], T]
    ) -> dict[str, T]:
        """Rows of ``table`` whose ``key`` is one of ``ids``, converted, by id."""
        out: dict[str, T] = {}
        with self._engine.connect() as conn:
            for chunk in _chunks(list(ids)):
                q = select(table).where(table.c.scope == scope, table.c[key].in_(chunk))
                out.update((r[key], convert(r)) for r in conn.execute(q).mappings())
        return out

    def contacts_for_account(self, scope: str, account_id: str) -> list[ContactRow]:
        q = (
            select(t.contacts)
            .where(t.contacts.c.scope == scope, t.contacts.c.account_id == account_id)
            .order_by(t.contacts.c.contact_id)
        )
        with self._engine.connect() as conn:
            return [_contact(r) for r in conn.execute(q).mappings()]

    def contacts_for_accounts(
        self, scope: str, account_ids: Sequence[str]
    ) -> dict[str, list[ContactRow]]:
        """Contacts of many accounts in one query per thousand accounts."""
        grouped = self._contacts_grouped(scope, "account_id", list(account_ids))
        return {a: grouped.get(a, []) for a in account_ids}

    def contacts_by_email(self, scope: str, emails: Sequence[str]) -> dict[str, list[ContactRow]]:
        return self._contacts_grouped(scope, "email_normalized", sorted(set(emails)))

    def _contacts_grouped(
        self, scope: str, column: str, values: list[str]
    ) -> dict[str, list[ContactRow]]:
        """Contacts whose ``column`` is one of ``values``, grouped by that value, id order."""
        out: dict[str, list[ContactRow]] = {}
        key = t.contacts.c[column]
        with self._engine.connect() as conn:
            for chunk in _chunks(values):
                q = (
                    select(t.contacts)
                    .where(t.contacts.c.scope == scope, key.in_(chunk))
                    .order_by(t.contacts.c.contact_id)
                )
                for r in conn.execute(q).mappings():
                    out.setdefault(r[column], []).append(_contact(r))
        return out

    def upsert_accounts(self, scope: str, rows: Sequence[AccountRow]) -> None:
        payload = [
            {
                "scope": scope,
                "account_id": r.account_id,
                "name": r.name,
                "owner_id": r.owner_id,
                "segment": r.segment,
                "annual_revenue": r.annual_revenue,
                "country": r.country,
                "modified_at": r.modified_at,
            }
            for r in rows
        ]
        with self._engine.begin() as conn:
            upsert(conn, t.accounts, payload, ["scope", "account_id"])

    def get_accounts(self, scope: str, ids: Sequence[str]) -> dict[str, AccountRow]:
        return self._rows_by_id(t.accounts, "account_id", scope, ids, _account)

    def iter_accounts(self, scope: str, batch: int = 1000) -> Iterator[list[AccountRow]]:
        last = ""
        while True:
            q = (
                select(t.accounts)
                .where(t.accounts.c.scope == scope, t.accounts.c.account_id > last)
                .order_by(t.accounts.c.account_id)
                .limit(batch)
            )
            with self._engine.connect() as conn:
                rows = [_account(r) for r in conn.execute(q).mappings()]
            if not rows:
                return
            yield rows
            last = rows[-1].account_id

    # shared helpers ---------------------------------------------------------------------
    def _json_by_id(
        self, table: Any, column: Any, scope: str, object_type: str, ids: Sequence[str]
    ) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        with self._engine.connect() as conn:
            for chunk in _chunks(list(ids)):
                q = select(table.c.record_id, column).where(
                    and_(
                        table.c.scope == scope,
                        table.c.object_type == object_type,
                        table.c.record_id.in_(chunk),
                    )
                )
                out.update((rid, dict(v)) for rid, v in conn.execute(q) if v)
        return out

    def _merge_json(
        self,
        table: Any,
        column: str,
        scope: str,
        object_type: str,
        values: Mapping[str, Mapping[str, Any]],
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        """Merge new keys into each record's JSON column (read-modify-write in one transaction)."""
        if not values:
            return
        ids = list(values)
        with self._engine.begin() as conn:
            current: dict[str, dict[str, Any]] = {}
            for chunk in _chunks(ids):
                q = select(table.c.record_id, table.c[column]).where(
                    table.c.scope == scope,
                    table.c.object_type == object_type,
                    table.c.record_id.in_(chunk),
                )
                current.update((rid, dict(v or {})) for rid, v in conn.execute(q))
            rows = [
                {
                    "scope": scope,
                    "object_type": object_type,
                    "record_id": rid,
                    column: {**current.get(rid, {}), **dict(v)},
                    **(extra or {}),
                }
                for rid, v in values.items()
            ]
            upsert(
                conn, table, rows, ["scope", "object_type", "record_id"], [column, *(extra or {})]
            )
