"""The write queue records each outcome from what the plan already read, and settles the
dirty marks of the records whose writes it recorded."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from cxsync.engine.planner import plan_record
from cxsync.engine.summary import RunSummary
from cxsync.engine.writer import FIELD_OUTBOX, WriteQueue
from cxsync.models import FieldChange, ObjectType, WriteResult
from cxsync.schema import load_field_map
from cxsync.store import Store

SCOPE = "files:test"
CONTACT = ObjectType.CONTACT


class _Refusing:
    """Accepts every change except those for the ids it refuses."""

    def __init__(self, refused: set[str]) -> None:
        self.refused = refused

    def apply_changes(self, changes: Sequence[FieldChange]) -> list[WriteResult]:
        return [
            WriteResult(record_id=c.record_id, ok=c.record_id not in self.refused, error="no")
            for c in changes
        ]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.open(f"sqlite:///{tmp_path / 'state.db'}", work_dir=tmp_path)
    yield s
    s.close()


def _queue(store: Store, refused: set[str]) -> WriteQueue:
    summary = RunSummary(crm="files", scope=SCOPE)
    return WriteQueue(
        _Refusing(refused), store, SCOPE, 1, summary, batch=100, dry_run=False, plan_limit=0
    )


def test_flush_settles_only_the_marks_of_recorded_writes(store: Store) -> None:
    field_map = load_field_map("files")
    ids = ["C1", "C2", "C3", "C4"]
    crm = {rid: {"cx_email_status": "invalid", "cx_kept": rid} for rid in ids}
    store.save_pulled(SCOPE, CONTACT.value, crm_values=crm, dirty=ids)
    store.record_written(SCOPE, CONTACT.value, {"C1": {"cx_email_status": "invalid"}}, 0)
    last = store.get_written(SCOPE, CONTACT.value, ids)
    queue = _queue(store, refused={"C2"})
    for rid in ids[:3]:  # C4 is dirty but has nothing planned
        planned, _ = plan_record(
            field_map, CONTACT, rid, {"cx_email_status": "person"}, crm[rid], last.get(rid, {})
        )
        assert planned is not None
        queue.add(planned, "contact_results")
    settled = queue.flush(settle=(CONTACT, set(ids)))
    assert settled == {"C1", "C3"}
    assert store.dirty(SCOPE, CONTACT.value) == ["C2", "C4"]
    assert [i.key for i in store.pending(SCOPE, FIELD_OUTBOX)] == ["contact:C2"]
    assert store.get_crm_values(SCOPE, CONTACT.value, ["C1", "C3"]) == {
        "C1": {"cx_email_status": "person", "cx_kept": "C1"},
        "C3": {"cx_email_status": "person", "cx_kept": "C3"},
    }
    assert store.get_written(SCOPE, CONTACT.value, ids) == {
        "C1": {"cx_email_status": "person"},
        "C3": {"cx_email_status": "person"},
    }


def test_a_record_changed_twice_in_one_batch_keeps_both_fields(store: Store) -> None:
    field_map = load_field_map("files")
    store.save_pulled(SCOPE, CONTACT.value, crm_values={"C1": {"cx_kept": "x"}}, dirty=["C1"])
    queue = _queue(store, refused=set())
    for field, value in (("cx_email_status", "person"), ("cx_roles", ["approver"])):
        # both planned from the same stored values, before either is recorded
        planned, _ = plan_record(field_map, CONTACT, "C1", {field: value}, {"cx_kept": "x"}, {})
        assert planned is not None
        queue.add(planned, "contact_results")
    queue.flush()
    assert store.get_written(SCOPE, CONTACT.value, ["C1"]) == {
        "C1": {"cx_email_status": "person", "cx_roles": ["approver"]}
    }
    assert store.dirty(SCOPE, CONTACT.value) == ["C1"]  # nothing asked to settle it
