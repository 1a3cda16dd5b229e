"""Property definitions and value rules of the emulated portal.

HubSpot stores every property value as a string and validates it against the property's
type on write. The emulator does the same, so a wrong encoding fails in tests the way it
fails against a real portal.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

from cxsync_hubspot.testing.shapes import hs_time, parse_hs_time

__all__ = [
    "MODIFIED",
    "OBJECT_TYPES",
    "VALID_FIELD_TYPES",
    "ValueRejected",
    "check_value",
    "comparable",
    "standard_properties",
]

#: object type names and their numeric type ids (both work in paths)
OBJECT_TYPES = {
    "contacts": "0-1",
    "companies": "0-2",
    "tasks": "0-27",
    "notes": "0-46",
    "feedback_submissions": "0-19",
}
#: the modified-date property each object type carries (contacts differ from the rest)
MODIFIED = {name: "hs_lastmodifieddate" for name in OBJECT_TYPES} | {"contacts": "lastmodifieddate"}
CREATED = {name: "hs_createdate" for name in OBJECT_TYPES} | {
    "contacts": "createdate",
    "companies": "createdate",
}
#: type → fieldType pairs HubSpot accepts when creating a property
VALID_FIELD_TYPES = {
    "bool": {"booleancheckbox", "calculation_equation"},
    "enumeration": {"booleancheckbox", "checkbox", "radio", "select", "calculation_equation"},
    "date": {"date"},
    "datetime": {"date"},
    "string": {"file", "text", "textarea", "calculation_equation", "html", "phonenumber"},
    "number": {"number", "calculation_equation"},
}
BUYING_ROLES = [
    "BLOCKER",
    "BUDGET_HOLDER",
    "CHAMPION",
    "DECISION_MAKER",
    "END_USER",
    "EXECUTIVE_SPONSOR",
    "INFLUENCER",
    "LEGAL_AND_COMPLIANCE",
    "OTHER",
]


def _prop(
    name: str,
    kind: str = "string",
    field_type: str = "text",
    *,
    read_only: bool = False,
    options: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "name": name,
        "label": name.replace("_", " ").title(),
        "type": kind,
        "fieldType": field_type,
        "groupName": "hubspot_defined",
        "options": [
            {"label": o.title(), "value": o, "displayOrder": i, "hidden": False}
            for i, o in enumerate(options or [])
        ],
        "hasUniqueValue": False,
        "hubspotDefined": True,
        "modificationMetadata": {"readOnlyValue": read_only, "archivable": False},
    }


def standard_properties(object_type: str) -> dict[str, dict[str, Any]]:
    """The HubSpot-defined properties the emulator knows for ``object_type``."""
    props = [
        _prop("hs_object_id", "number", "number", read_only=True),
        _prop(MODIFIED[object_type], "datetime", "date", read_only=True),
        _prop(CREATED[object_type], "datetime", "date", read_only=True),
        _prop("hubspot_owner_id", "enumeration", "select"),
    ]
    if object_type == "contacts":
        props += [
            _prop("email"),
            _prop("firstname"),
            _prop("lastname"),
            _prop("jobtitle"),
            _prop("phone"),
            _prop("associatedcompanyid", "number", "number"),
            _prop("hs_buying_role", "enumeration", "checkbox", options=BUYING_ROLES),
            _prop("hs_feedback_last_nps_rating", "enumeration", "select", read_only=True),
        ]
    elif object_type == "companies":
        props += [
            _prop("name"),
            _prop("domain"),
            _prop("industry"),
            _prop("annualrevenue", "number", "number"),
            _prop("country"),
        ]
    elif object_type == "tasks":
        props += [
            _prop("hs_timestamp", "datetime", "date"),
            _prop("hs_task_subject"),
            _prop("hs_task_body", "string", "html"),
            _prop(
                "hs_task_status",
                "enumeration",
                "select",
                options=["NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "DEFERRED"],
            ),
            _prop("hs_task_priority", "enumeration", "select", options=["LOW", "MEDIUM", "HIGH"]),
            _prop("hs_task_type", "enumeration", "select", options=["EMAIL", "CALL", "TODO"]),
        ]
    elif object_type == "notes":
        props += [
            _prop("hs_timestamp", "datetime", "date"),
            _prop("hs_note_body", "string", "html"),
        ]
    elif object_type == "feedback_submissions":
        for name in (
            "hs_survey_id",
            "hs_survey_name",
            "hs_content",
            "hs_contact_email_rollup",
            "hs_submission_name",
        ):
            props.append(_prop(name, read_only=True))
        props += [
            _prop("hs_contact_id", "number", "number", read_only=True),
            _prop("hs_value", "number", "number", read_only=True),
            _prop("hs_submission_timestamp", "datetime", "date", read_only=True),
            _prop(
                "hs_survey_type",
                "enumeration",
                "select",
                read_only=True,
                options=["NPS", "CSAT", "CES", "CUSTOM", "KNOWLEDGE"],
            ),
            _prop(
                "hs_response_group",
                "enumeration",
                "select",
                read_only=True,
                options=["PROMOTER", "PASSIVE", "DETRACTOR"],
            ),
            _prop(
                "hs_survey_channel",
                "enumeration",
                "select",
                read_only=True,
                options=["EMAIL", "WEB", "CHAT", "SMS", "LINK"],
            ),
        ]
    return {p["name"]: p for p in props}


class ValueRejected(ValueError):
    """A property value HubSpot would refuse, with its error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def check_value(definition: dict[str, Any], value: Any) -> str | None:
    """The stored string form of ``value`` for ``definition``; None clears; raises if invalid."""
    if value is None or value == "":
        return None
    # the API takes JSON numbers and booleans too, and stores their text
    text: str = str(value).lower() if isinstance(value, bool) else str(value)
    return _check_text(definition, text)


