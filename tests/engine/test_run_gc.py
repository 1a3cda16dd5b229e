"""A sync collects cyclic garbage less often while it runs, and restores the thresholds."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from cxsync.engine import run as run_module
from cxsync.engine.run import RUN_GC_THRESHOLDS, run_sync
from cxsync.errors import ConfigError
from tests.engine.conftest import MiniCrm

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.fixture
def default_thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield (700, 10, 10)
    gc.set_threshold(*before)


def test_thresholds_are_raised_during_the_run_and_restored_after(
    mini_crm: MiniCrm, default_thresholds: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, tuple[int, int, int]] = {}
    real = run_module.checkpoint

    def spy(name: str) -> None:
        seen[name] = gc.get_threshold()
        real(name)

    monkeypatch.setattr(run_module, "checkpoint", spy)
    result = run_sync(mini_crm.config(), now=NOW)
    assert result.summary.stage("contacts")["read"] > 0
    assert seen["contacts_pulled"] == RUN_GC_THRESHOLDS
    assert seen["accounts_scored"] == RUN_GC_THRESHOLDS
    assert gc.get_threshold() == default_thresholds


def test_thresholds_are_restored_when_a_run_cannot_start(
    mini_crm: MiniCrm, default_thresholds: tuple[int, int, int]
) -> None:
    config = mini_crm.config()
    (mini_crm.crm / "contacts.csv").unlink()  # the adapter cannot be built
    with pytest.raises(ConfigError, match=r"no contacts\.csv"):
        run_sync(config, now=NOW)
    assert gc.get_threshold() == default_thresholds
