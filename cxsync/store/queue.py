"""The outbox of failed writes and the exactly-once record of tasks and notes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from cxsync.store import tables as t
from cxsync.store.database import aware, utcnow
from cxsync.store.rows import OutboxItem

__all__ = ["Queues"]

PENDING = "pending"
DONE = "done"


class Queues:
    _engine: Engine

    # outbox -----------------------------------------------------------------------------
    def enqueue(
        self,
        scope: str,
        kind: str,
        key: str,
        payload: dict[str, Any],
        error: str,
        run_id: int | None,
    ) -> None:
        """Keep a failed write for the next run: attempts + 1, last error, newest payload."""
        o = t.outbox.c
        now = utcnow()
        with self._engine.begin() as conn:
            found = conn.execute(
                select(o.attempts).where(o.scope == scope, o.kind == kind, o.key == key)
            ).first()
            if found is None:
                conn.execute(
                    insert(t.outbox).values(
                        scope=scope,
                        kind=kind,
                        key=key,
                        payload=payload,
                        attempts=1,
                        last_error=error,
                        status=PENDING,
                        run_id=run_id,
                        first_failed_at=now,
                        last_attempt_at=now,
                    )
                )
            else:
                conn.execute(
                    update(t.outbox)
                    .where(o.scope == scope, o.kind == kind, o.key == key)
                    .values(
                        payload=payload,
                        attempts=int(found[0]) + 1,
                        last_error=error,
                        status=PENDING,
                        run_id=run_id,
                        last_attempt_at=now,
                    )
                )

    def pending(self, scope: str, kind: str | None = None) -> list[OutboxItem]:
        o = t.outbox.c
        q = select(t.outbox).where(o.scope == scope, o.status == PENDING).order_by(o.kind, o.key)
        if kind is not None:
            q = q.where(o.kind == kind)
        with self._engine.connect() as conn:
            return [
                OutboxItem(
                    kind=r["kind"],
                    key=r["key"],
                    payload=r["payload"],
                    attempts=r["attempts"],
                    last_error=r["last_error"],
                    first_failed_at=aware(r["first_failed_at"]),
                    last_attempt_at=aware(r["last_attempt_at"]),
                )
                for r in conn.execute(q).mappings()
            ]

    def resolve(self, scope: str, kind: str, keys: Sequence[str]) -> None:
        """Mark delivered (the row stays, with its attempt history)."""
        if not keys:
            return
        o = t.outbox.c
        with self._engine.begin() as conn:
            for start in range(0, len(keys), 1000):
                conn.execute(
                    update(t.outbox)
                    .where(
                        o.scope == scope,
                        o.kind == kind,
                        o.key.in_(list(keys[start : start + 1000])),
                        o.status == PENDING,
                    )
                    .values(status=DONE, last_attempt_at=utcnow())
                )

    def discard(self, scope: str, kind: str, keys: Sequence[str]) -> None:
        """Delete outbox rows outright (markers whose payload must not pile up)."""
        if not keys:
            return
        o = t.outbox.c
        with self._engine.begin() as conn:
            for start in range(0, len(keys), 1000):
                conn.execute(
                    delete(t.outbox).where(
                        o.scope == scope,
                        o.kind == kind,
                        o.key.in_(list(keys[start : start + 1000])),
                    )
                )

    def outbox_counts(self, scope: str) -> dict[str, int]:
        o = t.outbox.c
        q = (
            select(o.kind, func.count())
            .where(o.scope == scope, o.status == PENDING)
            .group_by(o.kind)
        )
        with self._engine.connect() as conn:
            return {kind: int(n) for kind, n in conn.execute(q)}

    # actions exactly once ---------------------------------------------------------------
    def claim_actions(
        self, scope: str, kind: str, items: Mapping[str, dict[str, Any]]
    ) -> list[str]:
        """Record intent for keys never seen before and return only those keys.

        Each key is inserted on its own so that a concurrent claimer's insert of the same
        key fails on the primary key instead of both callers winning.
        """
        won = []
        now = utcnow()
        for key, payload in items.items():
            try:
                with self._engine.begin() as conn:
                    conn.execute(
                        insert(t.actions).values(
                            scope=scope,
                            kind=kind,
                            key=key,
                            account_id=payload.get("account_id"),
                            payload=payload,
                            status=PENDING,
                            created_at=now,
                            updated_at=now,
                        )
                    )
                won.append(key)
            except IntegrityError:
                continue
        return won

    def actions_in_state(
        self, scope: str, kind: str, status: str, updated_after: datetime | None = None
    ) -> dict[str, dict[str, Any]]:
        """Payload by key of the actions in ``status`` (last updated after a time, if given)."""
        a = t.actions.c
        q = select(a.key, a.payload).where(a.scope == scope, a.kind == kind, a.status == status)
        if updated_after is not None:
            q = q.where(a.updated_at > updated_after)
        with self._engine.connect() as conn:
            return {key: dict(payload) for key, payload in conn.execute(q)}

    def mark_actions(
        self, scope: str, kind: str, results: Mapping[str, str | None], status: str
    ) -> None:
        a = t.actions.c
        with self._engine.begin() as conn:
            for key, external_id in results.items():
                values: dict[str, Any] = {"status": status, "updated_at": utcnow()}
                if external_id is not None:
                    values["external_id"] = external_id
                conn.execute(
                    update(t.actions)
                    .where(a.scope == scope, a.kind == kind, a.key == key)
                    .values(**values)
                )

    def action_times(
        self, scope: str, kind: str, account_ids: Sequence[str], since: datetime | None = None
    ) -> dict[str, list[datetime]]:
        """When each account's actions were decided (claimed), whatever their state.

        A follow-up the CRM has not accepted yet (pending, or failed and retried next run)
        is as open as one it has: counting only delivered ones would make an account's
        score depend on the CRM's mood that day.
        """
        a = t.actions.c
        out: dict[str, list[datetime]] = {aid: [] for aid in account_ids}
        with self._engine.connect() as conn:
            for start in range(0, len(account_ids), 1000):
                chunk = list(account_ids[start : start + 1000])
                q = select(a.account_id, a.created_at).where(
                    a.scope == scope, a.kind == kind, a.account_id.in_(chunk)
                )
                if since is not None:
                    q = q.where(a.created_at >= since)
                for account_id, created in conn.execute(q):
                    aware = created if created.tzinfo else created.replace(tzinfo=UTC)
                    out[account_id].append(aware)
        return out

    def open_action_count(
        self, scope: str, kind: str, account_id: str, since: datetime | None = None
    ) -> int:
        """Actions created for the account (since a moment, when given)."""
        a = t.actions.c
        q = (
            select(func.count())
            .select_from(t.actions)
            .where(a.scope == scope, a.kind == kind, a.account_id == account_id, a.status == DONE)
        )
        if since is not None:
            q = q.where(a.created_at >= since)
        with self._engine.connect() as conn:
            return int(conn.execute(q).scalar() or 0)

    def open_action_counts(
        self, scope: str, kind: str, account_ids: Sequence[str], since: datetime | None = None
    ) -> dict[str, int]:
        """:meth:`open_action_count` for many accounts at once."""
        a = t.actions.c
        out = dict.fromkeys(account_ids, 0)
        with self._engine.connect() as conn:
            for start in range(0, len(account_ids), 1000):
                chunk = list(account_ids[start : start + 1000])
                q = (
                    select(a.account_id, func.count())
                    .where(
                        a.scope == scope, a.kind == kind, a.account_id.in_(chunk), a.status == DONE
                    )
                    .group_by(a.account_id)
                )
                if since is not None:
                    q = q.where(a.created_at >= since)
                out.update({aid: int(n) for aid, n in conn.execute(q)})
        return out
