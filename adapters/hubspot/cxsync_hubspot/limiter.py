"""Client-side rate limiting: stay under HubSpot's windows instead of collecting 429s.

HubSpot counts requests per app in a rolling ten-second window (the tier's limit, echoed in
``X-HubSpot-RateLimit-Max``) and search requests per second per account (5, and search
answers carry no rate-limit headers). A 429 costs a request of the daily budget and counts
against the 5% error allowance, so the adapter paces itself.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

__all__ = ["SlidingWindow"]


class SlidingWindow:
    """At most ``limit`` acquisitions in any ``interval`` seconds (blocking until allowed)."""

    def __init__(
        self,
        limit: int,
        interval: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.limit = limit
        self.interval = interval
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def acquire(self) -> None:
        with self._lock:
            while True:
                now = self._clock()
                while self._sent and now - self._sent[0] >= self.interval:
                    self._sent.popleft()
                if len(self._sent) < self.limit:
                    self._sent.append(now)
                    return
                pause = self.interval - (now - self._sent[0]) + 0.001
                self.waited_seconds += pause
                self._sleep(pause)

    def observe(self, limit: int | None, remaining: int | None) -> None:
        """Adopt the server's view: its limit, and a full window when it says none remain."""
        if limit is not None and 0 < limit < self.limit:
            self.limit = limit
        if remaining is not None and remaining <= 0:
            with self._lock:
                now = self._clock()
                # the server counts requests we cannot see (other processes of the same app)
                self._sent.extend([now] * max(self.limit - len(self._sent), 0))
