"""pytest plugin (entry point ``pytest11: cxsync_contract``).

Installing cxsync makes the contract suite's marker known to every project's pytest; the
suite itself only runs where an adapter's tests subclass
:class:`cxsync.testing.contract.AdapterContractSuite`.
"""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "contract: a test from the cxsync adapter contract suite")
