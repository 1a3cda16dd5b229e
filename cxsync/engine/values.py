"""Comparing field values the way a CRM stores them.

CRMs hand values back in their own shapes: HubSpot sends every value as a string,
Salesforce sends datetimes as ``2026-11-01T10:00:00.000+0000`` and multi-select values in
picklist order. Comparing raw values would plan a write on every run; comparing the
normalised form per field type plans a write only when the meaning changed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from dateutil import parser as dateparser

from cxsync.schema import FieldSpec, FieldType

__all__ = ["EMPTY", "normalize", "same_value", "to_wire"]

EMPTY: tuple[Any, ...] = (None, "", [], ())  # values that mean "no value"


def _as_number(value: Any, scale: int | None) -> float | None:
    if isinstance(value, bool):
        return float(value)
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        return None
    return round(number, scale if scale is not None else 6)


def _as_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        parsed = datetime.fromtimestamp(value / 1000 if value > 1e11 else value, UTC)
    else:
        text = str(value).strip()
        if text.isdigit():
            return _as_datetime(int(text))
        try:
            parsed = dateparser.isoparse(text)
        except ValueError:
            try:
                parsed = dateparser.parse(text)
            except (ValueError, OverflowError):
                return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).replace(microsecond=0)


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed = _as_datetime(value)
    return parsed.date() if parsed else None


def _as_list(value: Any) -> tuple[str, ...]:
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [str(v).strip() for v in value]
    else:
        items = [part.strip() for part in str(value).split(";")]
    return tuple(sorted(i for i in items if i))


def normalize(value: Any, spec: FieldSpec | None) -> Any:
    """A comparable form of ``value`` for a field of ``spec``'s type (None when empty)."""
    if value in EMPTY:
        return None
    kind = spec.type if spec else None
    if kind is FieldType.NUMBER:
        return _as_number(value, spec.scale if spec else None)
    if kind is FieldType.DATETIME:
        return _as_datetime(value)
    if kind is FieldType.DATE:
        return _as_date(value)
    if kind is FieldType.MULTIPICKLIST:
        # CRMs re-order multi-select values (Salesforce keeps picklist order): compare as sets
        return _as_list(value) or None
    if kind is FieldType.CHECKBOX:
        return str(value).strip().lower() in ("true", "1", "yes")
    text = str(value).strip()
    return text or None


def same_value(left: Any, right: Any, spec: FieldSpec | None) -> bool:
    return bool(normalize(left, spec) == normalize(right, spec))


def to_wire(value: Any) -> Any:
    """A JSON-simple form for the store and the plan output."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [to_wire(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
