"""`cxsync sync` SIGKILLed mid-run against the emulator on loopback, then run again.

The killed process dies by a real ``kill -9`` at a named checkpoint (cxsync/engine/
checkpoints.py): after the notes were created but before the store knew, after the contact
writes reached the org but before the store recorded them, after the first account's
follow-ups were created, after the account writes. The next run takes over the dead run's
lock and finishes the job; the org ends as a clean run leaves it.
"""

from __future__ import annotations

import signal

import pytest

from cxsync.engine.summary import RunSummary
from tests.faults.conftest import Portal, Reference, assert_same_state, at_another_instant

POINTS = [
    "notes_sent",
    pytest.param("fields_sent:1"),
    "tasks_sent:1",
    "fields_sent:2",
]


def _kill_and_resume(portal: Portal, point: str) -> RunSummary:
    killed = portal.cli(kill_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert killed.stdout == "", "a killed run prints no summary"
    return portal.sync()


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_a_killed_run_is_finished_by_the_next_one(
    served_portal: Portal, clean: Reference, point: str
) -> None:
    resumed = _kill_and_resume(served_portal, point)

    assert resumed.status == "ok", resumed.exit_reason
    served_portal.settle()
    assert_same_state(at_another_instant(served_portal.state()), at_another_instant(clean.state))
