"""The session expiring mid-run, and the daily API allocation running out mid-run.

A password login is renewed in place (one more login, the run goes on); a bare session id
cannot be, so that run stops with exit 4 and the next run, given a fresh session, finishes
the job. A spent allocation stops the run with exit 7, keeping what was refused in the
outbox; the run after the allocation resets finishes the job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from cxsync_salesforce.testing import mock_emulator

from cxsync.cli.render import exit_code_for
from cxsync.engine.summary import RunSummary
from tests.faults.conftest import (
    PAGE_SIZE,
    PASSWORD_FLOW,
    Portal,
    Reference,
    assert_same_state,
    assert_sent_first,
    new_portal,
    sf_error,
    written_ids,
)

# accepted requests before the fault, at the places a clean run makes them: the contact
# pull's second page (5th request), the second Collections chunk of contact writes (10th),
# the follow-ups of the 12th account (the 30th of 57)
DURING_PULL, SECOND_CHUNK, AMONG_FOLLOW_UPS = 4, 9, 29


def test_a_clean_run_leaves_nothing_for_the_next_one(clean: Reference) -> None:
    assert clean.runs == 2, "the second run found something to do"


def test_the_reference_run_makes_its_calls_where_these_tests_expect(clean: Reference) -> None:
    requests = clean.requests
    assert requests[DURING_PULL] == ("GET", f"query/01g00000000-{100}")
    assert [r for r in requests[: SECOND_CHUNK + 1] if r[0] == "PATCH"] == [
        ("PATCH", "composite/sobjects")
    ] * 2
    assert requests[AMONG_FOLLOW_UPS] == ("POST", "composite/sobjects")
    assert len(requests) == 57 and requests[-1] == ("PATCH", "composite/sobjects")


@pytest.mark.parametrize(
    ("after", "bulk"),
    [(SECOND_CHUNK, False), (SECOND_CHUNK - 1, True)],
    ids=["between-write-chunks", "as-a-bulk-job-starts"],
)
def test_an_expired_password_session_is_renewed_and_the_run_goes_on(
    portal: Portal, clean: Reference, after: int, bulk: bool
) -> None:
    portal.settings.update(PASSWORD_FLOW)
    if bulk:  # the contact writes go through a Bulk 2.0 job, the 9th request creates it
        portal.settings["bulk_threshold"] = 100
    portal.emulator.session_ttl = after

    summary = portal.sync()

    assert (summary.status, exit_code_for(summary)) == ("ok", 0), summary.exit_reason
    assert len(portal.logins) == 2 and portal.logins[0] != portal.logins[1]
    assert portal.emulator.session_ttl is None, "the session did expire mid-run"
    for key in ("applied", "tasks", "notes"):
        assert summary.writes[key] == clean.first.writes[key], key
    assert PASSWORD_FLOW["password"] not in json.dumps(summary.as_dict())
    portal.settle()
    assert_same_state(portal.state(), clean.state)


def test_an_expired_session_id_stops_the_run_and_a_fresh_one_finishes_it(
    portal: Portal, clean: Reference
) -> None:
    portal.emulator.session_ttl = SECOND_CHUNK
    portal.emulator.journal = []

    stopped = portal.sync()

    assert (stopped.status, exit_code_for(stopped)) == ("auth", 4)
    assert "session" in stopped.exit_reason and "EMU" not in stopped.exit_reason
    (first_chunk,) = written_ids(portal.emulator.journal)  # the second one was refused
    portal_outbox = portal.outbox()
    refused = set(clean.state["contacts"]) - set(first_chunk)
    assert {f"contact:{rid}" for rid in refused} <= set(portal_outbox)

    # the scheduler is given a new session id: the portal's settings read the emulator's
    portal.emulator.journal = []
    resumed = portal.sync()

    assert resumed.status == "ok", resumed.exit_reason
    assert_sent_first(portal.emulator.journal, set(portal_outbox))
    assert not portal.outbox()
    portal.settle()
    assert_same_state(portal.state(), clean.state)


def _spend_the_allocation(portal: Portal, calls: int, reserve: bool) -> RunSummary:
    """A run during which the daily allocation runs out after ``calls`` of its requests."""
    emulator = portal.emulator
    emulator.daily_limit = 1000
    if reserve:  # cxsync stops itself while 10 % (100 calls) are left for people
        emulator.used = 900 - calls
    else:  # other integrations spend the rest mid-run: the org refuses the next call
        spent = sf_error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
        emulator.scheduled.add(spent, after=calls, times=10**6)
    before = emulator.used
    stopped = portal.sync()
    assert (stopped.status, exit_code_for(stopped)) == ("quota", 7), stopped.exit_reason
    assert emulator.used - before == calls, "the run stopped where the allocation did"
    code = "CXSYNC_QUOTA_RESERVE" if reserve else "REQUEST_LIMIT_EXCEEDED"
    assert code in stopped.exit_reason
    return stopped


def _next_day(portal: Portal) -> RunSummary:
    portal.emulator.used = 0  # the allocation resets
    portal.emulator.scheduled.clear()
    portal.emulator.journal = []
    resumed = portal.sync()
    assert resumed.status == "ok", resumed.exit_reason
    return resumed


@pytest.mark.parametrize(
    ("calls", "reserve"),
    [(DURING_PULL, False), (SECOND_CHUNK, True)],
    ids=["org-refuses-during-the-pull", "reserve-kept-between-write-chunks"],
)
def test_a_spent_daily_allocation_stops_the_run_and_the_next_day_finishes_it(
    portal: Portal, clean: Reference, calls: int, reserve: bool
) -> None:
    stopped = _spend_the_allocation(portal, calls, reserve)
    waiting = portal.outbox()
    assert bool(waiting) == (calls > DURING_PULL), "refused writes wait in the outbox"
    assert all(item.attempts == 1 for item in waiting.values())

    resumed = _next_day(portal)

    assert_sent_first(portal.emulator.journal, set(waiting))
    if calls == DURING_PULL:  # the pull resumes after the last page it checkpointed
        assert (stopped.stage("contacts")["read"], resumed.stage("contacts")["read"]) == (
            PAGE_SIZE,
            300 - PAGE_SIZE,
        )
    assert not portal.outbox()
    portal.settle()
    assert_same_state(portal.state(), clean.state)


@dataclass(frozen=True)
class CutOff:
    """A run the allocation stopped among the follow-ups, and the next day's runs."""

    pending: set[str]
    outbox: set[str]
    resumed: RunSummary
    done: set[str]
    final: dict[str, Any]


