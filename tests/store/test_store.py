"""The state store, on SQLite and PostgreSQL."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from cxsync.errors import RunInProgressError
from cxsync.models import Feedback, Metric
from cxsync.store import (
    AccountRow,
    ContactRow,
    HealthRecord,
    QuarantineItem,
    Store,
)
from cxsync.store import tables as t
from cxsync.store.migrations import LATEST, migrate

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def contact(cid: str, account: str = "A1", email: str | None = None, **kw: object) -> ContactRow:
    values: dict[str, object] = {
        "contact_id": cid,
        "account_id": account,
        "email_normalized": email or f"{cid}@x.com",
        "verdict": "person",
        "flags": (),
        "duplicate_of": None,
        "roles": ("approver",),
        "function": "procurement",
        "persona": None,
        "display_name": cid,
        "modified_at": T0,
    }
    values.update(kw)
    return ContactRow(**values)  # type: ignore[arg-type]


def fb(rid: str, contact_id: str = "C1", account_id: str = "A1", **kw: object) -> Feedback:
    values: dict[str, object] = {
        "response_id": rid,
        "contact_id": contact_id,
        "account_id": account_id,
        "metric": Metric.NPS,
        "score": 9,
        "submitted_at": T0,
        "comment": "ü" * 5000,
    }
    values.update(kw)
    return Feedback(**values)  # type: ignore[arg-type]


def test_schema_is_at_latest_version(store: Store) -> None:
    assert store.schema_version == LATEST


def test_cursors_round_trip(store: Store, scope: str) -> None:
    assert store.get_cursor(scope, "contacts") is None
    store.set_cursor(scope, "contacts", "c1")
    store.set_cursor(scope, "contacts", "c2")
    assert store.get_cursor(scope, "contacts") == "c2"
    assert store.get_cursor("other", "contacts") is None


def test_written_values_merge_per_record(store: Store, scope: str) -> None:
    store.record_written(scope, "contact", {"C1": {"cx_nps_score": 9}}, run_id=1)
    store.record_written(scope, "contact", {"C1": {"cx_roles": ["approver"]}, "C2": {"a": 1}}, 2)
    got = store.get_written(scope, "contact", ["C1", "C2", "C3"])
    assert got == {"C1": {"cx_nps_score": 9, "cx_roles": ["approver"]}, "C2": {"a": 1}}


def test_record_state_crm_values_desired_and_dirty(store: Store, scope: str) -> None:
    store.replace_crm_values(scope, "contact", {"C1": {"cx_nps_score": "7", "cx_x": 1}})
    store.set_crm_values(scope, "contact", {"C1": {"cx_nps_score": 9}})
    assert store.get_crm_values(scope, "contact", ["C1"]) == {"C1": {"cx_nps_score": 9, "cx_x": 1}}
    store.replace_crm_values(scope, "contact", {"C1": {"cx_nps_score": "8"}})
    assert store.get_crm_values(scope, "contact", ["C1"]) == {"C1": {"cx_nps_score": "8"}}
    store.set_desired(scope, "contact", {"C1": {"a": 1}})
    store.set_desired(scope, "contact", {"C1": {"b": 2}})
    assert store.get_desired(scope, "contact", ["C1"]) == {"C1": {"b": 2}}  # replaced whole
    store.mark_dirty(scope, "contact", ["C2", "C1", "C2"])
    assert store.dirty(scope, "contact") == ["C1", "C2"]
    assert store.dirty(scope, "contact", limit=1) == ["C1"]
    store.clear_dirty(scope, "contact", ["C1"])
    assert store.dirty(scope, "contact") == ["C2"]
    assert store.dirty(scope, "account") == []


def test_contact_snapshot_queries(store: Store, scope: str) -> None:
    store.upsert_contacts(
        scope,
        [
            contact("C1"),
            contact("C2", email="same@x.com"),
            contact("C3", account="A2", email="same@x.com"),
        ],
    )
    store.upsert_contacts(scope, [contact("C1", roles=("decision_maker", "approver"))])
    got = store.get_contacts(scope, ["C1", "C9"])
    assert list(got) == ["C1"] and got["C1"].roles == ("decision_maker", "approver")
    assert got["C1"].modified_at == T0
    assert [c.contact_id for c in store.contacts_for_account(scope, "A1")] == ["C1", "C2"]
    by_email = store.contacts_by_email(scope, ["same@x.com", "none@x.com"])
    assert [c.contact_id for c in by_email["same@x.com"]] == ["C2", "C3"]


def test_accounts_snapshot_and_iteration(store: Store, scope: str) -> None:
    rows = [AccountRow(f"A{i:03d}", f"Acct {i}", "o1", None, None, "TR", T0) for i in range(25)]
    store.upsert_accounts(scope, rows)
    batches = list(store.iter_accounts(scope, batch=10))
    assert [len(b) for b in batches] == [10, 10, 5]
    assert store.get_accounts(scope, ["A003"])["A003"].name == "Acct 3"


def test_bulk_upsert_of_100k_contacts(store: Store, scope: str) -> None:
    store.upsert_contacts(scope, [contact(f"C{i}", account=f"A{i % 100}") for i in range(100_000)])
    assert len(store.contacts_for_account(scope, "A7")) == 1000
    assert store.get_contacts(scope, ["C99999"])["C99999"].account_id == "A99"


def test_feedback_ledger_is_idempotent_and_keeps_whole_comments(store: Store, scope: str) -> None:
    assert store.add_feedback(scope, [fb("R1"), fb("R2", score=3)]) == ["R1", "R2"]
    assert store.add_feedback(scope, [fb("R1", score=0), fb("R3")]) == ["R3"]
    assert store.feedback_count(scope) == 3
    kept = store.feedback_for_contacts(scope, ["C1"])["C1"]
    assert {f.response_id: f.score for f in kept} == {"R1": 9, "R2": 3, "R3": 9}
    assert len(kept[0].comment or "") == 5000
    assert len(store.feedback_for_account(scope, "A1", since=T0 + timedelta(days=1))) == 0
    assert [f.response_id for f in store.unprocessed_feedback(scope)] == ["R1", "R2", "R3"]
    store.mark_feedback_processed(scope, ["R1", "R2"])
    assert [f.response_id for f in store.unprocessed_feedback(scope)] == ["R3"]


def test_quarantine_keeps_updates_and_releases(store: Store, scope: str) -> None:
    item = QuarantineItem("f.csv", 3, "unknown_respondent", "no contact C9", {"id": "R9"}, key="R9")
    store.quarantine(scope, [item, QuarantineItem("f.csv", 4, "bad_score", "NPS 11", {"s": "11"})])
    store.quarantine(
        scope,
        [QuarantineItem("f.csv", 3, "unknown_respondent", "still unknown", {"id": "R9"}, key="R9")],
    )
    waiting = store.list_quarantine(scope, kind="unknown_respondent")
    assert len(waiting) == 1 and waiting[0].reason == "still unknown"
    assert len(store.list_quarantine(scope)) == 2
    store.release(scope, [waiting[0].id])
    assert store.list_quarantine(scope, kind="unknown_respondent") == []
    assert len(store.list_quarantine(scope, released=True)) == 1


def test_health_history_latest_and_order(store: Store, scope: str) -> None:
    for i, score in enumerate((70, 55, 40)):
        store.add_health(
            scope,
            HealthRecord(
                "A1",
                T0 + timedelta(days=i),
                score,
                "yellow",
                "down",
                80.0,
                10.0,
                f"fp{i}",
                {"drivers": [i]},
            ),
        )
    store.add_health(scope, HealthRecord("A2", T0, 90, "green", "new", 50.0, 60.0, "x", {}))
    latest = store.latest_health(scope, ["A1", "A2", "A3"])
    assert latest["A1"].score == 40 and latest["A1"].payload == {"drivers": [2]}
    assert latest["A2"].band == "green" and "A3" not in latest
    assert [h.score for h in store.health_history(scope, "A1")] == [70, 55, 40]


def test_outbox_counts_attempts_and_keeps_history(store: Store, scope: str) -> None:
    store.enqueue(scope, "field", "contact:C1", {"v": 1}, "UNABLE_TO_LOCK_ROW", 1)
    store.enqueue(scope, "field", "contact:C1", {"v": 2}, "HTTP 503", 2)
    (item,) = store.pending(scope, "field")
    assert (item.attempts, item.last_error, item.payload) == (2, "HTTP 503", {"v": 2})
    assert store.outbox_counts(scope) == {"field": 1}
    store.resolve(scope, "field", ["contact:C1"])
    assert store.pending(scope) == []
    store.enqueue(scope, "field", "contact:C1", {"v": 3}, "again", 3)
    assert store.pending(scope)[0].attempts == 3


def test_actions_are_claimed_exactly_once(store: Store, scope: str) -> None:
    assert store.claim_actions(scope, "task", {"k1": {"account_id": "A1"}, "k2": {}}) == [
        "k1",
        "k2",
    ]
    assert store.claim_actions(scope, "task", {"k1": {}, "k3": {"account_id": "A1"}}) == ["k3"]
    assert set(store.actions_in_state(scope, "task", "pending")) == {"k1", "k2", "k3"}
    store.mark_actions(scope, "task", {"k1": "00T1", "k3": None}, "done")
    store.mark_actions(scope, "task", {"k2": None}, "failed")
    assert set(store.actions_in_state(scope, "task", "done")) == {"k1", "k3"}
    assert store.open_action_count(scope, "task", "A1") == 2


def _claim(url: str, scope: str, keys: list[str], out: multiprocessing.Queue[list[str]]) -> None:
    with Store.open(url, work_dir=Path(".")) as s:
        out.put(s.claim_actions(scope, "task", {k: {} for k in keys}))


def test_concurrent_claims_never_share_a_key(store_url: str, scope: str, tmp_path: Path) -> None:
    Store.open(store_url, work_dir=tmp_path).close()
    keys = [f"k{i}" for i in range(40)]
    queue: multiprocessing.Queue[list[str]] = multiprocessing.Queue()
    procs = [
        multiprocessing.Process(target=_claim, args=(store_url, scope, keys, queue))
        for _ in range(2)
    ]
    for p in procs:
        p.start()
    results = [queue.get(timeout=60) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert sorted(results[0] + results[1]) == sorted(keys)


def test_lock_refuses_a_live_holder_and_is_released(store: Store, scope: str) -> None:
    lock = store.acquire_lock(scope, "first")
    with pytest.raises(RunInProgressError, match="first"):
        store.acquire_lock(scope, "second")
    lock.heartbeat()
    lock.release()
    with store.acquire_lock(scope, "second"):
        pass


def test_lock_of_a_dead_process_is_taken_over(store: Store, store_url: str, scope: str) -> None:
    code = (
        "import os, sys; from cxsync.store import Store; "
        f"s = Store.open({store_url!r}); s.acquire_lock({scope!r}, 'doomed'); "
        "os._exit(0)"  # dies holding the lock
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=os.getcwd())
    with store.acquire_lock(scope, "survivor") as lock:
        assert lock.token


def test_expired_heartbeat_is_taken_over(store: Store, scope: str) -> None:
    store.acquire_lock(scope, "stuck")
    with store.engine.begin() as conn:
        conn.execute(
            update(t.locks)
            .where(t.locks.c.scope == scope)
            .values(host="elsewhere", heartbeat_at=datetime.now(UTC) - timedelta(hours=2))
        )
    with pytest.raises(RunInProgressError):
        store.acquire_lock(scope, "impatient", ttl_seconds=3 * 3600)
    with store.acquire_lock(scope, "patient", ttl_seconds=600):
        pass


def test_runs_are_logged_and_unfinished_ones_marked_interrupted(store: Store, scope: str) -> None:
    first = store.start_run(scope, "sync", dry_run=False)
    with store.acquire_lock(scope, "next"):
        second = store.start_run(scope, "sync", dry_run=True)
        store.finish_run(second, "ok", "completed", {"writes": {"applied": 3}})
    runs = {r.id: r for r in store.list_runs(scope)}
    assert runs[first].status == "interrupted"
    assert runs[second].status == "ok" and runs[second].summary["writes"]["applied"] == 3
    assert runs[second].dry_run is True


def test_audit_log(store: Store, scope: str) -> None:
    store.audit(scope, 7, "write", {"n": 2})
    store.audit(scope, 8, "write", {"n": 3})
    assert [e["detail"]["n"] for e in store.audit_events(scope, run_id=8)] == [3]


def test_old_database_is_upgraded_in_place(tmp_path: Path) -> None:
    from cxsync.store.database import connect

    engine = connect(None, tmp_path)
    assert migrate(engine, target=1) == 1
    with engine.begin() as conn:
        conn.execute(
            t.cursors.insert().values(
                scope="s", stream="c", value="v1", updated_at=datetime.now(UTC)
            )
        )
    engine.dispose()
    with Store.open(None, work_dir=tmp_path) as store:
        assert store.schema_version == LATEST
        assert store.get_cursor("s", "c") == "v1"
        store.mark_dirty("s", "contact", ["C1"])  # the version-2 table exists
        assert store.dirty("s", "contact") == ["C1"]


def test_password_is_masked_in_repr(tmp_path: Path) -> None:
    from cxsync.store.database import display_url

    assert "s3cret" not in display_url("postgresql+psycopg://u:s3cret@h/db")


def test_bulk_reads_for_many_accounts(store: Store, scope: str) -> None:
    store.upsert_contacts(scope, [contact("C1", account="A1"), contact("C2", account="A2")])
    store.add_feedback(scope, [fb("R1", "C1", "A1"), fb("R2", "C2", "A2")])
    assert {
        a: [c.contact_id for c in cs]
        for a, cs in store.contacts_for_accounts(scope, ["A1", "A2", "A3"]).items()
    } == {"A1": ["C1"], "A2": ["C2"], "A3": []}
    assert [f.response_id for f in store.feedback_for_accounts(scope, ["A2"])["A2"]] == ["R2"]
    store.claim_actions(scope, "task", {"k": {"account_id": "A1"}})
    store.mark_actions(scope, "task", {"k": "T1"}, "done")
    assert store.open_action_counts(scope, "task", ["A1", "A2"]) == {"A1": 1, "A2": 0}
    assert store.open_action_counts(scope, "task", ["A1"], since=T0 + timedelta(days=3650)) == {
        "A1": 0
    }
    store.add_health_many(scope, [HealthRecord("A1", T0, 50, "yellow", "new", 50.0, 0.0, "f", {})])
    assert store.latest_health(scope, ["A1"])["A1"].score == 50


def test_quarantine_reports_only_new_rows(store: Store, scope: str) -> None:
    item = QuarantineItem("f.csv", 3, "bad_score", "NPS 11", {"s": "11"}, key="row 3")
    assert store.quarantine(scope, [item]) == 1
    assert store.quarantine(scope, [item]) == 0
    assert len(store.list_quarantine(scope)) == 1
