"""Logging set-up for the CLI, with secret redaction.

The library itself only calls ``logging.getLogger(__name__)``; handlers are added here, by
the CLI, never on import.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import Any

__all__ = ["RedactingFilter", "configure_logging", "redact"]

# Values that look like credentials wherever they appear in a message.
_SECRET_PATTERNS = (
    re.compile(r"(?i)(authorization:\s*bearer\s+)[^\s'\"]+"),
    re.compile(
        r"(?i)((?:access_token|refresh_token|client_secret|password|security_token|"
        r"session_id|sessionid|token|api_key|private_key)[\"']?\s*[:=]\s*[\"']?)[^\s'\",&}]+"
    ),
    re.compile(r"(?i)(<sessionId>)[^<]+"),
    re.compile(r"(?i)(sid=)[^;\s]+"),
)
_registered_secrets: set[str] = set()


def register_secret(value: str | None) -> None:
    """Mask this exact value in every log line from now on (called when secrets are loaded)."""
    if value and len(value) >= 6:
        _registered_secrets.add(value)


def redact(text: str) -> str:
    for secret in _registered_secrets:
        if secret in text:
            text = text.replace(secret, "***")
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        record.msg = message
        record.args = None
        return True


class _JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            payload["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)


def configure_logging(*, verbose: bool = False, json_lines: bool = False) -> None:
    root = logging.getLogger("cxsync")
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        _JsonFormatter() if json_lines else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.WARNING)
    for name in ("cxsync_salesforce", "cxsync_hubspot", "cxsync_files"):
        lg = logging.getLogger(name)
        lg.handlers = [handler]
        lg.setLevel(root.level)
