"""The HTTP boundary: tokens, pacing, retries, error translation and API-usage accounting.

hubspot-api-client builds a new ``ApiClient`` and urllib3 pool on every access to an API
attribute, sets no timeout, does not retry POSTs, raises one unrelated ``ApiException``
class per sub-package and never raises on a 207. This module hides all of that: API
objects are built once and cached, every request gets a timeout, retries are ours
(tenacity, bounded, Retry-After honoured), and every failure leaves as a
:mod:`cxsync.errors` exception.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

import urllib3
from hubspot import HubSpot
from hubspot.discovery.discovery_base import DiscoveryBase
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter
from tenacity.wait import wait_base
from urllib3.util.retry import Retry

from cxsync.adapter import ApiUsage
from cxsync.errors import (
    AuthError,
    FatalError,
    QuotaExhaustedError,
    RateLimitError,
    RemoteError,
    RetriableError,
)
from cxsync_hubspot.limiter import SlidingWindow
from cxsync_hubspot.settings import TIER_BURST_LIMITS, AnySettings, OAuthSettings

__all__ = ["HubSpotClient", "translate"]

logger = logging.getLogger(__name__)
T = TypeVar("T")
_READ_SUFFIXES = ("/search", "/batch/read")
#: policy → seconds to wait when a 429 carries no Retry-After (as HubSpot's own SDKs do)
_POLICY_WAIT = {"SECONDLY": 1.0, "TEN_SECONDLY_ROLLING": 10.0}


def _body(exc: Exception) -> dict[str, Any]:
    raw = getattr(exc, "body", None)
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8", "replace")
    try:
        parsed = json.loads(raw) if raw else {}
    except ValueError:
        return {"message": str(raw)[:300]}
    return parsed if isinstance(parsed, dict) else {}


def _header(headers: Any, name: str) -> str | None:
    if not headers:
        return None
    for key, value in dict(headers).items():
        if key.lower() == name.lower():
            return str(value)
    return None


def translate(exc: Exception) -> RemoteError:
    """Map a hubspot-api-client or urllib3 exception onto the cxsync error tree."""
    if isinstance(exc, RemoteError):
        return exc
    status = getattr(exc, "status", None)
    if not status:
        if isinstance(exc, urllib3.exceptions.HTTPError | OSError | TimeoutError) or status == 0:
            return RetriableError(f"transport failure: {type(exc).__name__}")
        return FatalError(f"{type(exc).__name__}: {str(exc)[:300]}")
    body = _body(exc)
    message = str(body.get("message") or getattr(exc, "reason", "") or "request refused")
    category = body.get("category") or body.get("policyName")
    kw: dict[str, Any] = {"status": status, "code": category}
    if status == 429:
        policy = body.get("policyName")
        if policy == "DAILY":
            return QuotaExhaustedError(
                "HubSpot's daily API limit is spent; resume after midnight in the portal's "
                "time zone",
                **kw,
            )
        header = _header(getattr(exc, "headers", None), "Retry-After")
        try:
            retry_after = float(header) if header is not None else None
        except ValueError:
            retry_after = None
        if retry_after is None:
            retry_after = _POLICY_WAIT.get(str(policy), 10.0)
        return RateLimitError(message, retry_after=retry_after, **kw)
    if status == 401:
        return AuthError(message, **kw)
    if status == 403:
        scopes = [
            s
            for e in body.get("errors") or []
            for s in (e.get("context") or {}).get("requiredGranularScopes", [])
        ]
        hint = f" (the app needs the scopes: {', '.join(scopes)})" if scopes else ""
        return AuthError(message + hint, **kw)
    if status >= 500:
        return RetriableError(message, **kw)
    return FatalError(message, **kw)


class _Wait(wait_base):
    """Retry-After (or the policy's window) for 429s, exponential backoff otherwise."""

    def __init__(self, maximum: float) -> None:
        self.maximum = maximum
        self.fallback = wait_exponential_jitter(multiplier=0.5, max=maximum, jitter=0.5)

    def __call__(self, retry_state: Any) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RateLimitError) and exc.retry_after is not None:
            return min(float(exc.retry_after), self.maximum)
        return float(self.fallback(retry_state))


