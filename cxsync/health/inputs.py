"""What the engine hands the scorer for one account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cxsync.models import Feedback

__all__ = ["AccountInput", "ContactInput", "PreviousScore"]


@dataclass(frozen=True)
class ContactInput:
    contact_id: str
    display_name: str
    roles: tuple[str, ...] = ()
    function: str | None = None
    eligible: bool = True  # a real, unique person (not a shared mailbox, not a duplicate)
    duplicate: bool = False
    stale: bool = False


@dataclass(frozen=True)
class PreviousScore:
    score: int | None
    band: str | None
    computed_at: datetime


@dataclass(frozen=True)
class AccountInput:
    account_id: str
    name: str
    segment: str | None = None
    annual_revenue: float | None = None
    owner_id: str | None = None
    contacts: tuple[ContactInput, ...] = ()
    responses: tuple[Feedback, ...] = ()  # survey responses and field notes
    open_followups: int = 0
    previous: PreviousScore | None = None
