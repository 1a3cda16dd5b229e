"""Fixtures: an emulator mounted in-process, and the contract harness over it."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
import responses
from cxsync_salesforce import SalesforceAdapter
from cxsync_salesforce.testing import (
    EmulatorResponse,
    SalesforceEmulator,
    emulator_adapter,
    install_cx_fields,
    mock_emulator,
)

from cxsync.models import ObjectType
from cxsync.schema import load_field_map
from cxsync.testing.harness import Fault

_SOBJECT = {ObjectType.ACCOUNT: "Account", ObjectType.CONTACT: "Contact"}
_CONTACT_KEYS = {
    "account_id": "AccountId",
    "email": "Email",
    "first_name": "FirstName",
    "last_name": "LastName",
    "title": "Title",
    "owner_id": "OwnerId",
}


def make_adapter(
    emulator: SalesforceEmulator, tmp_path: Path, **overrides: Any
) -> SalesforceAdapter:
    """An adapter over the in-process emulator, with the harness's fixed session."""
    return emulator_adapter(emulator, tmp_path, session_id="EMU", **overrides)


class SalesforceHarness:
    """The contract suite's view behind the adapter: the emulator's state."""

    page_size = 200

    def __init__(self, emulator: SalesforceEmulator, tmp_path: Path) -> None:
        self.emulator = emulator
        self.tmp_path = tmp_path

    def adapter(self) -> SalesforceAdapter:
        return make_adapter(self.emulator, self.tmp_path)

    def seed(
        self, accounts: Sequence[dict[str, Any]], contacts: Sequence[dict[str, Any]]
    ) -> tuple[list[str], list[str]]:
        ids = {
            a["id"]: self.emulator.insert("Account", {"Name": a.get("name", "")}) for a in accounts
        }
        contact_ids = []
        for c in contacts:
            values = {sf: c.get(key) for key, sf in _CONTACT_KEYS.items()}
            values["AccountId"] = ids.get(c.get("account_id"))
            contact_ids.append(self.emulator.insert("Contact", values))
        return list(ids.values()), contact_ids

    def touch(self, object_type: ObjectType, record_id: str, changes: dict[str, Any]) -> None:
        keys = _CONTACT_KEYS if object_type is ObjectType.CONTACT else {"name": "Name"}
        self.emulator.update(
            _SOBJECT[object_type], record_id, {keys[k]: v for k, v in changes.items()}
        )

    def read_back(self, object_type: ObjectType, record_id: str) -> dict[str, Any]:
        record = self.emulator.records[_SOBJECT[object_type]][record_id]
        field_map = load_field_map("salesforce")
        return {
            k: v for k, v in field_map.to_canonical(object_type, record).items() if v is not None
        }

    def reject_next_write(self, record_id: str) -> None:
        self.emulator.reject_rows.add(record_id)

    def inject(self, fault: Fault) -> None:
        if fault == "auth":
            self.emulator.session_id = "ROTATED"
        elif fault == "retriable":
            self.emulator.sticky_fault = EmulatorResponse(
                503, [{"message": "Service Unavailable", "errorCode": "SERVER_UNAVAILABLE"}]
            )
        elif fault == "fatal":
            self.emulator.sticky_fault = EmulatorResponse(
                403, [{"message": "insufficient access", "errorCode": "INSUFFICIENT_ACCESS"}]
            )
        else:
            throttle = EmulatorResponse(
                429,
                [{"message": "too many requests", "errorCode": "REQUEST_LIMIT"}],
                {"Retry-After": "0"},
            )
            self.emulator.faults.extend([throttle, throttle])

    def clear_faults(self) -> None:
        self.emulator.session_id = "EMU"
        self.emulator.sticky_fault = None
        self.emulator.faults.clear()
        self.emulator.reject_rows.clear()


@pytest.fixture
def emulator_mock() -> Iterator[tuple[SalesforceEmulator, responses.RequestsMock]]:
    emu = SalesforceEmulator(page_size=200)
    install_cx_fields(emu)
    with mock_emulator(emu) as mock:
        yield emu, mock


@pytest.fixture
def emulator(
    emulator_mock: tuple[SalesforceEmulator, responses.RequestsMock],
) -> SalesforceEmulator:
    return emulator_mock[0]


@pytest.fixture
def http_mock(
    emulator_mock: tuple[SalesforceEmulator, responses.RequestsMock],
) -> responses.RequestsMock:
    """The strict mock the emulator is mounted on (add login endpoints to it)."""
    return emulator_mock[1]


@pytest.fixture
def contract_harness(emulator: SalesforceEmulator, tmp_path: Path) -> SalesforceHarness:
    return SalesforceHarness(emulator, tmp_path)
