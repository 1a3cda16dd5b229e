"""HubSpot benchmark: API calls a first sync and a no-change re-sync cost, through the engine.

The whole `cxsync sync` runs against the emulator on loopback (the real hubspot-api-client
over HTTP), which enforces HubSpot's page and batch sizes and its rate limits: 190 requests
per ten seconds and 5 searches a second. Three 429s are injected into the first sync.

Run: ``python -m bench.bench_hubspot``.
"""

from __future__ import annotations

import json
import math
import sys
import tempfile
import time
from pathlib import Path

from cxsync_hubspot.testing import (
    Answer,
    Fault,
    HubSpotEmulator,
    emulator_settings,
    install_cx_properties,
    start_server,
)
from cxsync_hubspot.testing import seed as seed_portal

LIST_PAGE = 100  # list API page
ASSOCIATION_BATCH = 1000  # v4 association batch read inputs
BATCH_WRITE = 100  # batch update inputs


def _seed(emulator: HubSpotEmulator, contacts: int) -> int:
    accounts = max(contacts // 10, 1)
    seed_portal(
        emulator,
        [{"id": f"A{i}", "name": f"Bayi {i}", "segment": "Construction"} for i in range(accounts)],
        [
            {
                "id": f"C{i}",
                "account_id": f"A{i % accounts}",
                "last_name": f"Kişi {i}",
                "email": f"kisi{i}@bayi{i % accounts}.com.tr",
                "title": "Satınalma Müdürü",
            }
            for i in range(contacts)
        ],
    )
    return accounts


def run(contacts: int = 10_000) -> dict[str, float]:
    from cxsync.config import CxSyncConfig
    from cxsync.engine.run import run_sync

    emulator = HubSpotEmulator()
    install_cx_properties(emulator)
    accounts = _seed(emulator, contacts)
    throttle = Answer(
        429,
        {"status": "error", "errorType": "RATE_LIMIT", "policyName": "TEN_SECONDLY_ROLLING"},
    )
    emulator.inject(Fault("answer", throttle), 3)
    url, stop = start_server(emulator)
    try:
        with tempfile.TemporaryDirectory() as work:
            config = CxSyncConfig(
                crm="hubspot",
                work_dir=Path(work),
                # production pacing and retry budget; only the waits are shortened
                adapter={"hubspot": {**emulator_settings(url), "max_attempts": 5}},
            )
            t0 = time.monotonic()
            first = run_sync(config).summary
            first_seconds = time.monotonic() - t0
            time.sleep(0.01)  # the re-sync's window must end after the first sync's writes
            t0 = time.monotonic()
            again = run_sync(config).summary
            again_seconds = time.monotonic() - t0
    finally:
        stop()
    surfaced = sum(1 for s in (first, again) if s.status not in ("ok", "rejected"))
    if surfaced:
        print(f"surfaced: {first.status}: {first.exit_reason}", file=sys.stderr)
    return {
        "hubspot.first_sync.read_calls": float(first.api["read_calls"]),
        # list pages of companies and contacts, one association lookup per 1,000 contacts
        "hubspot.first_sync.min_read_calls": float(
            math.ceil(accounts / LIST_PAGE)
            + math.ceil(contacts / LIST_PAGE)
            + math.ceil(contacts / ASSOCIATION_BATCH)
        ),
        "hubspot.first_sync.write_calls": float(first.api["write_calls"]),
        # every contact gets its hygiene and role properties, every company its health
        "hubspot.first_sync.min_write_calls": float(
            math.ceil(contacts / BATCH_WRITE) + math.ceil(accounts / BATCH_WRITE)
        ),
        "hubspot.first_sync.records_written": float(first.writes.get("applied", 0)),
        "hubspot.first_sync.seconds": round(first_seconds, 2),
        "hubspot.resync.read_calls": float(again.api["read_calls"]),
        "hubspot.resync.write_calls": float(again.api["write_calls"]),
        "hubspot.resync.seconds": round(again_seconds, 2),
        "hubspot.throttled_429_waited_out": float(
            first.api.get("throttled", 0) + again.api.get("throttled", 0)
        ),
        "hubspot.emulator_429_from_limits": float(
            emulator.throttled["TEN_SECONDLY_ROLLING"] + emulator.throttled["SECONDLY"]
        ),
        "hubspot.surfaced_429": float(surfaced),
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
