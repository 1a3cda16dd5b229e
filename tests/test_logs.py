"""Secrets never reach a log line."""

from __future__ import annotations

import logging

import pytest

from cxsync.logs import RedactingFilter, redact, register_secret


@pytest.mark.parametrize(
    "line",
    [
        "Authorization: Bearer pat-na1-0123456789abcdef",
        "POST /services/oauth2/token password=hunter2secret&client_secret=abcd1234",
        '{"access_token": "00D5g000004xyz!AQ0AQ"}',
        "<sessionId>00D5g000004xyz!AQ0AQ</sessionId>",
    ],
    ids=["bearer", "form", "json", "soap"],
)
def test_known_secret_shapes_are_masked(line: str) -> None:
    masked = redact(line)
    for secret in ("pat-na1-0123456789abcdef", "hunter2secret", "abcd1234", "00D5g000004xyz!AQ0AQ"):
        assert secret not in masked


def test_registered_secret_is_masked_anywhere(caplog: pytest.LogCaptureFixture) -> None:
    register_secret("canary-6b1f0d2e")
    logger = logging.getLogger("cxsync.test")
    handler = logging.Handler()
    handler.addFilter(RedactingFilter())
    records: list[str] = []
    handler.emit = lambda record: records.append(record.getMessage())  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        logger.warning("token was %s in %s", "canary-6b1f0d2e", "a url")
    finally:
        logger.removeHandler(handler)
    assert records == ["token was *** in a url"]
