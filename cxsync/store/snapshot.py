"""Cursors and the contact/account snapshot."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from operator import itemgetter
from typing import Any, TypeVar

from sqlalchemy import Engine, select

from cxsync.store import tables as t
from cxsync.store.bulk import fetch_in, insert_rows
from cxsync.store.database import aware, upsert, utcnow
from cxsync.store.rows import AccountRow, ContactRow

__all__ = ["Snapshot"]

T = TypeVar("T")

# Columns in the order of the row dataclasses' fields (rows are read as tuples).
CONTACT_COLUMNS = (
    "contact_id",
    "account_id",
    "email_normalized",
    "verdict",
    "flags",
    "duplicate_of",
    "roles",
    "function",
    "persona",
    "display_name",
    "modified_at",
    "deleted",
)
ACCOUNT_COLUMNS = (
    "account_id",
    "name",
    "owner_id",
    "segment",
    "annual_revenue",
    "country",
    "modified_at",
)


def _contact(r: Sequence[Any]) -> ContactRow:
    return ContactRow(
        contact_id=r[0],
        account_id=r[1],
        email_normalized=r[2],
        verdict=r[3],
        flags=tuple(r[4] or ()),
        duplicate_of=r[5],
        roles=tuple(r[6] or ()),
        function=r[7],
        persona=r[8],
        display_name=r[9],
        modified_at=aware(r[10]),
        deleted=bool(r[11]),
    )


def _account(r: Sequence[Any]) -> AccountRow:
    return AccountRow(
        account_id=r[0],
        name=r[1],
        owner_id=r[2],
        segment=r[3],
        annual_revenue=r[4],
        country=r[5],
        modified_at=aware(r[6]),
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

    # contact and account snapshot -------------------------------------------------------
    def upsert_contacts(self, scope: str, rows: Sequence[ContactRow]) -> None:
        payload = [
            (
                scope,
                r.contact_id,
                r.account_id,
                r.email_normalized,
                r.verdict,
                list(r.flags),
                r.duplicate_of,
                list(r.roles),
                r.function,
                r.persona,
                r.display_name,
                r.modified_at,
                r.deleted,
            )
            for r in rows
        ]
        with self._engine.begin() as conn:
            insert_rows(
                conn,
                t.contacts,
                ("scope", *CONTACT_COLUMNS),
                payload,
                keys=("scope", "contact_id"),
                update=CONTACT_COLUMNS[1:],
            )

    def get_contacts(self, scope: str, ids: Sequence[str]) -> dict[str, ContactRow]:
        return self._rows_by_id(t.contacts, CONTACT_COLUMNS, scope, ids, _contact)

    def live_contact_ids(self, scope: str, ids: Sequence[str]) -> set[str]:
        """The ids among ``ids`` of contacts in the snapshot and not deleted in the CRM."""
        with self._engine.connect() as conn:
            rows = fetch_in(
                conn, t.contacts, ("contact_id", "deleted"), {"scope": scope}, "contact_id", ids
            )
            return {cid for cid, deleted in rows if not deleted}

    def _rows_by_id(
        self,
        table: Any,
        columns: Sequence[str],
        scope: str,
        ids: Sequence[str],
        convert: Callable[[Sequence[Any]], T],
    ) -> dict[str, T]:
        """Rows of ``table`` whose key (the first of ``columns``) is one of ``ids``."""
        with self._engine.connect() as conn:
            rows = fetch_in(conn, table, columns, {"scope": scope}, columns[0], list(ids))
            return {r[0]: convert(r) for r in rows}

    def contacts_for_account(self, scope: str, account_id: str) -> list[ContactRow]:
        return self.contacts_for_accounts(scope, [account_id])[account_id]

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
        at = CONTACT_COLUMNS.index(column)
        with self._engine.connect() as conn:
            # sorted here, not by SQL: given ORDER BY contact_id, SQLite walks the primary
            # key (every contact of the scope) to skip a sort, instead of the index on
            # ``column`` — a full scan per thousand values, quadratic over a large sync
            rows = sorted(
                fetch_in(conn, t.contacts, CONTACT_COLUMNS, {"scope": scope}, column, values),
                key=itemgetter(0),  # contact_id
            )
            for r in rows:
                out.setdefault(r[at], []).append(_contact(r))
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
        return self._rows_by_id(t.accounts, ACCOUNT_COLUMNS, scope, ids, _account)

    def iter_accounts(self, scope: str, batch: int = 1000) -> Iterator[list[AccountRow]]:
        a = t.accounts.c
        last = ""
        while True:
            q = (
                select(*(a[c] for c in ACCOUNT_COLUMNS))
                .where(a.scope == scope, a.account_id > last)
                .order_by(a.account_id)
                .limit(batch)
            )
            with self._engine.connect() as conn:
                rows = [_account(r) for r in conn.execute(q)]
            if not rows:
                return
            yield rows
            last = rows[-1].account_id
