"""Reading scores and timestamps as people and spreadsheets write them.

Every parser returns either the value or a reason a person can read; none raises on bad
input, because one bad cell must never stop an import.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser

__all__ = ["DateOrder", "parse_datetime", "parse_number", "timezone_named"]

DateOrder = Literal["auto", "dmy", "mdy"]

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
# Excel's day 0 is 1899-12-30 (it counts the non-existent 1900-02-29).
_EXCEL_EPOCH = datetime(1899, 12, 30)
_EXCEL_RANGE = (25_000.0, 80_000.0)  # 1968 … 2119: plausible response dates
_EPOCH_S_RANGE = (1e9, 1e10)  # 2001 … 2286
_EPOCH_MS_RANGE = (1e12, 1e13)
_HAS_DATE = re.compile(r"\d{4}|^\s*\d{1,2}[./-]\d{1,2}[./-]\d{2}\b")
# The spreadsheet layouts seen most often, read without dateutil (which is ~20x slower).
_NUMERIC_DATE = re.compile(
    r"^(\d{1,2})([./-])(\d{1,2})\2(\d{4})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?)?$"
)


def parse_number(text: str) -> float | None:
    """A number written with a dot or a decimal comma (``"9"``, ``"9,0"``, ``"9.0"``).

    Returns None for anything else (``"ten"``, ``"9/10"``, ``"1.000,5"``, ``"nan"``).
    """
    cleaned = text.strip().replace(" ", "")
    if not _NUMBER.match(cleaned):
        return None
    value = float(cleaned.replace(",", "."))
    return value if math.isfinite(value) else None


def timezone_named(name: str) -> tzinfo:
    """The IANA zone ``name`` (``"Europe/Istanbul"``); ``"UTC"`` for UTC.

    Raises:
        ValueError: the zone is unknown.
    """
    if name.upper() in ("UTC", "Z", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def parse_datetime(
    text: str, *, default_tz: tzinfo = UTC, order: DateOrder = "auto"
) -> datetime | str:
    """A timestamp in any common format, as an aware UTC datetime — or the reason it isn't.

    Accepted: ISO 8601 with an offset or ``Z``, plain dates, ``23.11.2026 14:05`` (dotted
    means day first), ``11/23/2026 2:05 PM`` (slashes mean month first unless the first
    part is over 12, or ``order`` says otherwise), Excel serial numbers (``46349.58``) and
    Unix epochs in seconds or milliseconds. A time without a zone is read in ``default_tz``.
    """
    raw = text.strip()
    if not raw:
        return "is empty"
    number = parse_number(raw)
    if number is not None:
        return _from_number(number, default_tz)
    if not _HAS_DATE.search(raw):
        return "is not a date"
    try:
        value = _numeric_date(raw, order) or datetime.fromisoformat(raw)
    except ValueError:
        try:
            value = dateutil_parser.parse(raw, dayfirst=_day_first(raw, order))
        except (ValueError, OverflowError):
            return "is not a date in a known format"
    if value.tzinfo is None:
        value = value.replace(tzinfo=default_tz)
    return value.astimezone(UTC)


def _from_number(number: float, default_tz: tzinfo) -> datetime | str:
    if _EXCEL_RANGE[0] <= number <= _EXCEL_RANGE[1]:
        # Excel stores local wall time (the serial carries no zone); float noise is
        # rounded away to the second.
        wall = _EXCEL_EPOCH + timedelta(seconds=round(number * 86_400))
        return wall.replace(tzinfo=default_tz).astimezone(UTC)
    if _EPOCH_S_RANGE[0] <= number < _EPOCH_S_RANGE[1]:
        return datetime.fromtimestamp(number, UTC)
    if _EPOCH_MS_RANGE[0] <= number < _EPOCH_MS_RANGE[1]:
        return datetime.fromtimestamp(number / 1000, UTC)
    return "is a number but neither an Excel date nor a Unix time"


def _numeric_date(raw: str, order: DateOrder) -> datetime | None:
    """``23.11.2026 14:05``, ``11/23/2026 2:05 PM`` and the like; None if not this shape.

    Raises:
        ValueError: the shape matches but the date or time is impossible.
    """
    match = _NUMERIC_DATE.match(raw)
    if match is None:
        return None
    first, _, second, year, hour, minute, sec, half = match.groups()
    day, month = (first, second) if _day_first(raw, order) else (second, first)
    hours = int(hour or 0)
    if half is not None:
        if not 1 <= hours <= 12:
            raise ValueError("hour out of range for AM/PM")
        hours = hours % 12 + (12 if half.upper() == "PM" else 0)
    return datetime(int(year), int(month), int(day), hours, int(minute or 0), int(sec or 0))


def _day_first(raw: str, order: DateOrder) -> bool:
    if order != "auto":
        return order == "dmy"
    head = re.match(r"\s*(\d{1,2})([./-])(\d{1,2})[./-]\d{2,4}", raw)
    if head is None:
        return False
    first, separator = int(head.group(1)), head.group(2)
    return separator == "." or first > 12
