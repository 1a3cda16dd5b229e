"""Whole `cxsync sync` runs against the HubSpot emulator while it misbehaves.

Each test faults a run (429 storms, 5xx bursts, stalled answers, dropped connections, 207
partial failures, an OAuth token expiring, the daily limit running out, a SIGKILL), lets
the next runs go without the fault, and compares the portal with the one a clean run
leaves: every cx property of every record, every task and note with its associations.
The portal (hubspot_portal.py) is the Salesforce suite's customer base; its first clean
run makes 57 requests, in this order: the company list, three contact list pages, one
association read, the notes (search, create), three contact batch updates, a search and
a create per account with follow-ups (23), the company batch update.
"""

from __future__ import annotations

import json
import signal
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from cxsync_hubspot.testing import Answer, Fault
from cxsync_hubspot.testing.shapes import error

from cxsync.cli.render import exit_code_for
from cxsync.engine.summary import RunSummary
from tests.faults.hubspot_portal import (
    ASSOCIATIONS,
    COMPANIES_LIST,
    COMPANY_WRITES,
    CONTACT_WRITES,
    CONTACTS_LIST,
    MAX_ATTEMPTS,
    NOTES_CREATE,
    REFRESH_TOKEN,
    SEARCH_PER_SECOND,
    TASKS_CREATE,
    TASKS_SEARCH,
    TOKEN,
    HubSpotPortal,
    Reference,
    assert_same_portal,
    assert_sent_first,
    at_another_instant,
    clean_reference,
    last_write,
    new_portal,
    rate_limited,
    unavailable,
)

# accepted requests before the fault, where a clean run makes them: the second contact list
# page (3rd request), the second contact batch update (9th), the 10th account's follow-ups
DURING_PULL, SECOND_CHUNK, AMONG_FOLLOW_UPS = 2, 8, 29
STALL = 0.5  # the client's read timeout in the stall test: each stalled answer costs this
INDEX_LAG = 0.5  # how long a new record stays out of search results, when it does


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reference]:
    portal, stop = new_portal(tmp_path_factory.mktemp("hubspot-clean"))
    try:
        yield clean_reference(portal)
    finally:
        stop()


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[HubSpotPortal]:
    made, stop = new_portal(tmp_path)
    try:
        yield made
    finally:
        stop()


def _same_writes(summary: RunSummary, clean: Reference) -> None:
    for key in ("applied", "tasks", "notes"):
        assert summary.writes[key] == clean.first.writes[key], key


def test_a_clean_run_leaves_nothing_for_the_next_one(clean: Reference) -> None:
    assert clean.runs == 2, "the second run found something to do"
    assert (len(clean.state["tasks"]), len(clean.state["notes"])) == (36, 10)


def test_the_reference_run_makes_its_calls_where_these_tests_expect(clean: Reference) -> None:
    requests = clean.requests
    assert len(requests) == 57
    assert requests[DURING_PULL] == ("GET", "/crm/v3/objects/contacts")
    assert [r for r in requests[: SECOND_CHUNK + 1] if r[1] == CONTACT_WRITES] == [
        ("POST", CONTACT_WRITES)
    ] * 2
    assert requests[AMONG_FOLLOW_UPS] == ("POST", TASKS_CREATE)
    assert requests[-1] == ("POST", COMPANY_WRITES)


# ---- throttling and server errors within the retry budget ---------------------------------
# (path, matching requests let through first): every kind of call a run makes
CALLS = [
    (COMPANIES_LIST, 0),
    (CONTACTS_LIST, 1),
    (ASSOCIATIONS, 0),
    (NOTES_CREATE, 0),
    (CONTACT_WRITES, 0),
    (CONTACT_WRITES, 1),  # the second chunk, once the first went through
    (TASKS_SEARCH, 4),
    (TASKS_CREATE, 2),
    (COMPANY_WRITES, 0),
]


def _storm(n: int) -> Answer:
    """The ten-second burst limit (Retry-After 0), and the search limit on search: HubSpot
    answers that one without Retry-After, and the client waits the policy's second."""
    if CALLS[n][0] == TASKS_SEARCH:
        return rate_limited("SECONDLY")
    return rate_limited("TEN_SECONDLY_ROLLING", "0")


def _server_errors(n: int) -> Answer:
    """503 Service Unavailable and 500, burst by burst."""
    if n % 2:
        return error(500, "internal error", "INTERNAL_ERROR")
    return unavailable()


