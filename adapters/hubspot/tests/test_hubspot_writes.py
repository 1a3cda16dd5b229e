"""Writes: batch updates with 207s and 400s, tasks and notes created exactly once."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cxsync_hubspot.testing import Fault, HubSpotEmulator, emulator_adapter
from cxsync_hubspot.testing import seed as seed_portal

from cxsync.models import ActivityNote, Channel, FieldChange, FollowUpTask, ObjectType

from .conftest import error_answer


@pytest.fixture
def portal(emulator: HubSpotEmulator) -> tuple[dict[str, str], list[str]]:
    return seed_portal(
        emulator,
        [{"id": "A", "name": "Yapı A.Ş."}],
        [{"id": f"c{i}", "account_id": "A", "email": f"p{i}@yapi.com.tr"} for i in range(250)],
    )


def nps(ids: list[str], score: float = 9.0) -> list[FieldChange]:
    return [
        FieldChange(object_type=ObjectType.CONTACT, record_id=i, values={"cx_nps_score": score})
        for i in ids
    ]


def test_batches_hold_at_most_one_hundred_and_answer_in_order(
    emulator: HubSpotEmulator, url: str, tmp_path: Path, portal: tuple[dict[str, str], list[str]]
) -> None:
    _, ids = portal
    adapter = emulator_adapter(url, tmp_path)
    results = adapter.apply_changes(nps(ids))
    assert [r.record_id for r in results] == ids and all(r.ok for r in results)
    assert emulator.calls["batch"] == 3  # 250 records: 100 + 100 + 50
    assert {emulator.value("contacts", i, "cx_nps_score") for i in ids} == {"9"}


def test_a_207_does_not_raise_and_each_error_reaches_its_record(
    emulator: HubSpotEmulator, url: str, tmp_path: Path, portal: tuple[dict[str, str], list[str]]
) -> None:
    _, ids = portal
    emulator.reject_ids.add(ids[1])
    results = emulator_adapter(url, tmp_path).apply_changes(nps([ids[0], ids[1], "999999", ids[2]]))
    assert [r.ok for r in results] == [True, False, False, True]
    assert results[1].code == "VALIDATION_ERROR" and "locked" in (results[1].error or "")
    assert results[2].code == "OBJECT_NOT_FOUND"
    assert not results[2].retriable, "a missing record is for a person, not the outbox"


def test_a_value_refused_with_400_is_isolated_from_the_rest_of_its_batch(
    emulator: HubSpotEmulator, url: str, tmp_path: Path, portal: tuple[dict[str, str], list[str]]
) -> None:
    _, ids = portal
    changes = nps(ids[:8])
    changes[5] = FieldChange(
        object_type=ObjectType.CONTACT, record_id=ids[5], values={"cx_nps_category": "fan"}
    )
    results = emulator_adapter(url, tmp_path).apply_changes(changes)
    assert [r.ok for r in results] == [True] * 5 + [False] + [True] * 2
    assert "fan" in (results[5].error or "")
    assert emulator.calls["batch"] == 1 + 2 + 2 + 2  # 8 → 4+4 → 2+2 → 1+1 on the bad side
    assert emulator.value("contacts", ids[7], "cx_nps_score") == "9"


def test_none_clears_a_property_and_lists_are_joined(
    emulator: HubSpotEmulator, url: str, tmp_path: Path, portal: tuple[dict[str, str], list[str]]
) -> None:
    _, ids = portal
    emulator.update("contacts", ids[0], {"cx_last_comment": "eski"})
    change = FieldChange(
        object_type=ObjectType.CONTACT,
        record_id=ids[0],
        values={"cx_last_comment": None, "cx_roles": ["approver", "influencer"]},
    )
    assert emulator_adapter(url, tmp_path).apply_changes([change])[0].ok
    assert emulator.value("contacts", ids[0], "cx_last_comment") is None
    assert emulator.value("contacts", ids[0], "cx_roles") == "approver;influencer"


def test_the_native_buying_role_is_filled_when_configured(
    emulator: HubSpotEmulator, url: str, tmp_path: Path, portal: tuple[dict[str, str], list[str]]
) -> None:
    _, ids = portal
    adapter = emulator_adapter(url, tmp_path, buying_role_property="hs_buying_role")
    change = FieldChange(
        object_type=ObjectType.CONTACT,
        record_id=ids[0],
        values={"cx_roles": ["decision_maker", "approver", "requester"]},
    )
    assert adapter.apply_changes([change])[0].ok
    assert (
        emulator.value("contacts", ids[0], "hs_buying_role") == "DECISION_MAKER;BUDGET_HOLDER;OTHER"
    )


@pytest.mark.parametrize(
    "fault",
    [
        Fault("answer", error_answer(502, "BAD_GATEWAY")),
        Fault("drop", after_apply=True),
        Fault("timeout", delay=1.5, after_apply=True),
    ],
    ids=["502", "dropped-after-apply", "timeout-after-apply"],
)
def test_a_failed_batch_post_is_retried_by_cxsync_not_urllib3(
    emulator: HubSpotEmulator,
    url: str,
    tmp_path: Path,
    portal: tuple[dict[str, str], list[str]],
    fault: Fault,
) -> None:
    _, ids = portal
    emulator.inject(
        Fault(fault.kind, fault.answer, fault.delay, fault.after_apply, "/batch/update")
    )
    adapter = emulator_adapter(url, tmp_path, timeout_seconds=0.5)
    results = adapter.apply_changes(nps(ids[:3], 7.0))
    assert all(r.ok for r in results)
    assert adapter.usage().by_endpoint["batch_update.contacts"] == 2, "one failure, one retry"
    assert emulator.value("contacts", ids[0], "cx_nps_score") == "7"


def test_a_batch_failing_past_its_retries_is_reported_retriable(
    emulator: HubSpotEmulator, url: str, tmp_path: Path, portal: tuple[dict[str, str], list[str]]
) -> None:
    _, ids = portal
    emulator.inject(Fault("answer", error_answer(503, "UNAVAILABLE"), path="/batch/update"), 4)
    results = emulator_adapter(url, tmp_path).apply_changes(nps(ids[:2]))
    assert all(not r.ok and r.retriable for r in results), "the engine's outbox keeps them"


def task(key: str, company: str, contact: str | None) -> FollowUpTask:
    return FollowUpTask(
        key=key,
        account_id=company,
        contact_id=contact,
        owner_id="7001",
        subject="NPS 3 from Ayşe Yılmaz",
        body="Teslimat gecikti; şantiye şefi arandı.",
        due=date(2026, 2, 2),
        priority="high",
    )


def test_tasks_are_associated_to_contact_and_company_and_keyed(
    emulator: HubSpotEmulator, url: str, tmp_path: Path, portal: tuple[dict[str, str], list[str]]
) -> None:
    companies, ids = portal
    company = companies["A"]
    (result,) = emulator_adapter(url, tmp_path).create_tasks([task("t1", company, ids[0])])
    assert result.ok and result.external_id
    held = emulator.objects["tasks"][result.external_id]["properties"]
    assert held["cx_followup_key"] == "t1"
    assert held["hs_task_priority"] == "HIGH" and held["hs_task_status"] == "NOT_STARTED"
    assert held["hs_timestamp"].startswith("2026-02-02T09:00")
    assert held["hubspot_owner_id"] == "7001"
    assert emulator.associated("tasks", result.external_id, "contacts") == {ids[0]: {204}}
    assert emulator.associated("tasks", result.external_id, "companies") == {company: {192}}


def test_batch_results_are_matched_by_key_not_by_position(
    emulator: HubSpotEmulator, url: str, tmp_path: Path, portal: tuple[dict[str, str], list[str]]
) -> None:
    companies, ids = portal
    tasks = [task(f"t{i}", companies["A"], ids[i]) for i in range(3)]
    results = emulator_adapter(url, tmp_path).create_tasks(tasks)  # the emulator reverses them
    for t, r in zip(tasks, results, strict=True):
        assert r.ok and r.record_id == t.key
        held = emulator.objects["tasks"][r.external_id or ""]["properties"]
        assert held["cx_followup_key"] == t.key


def test_one_refused_task_does_not_roll_back_its_batch(
    emulator: HubSpotEmulator, url: str, tmp_path: Path, portal: tuple[dict[str, str], list[str]]
) -> None:
    companies, ids = portal
    good, bad = task("ok", companies["A"], ids[0]), task("gone", companies["A"], "424242")
    results = emulator_adapter(url, tmp_path).create_tasks([good, bad])
    assert [r.ok for r in results] == [True, False]
    assert "424242" in (results[1].error or "")
    assert len(emulator.objects["tasks"]) == 1


def test_a_create_whose_answer_was_lost_is_not_sent_twice(
    emulator: HubSpotEmulator, url: str, tmp_path: Path, portal: tuple[dict[str, str], list[str]]
) -> None:
    companies, ids = portal
    emulator.inject(Fault("drop", after_apply=True, path="/tasks/batch/create"))
    results = emulator_adapter(url, tmp_path).create_tasks([task("t1", companies["A"], ids[0])])
    assert results[0].ok
    assert len(emulator.objects["tasks"]) == 1, "the lost answer must not produce a duplicate"


def test_notes_log_the_field_visit_on_contact_and_company(
    emulator: HubSpotEmulator, url: str, tmp_path: Path, portal: tuple[dict[str, str], list[str]]
) -> None:
    companies, ids = portal
    note = ActivityNote(
        key="n1",
        account_id=companies["A"],
        contact_id=ids[0],
        body="Şantiye ziyareti: matkaplar iyi, teslimat geç.",
        occurred_at=datetime(2026, 3, 1, 10, 30, tzinfo=UTC),
        channel=Channel.VISIT,
    )
    adapter = emulator_adapter(url, tmp_path)
    (result,) = adapter.create_notes([note])
    assert adapter.create_notes([note])[0].code == "ALREADY_EXISTS"
    held = emulator.objects["notes"][result.external_id or ""]["properties"]
    assert held["hs_note_body"].startswith("Field note (visit): Şantiye")
    assert held["hs_timestamp"] == "2026-03-01T10:30:00.000Z"
    assert set(emulator.associated("notes", result.external_id or "", "companies")) == {
        companies["A"]
    }
    assert adapter.existing_note_keys(["n1", "n2"]) == {"n1"}
