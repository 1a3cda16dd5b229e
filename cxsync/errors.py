"""The cxsync error tree.

Every error a caller can act on derives from :class:`CxSyncError`. Remote errors are
classified by what the caller does next, so the engine decides with ``isinstance`` alone::

    CxSyncError
    ├── ConfigError                 bad or missing configuration (exit 3)
    ├── InputError                  a bad input row or record: named, kept, skipped
    ├── MappingError                a mapping file in mappings/ (or the admin's) is invalid
    ├── StoreError                  the state store failed
    │   └── RunInProgressError      another run holds the lock (exit 6)
    ├── AdapterNotFoundError        no adapter registered under that name
    ├── AdapterLoadError            an adapter plugin failed to load or validate
    └── RemoteError                 the CRM (or its emulator) answered with an error
        ├── RetriableError          try again later: 5xx, timeouts, lock contention
        │   └── RateLimitError      429 / burst limit; carries ``retry_after`` seconds
        ├── SkippableError          this record is rejected; the rest of the batch proceeds
        └── FatalError              stop the run
            ├── AuthError           credentials refused or expired beyond renewal (exit 4)
            └── QuotaExhaustedError daily allocation spent: stop cleanly, resume later (exit 7)

Messages name the record, the field and the reason. They never contain a secret: the
constructor arguments are plain strings assembled by callers that hold no credentials.
"""

from __future__ import annotations

__all__ = [
    "AdapterLoadError",
    "AdapterNotFoundError",
    "AuthError",
    "ConfigError",
    "CxSyncError",
    "FatalError",
    "InputError",
    "MappingError",
    "QuotaExhaustedError",
    "RateLimitError",
    "RemoteError",
    "RetriableError",
    "RunInProgressError",
    "SkippableError",
    "StoreError",
]


class CxSyncError(Exception):
    """Base of every error cxsync raises on purpose."""


class ConfigError(CxSyncError):
    """Configuration is invalid. ``problems`` lists every problem found, not just the first."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or [message]
        super().__init__(message if problems is None else f"{message}: " + "; ".join(problems))


class InputError(CxSyncError):
    """A bad input record. ``record`` names it (file:row, CRM id, email…)."""

    def __init__(self, record: str, reason: str) -> None:
        self.record = record
        self.reason = reason
        super().__init__(f"{record}: {reason}")


class MappingError(CxSyncError):
    """A mapping file does not validate."""


class StoreError(CxSyncError):
    """The state store could not do what was asked."""


class RunInProgressError(StoreError):
    """Another run holds the lock for this CRM and store."""


class AdapterNotFoundError(CxSyncError):
    """No adapter is registered under the requested name."""

    def __init__(self, name: str, available: list[str]) -> None:
        self.name = name
        self.available = available
        listed = ", ".join(sorted(available)) or "none installed"
        super().__init__(f"no adapter named {name!r}; available: {listed}")


class AdapterLoadError(CxSyncError):
    """An adapter plugin failed to import or does not satisfy the protocol."""


class RemoteError(CxSyncError):
    """The CRM answered with an error.

    Attributes:
        status: the HTTP status, when there was one.
        code: the vendor's error code (``UNABLE_TO_LOCK_ROW``, ``VALIDATION_ERROR``…).
        record_id: the record the error is about, when it is about one.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        record_id: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.record_id = record_id
        self.message = message
        prefix = f"{record_id}: " if record_id else ""
        detail = ", ".join(p for p in (f"HTTP {status}" if status else "", code or "") if p)
        super().__init__(f"{prefix}{message}" + (f" ({detail})" if detail else ""))


class RetriableError(RemoteError):
    """Transient: the same call may succeed later."""


class RateLimitError(RetriableError):
    """A rate limit was hit. ``retry_after`` is the wait in seconds the CRM asked for, if any."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw: object) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kw)  # type: ignore[arg-type]


class SkippableError(RemoteError):
    """This record was refused; other records are unaffected."""


class FatalError(RemoteError):
    """The run cannot go on."""


class AuthError(FatalError):
    """Credentials were refused, or an expired session could not be renewed."""


class QuotaExhaustedError(FatalError):
    """The daily API allocation (or the configured reserve) is spent; resume on a later run."""