@pytest.mark.parametrize("fault", [_storm, _server_errors], ids=["429-storm", "5xx-burst"])
def test_a_storm_within_the_retry_budget_is_waited_out(
    portal: HubSpotPortal, clean: Reference, fault: Callable[[int], Answer]
) -> None:
    burst = MAX_ATTEMPTS - 1
    for n, (path, after) in enumerate(CALLS):
        portal.emulator.inject(Fault("answer", fault(n), path=path), burst, after=after)

    summary = portal.sync()

    assert (summary.status, exit_code_for(summary)) == ("ok", 0), summary.exit_reason
    assert not portal.emulator.faults, "every burst hit its call"
    throttling = fault is _storm
    assert summary.api["throttled"] == (burst * len(CALLS) if throttling else 0)
    _same_writes(summary, clean)
    assert not portal.outbox()
    portal.settle()
    assert_same_portal(portal.state(), clean.state)


def test_the_search_limit_the_portal_enforces_is_waited_out(
    portal: HubSpotPortal, clean: Reference
) -> None:
    # another process of the app spends the same per-second search allowance: the client
    # paces as if it had it alone, and the emulator enforces HubSpot's 5 a second
    portal.emulator.search_per_second = 5
    portal.settings["backoff_max_seconds"] = 1.0  # the SECONDLY policy's wait, uncapped

    summary = portal.sync()

    assert (summary.status, exit_code_for(summary)) == ("ok", 0), summary.exit_reason
    refused = portal.emulator.throttled["SECONDLY"]
    assert refused > 0 and summary.api["throttled"] == refused
    _same_writes(summary, clean)
    portal.emulator.search_per_second = SEARCH_PER_SECOND
    portal.settle()
    assert_same_portal(portal.state(), clean.state)


# ---- stalled answers and dropped connections ---------------------------------------------
# (path, matching requests let through, times, after the portal acted on the request)
LOST = [
    (COMPANIES_LIST, 0, 1, False),
    (CONTACTS_LIST, 1, 1, False),
    (ASSOCIATIONS, 0, 1, False),
    (NOTES_CREATE, 0, 1, True),  # the notes: created, the answer lost
    (CONTACT_WRITES, 0, 2, True),  # the first chunk applied, the answer lost twice
    (TASKS_SEARCH, 5, 1, False),
    (TASKS_CREATE, 3, 1, True),  # a later account's follow-ups: created, the answer lost
    (COMPANY_WRITES, 0, 1, True),
]


@pytest.mark.parametrize("kind", ["timeout", "drop"], ids=["stalled-answer", "dropped-socket"])
def test_lost_requests_and_lost_answers_are_retried_without_duplicates(
    portal: HubSpotPortal, clean: Reference, kind: str
) -> None:
    portal.settings["timeout_seconds"] = STALL
    for path, after, times, applied in LOST:
        fault = Fault(kind, delay=2 * STALL, after_apply=applied, path=path)
        portal.emulator.inject(fault, times, after=after)

    summary = portal.sync()

    assert (summary.status, exit_code_for(summary)) == ("ok", 0), summary.exit_reason
    assert not portal.emulator.faults, "every fault hit its call"
    _same_writes(summary, clean)
    assert not portal.outbox()
    portal.settle()
    assert_same_portal(portal.state(), clean.state)


def test_follow_ups_created_but_never_confirmed_are_found_not_created_twice(
    portal: HubSpotPortal, clean: Reference
) -> None:
    # one account's follow-ups are created and the answer lost; the searches that would
    # find them fail past the retry budget, so the run cannot tell they exist
    emulator = portal.emulator
    emulator.inject(Fault("drop", after_apply=True, path=TASKS_CREATE), after=1)
    emulator.inject(Fault("answer", unavailable(), path=TASKS_SEARCH), MAX_ATTEMPTS, after=2)

    summary = portal.sync()

    assert not emulator.faults
    assert (summary.status, exit_code_for(summary)) == ("partial", 5), summary.exit_reason
    failed = portal.actions("task", "failed")
    assert summary.writes["tasks_failed"] == len(failed) > 0
    assert failed <= {t[0] for t in portal.state()["tasks"]}, "the portal holds them"
    recovery = portal.sync()
    assert recovery.stage("recovery")["tasks_retried"] == len(failed)
    assert recovery.writes["tasks"] == len(failed) and not portal.actions("task", "failed")
    portal.settle()
    assert_same_portal(portal.state(), clean.state)


