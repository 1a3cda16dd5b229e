"""The feedback ledger, the quarantine of rejected input, and health history."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection

from cxsync.models import Feedback
from cxsync.store import tables as t
from cxsync.store.bulk import fetch_in, insert_rows
from cxsync.store.database import CHUNK, as_utc, aware, upsert, utcnow
from cxsync.store.rows import HealthRecord, QuarantineItem, QuarantineRecord

__all__ = ["Ledger"]


_HEALTH_COLUMNS = (
    "scope",
    "account_id",
    "computed_at",
    "score",
    "band",
    "trend",
    "confidence",
    "account_nps",
    "fingerprint",
    "payload",
)


def _chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _feedback(payload: Mapping[str, Any]) -> Feedback:
    return Feedback.model_validate(payload)


def _quarantine_values(item: QuarantineItem, **extra: Any) -> dict[str, Any]:
    values = {
        "row_number": item.row_number,
        "kind": item.kind,
        "reason": item.reason,
        "raw": dict(item.raw),
        **extra,
    }
    if "scope" in extra:  # a new row
        values.update(source=item.source, key=item.key)
    return values


def _health(r: Any) -> HealthRecord:
    return HealthRecord(
        account_id=r["account_id"],
        computed_at=aware(r["computed_at"]),
        score=r["score"],
        band=r["band"],
        trend=r["trend"],
        confidence=r["confidence"],
        account_nps=r["account_nps"],
        fingerprint=r["fingerprint"],
        payload=r["payload"] or {},
    )


class Ledger:
    _engine: Engine

    # feedback ---------------------------------------------------------------------------
    def add_feedback(self, scope: str, items: Sequence[Feedback]) -> list[str]:
        """Record feedback; ids already in the ledger change nothing. Returns the new ids."""
        if not items:
            return []
        unique = list({i.response_id: i for i in items}.values())
        ids = [i.response_id for i in unique]
        with self._engine.begin() as conn:
            known: set[str] = set()
            for chunk in _chunks(ids):
                known.update(
                    conn.execute(
                        select(t.feedback.c.response_id).where(
                            t.feedback.c.scope == scope, t.feedback.c.response_id.in_(chunk)
                        )
                    ).scalars()
                )
            now = utcnow()
            rows = [
                {
                    "scope": scope,
                    "response_id": i.response_id,
                    "contact_id": i.contact_id,
                    "account_id": i.account_id,
                    "submitted_at": i.submitted_at,
                    "payload": i.model_dump(mode="json"),
                    "processed": False,
                    "imported_at": now,
                }
                for i in unique
                if i.response_id not in known
            ]
            upsert(conn, t.feedback, rows, ["scope", "response_id"], [])
        return [str(r["response_id"]) for r in rows]

    def feedback_for_contacts(
        self, scope: str, contact_ids: Sequence[str]
    ) -> dict[str, list[Feedback]]:
        return self._feedback_grouped(scope, "contact_id", contact_ids)

    def _feedback_grouped(
        self, scope: str, column: str, values: Sequence[str]
    ) -> dict[str, list[Feedback]]:
        """Feedback whose ``column`` is one of ``values``, grouped, oldest first."""
        out: dict[str, list[Feedback]] = {}
        with self._engine.connect() as conn:
            rows = fetch_in(
                conn,
                t.feedback,
                (column, "payload"),
                {"scope": scope},
                column,
                list(values),
                order_by=("submitted_at", "response_id"),
            )
            for key, payload in rows:
                out.setdefault(key, []).append(_feedback(payload))
        return out

    def feedback_for_account(
        self, scope: str, account_id: str, since: datetime | None = None
    ) -> list[Feedback]:
        q = (
            select(t.feedback.c.payload)
            .where(t.feedback.c.scope == scope, t.feedback.c.account_id == account_id)
            .order_by(t.feedback.c.submitted_at, t.feedback.c.response_id)
        )
        if since is not None:
            q = q.where(t.feedback.c.submitted_at >= since)
        with self._engine.connect() as conn:
            return [_feedback(p) for p in conn.execute(q).scalars()]

    def feedback_for_accounts(
        self, scope: str, account_ids: Sequence[str]
    ) -> dict[str, list[Feedback]]:
        grouped = self._feedback_grouped(scope, "account_id", account_ids)
        return {a: grouped.get(a, []) for a in account_ids}

    def unprocessed_feedback(self, scope: str) -> list[Feedback]:
        q = (
            select(t.feedback.c.payload)
            .where(t.feedback.c.scope == scope, t.feedback.c.processed.is_(False))
            .order_by(t.feedback.c.submitted_at, t.feedback.c.response_id)
        )
        with self._engine.connect() as conn:
            return [_feedback(p) for p in conn.execute(q).scalars()]

    def mark_feedback_processed(self, scope: str, response_ids: Sequence[str]) -> None:
        with self._engine.begin() as conn:
            for chunk in _chunks(list(response_ids)):
                conn.execute(
                    update(t.feedback)
                    .where(t.feedback.c.scope == scope, t.feedback.c.response_id.in_(chunk))
                    .values(processed=True)
                )

    def feedback_count(self, scope: str) -> int:
        with self._engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(t.feedback).where(t.feedback.c.scope == scope)
                ).scalar()
                or 0
            )

    # quarantine -------------------------------------------------------------------------
    def quarantine(self, scope: str, items: Sequence[QuarantineItem]) -> int:
        """Keep rejected rows; the same (source, key) again updates its reason, no duplicate.

        Applied in bulk with the outcome of applying the items one by one: a key seen
        before is updated, a new key is inserted once (where it first appears) with the
        values of its last item. Returns how many rows were new to the quarantine.
        """
        if not items:
            return 0
        last: dict[tuple[str, str], QuarantineItem] = {}
        for item in items:
            if item.key is not None:
                last[(item.source, item.key)] = item
        now = utcnow()
        with self._engine.begin() as conn:
            existing = self._quarantined_ids(conn, scope, list(last))
            inserts: list[dict[str, Any]] = []
            for item in items:
                if item.key is None:
                    inserts.append(_quarantine_values(item, scope=scope, created_at=now))
                elif (item.source, item.key) not in existing:
                    existing[(item.source, item.key)] = None  # inserted: later items are repeats
                    final = last[(item.source, item.key)]
                    inserts.append(_quarantine_values(final, scope=scope, created_at=now))
            updates = [
                _quarantine_values(last[key], qid=qid)
                for key, qid in existing.items()
                if qid is not None
            ]
            if updates:
                conn.execute(
                    update(t.quarantine)
                    .where(t.quarantine.c.id == bindparam("qid"))
                    .values(
                        row_number=bindparam("row_number"),
                        kind=bindparam("kind"),
                        reason=bindparam("reason"),
                        raw=bindparam("raw"),
                    ),
                    updates,
                )
            if inserts:
                conn.execute(insert(t.quarantine), inserts)
        return len(inserts)

    @staticmethod
    def _quarantined_ids(
        conn: Connection, scope: str, keys: Sequence[tuple[str, str]]
    ) -> dict[tuple[str, str], int | None]:
        """The row id kept for each (source, key) already in the quarantine."""
        found: dict[tuple[str, str], int | None] = {}
        by_source: dict[str, list[str]] = {}
        for source, key in keys:
            by_source.setdefault(source, []).append(key)
        for source, names in by_source.items():
            rows = fetch_in(
                conn,
                t.quarantine,
                ("key", "id"),
                {"scope": scope, "source": source},
                "key",
                names,
                order_by=("id",),
            )
            for key, qid in rows:
                found.setdefault((source, key), qid)
        return found

    def list_quarantine(
        self, scope: str, kind: str | None = None, released: bool = False
    ) -> list[QuarantineRecord]:
        q = t.quarantine.c
        query = select(t.quarantine).where(q.scope == scope).order_by(q.id)
        query = query.where(q.released_at.is_not(None) if released else q.released_at.is_(None))
        if kind is not None:
            query = query.where(q.kind == kind)
        with self._engine.connect() as conn:
            return [
                QuarantineRecord(
                    id=r["id"],
                    source=r["source"],
                    row_number=r["row_number"],
                    kind=r["kind"],
                    reason=r["reason"],
                    raw=r["raw"] or {},
                    key=r["key"],
                    created_at=aware(r["created_at"]),
                    released_at=as_utc(r["released_at"]),
                )
                for r in conn.execute(query).mappings()
            ]

    def release(self, scope: str, ids: Sequence[int]) -> None:
        """Mark quarantined rows released (they stay in the table as history)."""
        with self._engine.begin() as conn:
            conn.execute(
                update(t.quarantine)
                .where(t.quarantine.c.scope == scope, t.quarantine.c.id.in_(list(ids)))
                .values(released_at=utcnow())
            )

    # health history ---------------------------------------------------------------------
    def add_health_many(self, scope: str, records: Sequence[HealthRecord]) -> None:
        """Append many scores in one statement."""
        if not records:
            return
        rows = [
            (
                scope,
                r.account_id,
                r.computed_at,
                r.score,
                r.band,
                r.trend,
                r.confidence,
                r.account_nps,
                r.fingerprint,
                r.payload,
            )
            for r in records
        ]
        with self._engine.begin() as conn:
            insert_rows(conn, t.health, _HEALTH_COLUMNS, rows)

    def add_health(self, scope: str, record: HealthRecord) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(t.health).values(
                    scope=scope,
                    account_id=record.account_id,
                    computed_at=record.computed_at,
                    score=record.score,
                    band=record.band,
                    trend=record.trend,
                    confidence=record.confidence,
                    account_nps=record.account_nps,
                    fingerprint=record.fingerprint,
                    payload=record.payload,
                )
            )

    def latest_health(self, scope: str, account_ids: Sequence[str]) -> dict[str, HealthRecord]:
        h = t.health.c
        out: dict[str, HealthRecord] = {}
        with self._engine.connect() as conn:
            for chunk in _chunks(list(account_ids)):
                newest = (
                    select(h.account_id, func.max(h.id).label("id"))
                    .where(h.scope == scope, h.account_id.in_(chunk))
                    .group_by(h.account_id)
                    .subquery()
                )
                q = select(t.health).join(newest, h.id == newest.c.id)
                out.update((r["account_id"], _health(r)) for r in conn.execute(q).mappings())
        return out

    def health_history(self, scope: str, account_id: str, limit: int = 50) -> list[HealthRecord]:
        h = t.health.c
        q = (
            select(t.health)
            .where(h.scope == scope, h.account_id == account_id)
            .order_by(h.id.desc())
            .limit(limit)
        )
        with self._engine.connect() as conn:
            return list(reversed([_health(r) for r in conn.execute(q).mappings()]))
