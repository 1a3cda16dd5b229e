"""The state store: one object, its concerns in their own modules."""

from __future__ import annotations

from pathlib import Path
from types import TracebackType

from sqlalchemy import Engine

from cxsync.store.database import connect, display_url
from cxsync.store.ledger import Ledger
from cxsync.store.locks import LocksAndRuns
from cxsync.store.migrations import migrate
from cxsync.store.queue import Queues
from cxsync.store.record_state import RecordState
from cxsync.store.snapshot import Snapshot
from cxsync.store.statistics import Statistics

__all__ = ["Store"]


class Store(LocksAndRuns, Snapshot, RecordState, Ledger, Queues, Statistics):
    """cxsync's memory between runs: SQLite by default, PostgreSQL by URL.

    Holds cursors, the values cxsync wrote, the contact/account snapshot, the feedback
    ledger, the quarantine, health history, the outbox, follow-up tasks and notes created,
    the runs log and the audit log. It never holds a credential.
    """

    def __init__(self, engine: Engine, url_for_display: str) -> None:
        self._engine = engine
        self.url_for_display = url_for_display
        self.schema_version = migrate(engine)

    @classmethod
    def open(cls, url: str | None = None, *, work_dir: Path = Path(".cxsync")) -> Store:
        engine = connect(url, Path(work_dir))
        return cls(engine, display_url(str(engine.url)))

    @property
    def engine(self) -> Engine:
        return self._engine

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({self.url_for_display})"
