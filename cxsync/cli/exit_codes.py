"""Exit codes, one per kind of outcome. Documented in the README; scripts rely on them."""

from __future__ import annotations

from enum import IntEnum

__all__ = ["ExitCode"]


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED = 1  # a bug: run again with --verbose and report the traceback
    USAGE = 2  # bad command-line arguments
    CONFIG = 3  # configuration or mapping files invalid; nothing was contacted
    AUTH = 4  # the CRM refused the credentials
    PARTIAL = 5  # the run finished but some writes failed (queued in the outbox)
    LOCKED = 6  # another run holds the lock for this CRM and store
    QUOTA = 7  # the daily API allocation is spent: resume later
    REMOTE = 8  # the CRM failed in a way that stopped the run
    REJECTED = 9  # the run finished but some input rows were rejected (see the rejects file)
