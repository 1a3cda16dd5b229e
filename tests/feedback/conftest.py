"""Fixtures for the feedback tests."""

from __future__ import annotations

import pytest

from tests.feedback.feedback_fakes import AYSE, CONTACT_100, MEHMET, DictLookup, MemoryLedger


@pytest.fixture
def ledger() -> MemoryLedger:
    return MemoryLedger()


@pytest.fixture
def lookup() -> DictLookup:
    return DictLookup(
        {
            "ayse.kaya@example.com.tr": AYSE,
            "C-200": AYSE,
            "mehmet@example.com.tr": MEHMET,
            "C-300": MEHMET,
            "C-100": CONTACT_100,
        }
    )
