"""The whole sync against the files adapter: first run, re-run, dry run, conflicts, lock."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from cxsync.engine.run import run_sync
from cxsync.errors import RunInProgressError
from tests.engine.conftest import MiniCrm

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def tasks(crm: MiniCrm) -> list[dict[str, object]]:
    path = crm.crm / "tasks.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_first_run_writes_hygiene_roles_feedback_and_health(mini_crm: MiniCrm) -> None:
    result = run_sync(mini_crm.config(), now=NOW)
    summary = result.summary
    assert summary.status == "rejected"  # R4 (NPS 11) and R5 (unknown contact)
    contacts = mini_crm.rows("contacts.csv")
    assert contacts["C1"]["cx_email_status"] == "person"
    assert contacts["C3"]["cx_email_status"] == "generic"
    assert contacts["C4"]["cx_duplicate_of"] == "C1"  # older record with the same address
    assert "duplicate" in contacts["C4"]["cx_contact_flags"]
    assert "stale" in contacts["C6"]["cx_contact_flags"]
    assert contacts["C1"]["cx_roles"].split(";")[0] == "requester"
    assert contacts["C2"]["cx_function"] == "procurement"
    assert contacts["C1"]["cx_nps_score"] == "3"
    assert contacts["C1"]["cx_nps_category"] == "detractor"
    assert contacts["C2"]["cx_csat_score"] == "4"  # matched by email
    accounts = mini_crm.rows("accounts.csv")
    assert accounts["A1"]["cx_health_score"] != ""
    assert accounts["A1"]["cx_health_band"] in ("green", "yellow", "red")
    opened = tasks(mini_crm)
    assert any("C1" in json.dumps(t) for t in opened), "detractor C1 gets a follow-up"
    assert summary.stage("feedback")["rejected_out_of_range"] == 1
    assert summary.stage("feedback")["rejected_unknown_respondent"] == 1


def test_rerun_with_nothing_changed_writes_nothing(mini_crm: MiniCrm) -> None:
    run_sync(mini_crm.config(), now=NOW)
    before = tasks(mini_crm)
    again = run_sync(mini_crm.config(), now=NOW)
    assert again.summary.status == "ok", "old bad rows are already quarantined: not news"
    assert again.summary.writes.get("applied", 0) == 0
    assert again.summary.api["write_calls"] == 0
    assert again.summary.writes.get("tasks", 0) == 0
    assert tasks(mini_crm) == before


def test_dry_run_writes_nothing_and_keeps_the_cursor(mini_crm: MiniCrm) -> None:
    original = (mini_crm.crm / "contacts.csv").read_bytes()
    dry = run_sync(mini_crm.config(), now=NOW, dry_run=True)
    assert dry.summary.plan, "the plan lists the changes"
    assert dry.summary.api["write_calls"] == 0
    assert (mini_crm.crm / "contacts.csv").read_bytes() == original
    assert not (mini_crm.crm / "tasks.jsonl").exists()
    real = run_sync(mini_crm.config(), now=NOW)
    assert real.summary.writes["applied"] > 0, "a dry run must not use up the changes"


def test_changed_title_rewrites_only_that_contact(mini_crm: MiniCrm) -> None:
    run_sync(mini_crm.config(), now=NOW)
    mini_crm.edit("contacts.csv", "C2", title="CFO", modified_at="2026-11-19T08:00:00Z")
    again = run_sync(mini_crm.config(), now=NOW)
    contacts = mini_crm.rows("contacts.csv")
    assert contacts["C2"]["cx_roles"].split(";")[0] == "decision_maker"
    assert again.summary.stage("contact_results")["writes_planned"] == 1


def test_person_edit_of_roles_wins_and_is_reported(mini_crm: MiniCrm) -> None:
    run_sync(mini_crm.config(), now=NOW)
    mini_crm.edit("contacts.csv", "C1", cx_function="quality", modified_at="2026-11-19T08:00:00Z")
    again = run_sync(mini_crm.config(), now=NOW)
    assert mini_crm.rows("contacts.csv")["C1"]["cx_function"] == "quality"
    assert again.summary.stage("contacts")["roles_manual"] == 1


def test_new_detractor_opens_exactly_one_task(mini_crm: MiniCrm) -> None:
    run_sync(mini_crm.config(), now=NOW)
    count = len(tasks(mini_crm))
    mini_crm.add_feedback(
        "more.csv",
        [
            [
                "R9",
                "C5",
                "",
                "nps",
                "2",
                "decision",
                "email",
                "2026-11-19T09:00:00Z",
                "Lieferung fehlt",
                "",
            ]
        ],
    )
    run_sync(mini_crm.config(), now=NOW)
    run_sync(mini_crm.config(), now=NOW)
    new = tasks(mini_crm)[count:]
    assert len([t for t in new if "R9" in json.dumps(t)]) == 1


def test_unknown_respondent_is_released_when_the_contact_appears(mini_crm: MiniCrm) -> None:
    run_sync(mini_crm.config(), now=NOW)
    with (mini_crm.crm / "contacts.csv").open("a", encoding="utf-8", newline="") as fh:
        fh.write("C99,A2,m.koch@rheinbau.de,Martin,Koch,Bauleiter,owner-2,2026-11-19T08:00:00Z\n")
    again = run_sync(mini_crm.config(), now=NOW)
    assert again.summary.stage("feedback")["released_from_quarantine"] == 1
    assert mini_crm.rows("contacts.csv")["C99"]["cx_nps_score"] == "8"


def test_a_second_run_cannot_start_while_one_holds_the_lock(mini_crm: MiniCrm) -> None:
    from cxsync.store import Store

    config = mini_crm.config()
    with (
        Store.open(None, work_dir=config.work_dir) as store,
        store.acquire_lock(config.store_scope, "other-host:1"),
        pytest.raises(RunInProgressError),
    ):
        run_sync(config, now=NOW)


def test_a_crm_failing_beyond_its_retries_ends_the_run_cleanly_and_resumes(
    mini_crm: MiniCrm,
) -> None:
    from cxsync_files.testing import FaultPlan

    from cxsync.engine.context import build_context

    config = mini_crm.config()
    ctx = build_context(config, now=NOW)
    ctx.adapter.faults = FaultPlan(fault="retriable")  # type: ignore[attr-defined]
    failed = run_sync(config, context=ctx)
    ctx.close()
    assert failed.summary.status == "partial" and "resume" in failed.summary.exit_reason
    resumed = run_sync(config, now=NOW)
    assert resumed.summary.status == "rejected"  # the sample's bad feedback rows, nothing else
    assert mini_crm.rows("contacts.csv")["C1"]["cx_email_status"] == "person"