@pytest.fixture(scope="module")
def cut_off(tmp_path_factory: pytest.TempPathFactory) -> CutOff:
    portal = new_portal(tmp_path_factory.mktemp("cut-off"))
    with mock_emulator(portal.emulator):
        _spend_the_allocation(portal, AMONG_FOLLOW_UPS, reserve=False)
        pending = portal.actions("task", "pending")
        outbox = set(portal.outbox())
        resumed = _next_day(portal)
        done = portal.actions("task", "done")
        portal.settle()
        return CutOff(pending, outbox, resumed, done, portal.state())


def test_follow_ups_cut_off_by_the_allocation_are_created_the_next_day(
    cut_off: CutOff, clean: Reference
) -> None:
    assert cut_off.pending and not cut_off.outbox, "the refused follow-ups wait as pending"
    recovery = cut_off.resumed.stage("recovery")
    assert (recovery["tasks_found_created"], recovery["tasks_retried"]) == (
        0,
        len(cut_off.pending),
    )
    assert cut_off.pending <= cut_off.done
    # the accounts and tasks are compared by the test below
    assert_same_state(cut_off.final, clean.state, sections=("contacts",))


def test_a_run_cut_off_among_the_follow_ups_ends_as_a_clean_run_does(
    cut_off: CutOff, clean: Reference
) -> None:
    assert_same_state(cut_off.final, clean.state)
