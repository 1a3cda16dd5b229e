"""Calls that succeed while some of their records fail, and calls that fail past the budget.

Refused records (a row lock that outlasts the per-record retries, a validation rule) and
whole chunks lost to a 5xx burst longer than the retry budget go to the outbox with their
attempt count and last error. The next run sends them before anything else; what keeps
failing stays there with one attempt more.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from cxsync_salesforce.testing import mock_emulator

from cxsync.cli.render import exit_code_for
from cxsync.engine.summary import RunSummary
from tests.faults.conftest import (
    MAX_ATTEMPTS,
    Portal,
    Reference,
    assert_same_state,
    assert_sent_first,
    new_portal,
    unavailable,
    written_ids,
)


def _keys(ids: list[str]) -> set[str]:
    return {f"contact:{rid}" for rid in ids}


@pytest.mark.parametrize("bulk", [False, True], ids=["collections", "bulk-2.0"])
def test_refused_records_wait_in_the_outbox_and_are_sent_first(
    portal: Portal, clean: Reference, bulk: bool
) -> None:
    if bulk:  # 300 contact writes go through a Bulk 2.0 job; 30 accounts stay on Collections
        portal.settings["bulk_threshold"] = 100
    contacts = sorted(clean.state["contacts"])  # ten per account, in seeding order
    # people without a duplicate (test_own_writes.py shows what a duplicate adds)
    locked, invalid = contacts[12:15], contacts[152:154]
    emulator = portal.emulator
    emulator.lock_rows.update(dict.fromkeys(locked, 99))  # outlasts the per-record retries
    emulator.invalid_rows.update(invalid)  # a validation rule every write trips

    first = portal.sync()

    assert (first.status, exit_code_for(first)) == ("partial", 5), first.exit_reason
    assert first.writes["failed"] == 5
    assert first.writes["applied"] == clean.first.writes["applied"] - 5
    assert emulator.calls["bulk_jobs"] == (1 if bulk else 0)
    outbox = portal.outbox()
    assert set(outbox) == _keys(locked + invalid)
    assert {k: v.attempts for k, v in outbox.items()} == dict.fromkeys(outbox, 1)
    for rid in locked:
        assert outbox[f"contact:{rid}"].last_error.startswith("UNABLE_TO_LOCK_ROW")
    for rid in invalid:
        assert outbox[f"contact:{rid}"].last_error.startswith("FIELD_CUSTOM_VALIDATION_EXCEPTION")

    # the locks clear; the validation rule is still there for one more run
    emulator.lock_rows.clear()
    emulator.journal = []
    second = portal.sync()

    assert_sent_first(emulator.journal, set(outbox))
    assert second.stage("outbox")["retried"] == 5 and second.stage("outbox")["recovered"] == 3
    assert (second.status, exit_code_for(second)) == ("partial", 5)
    still = portal.outbox()
    assert set(still) == _keys(invalid)
    assert {k: v.attempts for k, v in still.items()} == dict.fromkeys(still, 2)

    emulator.invalid_rows.clear()
    third = portal.sync()

    assert third.stage("outbox")["recovered"] == 2 and third.status == "ok"
    assert not portal.outbox()
    portal.settle()
    assert_same_state(portal.state(), clean.state)


def test_a_5xx_burst_longer_than_the_budget_sends_the_chunk_to_the_outbox(
    portal: Portal, clean: Reference
) -> None:
    emulator = portal.emulator
    # the first Collections chunk (200 contacts) fails every attempt, in this run and in
    # the next run's first outbox retry; the second chunk goes through
    outage = emulator.scheduled.add(
        unavailable(), method="PATCH", path=r"^composite/sobjects$", times=MAX_ATTEMPTS
    )
    emulator.journal = []

    first = portal.sync()

    chunk = written_ids(emulator.journal)[0]
    assert outage.fired == MAX_ATTEMPTS and len(chunk) == 200
    assert (first.status, exit_code_for(first)) == ("partial", 5), first.exit_reason
    assert first.writes["failed"] == 200
    outbox = portal.outbox()
    assert set(outbox) == _keys(chunk)
    assert all(v.attempts == 1 and "SERVER_UNAVAILABLE" in v.last_error for v in outbox.values())

    outage = emulator.scheduled.add(
        unavailable(), method="PATCH", path=r"^composite/sobjects$", times=MAX_ATTEMPTS
    )
    emulator.journal = []
    second = portal.sync()

    assert_sent_first(emulator.journal, set(outbox))
    assert second.status == "partial" and second.stage("outbox")["recovered"] == 0
    assert {v.attempts for v in portal.outbox().values()} == {2}

    emulator.journal = []
    third = portal.sync()

    assert_sent_first(emulator.journal, set(outbox))
    assert third.stage("outbox")["recovered"] == 200 and not portal.outbox()
    portal.settle()
    assert_same_state(portal.state(), clean.state)


@dataclass(frozen=True)
class RefusedFollowUps:
    """One run in which the org refused an account's Task inserts, and what came after."""

    account: str
    keys: set[str]  # the account's follow-ups and notes, as a clean run creates them
    first: RunSummary
    refused: set[str]
    outbox: set[str]
    second: RunSummary
    failed_after: set[str]
    outbox_after: set[str]
    final: dict[str, Any]


@pytest.fixture(scope="module")
def refused_follow_ups(
    tmp_path_factory: pytest.TempPathFactory, clean: Reference
) -> RefusedFollowUps:
    """The account with the most follow-ups is locked for one run: its Task inserts (notes
    and follow-ups) and its own health write are refused."""
    portal = new_portal(tmp_path_factory.mktemp("refused"))
    by_account: dict[str, set[str]] = {}
    for key, _who, what, *_ in clean.state["tasks"]:
        by_account.setdefault(what, set()).add(key)
    account = max(sorted(by_account), key=lambda a: len(by_account[a]))
    with mock_emulator(portal.emulator):
        portal.emulator.lock_rows[account] = 99
        first = portal.sync()
        refused = portal.actions("task", "failed") | portal.actions("note", "failed")
        outbox = set(portal.outbox())
        portal.emulator.lock_rows.clear()
        second = portal.sync()
        failed_after = portal.actions("task", "failed") | portal.actions("note", "failed")
        outbox_after = set(portal.outbox())
        portal.settle()
        final = portal.state()
    return RefusedFollowUps(
        account,
        by_account[account],
        first,
        refused,
        outbox,
        second,
        failed_after,
        outbox_after,
        final,
    )


def test_refused_follow_ups_and_notes_are_retried_next_run_exactly_once(
    refused_follow_ups: RefusedFollowUps, clean: Reference
) -> None:
    run = refused_follow_ups
    assert (run.first.status, exit_code_for(run.first)) == ("partial", 5)
    assert run.refused == run.keys
    assert run.first.writes["tasks_failed"] + run.first.writes["notes_failed"] == len(run.keys)
    assert run.outbox == {f"account:{run.account}"}, "its health write was refused too"

    recovery = run.second.stage("recovery")
    assert recovery["tasks_retried"] + recovery["notes_retried"] == len(run.keys)
    assert run.second.stage("outbox")["recovered"] == 1
    assert not run.failed_after and not run.outbox_after
    # the account's own fields are compared by the test below
    assert_same_state(run.final, clean.state, sections=("contacts", "tasks"))


def test_an_account_whose_follow_ups_were_refused_ends_as_if_they_never_were(
    refused_follow_ups: RefusedFollowUps, clean: Reference
) -> None:
    assert_same_state(refused_follow_ups.final, clean.state)
