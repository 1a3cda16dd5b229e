"""Tokens, rate-limit policies, the daily quota, error translation and secrets."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import pytest
from cxsync_hubspot import HubSpotAdapter
from cxsync_hubspot.client import translate
from cxsync_hubspot.limiter import SlidingWindow
from cxsync_hubspot.testing import Answer, Fault, HubSpotEmulator, emulator_adapter
from cxsync_hubspot.testing import seed as seed_portal

from cxsync.errors import AuthError, FatalError, QuotaExhaustedError, RateLimitError
from cxsync.models import FieldChange, ObjectType


def oauth(emulator: HubSpotEmulator, url: str, tmp_path: Path, **kw: object) -> HubSpotAdapter:
    emulator.add_oauth_app("client-1", "cs-canary-secret", "rt-canary-refresh")
    return emulator_adapter(
        url,
        tmp_path,
        flow="oauth",
        access_token=None,
        client_id="client-1",
        client_secret="cs-canary-secret",
        refresh_token="rt-canary-refresh",
        **kw,
    )


def throttle(policy: str, retry_after: str | None = None) -> Fault:
    body = {"status": "error", "errorType": "RATE_LIMIT", "policyName": policy, "message": "x"}
    return Fault("answer", Answer(429, body, {"Retry-After": retry_after} if retry_after else {}))


def test_oauth_refreshes_before_expiry_not_after_a_401(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    emulator.token_ttl = 301.0  # with a 300 s margin, the token is "expiring" after 1 s
    adapter = oauth(emulator, url, tmp_path)
    adapter.check()
    time.sleep(1.1)
    adapter.check()
    assert adapter.client.refreshes == 2
    assert emulator.calls["oauth_token"] == 2
    assert adapter.usage().read_calls == 2, "no request was refused on the way"


def test_a_token_revoked_mid_run_is_refreshed_once(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    adapter = oauth(emulator, url, tmp_path)
    adapter.check()
    emulator.expire_tokens()
    adapter.check()
    assert adapter.client.refreshes == 2


def test_a_refresh_refused_during_a_batch_write_stops_the_write(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    # the token endpoint refuses with 400, which must not read as a value HubSpot refused:
    # that would split the batch in halves and retry the refresh for every half
    _, ids = seed_portal(emulator, [], [{"id": f"c{i}", "email": f"p{i}@b.com"} for i in range(8)])
    adapter = oauth(emulator, url, tmp_path)
    adapter.check()
    emulator.tokens_expire_after = 0  # the next request finds the token expired
    emulator.refresh_tokens.clear()
    changes = [
        FieldChange(object_type=ObjectType.CONTACT, record_id=i, values={"cx_nps_score": 8})
        for i in ids
    ]
    with pytest.raises(AuthError, match="OAuth refresh refused"):
        adapter.apply_changes(changes)
    assert (emulator.calls["batch"], emulator.calls["oauth_token"]) == (1, 2)


def test_injected_faults_let_the_first_matching_requests_through(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    emulator.inject(Fault("answer", Answer(409, {"message": "x"}), path="/contacts"), after=2)
    adapter = emulator_adapter(url, tmp_path)
    adapter.check()
    emulator_adapter(url, tmp_path).check()
    with pytest.raises(FatalError):
        adapter.check()
    adapter.check()
    assert emulator.calls["list"] == 3, "the faulted request never reached the portal"


def test_a_refused_refresh_token_is_an_auth_error_without_secrets(
    emulator: HubSpotEmulator, url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    adapter = oauth(emulator, url, tmp_path)
    emulator.refresh_tokens.clear()
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as err:
        adapter.check()
    text = f"{err.value} {adapter!r} {adapter.client!r} {caplog.text}"
    assert "cs-canary-secret" not in text and "rt-canary-refresh" not in text


def test_a_wrong_private_app_token_is_an_auth_error(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    with pytest.raises(AuthError, match="Authentication credentials not found"):
        emulator_adapter(url, tmp_path, access_token="pat-wrong").check()


@pytest.mark.parametrize(
    ("fault", "expected_wait"),
    [
        (throttle("TEN_SECONDLY_ROLLING", "0"), 0.0),
        (throttle("TEN_SECONDLY_ROLLING"), 10.0),
        (throttle("SECONDLY"), 1.0),
    ],
    ids=["ten-secondly-retry-after", "ten-secondly-no-header", "secondly"],
)
def test_429s_are_waited_out_by_policy(fault: Fault, expected_wait: float) -> None:
    assert fault.answer is not None

    class ClientException(Exception):  # the shape every sub-package's ApiException has
        status = 429
        body = json.dumps(fault.answer.body).encode()
        headers = fault.answer.headers

    error = translate(ClientException())
    assert isinstance(error, RateLimitError) and error.retry_after == expected_wait


def test_rate_limited_reads_and_writes_never_surface(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    _, ids = seed_portal(emulator, [], [{"id": "c", "email": "a@b.com"}])
    emulator.inject(throttle("TEN_SECONDLY_ROLLING", "0"), 2)
    adapter = emulator_adapter(url, tmp_path)
    assert list(adapter.stream_contacts())
    emulator.inject(throttle("TEN_SECONDLY_ROLLING"), 1)  # no header: capped by backoff_max
    change = FieldChange(
        object_type=ObjectType.CONTACT, record_id=ids[0], values={"cx_nps_score": 8}
    )
    assert adapter.apply_changes([change])[0].ok
    assert adapter.usage().throttled == 3


def test_the_daily_limit_ends_the_run_cleanly(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    emulator.inject(throttle("DAILY"))
    with pytest.raises(QuotaExhaustedError, match="resume after midnight"):
        emulator_adapter(url, tmp_path).check()


def test_the_daily_reserve_is_left_for_people(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    emulator.daily_limit = 1000
    emulator.daily_used = 940  # after the next call 59 remain: above the 5% reserve (50)
    adapter = emulator_adapter(url, tmp_path)
    adapter.check()
    assert adapter.usage().daily_remaining == 59
    emulator.daily_used = 950
    adapter.check()  # sees 49 left
    with pytest.raises(QuotaExhaustedError) as err:
        adapter.check()
    assert err.value.code == "CXSYNC_QUOTA_RESERVE"
    assert emulator.daily_used == 951, "the refused call was never sent"


def test_every_sub_package_exception_is_translated(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    adapter = emulator_adapter(url, tmp_path)
    forbidden = Answer(
        403,
        {
            "status": "error",
            "message": "This app hasn't been granted all required scopes",
            "category": "MISSING_SCOPES",
            "errors": [{"context": {"requiredGranularScopes": ["crm.schemas.contacts.write"]}}],
        },
    )
    emulator.inject(Fault("answer", forbidden, path="/crm/v3/properties/"))
    with pytest.raises(AuthError, match=r"crm\.schemas\.contacts\.write"):
        adapter.plan_schema([m.spec for m in adapter.field_map.fields])
    emulator.inject(Fault("answer", Answer(409, {"message": "conflict", "category": "CONFLICT"})))
    with pytest.raises(FatalError) as err:
        list(adapter.stream_contacts())
    assert err.value.code == "CONFLICT"


def test_the_window_limiter_holds_back_the_eleventh_request() -> None:
    now = [0.0]
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        now[0] += seconds

    window = SlidingWindow(10, 10.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(10):
        window.acquire()
        now[0] += 0.1
    assert waits == []
    window.acquire()
    assert waits and 8.9 < waits[0] < 9.1
    window.observe(limit=4, remaining=0)  # the server says: none left in this window
    assert window.limit == 4
    window.acquire()
    assert sum(waits[1:]) > 0.5, "it waited for the server's window, not just its own"
