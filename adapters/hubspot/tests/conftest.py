"""Fixtures: an emulator served on loopback per test, and the contract harness over it."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from cxsync_hubspot import HubSpotAdapter
from cxsync_hubspot.testing import (
    ACCESS_TOKEN,
    Answer,
    Fault,
    HubSpotEmulator,
    emulator_adapter,
    install_cx_properties,
    serve_emulator,
)
from cxsync_hubspot.testing import seed as seed_portal

from cxsync.models import ObjectType
from cxsync.schema import load_field_map
from cxsync.testing.harness import Fault as ContractFault

_TYPES = {ObjectType.ACCOUNT: "companies", ObjectType.CONTACT: "contacts"}
_CONTACT_KEYS = {
    "email": "email",
    "first_name": "firstname",
    "last_name": "lastname",
    "title": "jobtitle",
}


def error_answer(status: int, category: str, message: str = "refused") -> Answer:
    return Answer(status, {"status": "error", "message": message, "category": category})


class HubSpotHarness:
    """The contract suite's view behind the adapter: the emulator's state."""

    page_size = 100

    def __init__(self, emulator: HubSpotEmulator, url: str, tmp_path: Path) -> None:
        self.emulator = emulator
        self.url = url
        self.tmp_path = tmp_path

    def adapter(self) -> HubSpotAdapter:
        return emulator_adapter(self.url, self.tmp_path)

    def seed(
        self, accounts: Sequence[dict[str, Any]], contacts: Sequence[dict[str, Any]]
    ) -> tuple[list[str], list[str]]:
        companies, contact_ids = seed_portal(self.emulator, list(accounts), list(contacts))
        return list(companies.values()), contact_ids

    def touch(self, object_type: ObjectType, record_id: str, changes: dict[str, Any]) -> None:
        keys = _CONTACT_KEYS if object_type is ObjectType.CONTACT else {"name": "name"}
        self.emulator.update(
            _TYPES[object_type], record_id, {keys[k]: v for k, v in changes.items()}
        )
        # a change window ends, exclusively, at the millisecond the read starts (no search
        # lag here): an edit within that millisecond is the next read's, not this one's
        time.sleep(0.002)

    def read_back(self, object_type: ObjectType, record_id: str) -> dict[str, Any]:
        held = self.emulator.objects[_TYPES[object_type]][record_id]["properties"]
        canonical = load_field_map("hubspot").to_canonical(object_type, held)
        return {k: v for k, v in canonical.items() if v is not None}

    def reject_next_write(self, record_id: str) -> None:
        self.emulator.reject_ids.add(record_id)

    def inject(self, fault: ContractFault) -> None:
        if fault == "auth":
            self.emulator.private_tokens = {"pat-rotated"}
        elif fault == "retriable":
            self.emulator.inject(
                Fault("answer", error_answer(503, "SERVICE_UNAVAILABLE")), times=50
            )
        elif fault == "fatal":
            self.emulator.inject(Fault("answer", error_answer(403, "MISSING_SCOPES")), times=50)
        else:
            throttle = Answer(
                429,
                {
                    "status": "error",
                    "errorType": "RATE_LIMIT",
                    "policyName": "TEN_SECONDLY_ROLLING",
                },
                {"Retry-After": "0"},
            )
            self.emulator.inject(Fault("answer", throttle), times=2)

    def clear_faults(self) -> None:
        self.emulator.private_tokens = {ACCESS_TOKEN}
        self.emulator.faults.clear()
        self.emulator.reject_ids.clear()


@pytest.fixture
def emulator() -> HubSpotEmulator:
    emu = HubSpotEmulator()
    install_cx_properties(emu)
    return emu


@pytest.fixture
def url(emulator: HubSpotEmulator) -> Iterator[str]:
    with serve_emulator(emulator) as base:
        yield base


@pytest.fixture
def contract_harness(emulator: HubSpotEmulator, url: str, tmp_path: Path) -> HubSpotHarness:
    return HubSpotHarness(emulator, url, tmp_path)
