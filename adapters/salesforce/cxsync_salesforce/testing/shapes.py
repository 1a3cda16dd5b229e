"""Response shapes shared by the emulator's endpoints."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

__all__ = ["DROPPED", "TIMEOUT", "EmulatorResponse", "error", "parse_time", "sf_time"]


@dataclass
class EmulatorResponse:
    """What the emulator answers: status, JSON-able body (or None) and headers."""

    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def sf_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def parse_time(text: str) -> datetime:
    text = text.strip().replace("Z", "+00:00")
    if re.search(r"[+-]\d{4}$", text):
        text = text[:-2] + ":" + text[-2:]
    return datetime.fromisoformat(text)


def error(status: int, code: str, message: str) -> EmulatorResponse:
    return EmulatorResponse(status, [{"message": message, "errorCode": code}])


#: a fault that makes the in-process mock raise ``requests.ReadTimeout`` (no answer at all)
TIMEOUT = EmulatorResponse(0)

#: a fault that drops the connection without an answer (``requests.ConnectionError``),
#: in-process and on the loopback server alike
DROPPED = EmulatorResponse(-1)
