"""The HTTP boundary: login, retries, error translation and API-usage accounting."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any, TypeVar, cast
from urllib.parse import urlsplit

import requests
import simple_salesforce.exceptions as sfexc
from requests.adapters import HTTPAdapter
from simple_salesforce.api import Salesforce
from tenacity import Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential_jitter
from tenacity.wait import wait_base

from cxsync.adapter import ApiUsage
from cxsync.errors import (
    AuthError,
    FatalError,
    QuotaExhaustedError,
    RateLimitError,
    RemoteError,
    RetriableError,
)
from cxsync_salesforce.settings import (
    ClientCredentialsSettings,
    JwtSettings,
    PasswordSettings,
    SessionSettings,
)

__all__ = ["SalesforceClient", "SchemeRewriteAdapter", "translate"]

logger = logging.getLogger(__name__)
T = TypeVar("T")
AnySettings = PasswordSettings | JwtSettings | ClientCredentialsSettings | SessionSettings
_USAGE = re.compile(r"api-usage=(\d+)/(\d+)")


class _TimeoutSession(requests.Session):
    """simple-salesforce sets no timeout anywhere; a hung server must not hang the run."""

    def __init__(self, timeout: float) -> None:
        super().__init__()
        self.default_timeout = timeout

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("timeout", self.default_timeout)
        return super().request(method, url, *args, **kwargs)


class SchemeRewriteAdapter(HTTPAdapter):
    """Sends simple-salesforce's hard-coded ``https://`` requests over plain http (loopback)."""

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        request.url = (request.url or "").replace("https://", "http://", 1)
        return super().send(request, *args, **kwargs)


def _first_error(content: Any) -> tuple[str | None, str]:
    if isinstance(content, list) and content and isinstance(content[0], dict):
        return content[0].get("errorCode"), str(content[0].get("message", ""))
    return None, str(content)[:200]


def translate(exc: Exception, retry_after: float | None = None) -> RemoteError:
    """Map a simple-salesforce or requests exception onto the cxsync error tree."""
    if isinstance(exc, RemoteError):
        return exc
    if isinstance(exc, sfexc.SalesforceAuthenticationFailed):
        return AuthError(f"login refused: {exc.code}", code=str(exc.code))
    if isinstance(exc, requests.RequestException):
        return RetriableError(f"transport failure: {type(exc).__name__}")
    if not isinstance(exc, sfexc.SalesforceError):
        # Bulk 2.0 and the Metadata API raise plain exceptions whose text is the server's
        # error list (component names and codes, never credentials)
        return FatalError(f"{type(exc).__name__}: {str(exc).strip()[:500]}")
    code, message = _first_error(exc.content)
    status = exc.status
    kw: dict[str, Any] = {"status": status, "code": code}
    if code == "REQUEST_LIMIT_EXCEEDED":
        if "concurrent" in message.lower():
            # too many long requests at once (ConcurrentPerOrgLongTxn): a throttle, not the
            # day's allocation — back off and retry
            return RateLimitError("concurrent request limit: " + message, retry_after=None, **kw)
        return QuotaExhaustedError("daily API allocation spent: " + message, **kw)
    if isinstance(exc, sfexc.SalesforceExpiredSession):
        return AuthError("session expired or invalid", **kw)
    if code == "UNABLE_TO_LOCK_ROW" or status >= 500:
        return RetriableError(message or "server error", **kw)
    if status == 429:
        return RateLimitError(message or "rate limited", retry_after=retry_after, **kw)
    return FatalError(message or "request refused", **kw)


class _WaitRetryAfter(wait_base):
    """Exponential backoff with jitter, but never shorter than the server's Retry-After."""

    def __init__(self, maximum: float) -> None:
        self.fallback = wait_exponential_jitter(multiplier=0.5, max=maximum, jitter=0.5)

    def __call__(self, retry_state: Any) -> float:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        if isinstance(exc, RateLimitError) and exc.retry_after is not None:
            return float(exc.retry_after)
        return float(self.fallback(retry_state))