def test_unconfirmed_follow_ups_wait_for_search_before_a_next_run_retries_them(
    portal: HubSpotPortal, clean: Reference
) -> None:
    # as above, but search lags far behind (a busy portal) and the next run starts at once:
    # retried then, the created tasks would look missing and be created twice
    emulator = portal.emulator
    emulator.index_lag_seconds = 30.0
    emulator.inject(Fault("drop", after_apply=True, path=TASKS_CREATE), after=1)
    emulator.inject(Fault("answer", unavailable(), path=TASKS_SEARCH), MAX_ATTEMPTS, after=2)
    summary = portal.sync()
    assert (summary.status, exit_code_for(summary)) == ("partial", 5), summary.exit_reason
    failed = portal.actions("task", "failed")
    assert failed

    portal.settings["search_lag_seconds"] = 60.0  # what the adapter knows of that lag
    at_once = portal.sync()

    assert at_once.stage("recovery")["tasks_deferred"] == len(failed)
    assert at_once.stage("recovery")["tasks_retried"] == 0
    assert portal.actions("task", "failed") == failed
    keys = [t[0] for t in portal.state()["tasks"]]
    assert all(keys.count(k) == 1 for k in failed), "none created twice"
    emulator.index_lag_seconds = 0  # the lag has passed
    portal.settings["search_lag_seconds"] = 0
    later = portal.sync()
    assert later.stage("recovery")["tasks_retried"] == len(failed)
    assert not portal.actions("task", "failed")
    portal.settle()
    assert_same_portal(portal.state(), clean.state)


def test_a_lost_create_answer_is_checked_once_search_can_show_the_records(
    portal: HubSpotPortal, clean: Reference
) -> None:
    # HubSpot's search shows a new record a few moments after it was created: searched at
    # once, the notes and follow-ups of a lost answer look missing and are created twice
    portal.emulator.index_lag_seconds = INDEX_LAG
    portal.settings["search_lag_seconds"] = 2 * INDEX_LAG  # as the incremental reads assume
    portal.emulator.inject(Fault("drop", after_apply=True, path=NOTES_CREATE))
    portal.emulator.inject(Fault("drop", after_apply=True, path=TASKS_CREATE), after=1)

    summary = portal.sync()

    assert (summary.status, exit_code_for(summary)) == ("ok", 0), summary.exit_reason
    assert not portal.emulator.faults
    _same_writes(summary, clean)
    portal.emulator.index_lag_seconds = 0
    portal.settings["search_lag_seconds"] = 0
    portal.settle()
    assert_same_portal(portal.state(), clean.state)


# ---- calls that fail past the budget, and records refused one by one ---------------------
def test_a_5xx_burst_longer_than_the_budget_sends_the_chunk_to_the_outbox(
    portal: HubSpotPortal, clean: Reference
) -> None:
    emulator = portal.emulator
    outage = Fault("answer", unavailable(), path=CONTACT_WRITES)
    emulator.inject(outage, MAX_ATTEMPTS)

    first = portal.sync()

    assert (first.status, exit_code_for(first)) == ("partial", 5), first.exit_reason
    assert first.writes["failed"] == 100
    outbox = portal.outbox()
    unwritten = {f"contact:{rid}" for rid, v in portal.state()["contacts"].items() if not v}
    assert set(outbox) == unwritten and len(outbox) == 100
    assert all(v.attempts == 1 and "SERVICE_UNAVAILABLE" in v.last_error for v in outbox.values())

    emulator.inject(outage, MAX_ATTEMPTS)  # the next run's first retry fails as well
    second = portal.sync()

    assert second.status == "partial" and second.stage("outbox")["recovered"] == 0
    assert {v.attempts for v in portal.outbox().values()} == {2}

    since = last_write(emulator)
    third = portal.sync()

    assert_sent_first(emulator, since, set(outbox))
    assert third.stage("outbox")["recovered"] == 100 and not portal.outbox()
    portal.settle()
    assert_same_portal(portal.state(), clean.state)


