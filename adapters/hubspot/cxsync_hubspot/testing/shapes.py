"""HubSpot's wire shapes, shared by the emulator's endpoints: values, errors, times."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

__all__ = [
    "Answer",
    "Fault",
    "error",
    "hs_time",
    "parse_hs_time",
    "rate_limit_body",
]


@dataclass
class Answer:
    """What the emulator answers: status, JSON-able body (None = no body) and headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """A fault the emulator injects into matching requests.

    ``kind``: ``"answer"`` (send ``answer`` instead of handling the request), ``"timeout"``
    (stall ``delay`` seconds before answering), ``"drop"`` (close the connection without
    an answer), ``"pass"`` (handle the request normally: how
    :meth:`~cxsync_hubspot.testing.HubSpotEmulator.inject` lets the first matching requests
    through). ``after_apply`` makes timeouts and drops happen *after* the request took
    effect, like a response lost on the way back; a stall before it takes effect still
    lets it take effect when the stall ends, as a slow server would. ``path`` limits the
    fault to requests whose path (with its query string) contains it; ``method`` to one
    HTTP verb.
    """

    kind: str
    answer: Answer | None = None
    delay: float = 0.0
    after_apply: bool = False
    path: str | None = None
    method: str | None = None

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method != method:
            return False
        return self.path is None or self.path in path


def hs_time(value: datetime) -> str:
    """HubSpot's datetime form in responses: ISO 8601 UTC with milliseconds."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def parse_hs_time(value: Any) -> datetime:
    """A datetime from epoch milliseconds (number or digit string) or ISO 8601."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return datetime.fromtimestamp(int(text) / 1000, UTC)
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def error(
    status: int,
    message: str,
    category: str | None = None,
    *,
    errors: list[dict[str, Any]] | None = None,
    context: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    """HubSpot's standard error body (every field but ``status``/``message`` optional)."""
    body: dict[str, Any] = {
        "status": "error",
        "message": message,
        "correlationId": str(uuid.uuid4()),
    }
    if category:
        body["category"] = category
    if errors:
        body["errors"] = errors
    if context:
        body["context"] = context
    return Answer(status, body, dict(headers or {}))


_RATE_MESSAGES = {
    "TEN_SECONDLY_ROLLING": "You have reached your ten_secondly_rolling limit.",
    "SECONDLY": "You have reached your secondly limit.",
    "DAILY": "You have reached your daily limit.",
}


def rate_limit_body(policy: str) -> dict[str, Any]:
    """The 429 body HubSpot sends for a rate-limit policy."""
    return {
        "status": "error",
        "message": _RATE_MESSAGES[policy],
        "errorType": "RATE_LIMIT",
        "correlationId": str(uuid.uuid4()),
        "policyName": policy,
        "requestId": str(uuid.uuid4()),
    }
