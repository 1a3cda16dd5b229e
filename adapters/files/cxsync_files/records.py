"""Turning file rows into cxsync models, and cursors over a file."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dateutil import parser as dateparser
from pydantic import ValidationError

from cxsync.models import Account, Contact, describe_validation_error

__all__ = ["FileCursor", "RowError", "to_account", "to_contact"]

_ACCOUNT_COLUMNS = ("id", "name", "owner_id", "segment", "annual_revenue", "country", "modified_at")
_CONTACT_COLUMNS = (
    "id",
    "account_id",
    "email",
    "first_name",
    "last_name",
    "title",
    "owner_id",
    "modified_at",
    "deleted",
)


class RowError(ValueError):
    """A row that cannot become a record; the message is the reason."""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _when(value: Any) -> datetime:
    text = _text(value)
    if text is None:
        raise RowError("modified_at is empty")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))  # fast path: ISO 8601
    except ValueError:
        parsed = None
    if parsed is not None:
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        parsed = dateparser.isoparse(text)
    except ValueError:
        try:
            parsed = dateparser.parse(text, dayfirst=True)
        except (ValueError, OverflowError) as exc:
            raise RowError(f"modified_at {text!r} is not a date") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _cx_fields(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k.startswith("cx_") and _text(v) is not None}


def _revenue(value: Any) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError as exc:
        raise RowError(f"annual_revenue {text!r} is not a number") from exc


def to_account(values: dict[str, Any], where: str) -> Account:
    try:
        return Account(
            id=_text(values.get("id")) or "",
            name=_text(values.get("name")) or "",
            owner_id=_text(values.get("owner_id")),
            segment=_text(values.get("segment")),
            annual_revenue=_revenue(values.get("annual_revenue")),
            country=_text(values.get("country")),
            modified_at=_when(values.get("modified_at")),
            fields=_cx_fields(values),
        )
    except ValidationError as exc:
        raise RowError(describe_validation_error(where, exc)) from exc


def to_contact(values: dict[str, Any], where: str) -> Contact:
    deleted = str(values.get("deleted") or "").strip().lower() in ("1", "true", "yes")
    try:
        return Contact(
            id=_text(values.get("id")) or "",
            account_id=_text(values.get("account_id")),
            email=_text(values.get("email")),
            first_name=_text(values.get("first_name")),
            last_name=_text(values.get("last_name")),
            title=_text(values.get("title")),
            owner_id=_text(values.get("owner_id")),
            modified_at=_when(values.get("modified_at")),
            deleted=deleted,
            fields=_cx_fields(values),
        )
    except ValidationError as exc:
        raise RowError(describe_validation_error(where, exc)) from exc


Key = tuple[str, str]  # (modified_at ISO in UTC, id): the order incremental reads follow


def key_of(modified_at: datetime, record_id: str) -> Key:
    return (modified_at.astimezone(UTC).isoformat(), record_id)


@dataclass(frozen=True)
class FileCursor:
    """Where a stream stands.

    ``since`` is the high-water mark of the previous complete pass (rows at or below it
    are skipped); ``offset`` counts the rows of the current pass already delivered (None
    once the pass is complete); ``high`` is the highest key seen so far.
    """

    since: Key | None = None
    offset: int | None = None
    high: Key | None = None

    def encode(self) -> str:
        return json.dumps({"since": self.since, "offset": self.offset, "high": self.high})

    @classmethod
    def decode(cls, text: str | None) -> FileCursor:
        if not text:
            return cls()
        try:
            raw = json.loads(text)
            return cls(
                since=tuple(raw["since"]) if raw.get("since") else None,
                offset=raw.get("offset"),
                high=tuple(raw["high"]) if raw.get("high") else None,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise RowError(f"not a files-adapter cursor: {text[:80]!r}") from exc
