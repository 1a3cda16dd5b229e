"""Duplicate and stale contacts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

__all__ = ["DuplicateFlag", "find_duplicates", "is_stale"]


@dataclass(frozen=True)
class DuplicateFlag:
    """This contact duplicates ``survivor_id`` (in its own account or in another one)."""

    survivor_id: str
    scope: Literal["account", "cross_account"]


def find_duplicates(
    rows: Iterable[tuple[str, str | None, str | None, datetime]],
) -> dict[str, DuplicateFlag]:
    """Flag contacts sharing a normalised address; the survivor is not in the result.

    The survivor is the most recently modified contact (its data is the most current), ties
    broken by the smallest id so the choice is stable across runs. Contacts without an
    address are never duplicates.
    """
    groups: dict[str, list[tuple[str, str | None, datetime]]] = {}
    for contact_id, account_id, email, modified_at in rows:
        if email:
            groups.setdefault(email, []).append((contact_id, account_id, modified_at))
    flags: dict[str, DuplicateFlag] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        survivor = min(members, key=lambda m: (-m[2].timestamp(), m[0]))
        for contact_id, account_id, _ in members:
            if contact_id == survivor[0]:
                continue
            scope: Literal["account", "cross_account"] = (
                "account" if account_id == survivor[1] else "cross_account"
            )
            flags[contact_id] = DuplicateFlag(survivor_id=survivor[0], scope=scope)
    return flags


def is_stale(modified_at: datetime, now: datetime, max_age_days: int) -> bool:
    """Not modified for more than ``max_age_days``."""
    return now - modified_at > timedelta(days=max_age_days)
