"""Faults the emulator injects at a chosen request, for engine-level fault tests.

``SalesforceEmulator.faults`` answers the very next requests, whatever they are; a run
reads before it writes, so those land on the first query. A :class:`ScheduledFault` waits
for the requests it matches (method and a pattern on the API path, such as
``composite/sobjects``), lets ``after`` of them through, then answers ``times`` of them
with its response. With ``apply_first`` the request is carried out and only the answer is
replaced: the classic lost answer, where the org made the change but the client never
heard so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cxsync_salesforce.testing.shapes import EmulatorResponse

__all__ = ["FaultSchedule", "ScheduledFault"]


@dataclass
class ScheduledFault:
    """One planned fault; ``seen`` and ``fired`` count what happened to it."""

    response: EmulatorResponse
    method: str | None = None
    path: re.Pattern[str] | None = None
    after: int = 0
    times: int = 1
    apply_first: bool = False
    seen: int = 0
    fired: int = 0

    def matches(self, method: str, path: str) -> bool:
        if self.method is not None and self.method != method:
            return False
        return self.path is None or self.path.search(path) is not None

    @property
    def spent(self) -> bool:
        return self.fired >= self.times


@dataclass
class FaultSchedule:
    """The scheduled faults of one emulator, checked in the order they were added."""

    rules: list[ScheduledFault] = field(default_factory=list)

    def add(
        self,
        response: EmulatorResponse,
        *,
        method: str | None = None,
        path: str | None = None,
        after: int = 0,
        times: int = 1,
        apply_first: bool = False,
    ) -> ScheduledFault:
        """Plan ``response`` for matching requests (``path``: a regex searched in the API
        path after ``/services/data/vNN.N/``, e.g. ``^composite/sobjects$``)."""
        rule = ScheduledFault(
            response,
            method=method.upper() if method else None,
            path=re.compile(path) if path is not None else None,
            after=after,
            times=times,
            apply_first=apply_first,
        )
        self.rules.append(rule)
        return rule

    def pick(self, method: str, path: str) -> ScheduledFault | None:
        """The fault this request gets, if any; every matching rule counts the request."""
        chosen = None
        for rule in self.rules:
            if rule.spent or not rule.matches(method, path):
                continue
            rule.seen += 1
            if chosen is None and rule.seen > rule.after:
                rule.fired += 1
                chosen = rule
        return chosen

    def clear(self) -> None:
        self.rules.clear()
