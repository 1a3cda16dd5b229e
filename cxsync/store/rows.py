"""The records the state store takes and returns (plain frozen dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = [
    "AccountRow",
    "ContactRow",
    "HealthRecord",
    "OutboxItem",
    "QuarantineItem",
    "QuarantineRecord",
    "RunRecord",
]


@dataclass(frozen=True)
class ContactRow:
    """What cxsync knows of one contact after the pull stage."""

    contact_id: str
    account_id: str | None
    email_normalized: str | None
    verdict: str
    flags: tuple[str, ...]
    duplicate_of: str | None
    roles: tuple[str, ...]
    function: str | None
    persona: str | None
    display_name: str
    modified_at: datetime
    deleted: bool = False


@dataclass(frozen=True)
class AccountRow:
    account_id: str
    name: str
    owner_id: str | None
    segment: str | None
    annual_revenue: float | None
    country: str | None
    modified_at: datetime


@dataclass(frozen=True)
class HealthRecord:
    account_id: str
    computed_at: datetime
    score: int | None
    band: str | None
    trend: str | None
    confidence: float | None
    account_nps: float | None
    fingerprint: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class QuarantineItem:
    """A rejected input row or record, kept with its reason."""

    source: str
    row_number: int | None
    kind: str
    reason: str
    raw: dict[str, Any]
    key: str | None = None


@dataclass(frozen=True)
class QuarantineRecord:
    id: int
    source: str
    row_number: int | None
    kind: str
    reason: str
    raw: dict[str, Any]
    key: str | None
    created_at: datetime
    released_at: datetime | None


@dataclass(frozen=True)
class OutboxItem:
    kind: str
    key: str
    payload: dict[str, Any]
    attempts: int
    last_error: str
    first_failed_at: datetime
    last_attempt_at: datetime


@dataclass(frozen=True)
class RunRecord:
    id: int
    scope: str
    kind: str
    dry_run: bool
    started_at: datetime
    finished_at: datetime | None
    status: str
    exit_reason: str | None
    summary: dict[str, Any]
