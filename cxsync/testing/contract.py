"""The adapter contract suite: behaviour every cxsync adapter must show.

An adapter's tests provide a ``contract_harness`` fixture (see
:mod:`cxsync.testing.harness`) and subclass :class:`AdapterContractSuite` in one line::

    class TestMyCrmContract(AdapterContractSuite):
        pass

Tests whose capability the adapter does not declare are skipped with the reason.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from cxsync.adapter import Adapter, Capability
from cxsync.errors import AuthError, FatalError, RateLimitError, RetriableError
from cxsync.models import (
    Account,
    ActivityNote,
    Contact,
    FieldChange,
    FollowUpTask,
    ObjectType,
    Page,
)
from cxsync.testing.harness import ContractHarness

__all__ = ["AdapterContractSuite"]

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SECRET_MARKERS = ("password", "token", "secret", "sessionid")


def _accounts(n: int) -> list[dict[str, Any]]:
    return [{"id": f"ACC{i:03d}", "name": f"Müşteri {i} A.Ş.", "modified_at": T0} for i in range(n)]


def _contacts(n: int, accounts: int) -> list[dict[str, Any]]:
    return [
        {
            "id": f"CON{i:04d}",
            "account_id": f"ACC{i % accounts:03d}",
            "first_name": "Ayşe",
            "last_name": f"Yılmaz{i}",
            "email": f"ayse.yilmaz{i}@musteri{i % accounts}.com.tr",
            "title": "Satınalma Müdürü",
            "modified_at": T0 + timedelta(minutes=i),
        }
        for i in range(n)
    ]


def _drain(pages: Any) -> tuple[list[Any], str | None]:
    records: list[Any] = []
    cursor = None
    for page in pages:
        assert isinstance(page, Page)
        records.extend(page.records)
        cursor = page.cursor
    return records, cursor


class AdapterContractSuite:
    """Subclass me; provide the ``contract_harness`` fixture."""

    accounts_seeded = 4

    @pytest.fixture
    def seeded(
        self, contract_harness: ContractHarness
    ) -> tuple[ContractHarness, list[str], list[str]]:
        n = contract_harness.page_size * 3 + 2
        account_ids, contact_ids = contract_harness.seed(
            _accounts(self.accounts_seeded), _contacts(n, self.accounts_seeded)
        )
        return contract_harness, account_ids, contact_ids

    @staticmethod
    def _require(adapter: Adapter, capability: Capability) -> None:
        if capability not in adapter.capabilities:
            pytest.skip(f"the adapter does not declare {capability.value}")

    # shape ------------------------------------------------------------------------------
    def test_satisfies_the_protocol(self, contract_harness: ContractHarness) -> None:
        adapter = contract_harness.adapter()
        assert isinstance(adapter, Adapter)
        assert adapter.name
        assert Capability.READ in adapter.capabilities

    def test_check_names_the_endpoint_without_secrets(
        self, contract_harness: ContractHarness
    ) -> None:
        info = contract_harness.adapter().check()
        assert info.adapter and info.endpoint
        text = f"{info}".lower()
        assert not any(f"{m}=" in text for m in SECRET_MARKERS)

    # reading ----------------------------------------------------------------------------
    def test_streams_every_account_and_contact_across_pages(self, seeded: Any) -> None:
        harness, account_ids, contact_ids = seeded
        adapter = harness.adapter()
        accounts, _ = _drain(adapter.stream_accounts())
        contacts, _ = _drain(adapter.stream_contacts())
        assert sorted(a.id for a in accounts) == sorted(account_ids)
        assert all(isinstance(a, Account) for a in accounts)
        assert sorted(c.id for c in contacts) == sorted(contact_ids)
        assert len({c.id for c in contacts}) == len(contacts), "no contact twice"
        assert {c.account_id for c in contacts} <= set(account_ids)
        first = next(c for c in contacts if c.id == contact_ids[0])
        assert isinstance(first, Contact)
        assert first.email == "ayse.yilmaz0@musteri0.com.tr"
        assert first.title == "Satınalma Müdürü"
        assert first.modified_at.tzinfo is not None
        assert adapter.usage().read_calls >= 3, "paging must have happened"

    def test_a_page_cursor_resumes_after_that_page(self, seeded: Any) -> None:
        harness, _, contact_ids = seeded
        adapter = harness.adapter()
        pages = adapter.stream_contacts()
        first = next(pages)
        assert first.records and first.cursor
        rest, _ = _drain(harness.adapter().stream_contacts(first.cursor))
        ids = [c.id for c in first.records] + [c.id for c in rest]
        assert sorted(ids) == sorted(contact_ids)
        assert len(ids) == len(set(ids)), "resuming must not repeat a record"

    def test_incremental_read_yields_only_what_changed(self, seeded: Any) -> None:
        harness, _, contact_ids = seeded
        adapter = harness.adapter()
        self._require(adapter, Capability.INCREMENTAL)
        _, cursor = _drain(adapter.stream_contacts())
        nothing, cursor = _drain(harness.adapter().stream_contacts(cursor))
        assert nothing == []
        harness.touch(ObjectType.CONTACT, contact_ids[1], {"title": "Einkaufsleiter"})
        changed, _ = _drain(harness.adapter().stream_contacts(cursor))
        assert [c.id for c in changed] == [contact_ids[1]]
        assert changed[0].title == "Einkaufsleiter"

    # writing ----------------------------------------------------------------------------
    def _changes(self, ids: list[str]) -> list[FieldChange]:
        return [
            FieldChange(
                object_type=ObjectType.CONTACT,
                record_id=cid,
                values={"cx_email_status": "person", "cx_nps_score": 7 + i % 3},
            )
            for i, cid in enumerate(ids)
        ]

    def test_apply_changes_writes_and_answers_once_per_change(self, seeded: Any) -> None:
        harness, _, contact_ids = seeded
        adapter = harness.adapter()
        self._require(adapter, Capability.WRITE_FIELDS)
        changes = self._changes(contact_ids[:5])
        results = adapter.apply_changes(changes)
        adapter.close()
        assert [r.record_id for r in results] == [c.record_id for c in changes]
        assert all(r.ok for r in results), [r.error for r in results if not r.ok]
        for change in changes:
            held = harness.read_back(ObjectType.CONTACT, change.record_id)
            assert str(held["cx_nps_score"]).split(".")[0] == str(change.values["cx_nps_score"])
            assert held["cx_email_status"] == "person"

    def test_a_refused_record_fails_alone(self, seeded: Any) -> None:
        harness, _, contact_ids = seeded
        adapter = harness.adapter()
        self._require(adapter, Capability.WRITE_FIELDS)
        harness.reject_next_write(contact_ids[2])
        results = adapter.apply_changes(self._changes(contact_ids[:4]))
        adapter.close()
        assert [r.ok for r in results] == [True, True, False, True]
        assert results[2].error
        assert harness.read_back(ObjectType.CONTACT, contact_ids[3])["cx_email_status"] == "person"

    def test_reapplying_the_same_changes_is_idempotent(self, seeded: Any) -> None:
        harness, _, contact_ids = seeded
        adapter = harness.adapter()
        self._require(adapter, Capability.WRITE_FIELDS)
        changes = self._changes(contact_ids[:3])
        assert all(r.ok for r in adapter.apply_changes(changes))
        assert all(r.ok for r in adapter.apply_changes(changes))
        adapter.close()
        held = harness.read_back(ObjectType.CONTACT, contact_ids[1])
        assert str(held["cx_nps_score"]).split(".")[0] == "8"

    def test_tasks_are_created_once_per_key(self, seeded: Any) -> None:
        harness, account_ids, contact_ids = seeded
        adapter = harness.adapter()
        self._require(adapter, Capability.TASKS)
        task = FollowUpTask(
            key="contract:task:1",
            account_id=account_ids[0],
            contact_id=contact_ids[0],
            subject="NPS 3 from Ayşe Yılmaz",
            body="Teslimat gecikti.",
            due=date(2026, 2, 1),
            priority="high",
        )
        (first,) = adapter.create_tasks([task])
        assert first.ok and first.external_id
        assert adapter.existing_task_keys(["contract:task:1", "contract:task:2"]) == {
            "contract:task:1"
        }
        (again,) = adapter.create_tasks([task])
        assert again.ok
        assert adapter.existing_task_keys(["contract:task:1"]) == {"contract:task:1"}

    def test_notes_are_created_once_per_key(self, seeded: Any) -> None:
        harness, account_ids, contact_ids = seeded
        adapter = harness.adapter()
        self._require(adapter, Capability.NOTES)
        note = ActivityNote(
            key="contract:note:1",
            account_id=account_ids[0],
            contact_id=contact_ids[0],
            body="Şantiye ziyareti: matkaplar iyi.",
            occurred_at=T0,
        )
        assert adapter.create_notes([note])[0].ok
        assert adapter.existing_note_keys(["contract:note:1", "x"]) == {"contract:note:1"}

    # errors -----------------------------------------------------------------------------
    @pytest.mark.parametrize(
        ("fault", "expected"),
        [("auth", AuthError), ("retriable", RetriableError), ("fatal", FatalError)],
        ids=["auth", "retriable", "fatal"],
    )
    def test_errors_are_classified(
        self, seeded: Any, fault: str, expected: type[Exception]
    ) -> None:
        harness, _, _ = seeded
        harness.inject(fault)
        try:
            with pytest.raises(expected):
                _drain(harness.adapter().stream_contacts())
        finally:
            harness.clear_faults()

    def test_rate_limits_are_waited_out_or_classified(self, seeded: Any) -> None:
        harness, _, contact_ids = seeded
        harness.inject("rate_limit")
        try:
            records, _ = _drain(harness.adapter().stream_contacts())
        except RateLimitError:
            return  # classified: the engine may wait and retry
        finally:
            harness.clear_faults()
        assert sorted(c.id for c in records) == sorted(contact_ids)

    def test_no_secret_in_repr_or_errors(self, seeded: Any) -> None:
        harness, _, _ = seeded
        adapter = harness.adapter()
        assert not any(f"{m}=" in repr(adapter).lower() for m in SECRET_MARKERS)
        harness.inject("auth")
        try:
            _drain(harness.adapter().stream_contacts())
        except AuthError as exc:
            assert not any(f"{m}=" in str(exc).lower() for m in SECRET_MARKERS)
        finally:
            harness.clear_faults()
