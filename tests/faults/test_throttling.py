"""Throttling and server errors inside the retry budget: the run finishes in one go.

Each burst answers one call ``MAX_ATTEMPTS - 1`` times in a row, so its last attempt gets
through. The bursts land on the contact pull, a queryMore page, note creation, both
Collections chunks of contact writes and the account write: every kind of call a run makes.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from cxsync_salesforce.testing import EmulatorResponse

from cxsync.cli.render import exit_code_for
from tests.faults.conftest import (
    MAX_ATTEMPTS,
    Portal,
    Reference,
    assert_same_state,
    sf_error,
    throttled,
    unavailable,
)

# (method, API path pattern, matching requests let through first)
CALLS = [
    ("GET", r"^queryAll$", 0),
    ("GET", r"^query/", 1),
    ("POST", r"^composite/sobjects$", 0),
    ("PATCH", r"^composite/sobjects$", 0),
    ("PATCH", r"^composite/sobjects$", MAX_ATTEMPTS),  # the second chunk, after the first's
    ("PATCH", r"^composite/sobjects$", 2 * MAX_ATTEMPTS),  # the account write
]


def _server_errors(n: int) -> EmulatorResponse:
    """503 Service Unavailable and 500 UNKNOWN_EXCEPTION, burst by burst."""
    if n % 2:
        return sf_error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred")
    return unavailable()


@pytest.mark.parametrize(
    "fault",
    [lambda _: throttled(), _server_errors],
    ids=["429-storm", "5xx-burst"],
)
def test_a_storm_within_the_retry_budget_is_waited_out(
    portal: Portal, clean: Reference, fault: Callable[[int], EmulatorResponse]
) -> None:
    burst = MAX_ATTEMPTS - 1
    rules = [
        portal.emulator.scheduled.add(fault(n), method=m, path=p, after=a, times=burst)
        for n, (m, p, a) in enumerate(CALLS)
    ]

    summary = portal.sync()

    assert (summary.status, exit_code_for(summary)) == ("ok", 0), summary.exit_reason
    assert [r.fired for r in rules] == [burst] * len(CALLS), "every burst hit its call"
    throttling = rules[0].response.status == 429
    assert summary.api["throttled"] == (burst * len(CALLS) if throttling else 0)
    for key in ("applied", "tasks", "notes"):
        assert summary.writes[key] == clean.first.writes[key], key
    assert not portal.outbox()
    portal.settle()
    assert_same_state(portal.state(), clean.state)


def test_the_concurrent_request_limit_is_waited_out_not_taken_for_the_daily_quota(
    portal: Portal,
) -> None:
    concurrent = sf_error(403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded")
    portal.emulator.scheduled.add(concurrent, method="PATCH", path=r"^composite/sobjects$")

    summary = portal.sync()

    assert summary.status == "ok", summary.exit_reason
