"""Salesforce adapter benchmark: API calls a first sync and a re-sync cost, on the emulator.

Run: ``python -m bench.bench_salesforce``.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
from pathlib import Path

from cxsync_salesforce.testing import (
    EmulatorResponse,
    SalesforceEmulator,
    emulator_adapter,
    install_cx_fields,
    mock_emulator,
)

from cxsync.errors import RateLimitError
from cxsync.models import Contact, FieldChange, ObjectType

PAGE_LIMIT = 2000
COLLECTION_LIMIT = 200
BULK_THRESHOLD = 2000  # the adapter's default: above it, writes go through Bulk API 2.0
BULK_MIN_WRITES = 3  # create the job, upload the CSV, close it (polls and results are reads)


def _seed(emulator: SalesforceEmulator, contacts: int) -> int:
    accounts = max(contacts // 10, 1)
    account_ids = emulator.seed_accounts(
        [{"Name": f"Bayi {i}", "Industry": "Construction"} for i in range(accounts)]
    )
    emulator.seed_contacts(
        [
            {
                "AccountId": account_ids[i % accounts],
                "LastName": f"Kişi {i}",
                "Email": f"kisi{i}@bayi{i % accounts}.com.tr",
                "Title": "Satınalma Müdürü",
            }
            for i in range(contacts)
        ]
    )
    return accounts


def adapter_run(contacts: int = 10_000) -> dict[str, float]:
    """The adapter alone: read everything, write one change per contact, re-read."""
    emulator = SalesforceEmulator()
    install_cx_fields(emulator)
    accounts = _seed(emulator, contacts)
    # a burst of throttling during the first sync: the adapter must wait it out, not fail
    throttle = EmulatorResponse(
        429, [{"message": "too many requests", "errorCode": "REQUEST_LIMIT"}], {"Retry-After": "0"}
    )
    emulator.faults.extend([throttle] * 3)
    surfaced = 0
    with tempfile.TemporaryDirectory() as work, mock_emulator(emulator):
        adapter = emulator_adapter(emulator, Path(work), max_attempts=5)
        try:
            account_cursor = [p.cursor for p in adapter.stream_accounts()][-1]
        except RateLimitError:  # what the engine would see; it retries on its next run
            surfaced += 1
            account_cursor = [p.cursor for p in adapter.stream_accounts()][-1]
        read: list[Contact] = []
        contact_cursor = None
        for page in adapter.stream_contacts():
            read.extend(page.records)
            contact_cursor = page.cursor
        first_read = adapter.usage().read_calls
        changes = [
            FieldChange(
                object_type=ObjectType.CONTACT,
                record_id=c.id,
                values={"cx_email_status": "person", "cx_nps_score": 9},
            )
            for c in read
        ]
        results = adapter.apply_changes(changes)
        first_write = adapter.usage().write_calls
        reads_after_write = adapter.usage().read_calls  # Bulk polls are GETs
        failed = sum(not r.ok for r in results)
        # The writes moved every written contact's SystemModstamp, so reading on from the
        # cursor sees them once more (the echo of our own writes); a re-sync starts after it.
        contact_cursor = [p.cursor for p in adapter.stream_contacts(contact_cursor)][-1]
        echo_read = adapter.usage().read_calls - reads_after_write
        throttled = adapter.usage().throttled
        resync = emulator_adapter(emulator, Path(work), max_attempts=5)
        list(resync.stream_accounts(account_cursor))
        list(resync.stream_contacts(contact_cursor))
        resync.apply_changes([])
        usage = resync.usage()
    return {
        "salesforce.adapter.first_sync.read_calls": float(first_read),
        "salesforce.adapter.first_sync.min_read_calls": float(
            math.ceil(accounts / PAGE_LIMIT) + math.ceil(contacts / PAGE_LIMIT)
        ),
        "salesforce.adapter.first_sync.write_calls": float(first_write),
        "salesforce.adapter.first_sync.min_write_calls": float(
            BULK_MIN_WRITES if contacts > BULK_THRESHOLD else math.ceil(contacts / COLLECTION_LIMIT)
        ),
        "salesforce.adapter.first_sync.failed_writes": float(failed),
        "salesforce.adapter.first_sync.echo_read_calls": float(echo_read),
        "salesforce.adapter.resync.read_calls": float(usage.read_calls),
        "salesforce.adapter.resync.write_calls": float(usage.write_calls),
        "salesforce.adapter.throttled_429_waited_out": float(throttled + usage.throttled),
        "salesforce.adapter.surfaced_429": float(surfaced),
    }


def _minimum_writes(changed: int, batch_limit: int = COLLECTION_LIMIT) -> int:
    return BULK_MIN_WRITES if changed > BULK_THRESHOLD else math.ceil(changed / batch_limit)


def engine_run(contacts: int = 10_000) -> dict[str, float]:
    """The whole `cxsync sync` through the real engine against the emulator on loopback:
    a first sync, then a re-sync with nothing changed. Three 429s are injected into the
    first sync; they must be waited out, never surface as a failed run."""
    from cxsync_salesforce.testing import emulator_settings, start_server

    from cxsync.config import CxSyncConfig
    from cxsync.engine.run import run_sync

    emulator = SalesforceEmulator()
    install_cx_fields(emulator)
    accounts = _seed(emulator, contacts)
    throttle = EmulatorResponse(
        429, [{"message": "too many requests", "errorCode": "REQUEST_LIMIT"}], {"Retry-After": "0"}
    )
    emulator.faults.extend([throttle] * 3)
    url, stop = start_server(emulator)
    try:
        with tempfile.TemporaryDirectory() as work:
            config = CxSyncConfig(
                crm="salesforce",
                work_dir=Path(work),
                # the production retry budget (the emulator test settings use a smaller one)
                adapter={"salesforce": {**emulator_settings(url), "max_attempts": 5}},
            )
            first = run_sync(config).summary
            again = run_sync(config).summary
    finally:
        stop()
    surfaced = sum(1 for s in (first, again) if s.status not in ("ok", "rejected"))
    if surfaced:
        print(f"surfaced: {first.status}: {first.exit_reason}", file=sys.stderr)
    return {
        "salesforce.first_sync.read_calls": float(first.api["read_calls"]),
        "salesforce.first_sync.min_read_calls": float(
            math.ceil(accounts / PAGE_LIMIT) + math.ceil(contacts / PAGE_LIMIT)
        ),
        "salesforce.first_sync.write_calls": float(first.api["write_calls"]),
        # every contact gets its hygiene and role fields, every account its health fields
        "salesforce.first_sync.min_write_calls": float(
            _minimum_writes(contacts) + _minimum_writes(accounts)
        ),
        "salesforce.first_sync.records_written": float(first.writes.get("applied", 0)),
        "salesforce.resync.read_calls": float(again.api["read_calls"]),
        "salesforce.resync.write_calls": float(again.api["write_calls"]),
        "salesforce.throttled_429_waited_out": float(first.api.get("throttled", 0)),
        "salesforce.surfaced_429": float(surfaced),
    }


def run(contacts: int = 10_000) -> dict[str, float]:
    return {**engine_run(contacts), **adapter_run(contacts)}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