def test_records_a_207_refuses_wait_in_the_outbox_and_are_sent_first(
    portal: HubSpotPortal, clean: Reference
) -> None:
    contacts = sorted(clean.state["contacts"], key=int)  # ten per company, in seeding order
    company = sorted(clean.state["accounts"], key=int)[20]
    # people without a duplicate, and a company (its health write): the portal's workflows
    # lock the first four for one run, the last two for two runs
    one_run, two_runs = {*contacts[12:15], company}, set(contacts[152:154])
    emulator = portal.emulator
    emulator.reject_ids.update(one_run | two_runs)
    keys = {f"contact:{rid}" for rid in contacts[12:15] + contacts[152:154]}
    keys.add(f"account:{company}")

    first = portal.sync()

    assert (first.status, exit_code_for(first)) == ("partial", 5), first.exit_reason
    assert first.writes["failed"] == 6
    assert first.writes["applied"] == clean.first.writes["applied"] - 6
    outbox = portal.outbox()
    assert set(outbox) == keys
    assert all(v.attempts == 1 for v in outbox.values())
    assert all(v.last_error.startswith("VALIDATION_ERROR: ") for v in outbox.values())

    emulator.reject_ids -= one_run
    since = last_write(emulator)
    second = portal.sync()

    assert_sent_first(emulator, since, {k for k in keys if k.split(":")[1] in one_run})
    assert (second.stage("outbox")["retried"], second.stage("outbox")["recovered"]) == (6, 4)
    assert (second.status, exit_code_for(second)) == ("partial", 5)
    still = portal.outbox()
    assert set(still) == {f"contact:{rid}" for rid in two_runs}
    assert {v.attempts for v in still.values()} == {2}

    emulator.reject_ids.clear()
    third = portal.sync()

    assert third.stage("outbox")["recovered"] == 2 and third.status == "ok"
    assert not portal.outbox()
    portal.settle()
    assert_same_portal(portal.state(), clean.state)


# ---- OAuth tokens ------------------------------------------------------------------------
def test_an_access_token_expiring_mid_run_is_refreshed_and_the_run_goes_on(
    portal: HubSpotPortal, clean: Reference
) -> None:
    portal.use_oauth()
    portal.emulator.tokens_expire_after = SECOND_CHUNK

    summary = portal.sync()

    assert (summary.status, exit_code_for(summary)) == ("ok", 0), summary.exit_reason
    assert portal.emulator.tokens_expire_after is None, "the token did expire mid-run"
    assert portal.emulator.calls["oauth_token"] == 2, "one refresh at start, one after the 401"
    _same_writes(summary, clean)
    assert REFRESH_TOKEN not in json.dumps(summary.as_dict())
    portal.settle()
    assert_same_portal(portal.state(), clean.state)


def test_a_revoked_refresh_token_stops_the_run_and_a_new_one_finishes_it(
    portal: HubSpotPortal, clean: Reference
) -> None:
    portal.use_oauth()
    emulator = portal.emulator
    emulator.tokens_expire_after = SECOND_CHUNK
    revoked = error(400, "missing or unknown refresh token", "BAD_REFRESH_TOKEN")
    # the refresh at start works; every later one is refused
    emulator.inject(Fault("answer", revoked, path=TOKEN), 100, after=1)

    stopped = portal.sync()

    assert (stopped.status, exit_code_for(stopped)) == ("auth", 4), stopped.exit_reason
    assert "refresh" in stopped.exit_reason and REFRESH_TOKEN not in stopped.exit_reason
    assert len(emulator.faults) == 99, "the refresh was tried once, the batch not split"
    refused = portal.outbox()
    # the adapter's call raised: its first chunk, applied, waits with the two refused
    assert set(refused) == {f"contact:{rid}" for rid in clean.state["contacts"]}

    emulator.faults.clear()  # the app is installed again: a new refresh token
    emulator.refresh_tokens.clear()
    emulator.add_oauth_app(portal.settings["client_id"], "cs-not-a-secret", "rt-reinstalled")
    portal.settings["refresh_token"] = "rt-reinstalled"
    since = last_write(emulator)
    resumed = portal.sync()

    assert resumed.status == "ok", resumed.exit_reason
    assert_sent_first(emulator, since, set(refused))
    assert not portal.outbox()
    portal.settle()
    assert_same_portal(portal.state(), clean.state)


