"""Named points in a run where a crash is survivable, and a hook to crash there on purpose.

The fault-injection suite sets ``CXSYNC_FAULT_KILL_AT=<point>[:<n>]`` so the process kills
itself with SIGKILL the n-th time (default 1st) it passes ``<point>``: a real ``kill -9``
at an exact place, which a timer-based kill cannot hit reliably. Unset, it costs a dict
lookup.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

__all__ = ["checkpoint"]

_passes: Counter[str] = Counter()


def checkpoint(point: str) -> None:
    target = os.environ.get("CXSYNC_FAULT_KILL_AT")
    if not target:
        return
    name, _, nth = target.partition(":")
    if name != point:
        return
    _passes[point] += 1
    if _passes[point] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