class HubSpotClient:
    """Cached API objects with bounded retries, pacing and usage accounting."""

    def __init__(self, settings: AnySettings) -> None:
        self.settings = settings
        self.usage = ApiUsage()
        burst = settings.burst_limit or TIER_BURST_LIMITS[settings.tier]
        # keep a little of the app's window for its other processes and for retries
        self.burst = SlidingWindow(max(burst - max(burst // 20, 1), 1), 10.0)
        # a tenth of a second of slack: the server starts its second when the request lands
        self.search = SlidingWindow(settings.search_per_second, 1.1)
        self._apis: dict[str, Any] = {}
        self._access: str | None = None
        self._expires_at = 0.0
        self._refresh_token: str | None = None
        self.refreshes = 0
        if isinstance(settings, OAuthSettings):
            self._refresh_token = settings.refresh_token.get_secret_value()
        else:
            self._access = settings.access_token.get_secret_value()
        self._hubspot = HubSpot(
            host=settings.host.rstrip("/"),
            # urllib3 must not retry on its own: POSTs would be silently re-sent or not at all
            retry=Retry(total=0, redirect=0, raise_on_status=False),
            api_factory=self._build_api,
        )

    def __repr__(self) -> str:
        return f"HubSpotClient(host={self.settings.host!r}, flow={self.settings.flow!r})"

    @property
    def endpoint(self) -> str:
        return self.settings.host.rstrip("/")

    # ---- API objects -----------------------------------------------------------------------
    def _build_api(self, package: Any, api_name: str, config: dict[str, Any]) -> Any:
        api = DiscoveryBase._default_api_factory(package, api_name, config)
        rest = api.api_client.rest_client
        original = rest.request
        timeout = self.settings.timeout_seconds

        def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
            if not kwargs.get("_request_timeout"):
                kwargs["_request_timeout"] = (min(timeout, 10.0), timeout)
            try:
                response = original(method, url, *args, **kwargs)
            except Exception as exc:
                self._observe(method, url, getattr(exc, "headers", None))
                raise
            # urllib3 responses (raw reads) carry .headers; the client's wrapper getheaders()
            held = getattr(response, "headers", None)
            self._observe(method, url, held if held is not None else response.getheaders())
            return response

        rest.request = request
        return api

    def api(self, path: str) -> Any:
        """A cached API object, e.g. ``api("crm.objects.batch_api")``."""
        if path not in self._apis:
            target: Any = self._hubspot
            for part in path.split("."):
                target = getattr(target, part)
            self._apis[path] = target
        api = self._apis[path]
        api.api_client.configuration.access_token = self._token()
        return api

    # ---- tokens ----------------------------------------------------------------------------
    def _token(self) -> str | None:
        settings = self.settings
        if isinstance(settings, OAuthSettings) and (
            self._access is None
            or time.monotonic() >= self._expires_at - settings.refresh_margin_seconds
        ):
            self._refresh()
        return self._access

    def _refresh(self) -> None:
        """Trade the refresh token for an access token (before expiry, not after a 401)."""
        settings = self.settings
        assert isinstance(settings, OAuthSettings)
        tokens = self._hubspot.oauth.tokens_api  # built once per refresh: not on the hot path
        try:
            answer = tokens.create(
                grant_type="refresh_token",
                client_id=settings.client_id,
                client_secret=settings.client_secret.get_secret_value(),
                refresh_token=self._refresh_token,
                _request_timeout=settings.timeout_seconds,
            )
        except Exception as exc:
            error = translate(exc)
            if isinstance(error, FatalError) and not isinstance(error, QuotaExhaustedError):
                raise AuthError(
                    f"OAuth refresh refused: {error.message}", status=error.status
                ) from exc
            raise error from exc
        self._access = answer.access_token
        if answer.refresh_token:
            self._refresh_token = answer.refresh_token
        self._expires_at = time.monotonic() + float(answer.expires_in or 1800)
        self.refreshes += 1
        logger.info("HubSpot access token refreshed; valid for %ss", answer.expires_in)

    # ---- accounting ------------------------------------------------------------------------
    def _observe(self, method: str, url: str, headers: Any) -> None:
        path = url.split("?", 1)[0]
        if "/oauth/" in path:
            return
        if method == "GET" or path.endswith(_READ_SUFFIXES):
            self.usage.read_calls += 1
        else:
            self.usage.write_calls += 1
        daily = _header(headers, "X-HubSpot-RateLimit-Daily")
        remaining = _header(headers, "X-HubSpot-RateLimit-Daily-Remaining")
        if daily and remaining:
            self.usage.daily_limit = int(daily)
            self.usage.daily_remaining = int(remaining)
        limit = _header(headers, "X-HubSpot-RateLimit-Max")
        left = _header(headers, "X-HubSpot-RateLimit-Remaining")
        if limit and left:
            self.burst.observe(int(limit), int(left))

    def _guard_quota(self) -> None:
        limit, remaining = self.usage.daily_limit, self.usage.daily_remaining
        if limit is None or remaining is None:
            return
        reserve = int(limit * self.settings.quota_reserve_percent / 100)
        if remaining <= reserve:
            raise QuotaExhaustedError(
                f"only {remaining} of {limit} daily API calls left; the reserve of {reserve} "
                "is kept for people and other apps using the portal",
                code="CXSYNC_QUOTA_RESERVE",
            )

    # ---- calls -----------------------------------------------------------------------------
    def call(
        self,
        endpoint: str,
        fn: Callable[[], T],
        *,
        search: bool = False,
        attempts: int | None = None,
    ) -> T:
        """Run one API call paced, with bounded retries and translated errors.

        An OAuth token rejected with 401 (revoked or expired early) is refreshed once.
        ``attempts=1`` is for calls that must not be re-sent blindly (creates).
        """
        retrying = Retrying(
            stop=stop_after_attempt(attempts or self.settings.max_attempts),
            wait=_Wait(self.settings.backoff_max_seconds),
            retry=retry_if_exception_type(RetriableError),
            reraise=True,
        )
        refreshed = False
        while True:
            try:
                return cast(T, retrying(self._once, endpoint, fn, search))
            except AuthError as exc:
                if refreshed or not isinstance(self.settings, OAuthSettings) or exc.status != 401:
                    raise
                logger.info("HubSpot refused the access token; refreshing once")
                refreshed = True
                self._refresh()

    def invoke(
        self,
        endpoint: str,
        api: str,
        method: str,
        *args: Any,
        search: bool = False,
        attempts: int | None = None,
        **kwargs: Any,
    ) -> Any:
        """``call`` for one method of a cached API object, e.g.
        ``invoke("list.contacts", "crm.objects.basic_api", "get_page", "contacts", limit=100)``.
        The API object is looked up per attempt, so a refreshed token is used on retries."""

        def run() -> Any:
            return getattr(self.api(api), method)(*args, **kwargs)

        return self.call(endpoint, run, search=search, attempts=attempts)

    def invoke_json(
        self,
        endpoint: str,
        api: str,
        method: str,
        *args: Any,
        search: bool = False,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """:meth:`invoke`, answered as the parsed JSON body instead of client models.

        The client's model layer builds a ``Configuration`` and parses two timestamps with
        dateutil for every record: most of a large read's time. Bulk reads skip it.
        """

        def run() -> dict[str, Any]:
            response = getattr(self.api(api), method)(*args, _preload_content=False, **kwargs)
            try:
                parsed = json.loads(response.data) if response.data else {}
            finally:
                response.release_conn()
            if not isinstance(parsed, dict):
                raise FatalError(f"HubSpot {endpoint} answered with an unexpected shape")
            return parsed

        return self.call(endpoint, run, search=search)

    def _once(self, endpoint: str, fn: Callable[[], T], search: bool) -> T:
        self._guard_quota()
        (self.search if search else self.burst).acquire()
        self.usage.by_endpoint[endpoint] = self.usage.by_endpoint.get(endpoint, 0) + 1
        try:
            return fn()
        except Exception as exc:
            error = translate(exc)
            if isinstance(error, RateLimitError):
                self.usage.throttled += 1
            level = logging.INFO if isinstance(error, RetriableError) else logging.WARNING
            logger.log(level, "HubSpot %s failed: %s", endpoint, error)
            raise error from exc

    def close(self) -> None:
        for api in self._apis.values():
            pool = getattr(api.api_client.rest_client, "pool_manager", None)
            if pool is not None:
                pool.clear()
        self._apis.clear()
