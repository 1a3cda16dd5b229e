"""Timeouts and dropped connections, before the org acted and after (the answer was lost).

A lost answer is the dangerous case: the org made the change, the client never heard so
and tries again. Field writes are idempotent; tasks and notes carry a key the org refuses
twice, so a retry finds them created instead of creating them again.
"""

from __future__ import annotations

import pytest
from cxsync_salesforce.testing import DROPPED, TIMEOUT, EmulatorResponse

from cxsync.cli.render import exit_code_for
from tests.faults.conftest import MAX_ATTEMPTS, Portal, Reference, assert_same_state

# (method, API path pattern, matching requests let through, times, the org acts first);
# a rule counts every matching request, those other rules answered included
FAULTS = [
    ("GET", r"^queryAll$", 0, MAX_ATTEMPTS - 1, False),
    ("GET", r"^query/", 0, 1, False),
    ("POST", r"^composite/sobjects$", 0, 1, True),  # the notes: created, answer lost
    ("PATCH", r"^composite/sobjects$", 0, 2, True),  # contact writes applied, answer lost
    ("POST", r"^composite/sobjects$", 3, 1, True),  # a later account's follow-up tasks
    ("PATCH", r"^composite/sobjects$", 3, 1, False),  # the second chunk, after the first's 3
]


@pytest.mark.parametrize(
    ("fault", "served"),
    [(TIMEOUT, False), (DROPPED, True)],
    ids=["timeout-in-process", "dropped-loopback-socket"],
)
def test_lost_requests_and_lost_answers_are_retried_without_duplicates(
    request: pytest.FixtureRequest,
    clean: Reference,
    fault: EmulatorResponse,
    served: bool,
) -> None:
    portal: Portal = request.getfixturevalue("served_portal" if served else "portal")
    rules = [
        portal.emulator.scheduled.add(
            fault, method=m, path=p, after=a, times=n, apply_first=applied
        )
        for m, p, a, n, applied in FAULTS
    ]

    summary = portal.sync()

    assert (summary.status, exit_code_for(summary)) == ("ok", 0), summary.exit_reason
    assert [r.fired for r in rules] == [n for *_, n, _ in FAULTS]
    for key in ("applied", "tasks", "notes"):
        assert summary.writes[key] == clean.first.writes[key], key
    assert not portal.outbox()
    portal.settle()
    assert_same_state(portal.state(), clean.state)


def test_tasks_the_org_created_but_never_confirmed_are_found_not_created_twice(
    portal: Portal, clean: Reference
) -> None:
    # every attempt at one account's follow-ups creates them, and every answer is lost
    lost = portal.emulator.scheduled.add(
        TIMEOUT,
        method="POST",
        path=r"^composite/sobjects$",
        after=1,
        times=MAX_ATTEMPTS,
        apply_first=True,
    )

    summary = portal.sync()

    assert lost.fired == MAX_ATTEMPTS
    assert (summary.status, exit_code_for(summary)) == ("partial", 5), summary.exit_reason
    failed = portal.actions("task", "failed")
    assert summary.writes["tasks_failed"] == len(failed) > 0
    created = {t[0] for t in portal.state()["tasks"]}
    assert failed <= created, "the org holds them although the run could not tell"
    recovery = portal.sync()
    assert recovery.stage("recovery")["tasks_retried"] == len(failed)
    assert recovery.writes["tasks"] == len(failed) and not portal.actions("task", "failed")
    portal.settle()
    assert_same_state(portal.state(), clean.state)
