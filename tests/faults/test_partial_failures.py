"""Calls that succeed while some of their records fail, and calls that fail past the budget.

Refused records (a row lock that outlasts the per-record retries, a validation rule) and
whole chunks lost to a 5xx burst longer than the retry budget go to the outbox with their
attempt count and last error. The next run sends them before anything else; what keeps
failing stays there with one attempt more.
"""

from __future__ import annotations

import pytest

from cxsync.cli.render import exit_code_for
from tests.faults.conftest import (
    MAX_ATTEMPTS,
    Portal,
    Reference,
    assert_same_state,
    assert_sent_first,
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
    # people without a duplicate (see test_hygiene_echo.py for what a duplicate adds)
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


def _lock_one_accounts_followups(portal: Portal, clean: Reference) -> tuple[str, set[str]]:
    """Lock the account with the most follow-ups: its Task inserts and its write fail."""
    by_account: dict[str, set[str]] = {}
    for key, _who, what, *_ in clean.state["tasks"]:
        by_account.setdefault(what, set()).add(key)
    account = max(sorted(by_account), key=lambda a: len(by_account[a]))
    portal.emulator.lock_rows[account] = 99
    return account, by_account[account]


def test_refused_follow_ups_and_notes_are_retried_next_run_exactly_once(
    portal: Portal, clean: Reference
) -> None:
    account, keys = _lock_one_accounts_followups(portal, clean)

    first = portal.sync()

    assert (first.status, exit_code_for(first)) == ("partial", 5), first.exit_reason
    refused = portal.actions("task", "failed") | portal.actions("note", "failed")
    assert refused == keys
    assert first.writes["tasks_failed"] + first.writes["notes_failed"] == len(keys)
    assert set(portal.outbox()) == {f"account:{account}"}, "its health write was refused too"

    portal.emulator.lock_rows.clear()
    second = portal.sync()

    recovery = second.stage("recovery")
    assert recovery["tasks_retried"] + recovery["notes_retried"] == len(keys)
    assert second.stage("outbox")["recovered"] == 1
    assert not portal.actions("task", "failed") and not portal.outbox()
    portal.settle()
    # the account's own fields are the subject of the xfail test below
    assert_same_state(portal.state(), clean.state, sections=("contacts", "tasks"))


@pytest.mark.xfail(
    strict=True,
    reason=(
        "engine bug (cxsync/engine/accounts_stage.py _score_batch): an account is scored "
        "right after its follow-ups are submitted, counting only tasks in state 'done' as "
        "open; follow-ups the CRM refused this run ('failed', retried next run) are left "
        "out, so the account is written with a better score and cx_open_followups 0. When "
        "the retry creates them the next run scores it again and the CRM ends with trend "
        "'down' (and a phantom score history) where a clean run has 'new'; a larger "
        "penalty would also open a bogus score_drop follow-up"
    ),
)
def test_an_account_whose_follow_ups_were_refused_ends_as_if_they_never_were(
    portal: Portal, clean: Reference
) -> None:
    _lock_one_accounts_followups(portal, clean)
    portal.sync()
    portal.emulator.lock_rows.clear()
    portal.settle()
    assert_same_state(portal.state(), clean.state)