def _check_text(definition: dict[str, Any], value: str) -> str | None:
    kind = definition["type"]
    name = definition["name"]
    if kind == "number":
        try:
            float(value)
        except ValueError:
            raise ValueRejected("INVALID_FLOAT", f"{value!r} is not a valid number") from None
        return value
    if kind == "bool":
        if value.lower() not in ("true", "false"):
            raise ValueRejected("INVALID_BOOLEAN", f"{value!r} is not a valid boolean")
        return value.lower()
    if kind == "enumeration":
        allowed = {o["value"] for o in definition.get("options", [])}
        chosen = (
            [v for v in value.split(";") if v] if definition["fieldType"] == "checkbox" else [value]
        )
        if definition["fieldType"] != "checkbox" and name == "hubspot_owner_id":
            return value  # owners are not options in this emulator
        bad = [v for v in chosen if v not in allowed]
        if bad:
            raise ValueRejected(
                "INVALID_OPTION",
                f"{bad[0]!r} was not one of the allowed options: {sorted(allowed)}",
            )
        return ";".join(chosen)
    if kind == "date":
        try:
            if value.isdigit():
                stamp = parse_hs_time(value)
                if stamp.hour or stamp.minute or stamp.second or stamp.microsecond:
                    raise ValueError
                return stamp.date().isoformat()
            return datetime.strptime(value, "%Y-%m-%d").date().isoformat()
        except ValueError:
            raise ValueRejected(
                "INVALID_DATE", f"{value!r} is not a valid date (midnight UTC or YYYY-MM-DD)"
            ) from None
    if kind == "datetime":
        try:
            return hs_time(parse_hs_time(value))
        except ValueError:
            raise ValueRejected("INVALID_DATETIME", f"{value!r} is not a valid datetime") from None
    if len(value) > 65536:
        raise ValueRejected("TOO_LONG", f"value of {name} exceeds 65536 characters")
    return value


def comparable(definition: dict[str, Any] | None, value: Any) -> Any:
    """A value in the form search filters compare (numbers, epoch ms, text)."""
    if value is None:
        return None
    kind = definition["type"] if definition else "string"
    try:
        if kind == "number":
            return float(value)
        if kind in ("datetime", "date"):
            return _epoch(str(value))
    except ValueError:
        return None
    return str(value).lower()


@functools.lru_cache(maxsize=65536)
def _epoch(text: str) -> float:
    """Epoch ms of a stored datetime (cached: search compares the same stamps again and again)."""
    return parse_hs_time(text).timestamp() * 1000


def epoch_ms(value: datetime) -> int:
    return int(value.astimezone(UTC).timestamp() * 1000)
