"""Values between cxsync's canonical types and HubSpot's strings.

HubSpot sends and stores every property value as a string: numbers as text, dates as
``YYYY-MM-DD`` (or midnight-UTC epoch ms), datetimes as ISO 8601, multi-select values joined
by ``;``, booleans as ``true``/``false``; an empty string clears a value.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from cxsync.models import BuyingRole
from cxsync.schema import FieldSpec, FieldType

__all__ = [
    "BUYING_ROLES",
    "decode_cursor",
    "encode_cursor",
    "epoch_ms",
    "from_hubspot",
    "parse_time",
    "to_hubspot",
]

#: cxsync buying roles → values of HubSpot's native ``hs_buying_role`` (multi-select).
#: HubSpot has no "requester" seat; OTHER keeps the person in the buying group.
BUYING_ROLES = {
    BuyingRole.DECISION_MAKER: "DECISION_MAKER",
    BuyingRole.APPROVER: "BUDGET_HOLDER",
    BuyingRole.INFLUENCER: "INFLUENCER",
    BuyingRole.REQUESTER: "OTHER",
    BuyingRole.END_USER: "END_USER",
}


def epoch_ms(value: datetime) -> int:
    return int(value.astimezone(UTC).timestamp() * 1000)


def parse_time(value: Any) -> datetime:
    """A HubSpot datetime (ISO 8601 or epoch ms) as an aware UTC datetime."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def to_hubspot(value: Any) -> str:
    """A canonical value in the string form HubSpot stores ("" clears the property)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple | set | frozenset):
        return ";".join(str(v) for v in value)
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def from_hubspot(spec: FieldSpec | None, value: str | None) -> Any:
    """A HubSpot string in its canonical, JSON-simple form (the state store keeps it).

    Numbers become floats, booleans bools, multi-select values lists; dates and datetimes
    become ISO 8601 text (``YYYY-MM-DD``; UTC with offset), which the planner compares by
    meaning, not by spelling.
    """
    if value is None or value == "" or spec is None:
        return None if value == "" else value
    try:
        if spec.type is FieldType.NUMBER:
            return float(value)
        if spec.type is FieldType.DATE:
            day = parse_time(value).date() if value.isdigit() else date.fromisoformat(value[:10])
            return day.isoformat()
        if spec.type is FieldType.DATETIME:
            return parse_time(value).isoformat()
        if spec.type is FieldType.CHECKBOX:
            return value.lower() == "true"
    except ValueError:
        return value  # a person typed something odd: the planner sees it as different
    if spec.type is FieldType.MULTIPICKLIST:
        return [v for v in value.split(";") if v]
    return value


def encode_cursor(state: dict[str, Any]) -> str:
    return json.dumps({"v": 1, **state}, separators=(",", ":"), sort_keys=True)


def decode_cursor(cursor: str | None) -> dict[str, Any] | None:
    """The read position in a cursor string; None starts a full load."""
    if not cursor:
        return None
    try:
        state = json.loads(cursor)
    except ValueError:
        state = None
    if (
        not isinstance(state, dict)
        or state.get("v") != 1
        or state.get("phase") not in ("full", "inc", "archived")
    ):
        from cxsync.errors import ConfigError

        raise ConfigError(f"not a HubSpot cursor: {str(cursor)[:60]!r}")
    return state