class SalesforceClient:
    """A logged-in simple-salesforce client with bounded retries and usage accounting."""

    def __init__(self, settings: AnySettings, transport: Any = None) -> None:
        self.settings = settings
        self.session: requests.Session = transport or _TimeoutSession(settings.timeout_seconds)
        self.usage = ApiUsage()
        self._last_headers: dict[str, str] = {}
        self.session.hooks["response"].append(self._observe)
        self.sf = self._login()

    # ---- login -----------------------------------------------------------------------------
    def _login(self) -> Salesforce:
        s = self.settings
        common: dict[str, Any] = {"version": s.api_version, "session": self.session}
        try:
            if isinstance(s, SessionSettings):
                self._mount_rewrite(s.instance_url)
                return Salesforce(
                    instance_url=s.instance_url,
                    session_id=s.session_id.get_secret_value(),
                    **common,
                )
            if isinstance(s, PasswordSettings):
                return Salesforce(
                    username=s.username,
                    password=s.password.get_secret_value(),
                    security_token=s.security_token.get_secret_value(),
                    domain=s.domain,
                    **common,
                )
            if isinstance(s, JwtSettings):
                key: dict[str, Any] = (
                    {"privatekey": s.private_key.get_secret_value()}
                    if s.private_key is not None
                    else {"privatekey_file": str(s.private_key_file)}
                )
                return Salesforce(
                    username=s.username,
                    consumer_key=s.consumer_key,
                    domain=s.domain,
                    **key,
                    **common,
                )
            return Salesforce(
                consumer_key=s.consumer_key,
                consumer_secret=s.consumer_secret.get_secret_value(),
                domain=s.domain,
                **common,
            )
        except Exception as exc:  # translated: login errors carry no secret
            raise translate(exc) from exc

    def _mount_rewrite(self, instance_url: str) -> None:
        parts = urlsplit(instance_url)
        if parts.scheme == "http":
            self.session.mount(f"https://{parts.netloc}", SchemeRewriteAdapter())

    def metadata_api(self) -> Any:
        """simple-salesforce's zeep-based Metadata API client, on the same transport.

        zeep builds its own requests.Session, so the response hook (usage accounting) and
        the loopback scheme rewrite are installed there too.
        """
        md = self.sf.mdapi
        zeep_session = md._client.transport.session
        if zeep_session is not self.session:
            for prefix, adapter in self.session.adapters.items():
                if isinstance(adapter, SchemeRewriteAdapter):
                    zeep_session.mount(prefix, SchemeRewriteAdapter())
            if self._observe not in zeep_session.hooks["response"]:
                zeep_session.hooks["response"].append(self._observe)
        return md

    @property
    def endpoint(self) -> str:
        return f"https://{self.sf.sf_instance}"

    # ---- accounting ------------------------------------------------------------------------
    def _observe(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self._last_headers = dict(response.headers)
        # count HTTP requests against the org, not logical calls: one Bulk job is several
        if "/services/" in (response.request.url or ""):
            if response.request.method == "GET":
                self.usage.read_calls += 1
            else:
                self.usage.write_calls += 1
        match = _USAGE.match(response.headers.get("Sforce-Limit-Info", ""))
        if match:
            used, total = int(match.group(1)), int(match.group(2))
            self.usage.daily_limit = total
            self.usage.daily_remaining = max(total - used, 0)

    def _reserve(self) -> int:
        limit = self.usage.daily_limit or 0
        return max(
            self.settings.quota_reserve_calls,
            int(limit * self.settings.quota_reserve_percent / 100),
        )

    def _guard_quota(self) -> None:
        remaining = self.usage.daily_remaining
        if remaining is not None and remaining <= self._reserve():
            raise QuotaExhaustedError(
                f"only {remaining} API calls left of {self.usage.daily_limit}; "
                f"the reserve of {self._reserve()} is kept for people using the org",
                code="CXSYNC_QUOTA_RESERVE",
            )

    # ---- calls -----------------------------------------------------------------------------
    def call(self, endpoint: str, fn: Callable[[], T]) -> T:
        """Run one API call with quota guard, bounded retries and translated errors."""
        retrying = Retrying(
            stop=stop_after_attempt(self.settings.max_attempts),
            wait=_WaitRetryAfter(self.settings.backoff_max_seconds),
            retry=retry_if_exception_type(RetriableError),
            reraise=True,
        )
        renewed = False
        while True:
            try:
                return cast(T, retrying(self._once, endpoint, fn))
            except AuthError as exc:
                if renewed or isinstance(self.settings, SessionSettings) or exc.status != 401:
                    raise
                logger.info("Salesforce session expired; logging in again once")
                renewed = True
                self.sf = self._login()

    def _once(self, endpoint: str, fn: Callable[[], T]) -> T:
        self._guard_quota()
        self.usage.by_endpoint[endpoint] = self.usage.by_endpoint.get(endpoint, 0) + 1
        try:
            return fn()
        except Exception as exc:
            retry_after = self._retry_after()
            error = translate(exc, retry_after)
            if isinstance(error, RateLimitError):
                self.usage.throttled += 1
            # transient failures are retried (and logged again if they surface)
            level = logging.INFO if isinstance(error, RetriableError) else logging.WARNING
            logger.log(level, "Salesforce %s failed: %s", endpoint, error)
            raise error from exc

    def _retry_after(self) -> float | None:
        value = self._last_headers.get("Retry-After")
        try:
            return float(value) if value is not None else None
        except ValueError:
            return None

    def close(self) -> None:
        self.session.close()
