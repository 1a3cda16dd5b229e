"""A contact archived in HubSpot reaches the engine as deleted: it leaves the snapshot's live
contacts, and the company it belonged to is scored again without it."""

from __future__ import annotations

import time
from pathlib import Path

from cxsync_hubspot.testing import HubSpotEmulator, emulator_settings
from cxsync_hubspot.testing import seed as seed_portal

from cxsync.config import CxSyncConfig
from cxsync.engine.run import run_sync
from cxsync.store import Store


def test_an_archived_contact_is_dropped_and_its_company_rescored(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    companies, contacts = seed_portal(
        emulator,
        [{"id": "A", "name": "Yapı A.Ş."}, {"id": "B", "name": "Beton Ltd."}],
        [
            {"id": "c1", "account_id": "A", "email": "ayse@yapi.com.tr", "title": "Şantiye Şefi"},
            {"id": "c2", "account_id": "A", "email": "mert@yapi.com.tr", "title": "Satınalma"},
            {"id": "c3", "account_id": "B", "email": "can@beton.com.tr", "title": "CFO"},
        ],
    )
    config = CxSyncConfig(
        crm="hubspot", work_dir=tmp_path, adapter={"hubspot": emulator_settings(url)}
    )
    first = run_sync(config).summary
    assert first.status == "ok", first.exit_reason
    company_a = companies["A"]
    with Store.open(None, work_dir=tmp_path) as store:
        live = [r.contact_id for r in store.contacts_for_account(config.store_scope, company_a)]
    assert sorted(live) == sorted(contacts[:2])

    time.sleep(0.05)
    echo = run_sync(config).summary  # reads the first run's own writes back, writes nothing
    assert echo.writes["applied"] == 0

    emulator.archive("contacts", contacts[1])
    time.sleep(0.05)  # the next read's window ends at "now": let the archive fall inside it
    second = run_sync(config).summary

    assert second.status == "ok", second.exit_reason
    assert second.stages["contacts"]["read"] == 1
    assert second.stages["contacts"]["deleted_in_crm"] == 1
    assert second.stage("health")["scored"] == 1, "company A again, company B untouched"
    with Store.open(None, work_dir=tmp_path) as store:
        row = store.get_contacts(config.store_scope, [contacts[1]])[contacts[1]]
        live = [
            r.contact_id
            for r in store.contacts_for_account(config.store_scope, company_a)
            if not r.deleted
        ]
    assert row.deleted
    assert live == [contacts[0]]
    assert emulator.objects["contacts"][contacts[1]]["archived"], "cxsync deletes nothing"
