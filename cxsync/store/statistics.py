"""Planner statistics that keep up with a store growing inside one run.

PostgreSQL plans a lookup by the statistics of its last ANALYZE. A first sync grows the
per-record tables from nothing to millions of rows faster than autovacuum analyses them, and
with "the table is nearly empty" the planner answers ``record_id IN (...)`` through the
``(scope, object_type)`` index and filters every row of the scope: a full scan per page,
quadratic over the run (1,000,000 contacts: 21 minutes). So the store analyses its
per-record tables itself each time the records a run has handled double. SQLite needs no
help: its planner prefers the key's index without statistics.
"""

from __future__ import annotations

from sqlalchemy import Engine

from cxsync.store import tables as t

__all__ = ["Statistics"]

#: tables a sync looks records up in by id, growing with the CRM
_GROWING = (t.contacts, t.record_state, t.written, t.feedback, t.health, t.accounts)
_FIRST = 5_000  # records handled before the first refresh


class Statistics:
    _engine: Engine
    _handled: int = 0
    _next_refresh: int = _FIRST
    refreshed: int = 0  # how many times this store analysed its tables

    def note_handled(self, records: int) -> None:
        """Records a stage just wrote or read by id; refreshes statistics when they double."""
        if self._engine.dialect.name != "postgresql":
            return
        self._handled += records
        if self._handled < self._next_refresh:
            return
        self._next_refresh = self._handled * 2
        self.refresh_statistics()

    def refresh_statistics(self) -> None:
        if self._engine.dialect.name != "postgresql":
            return
        preparer = self._engine.dialect.identifier_preparer
        names = ", ".join(preparer.format_table(table) for table in _GROWING)
        with self._engine.begin() as conn:
            conn.exec_driver_sql(f"ANALYZE {names}")
        self.refreshed += 1
