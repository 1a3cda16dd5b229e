"""The Salesforce traps from the API notes, each against the emulator."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
import requests
from cxsync_salesforce import SalesforceAdapter
from cxsync_salesforce.testing import EmulatorResponse, SalesforceEmulator, emulator_adapter

from cxsync.errors import AuthError, ConfigError, QuotaExhaustedError, RetriableError
from cxsync.models import FieldChange, ObjectType


def make_adapter(emulator: SalesforceEmulator, tmp_path: Path) -> SalesforceAdapter:
    return emulator_adapter(emulator, tmp_path, session_id="EMU")


def _contacts(emulator: SalesforceEmulator, n: int) -> list[str]:
    account = emulator.insert("Account", {"Name": "Bayi A.Ş."})
    return emulator.seed_contacts(
        [{"AccountId": account, "LastName": f"K{i}", "Email": f"k{i}@x.com"} for i in range(n)]
    )


def _change(rid: str, **values: object) -> FieldChange:
    return FieldChange(object_type=ObjectType.CONTACT, record_id=rid, values=dict(values))


def test_a_field_without_fls_is_left_out_of_queries_not_fatal(
    emulator: SalesforceEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _contacts(emulator, 3)
    emulator.granted.discard(("Contact", "CX_NPS_Score__c"))
    with caplog.at_level(logging.WARNING):
        records = [r for p in make_adapter(emulator, tmp_path).stream_contacts() for r in p.records]
    assert len(records) == 3
    assert "cx_nps_score" not in records[0].fields
    assert "CX_NPS_Score__c" in caplog.text


def test_writing_a_field_without_fls_fails_that_record_only(
    emulator: SalesforceEmulator, tmp_path: Path
) -> None:
    ids = _contacts(emulator, 2)
    emulator.granted.discard(("Contact", "CX_NPS_Score__c"))
    results = make_adapter(emulator, tmp_path).apply_changes(
        [_change(ids[0], cx_nps_score=9), _change(ids[1], cx_email_status="person")]
    )
    assert [r.ok for r in results] == [False, True]
    assert results[0].code == "INVALID_FIELD_FOR_INSERT_UPDATE" and "CX_NPS_Score__c" in (
        results[0].error or ""
    )


def test_collections_send_200_records_a_call(emulator: SalesforceEmulator, tmp_path: Path) -> None:
    ids = _contacts(emulator, 450)
    emulator.reset_counters()
    results = make_adapter(emulator, tmp_path).apply_changes(
        [_change(i, cx_nps_score=10) for i in ids]
    )
    assert all(r.ok for r in results)
    assert emulator.calls["collections_update"] == 3


def test_unable_to_lock_row_is_retried_for_that_record(
    emulator: SalesforceEmulator, tmp_path: Path
) -> None:
    ids = _contacts(emulator, 3)
    emulator.lock_rows[ids[1]] = 1
    results = make_adapter(emulator, tmp_path).apply_changes(
        [_change(i, cx_email_status="generic") for i in ids]
    )
    assert all(r.ok for r in results)
    assert emulator.records["Contact"][ids[1]]["CX_Email_Status__c"] == "generic"


def test_a_lock_that_never_clears_is_reported_retriable(
    emulator: SalesforceEmulator, tmp_path: Path
) -> None:
    ids = _contacts(emulator, 2)
    emulator.lock_rows[ids[0]] = 99
    results = make_adapter(emulator, tmp_path).apply_changes(
        [_change(i, cx_email_status="generic") for i in ids]
    )
    assert (results[0].ok, results[0].retriable, results[0].code) == (
        False,
        True,
        "UNABLE_TO_LOCK_ROW",
    )
    assert results[1].ok


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        (["duplicate", "stale"], "duplicate;stale"),
        (("free_mail",), "free_mail"),
    ],
    ids=["list", "tuple"],
)
def test_multi_select_values_are_joined_with_semicolons(
    emulator: SalesforceEmulator, tmp_path: Path, value: object, stored: str
) -> None:
    (rid,) = _contacts(emulator, 1)
    adapter = make_adapter(emulator, tmp_path)
    assert adapter.apply_changes([_change(rid, cx_contact_flags=value)])[0].ok
    assert emulator.records["Contact"][rid]["CX_Contact_Flags__c"] == stored
    (read,) = [r for p in adapter.stream_contacts() for r in p.records]
    assert read.fields["cx_contact_flags"] == list(value)  # type: ignore[call-overload]


def test_ties_at_the_cursor_second_are_neither_lost_nor_repeated(
    emulator: SalesforceEmulator, tmp_path: Path
) -> None:
    from datetime import UTC, datetime

    stamp = datetime(2026, 3, 1, 12, 0, 0, 250_000, tzinfo=UTC)
    ids = [emulator.insert("Contact", {"LastName": f"T{i}"}, stamp) for i in range(5)]
    adapter = make_adapter(emulator, tmp_path)
    emulator.page_size = 2
    first = next(adapter.stream_contacts())
    rest = [
        r.id
        for p in make_adapter(emulator, tmp_path).stream_contacts(first.cursor)
        for r in p.records
    ]
    assert [r.id for r in first.records] + rest == sorted(ids)


def test_deleted_contacts_arrive_flagged(emulator: SalesforceEmulator, tmp_path: Path) -> None:
    ids = _contacts(emulator, 3)
    adapter = make_adapter(emulator, tmp_path)
    cursor = [p.cursor for p in adapter.stream_contacts()][-1]
    emulator.delete("Contact", ids[2])
    changed = [r for p in adapter.stream_contacts(cursor) for r in p.records]
    assert [(c.id, c.deleted) for c in changed] == [(ids[2], True)]


def test_request_limit_exceeded_stops_the_run(emulator: SalesforceEmulator, tmp_path: Path) -> None:
    _contacts(emulator, 1)
    emulator.used = emulator.daily_limit
    with pytest.raises(QuotaExhaustedError) as caught:
        list(make_adapter(emulator, tmp_path).stream_contacts())
    assert caught.value.status == 403 and caught.value.code == "REQUEST_LIMIT_EXCEEDED"


def test_the_reserve_is_kept_before_the_allocation_is_spent(
    emulator: SalesforceEmulator, tmp_path: Path
) -> None:
    _contacts(emulator, 30)
    emulator.page_size = 10
    emulator.daily_limit = 100
    emulator.used = 87  # the reserve is 10 % = 10 calls; the query leaves 12, 11, 10…
    adapter = make_adapter(emulator, tmp_path)
    pages = adapter.stream_contacts()
    with pytest.raises(QuotaExhaustedError, match="reserve"):
        list(pages)
    assert emulator.remaining == 10
    assert adapter.usage().daily_remaining == 10 and adapter.usage().daily_limit == 100


def test_usage_follows_the_sforce_limit_info_header(
    emulator: SalesforceEmulator, tmp_path: Path
) -> None:
    adapter = make_adapter(emulator, tmp_path)
    adapter.check()
    assert adapter.usage().daily_remaining == emulator.remaining
    assert adapter.usage().read_calls == 1


def test_an_expired_session_id_is_an_auth_error(
    emulator: SalesforceEmulator, tmp_path: Path
) -> None:
    emulator.session_id = "NEW"
    with pytest.raises(AuthError) as caught:
        make_adapter(emulator, tmp_path).check()
    assert caught.value.code == "INVALID_SESSION_ID"
    assert "EMU" not in str(caught.value)


def test_errors_are_json_arrays(emulator: SalesforceEmulator) -> None:
    answer = emulator.handle("GET", "/services/data/v59.0/query/?q=SELEC", {}, None)
    assert answer.status == 401 and isinstance(answer.body, list)
    assert answer.body[0]["errorCode"] == "INVALID_SESSION_ID"


def test_5xx_is_retried_then_surfaces_as_retriable(
    emulator: SalesforceEmulator, tmp_path: Path
) -> None:
    adapter = make_adapter(emulator, tmp_path)
    boom = EmulatorResponse(503, [{"message": "down", "errorCode": "SERVER_UNAVAILABLE"}])
    emulator.faults.extend([boom, boom])
    assert adapter.check().endpoint  # two failures, third attempt succeeds
    emulator.faults.extend([boom] * 3)
    with pytest.raises(RetriableError):
        adapter.check()


def test_an_unexpected_url_fails_the_strict_mock(emulator: SalesforceEmulator) -> None:
    with pytest.raises(requests.ConnectionError):
        requests.get("https://login.salesforce.com/services/data/", timeout=1)


@pytest.mark.parametrize(
    ("settings", "names"),
    [
        ({"flow": "password"}, ["username", "password"]),
        ({"flow": "jwt", "username": "u", "consumer_key": "k"}, ["private_key"]),
        ({"flow": "session", "session_id": "s", "instance_url": "ftp://x"}, ["instance_url"]),
        ({"flow": "oauth"}, ["flow"]),
        (
            {"flow": "client_credentials", "consumer_key": "k", "consumer_secret": "s"},
            ["My Domain"],
        ),
    ],
    ids=[
        "password-missing-both",
        "jwt-without-key",
        "session-bad-url",
        "unknown-flow",
        "client-credentials-on-login",
    ],
)
def test_bad_settings_list_every_problem(
    tmp_path: Path, settings: dict[str, object], names: list[str]
) -> None:
    from cxsync_salesforce import SalesforceAdapterFactory

    from cxsync.adapter import AdapterContext
    from cxsync.schema import load_field_map

    context = AdapterContext(field_map=load_field_map("salesforce"), work_dir=tmp_path)
    with pytest.raises(ConfigError) as caught:
        SalesforceAdapterFactory().create(settings, context)
    text = "; ".join(caught.value.problems)
    assert all(name in text for name in names), text


def test_above_the_threshold_writes_go_through_bulk_with_failed_rows_reported(
    emulator: SalesforceEmulator, tmp_path: Path
) -> None:
    ids = _contacts(emulator, 12)
    emulator.reject_rows.add(ids[4])
    emulator.lock_rows[ids[7]] = 1
    emulator.reset_counters()
    adapter = emulator_adapter(emulator, tmp_path, session_id="EMU", bulk_threshold=10)
    results = adapter.apply_changes(
        [_change(i, cx_contact_flags=["stale"], cx_nps_score=None) for i in ids]
    )
    assert emulator.calls["bulk_jobs"] == 1 and emulator.calls["collections_update"] == 0
    assert [r.record_id for r in results] == ids
    assert [i for i, r in enumerate(results) if not r.ok] == [4, 7]
    assert results[4].code == "FIELD_CUSTOM_VALIDATION_EXCEPTION" and not results[4].retriable
    assert results[7].code == "UNABLE_TO_LOCK_ROW" and results[7].retriable
    assert emulator.records["Contact"][ids[0]]["CX_Contact_Flags__c"] == "stale"
    assert emulator.records["Contact"][ids[0]]["CX_NPS_Score__c"] is None
    assert adapter.usage().write_calls == 3  # create job, upload CSV, close


def test_tasks_are_created_200_a_call_and_a_refused_one_fails_alone(
    emulator: SalesforceEmulator, tmp_path: Path
) -> None:
    from datetime import date

    from cxsync.models import FollowUpTask

    (account,) = emulator.seed_accounts([{"Name": "Bayi"}])
    tasks = [
        FollowUpTask(
            key=f"k{i}",
            account_id=account,
            subject=f"NPS {i}",
            body="…",
            due=date(2026, 2, 1),
            owner_id="not-a-user" if i == 3 else None,
        )
        for i in range(250)
    ]
    adapter = make_adapter(emulator, tmp_path)
    emulator.reset_counters()
    results = adapter.create_tasks(tasks)
    assert emulator.calls["collections_create"] == 2
    assert [r.record_id for r in results] == [t.key for t in tasks]
    assert [r.ok for r in results].count(False) == 1 and not results[3].ok
    assert adapter.create_tasks(tasks[:5])[4].code == "ALREADY_EXISTS"


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [(7.0, 7.0), (None, None)],
    ids=["server-asks-7s", "no-header-backoff"],
)
def test_the_wait_honours_retry_after(retry_after: float | None, expected: float | None) -> None:
    from types import SimpleNamespace

    from cxsync_salesforce.client import _WaitRetryAfter

    from cxsync.errors import RateLimitError

    error = RateLimitError("slow down", retry_after=retry_after, status=429)
    outcome = SimpleNamespace(exception=lambda: error)
    state = SimpleNamespace(outcome=outcome, attempt_number=1)
    waited = _WaitRetryAfter(maximum=30.0)(state)
    if expected is None:
        assert 0 < waited <= 30.0
    else:
        assert waited == expected


def test_a_timeout_is_retried_then_surfaces_as_retriable(
    emulator: SalesforceEmulator, tmp_path: Path
) -> None:
    from cxsync_salesforce.testing import TIMEOUT

    adapter = make_adapter(emulator, tmp_path)
    emulator.faults.append(TIMEOUT)
    assert adapter.check().endpoint
    emulator.faults.extend([TIMEOUT] * 3)
    with pytest.raises(RetriableError, match="transport failure"):
        adapter.check()
