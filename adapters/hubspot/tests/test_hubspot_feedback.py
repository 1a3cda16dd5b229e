"""HubSpot's native survey responses through the whole engine: imported, validated,
quarantined with a reason, released when the respondent appears, rolled up and written."""

from __future__ import annotations

import time
from pathlib import Path

from cxsync_hubspot.testing import HubSpotEmulator, emulator_settings
from cxsync_hubspot.testing import seed as seed_portal

from cxsync.config import CxSyncConfig
from cxsync.engine.run import run_sync
from cxsync.store import Store


def survey(emulator: HubSpotEmulator, kind: str, value: str, **extra: str) -> str:
    return emulator.insert(
        "feedback_submissions",
        {
            "hs_survey_type": kind,
            "hs_survey_name": f"{kind} Q1",
            "hs_value": value,
            "hs_survey_channel": "EMAIL",
            "hs_submission_timestamp": "2026-10-01T08:00:00Z",
            **extra,
        },
    )


def config(url: str, tmp_path: Path) -> CxSyncConfig:
    return CxSyncConfig(
        crm="hubspot",
        work_dir=tmp_path,
        adapter={"hubspot": {**emulator_settings(url), "feedback_submissions": True}},
    )


def test_native_responses_are_validated_quarantined_and_released(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    companies, contacts = seed_portal(
        emulator,
        [{"id": "A", "name": "Yapı A.Ş."}],
        [
            {"id": "c1", "account_id": "A", "email": "ayse@yapi.com.tr", "title": "Şantiye Şefi"},
            {"id": "c2", "account_id": "A", "email": "mert@yapi.com.tr", "title": "Satınalma"},
        ],
    )
    survey(emulator, "NPS", "3", hs_contact_id=contacts[0], hs_content="Teslimat gecikti.")
    survey(emulator, "CSAT", "4", hs_contact_email_rollup="mert@yapi.com.tr")
    survey(emulator, "NPS", "11", hs_contact_id=contacts[1])  # out of range
    survey(emulator, "CUSTOM", "2", hs_contact_id=contacts[1])  # no cxsync metric
    survey(emulator, "NPS", "9", hs_contact_email_rollup="yeni@yapi.com.tr")  # not a contact yet

    first = run_sync(config(url, tmp_path)).summary
    feedback = first.stages["feedback"]
    assert feedback["native_read"] == 5
    assert feedback["imported"] == 2
    assert feedback["rejected_out_of_range"] == 1
    assert feedback["rejected_malformed_row"] == 1
    assert feedback["rejected_unknown_respondent"] == 1
    assert first.status == "rejected"
    assert emulator.value("contacts", contacts[0], "cx_nps_score") == "3"
    assert emulator.value("contacts", contacts[0], "cx_last_comment") == "Teslimat gecikti."
    assert emulator.value("contacts", contacts[1], "cx_csat_score") == "4"
    store = Store.open(None, work_dir=tmp_path)
    reasons = {q.kind: q.reason for q in store.list_quarantine("hubspot")}
    assert "CUSTOM" in reasons["malformed_row"]
    store.close()
    # the detractor's follow-up task reached HubSpot, on the contact and the company
    (task_id,) = emulator.objects["tasks"]
    assert set(emulator.associated("tasks", task_id, "companies")) == {companies["A"]}

    newcomer = emulator.insert("contacts", {"email": "yeni@yapi.com.tr", "jobtitle": "CFO"})
    emulator.associate("contacts", newcomer, "companies", companies["A"], primary=True)
    time.sleep(0.01)
    second = run_sync(config(url, tmp_path)).summary
    assert second.stages["feedback"]["released_from_quarantine"] == 1
    assert second.stages["feedback"]["native_read"] == 0, "nothing new to read"
    assert second.status == "ok"
    assert emulator.value("contacts", newcomer, "cx_nps_score") == "9"

    third = run_sync(config(url, tmp_path)).summary
    assert third.writes.get("applied", 0) == 0 and third.api["write_calls"] == 0
    assert len(emulator.objects["tasks"]) == 1


def test_native_feedback_is_read_only_when_enabled(
    emulator: HubSpotEmulator, url: str, tmp_path: Path
) -> None:
    survey(emulator, "NPS", "9")
    cfg = CxSyncConfig(
        crm="hubspot", work_dir=tmp_path, adapter={"hubspot": emulator_settings(url)}
    )
    summary = run_sync(cfg).summary
    assert summary.stages["feedback"]["native_read"] == 0
    assert not [p for _, p in emulator.journal if "feedback_submissions" in p]
