"""Duplicates and staleness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from cxsync.hygiene import DuplicateFlag, find_duplicates, is_stale

T = datetime(2026, 11, 1, tzinfo=UTC)


def test_most_recent_survives_within_an_account() -> None:
    flags = find_duplicates(
        [("C1", "A", "a@x.com", T - timedelta(days=5)), ("C2", "A", "a@x.com", T)]
    )
    assert flags == {"C1": DuplicateFlag("C2", "account")}


def test_cross_account_duplicates_are_named_as_such() -> None:
    flags = find_duplicates(
        [("C1", "A", "a@x.com", T), ("C2", "B", "a@x.com", T - timedelta(days=1))]
    )
    assert flags == {"C2": DuplicateFlag("C1", "cross_account")}


def test_ties_break_by_smallest_id_and_empty_addresses_never_match() -> None:
    flags = find_duplicates(
        [
            ("C9", "A", "a@x.com", T),
            ("C3", "A", "a@x.com", T),
            ("C4", "A", None, T),
            ("C5", "A", None, T),
        ]
    )
    assert flags == {"C9": DuplicateFlag("C3", "account")}


def test_staleness_boundary() -> None:
    assert not is_stale(T - timedelta(days=730), T, 730)
    assert is_stale(T - timedelta(days=731), T, 730)
