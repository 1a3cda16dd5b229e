"""One run at a time per scope, runs log, audit log."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from cxsync.errors import RunInProgressError
from cxsync.store import tables as t
from cxsync.store.database import as_utc, aware, utcnow
from cxsync.store.rows import RunRecord

__all__ = ["LocksAndRuns", "RunLock"]


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class RunLock:
    """A held lock. Release it (or leave the ``with`` block) when the run ends."""

    def __init__(self, engine: Engine, scope: str, token: str) -> None:
        self._engine = engine
        self.scope = scope
        self.token = token
        self.released = False

    def heartbeat(self) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                update(t.locks)
                .where(t.locks.c.scope == self.scope, t.locks.c.token == self.token)
                .values(heartbeat_at=utcnow())
            )

    def release(self) -> None:
        if self.released:
            return
        with self._engine.begin() as conn:
            conn.execute(
                delete(t.locks).where(t.locks.c.scope == self.scope, t.locks.c.token == self.token)
            )
        self.released = True

    def __enter__(self) -> RunLock:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()


class LocksAndRuns:
    _engine: Engine

    def acquire_lock(self, scope: str, owner: str, ttl_seconds: int = 600) -> RunLock:
        """Take the scope's lock, or raise RunInProgressError naming the live holder.

        A lock whose holder process is gone (same host, pid not alive) or whose heartbeat is
        older than ``ttl_seconds`` is taken over with a compare-and-set on its token, so two
        processes taking over at once cannot both win.
        """
        host, pid, token, now = socket.gethostname(), os.getpid(), uuid.uuid4().hex, utcnow()
        row = {
            "scope": scope,
            "owner": owner,
            "host": host,
            "pid": pid,
            "token": token,
            "acquired_at": now,
            "heartbeat_at": now,
        }
        try:
            with self._engine.begin() as conn:
                conn.execute(insert(t.locks).values(**row))
        except IntegrityError:
            self._take_over(scope, row, ttl_seconds)
        with self._engine.begin() as conn:
            conn.execute(
                update(t.runs)
                .where(t.runs.c.scope == scope, t.runs.c.finished_at.is_(None))
                .values(
                    status="interrupted",
                    finished_at=now,
                    exit_reason="the process ended before the run finished",
                )
            )
        return RunLock(self._engine, scope, token)

    def _take_over(self, scope: str, row: dict[str, Any], ttl_seconds: int) -> None:
        with self._engine.begin() as conn:
            held = conn.execute(select(t.locks).where(t.locks.c.scope == scope)).mappings().first()
            if held is None:  # released between our insert and this read: try once more
                conn.execute(insert(t.locks).values(**row))
                return
            beat = as_utc(held["heartbeat_at"])
            dead = held["host"] == row["host"] and not _pid_alive(int(held["pid"]))
            expired = beat is not None and utcnow() - beat > timedelta(seconds=ttl_seconds)
            if not (dead or expired):
                raise RunInProgressError(
                    f"another run holds the lock for {scope!r}: {held['owner']} "
                    f"(pid {held['pid']} on {held['host']}, since {as_utc(held['acquired_at'])})"
                )
            taken = conn.execute(
                update(t.locks)
                .where(t.locks.c.scope == scope, t.locks.c.token == held["token"])
                .values(**{k: v for k, v in row.items() if k != "scope"})
            )
            if taken.rowcount != 1:
                raise RunInProgressError(f"another run took over the lock for {scope!r} first")

    # runs -------------------------------------------------------------------------------
    def start_run(self, scope: str, kind: str, dry_run: bool) -> int:
        with self._engine.begin() as conn:
            result = conn.execute(
                insert(t.runs).values(
                    scope=scope,
                    kind=kind,
                    dry_run=dry_run,
                    started_at=utcnow(),
                    status="running",
                    summary={},
                )
            )
            return int(result.inserted_primary_key[0])  # type: ignore[index]

    def finish_run(
        self, run_id: int | None, status: str, exit_reason: str, summary: dict[str, Any]
    ) -> None:
        if run_id is None:
            return
        with self._engine.begin() as conn:
            conn.execute(
                update(t.runs)
                .where(t.runs.c.id == run_id)
                .values(
                    finished_at=utcnow(), status=status, exit_reason=exit_reason, summary=summary
                )
            )

    def list_runs(self, scope: str | None = None, limit: int = 20) -> list[RunRecord]:
        query = select(t.runs).order_by(t.runs.c.id.desc()).limit(limit)
        if scope is not None:
            query = query.where(t.runs.c.scope == scope)
        with self._engine.connect() as conn:
            return [
                RunRecord(
                    id=r["id"],
                    scope=r["scope"],
                    kind=r["kind"],
                    dry_run=bool(r["dry_run"]),
                    started_at=aware(r["started_at"]),
                    finished_at=as_utc(r["finished_at"]),
                    status=r["status"],
                    exit_reason=r["exit_reason"],
                    summary=r["summary"] or {},
                )
                for r in conn.execute(query).mappings()
            ]

    # audit ------------------------------------------------------------------------------
    def audit(self, scope: str, run_id: int | None, event: str, detail: dict[str, Any]) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                insert(t.audit).values(
                    scope=scope, run_id=run_id, event=event, detail=detail, at=utcnow()
                )
            )

    def audit_events(
        self, scope: str, run_id: int | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        query = select(t.audit).where(t.audit.c.scope == scope).order_by(t.audit.c.id).limit(limit)
        if run_id is not None:
            query = query.where(t.audit.c.run_id == run_id)
        with self._engine.connect() as conn:
            return [dict(r) | {"at": as_utc(r["at"])} for r in conn.execute(query).mappings()]
