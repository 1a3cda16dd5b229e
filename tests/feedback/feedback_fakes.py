"""Test doubles of the feedback importer's own protocols (ledger, respondent lookup).

A uniquely named module (not ``conftest``) so test files can import it by name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cxsync.feedback import Rejection, Respondent
from cxsync.models import Feedback

DATA = Path(__file__).resolve().parent.parent / "data" / "feedback"


class MemoryLedger:
    """An in-memory ledger keyed by response id, as the state store behaves."""

    def __init__(self) -> None:
        self.items: dict[str, Feedback] = {}
        self.quarantined: list[Rejection] = []
        self.add_calls: list[int] = []

    def add(self, items: Sequence[Feedback]) -> list[str]:
        self.add_calls.append(len(items))
        new = []
        for item in items:
            if item.response_id not in self.items:
                self.items[item.response_id] = item
                new.append(item.response_id)
        return new

    def quarantine(self, rejections: Sequence[Rejection]) -> None:
        self.quarantined.extend(rejections)


class DictLookup:
    """Respondents by contact id and by normalised email."""

    def __init__(self, respondents: dict[str, Respondent] | None = None) -> None:
        self.by_key: dict[str, Respondent] = dict(respondents or {})

    def resolve(self, contact_id: str | None, email_normalized: str | None) -> Respondent | None:
        if contact_id and contact_id in self.by_key:
            return self.by_key[contact_id]
        if email_normalized:
            return self.by_key.get(email_normalized)
        return None


@dataclass(frozen=True)
class StoredRow:
    """A quarantined row as a store would hand it back."""

    record_id: str
    source: str
    row_number: int
    raw: dict[str, Any] = field(default_factory=dict)


AYSE = Respondent("C-200", "A-1", "site_chief")
MEHMET = Respondent("C-300", "A-1", "procurement_manager")
CONTACT_100 = Respondent("C-100", "A-2", None)