# ---- the daily limit ---------------------------------------------------------------------
def _spend_the_limit(portal: HubSpotPortal, calls: int, reserve: bool) -> RunSummary:
    """A run during which the daily limit runs out after ``calls`` of its requests."""
    emulator = portal.emulator
    if reserve:  # cxsync stops itself while 5 % (50 calls) are left for people
        emulator.daily_limit = 1000
        emulator.daily_used = 950 - calls
    else:  # other apps spend the rest mid-run: the portal answers 429 DAILY from then on
        spent = Fault("answer", rate_limited("DAILY"))
        emulator.inject(spent, 1000, after=calls)
    before = emulator.daily_used
    stopped = portal.sync()
    assert (stopped.status, exit_code_for(stopped)) == ("quota", 7), stopped.exit_reason
    assert emulator.daily_used - before == calls, "the run stopped where the limit did"
    assert ("CXSYNC_QUOTA_RESERVE" if reserve else "DAILY") in stopped.exit_reason
    return stopped


def _next_day(portal: HubSpotPortal) -> RunSummary:
    portal.emulator.daily_used = 0  # the limit resets at midnight
    portal.emulator.faults.clear()
    resumed = portal.sync()
    assert resumed.status == "ok", resumed.exit_reason
    return resumed


@pytest.mark.parametrize(
    ("calls", "reserve"),
    [(DURING_PULL, False), (SECOND_CHUNK, True), (AMONG_FOLLOW_UPS, False)],
    ids=["portal-refuses-during-the-pull", "reserve-kept-between-write-chunks", "among-follow-ups"],
)
def test_a_spent_daily_limit_stops_the_run_and_the_next_day_finishes_it(
    portal: HubSpotPortal, clean: Reference, calls: int, reserve: bool
) -> None:
    stopped = _spend_the_limit(portal, calls, reserve)
    waiting = portal.outbox()
    pending = portal.actions("task", "pending")
    assert bool(waiting) == (calls == SECOND_CHUNK), "refused writes wait in the outbox"
    assert all(item.attempts == 1 for item in waiting.values())
    assert bool(pending) == (calls == AMONG_FOLLOW_UPS), "refused follow-ups wait as pending"

    since = last_write(portal.emulator)
    resumed = _next_day(portal)

    assert_sent_first(portal.emulator, since, set(waiting))
    if calls == DURING_PULL:
        # the company list was read and checkpointed; contacts reach the engine a thousand
        # at a time (one association lookup each), so the first page is read again
        assert (stopped.stage("accounts")["read"], resumed.stage("accounts")["read"]) == (30, 0)
        assert (stopped.stage("contacts")["read"], resumed.stage("contacts")["read"]) == (0, 300)
    if pending:
        recovery = resumed.stage("recovery")
        assert (recovery["tasks_found_created"], recovery["tasks_retried"]) == (0, len(pending))
        assert pending <= portal.actions("task", "done")
    assert not portal.outbox()
    portal.settle()
    assert_same_portal(portal.state(), clean.state)


# ---- SIGKILL -----------------------------------------------------------------------------
def _first_account_s_follow_ups(clean: Reference) -> int:
    """How many follow-ups the first account scored with any (lowest id) gets."""
    companies = [companies for *_, companies in clean.state["tasks"]]
    return companies.count(min(companies))


# (checkpoint, what the next run must find and finish: stage, counter, how many)
KILLS = [
    ("notes_sent", "recovery", "notes_found_created", lambda _: 10),
    ("fields_sent:1", "outbox", "resent_in_flight", lambda _: 300),
    ("tasks_sent:1", "recovery", "tasks_found_created", _first_account_s_follow_ups),
    ("fields_sent:2", "outbox", "resent_in_flight", lambda _: 30),
]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("point", "stage", "counter", "expected"), KILLS, ids=[k[0] for k in KILLS]
)
def test_a_killed_run_is_finished_by_the_next_one(
    portal: HubSpotPortal,
    clean: Reference,
    point: str,
    stage: str,
    counter: str,
    expected: Callable[[Reference], int],
) -> None:
    killed = portal.cli(kill_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert killed.stdout == "", "a killed run prints no summary"

    resumed = portal.sync()

    assert resumed.status == "ok", resumed.exit_reason
    assert resumed.stage(stage)[counter] == expected(clean) > 0
    portal.settle()
    assert_same_portal(at_another_instant(portal.state()), at_another_instant(clean.state))
