"""A testing aid: faults the files adapter can be told to raise, for the contract suite and
for engine fault tests. Production code never sets one."""

from __future__ import annotations

from dataclasses import dataclass, field

from cxsync.errors import AuthError, FatalError, RateLimitError, RetriableError

__all__ = ["FaultPlan"]


@dataclass
class FaultPlan:
    """``fault`` is raised before the next operation (and every one after, until cleared);
    ``rejected`` record ids are refused once each on their next write."""

    fault: str | None = None
    rejected: set[str] = field(default_factory=set)

    def before(self, verb: str) -> None:
        if self.fault == "auth":
            raise AuthError(f"{verb}: the folder refused access (injected)", status=401)
        if self.fault == "rate_limit":
            raise RateLimitError(f"{verb}: rate limited (injected)", retry_after=0.0, status=429)
        if self.fault == "retriable":
            raise RetriableError(f"{verb}: temporarily unavailable (injected)", status=503)
        if self.fault == "fatal":
            raise FatalError(f"{verb}: failed (injected)", status=500)

    def take_rejection(self, record_id: str) -> bool:
        if record_id in self.rejected:
            self.rejected.discard(record_id)
            return True
        return False
