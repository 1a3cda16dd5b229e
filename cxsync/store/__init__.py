"""The state store (SQLAlchemy Core; SQLite by default, PostgreSQL by URL)."""

from cxsync.store.locks import RunLock
from cxsync.store.rows import (
    AccountRow,
    ContactRow,
    HealthRecord,
    OutboxItem,
    QuarantineItem,
    QuarantineRecord,
    RunRecord,
)
from cxsync.store.store import Store

__all__ = [
    "AccountRow",
    "ContactRow",
    "HealthRecord",
    "OutboxItem",
    "QuarantineItem",
    "QuarantineRecord",
    "RunLock",
    "RunRecord",
    "Store",
]
