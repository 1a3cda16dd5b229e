"""The write queue: planned field changes go to the CRM in the largest batches allowed.

Changes accumulate until ``batch`` of them are queued, then go to the adapter in one call
(the adapter splits them into API-sized requests). Each result is recorded: a success
updates the store's *last written* and *CRM holds* values, a failure goes to the outbox
and is retried first on the next run, with its attempt count and last error. In dry-run
mode nothing is sent: the changes are collected for the printed plan.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any

from cxsync.adapter import Adapter
from cxsync.engine.checkpoints import checkpoint
from cxsync.engine.planner import PlannedChange
from cxsync.engine.summary import RunSummary
from cxsync.errors import FatalError, RetriableError
from cxsync.models import FieldChange, ObjectType, WriteResult

__all__ = ["FIELD_OUTBOX", "IN_FLIGHT", "WriteQueue", "outbox_key"]

log = logging.getLogger(__name__)

FIELD_OUTBOX = "field"
#: one row per call to the adapter, kept until its results are recorded: a run killed in
#: between leaves it behind, and the next run re-sends those changes before it pulls
IN_FLIGHT = "field_in_flight"


def outbox_key(object_type: ObjectType | str, record_id: str) -> str:
    return f"{ObjectType(object_type).value}:{record_id}"


class WriteQueue:
    """Buffers and applies field changes for one run."""

    def __init__(
        self,
        adapter: Adapter,
        store: Any,
        scope: str,
        run_id: int | None,
        summary: RunSummary,
        *,
        batch: int,
        dry_run: bool,
        plan_limit: int,
        on_written: Callable[[Sequence[FieldChange]], None] | None = None,
    ) -> None:
        self._adapter = adapter
        self._store = store
        self._scope = scope
        self._run_id = run_id
        self._summary = summary
        self._batch = batch
        self._dry_run = dry_run
        self._plan_limit = plan_limit
        self._pending: list[PlannedChange] = []
        self._on_written = on_written

    def add(self, planned: PlannedChange, stage: str) -> None:
        """Queue one record's change; ``stage`` names who asked (counted per stage)."""
        self._summary.stage(stage).add("writes_planned")
        self._summary.writes["planned"] += 1
        self._summary.writes["planned_fields"] += len(planned.change.values)
        if self._dry_run:
            if len(self._summary.plan) < self._plan_limit:
                self._summary.plan.extend(planned.rows())
            return
        self._pending.append(planned)

    @property
    def full(self) -> bool:
        """Enough changes queued for one call to the adapter (which splits them as the API
        allows): callers flush then, so a large run reaches Bulk-sized batches."""
        return len(self._pending) >= self._batch

    def flush(self, *, settle: tuple[ObjectType, Collection[str]] | None = None) -> set[str]:
        """Send the queued changes.

        ``settle`` names dirty records (of one object type) the caller clears once their
        writes are sent: the mark of each one whose write is recorded here is cleared in
        the same transaction, and those ids are returned (the caller clears the others).
        """
        if not self._pending:
            return set()
        batch, self._pending = self._pending, []
        settled: set[str] = set()
        self._apply([p.change for p in batch], batch, settle, settled)
        return settled

    def apply(self, changes: Sequence[FieldChange]) -> list[WriteResult]:
        """Send changes now; record each outcome. Re-raises a fatal error after queueing.

        The changes are noted as in flight first. Without that, a run killed after the CRM
        took them but before the store recorded them would leave the CRM holding values
        cxsync has no record of writing, and the next pull would take them for a person's
        edits (a manual role tag, for one).
        """
        return self._apply(changes, None, None, set())

    def _apply(
        self,
        changes: Sequence[FieldChange],
        planned: Sequence[PlannedChange] | None,
        settle: tuple[ObjectType, Collection[str]] | None,
        settled: set[str],
    ) -> list[WriteResult]:
        marker = uuid.uuid4().hex
        self._store.enqueue(
            self._scope,
            IN_FLIGHT,
            marker,
            {"changes": [_payload(c) for c in changes]},
            "sent; results not recorded yet",
            self._run_id,
        )
        try:
            results = self._send(changes, _Known(planned, settle, settled))
        except FatalError:
            self._store.discard(self._scope, IN_FLIGHT, [marker])  # the outbox has them
            raise
        # recorded: no longer in doubt (any other exception leaves the marker, to re-send)
        self._store.discard(self._scope, IN_FLIGHT, [marker])
        return results

    def _send(self, changes: Sequence[FieldChange], known: _Known) -> list[WriteResult]:
        try:
            results = self._adapter.apply_changes(changes)
        except RetriableError as exc:
            # the adapter's own retries are spent: keep every change for the next run
            results = [
                WriteResult(record_id=c.record_id, ok=False, error=str(exc), retriable=True)
                for c in changes
            ]
        except FatalError as exc:
            self._record(
                changes,
                [WriteResult(record_id=c.record_id, ok=False, error=str(exc)) for c in changes],
                known,
            )
            raise
        checkpoint("fields_sent")  # the CRM has the values; the store does not know yet
        if len(results) != len(changes):
            raise RuntimeError(
                f"adapter returned {len(results)} results for {len(changes)} changes"
            )
        self._record(changes, results, known)
        return results

    def _record(
        self, changes: Sequence[FieldChange], results: Sequence[WriteResult], known: _Known
    ) -> None:
        written: dict[ObjectType, dict[str, dict[str, Any]]] = {}
        done: dict[ObjectType, list[str]] = {}
        ok_changes = []
        for i, (change, result) in enumerate(zip(changes, results, strict=True)):
            key = outbox_key(change.object_type, change.record_id)
            if result.ok:
                values = written.setdefault(change.object_type, {})
                earlier = values.get(change.record_id)
                known.note(change, i, earlier is not None)
                values[change.record_id] = (
                    {**earlier, **change.values} if earlier else change.values
                )
                done.setdefault(change.object_type, []).append(key)
                ok_changes.append(change)
                continue
            self._summary.writes["failed"] += 1
            log.warning("write to %s failed: %s", key, result.error)
            self._store.enqueue(
                self._scope,
                FIELD_OUTBOX,
                key,
                _payload(change),
                f"{result.code or 'ERROR'}: {result.error}",
                self._run_id,
            )
        for object_type, values in written.items():
            settled = known.settled_among(object_type, values)
            self._store.record_applied(
                self._scope,
                object_type.value,
                values,
                self._run_id,
                written_before=known.written.get(object_type),
                crm_before=known.crm.get(object_type),
                settled=settled,
            )
            known.settled.update(settled)
            self._store.resolve(self._scope, FIELD_OUTBOX, done[object_type])
            self._summary.writes["applied"] += len(values)
        if ok_changes and self._on_written:
            self._on_written(ok_changes)

    def recover_in_flight(self) -> None:
        """Re-send changes a killed run sent without recording the results (idempotent)."""
        items = self._store.pending(self._scope, IN_FLIGHT)
        if not items or self._dry_run:
            return
        for item in items:
            changes = [_change(p) for p in item.payload["changes"]]
            for start in range(0, len(changes), self._batch):
                self.apply(changes[start : start + self._batch])
            self._store.discard(self._scope, IN_FLIGHT, [item.key])
            self._summary.stage("outbox").add("resent_in_flight", len(changes))

    def retry_outbox(self) -> None:
        """Re-send the field writes that failed on earlier runs."""
        items = self._store.pending(self._scope, FIELD_OUTBOX)
        if not items or self._dry_run:
            self._summary.stage("outbox").add("pending", len(items))
            return
        changes = [_change(item.payload) for item in items]
        for start in range(0, len(changes), self._batch):
            chunk = changes[start : start + self._batch]
            results = self.apply(chunk)
            self._summary.stage("outbox").add("retried", len(chunk))
            self._summary.stage("outbox").add("recovered", sum(r.ok for r in results))


class _Known:
    """What the planned changes of one batch already know of their records' stored values,
    and which dirty marks their recorded writes settle."""

    def __init__(
        self,
        planned: Sequence[PlannedChange] | None,
        settle: tuple[ObjectType, Collection[str]] | None,
        settled: set[str],
    ) -> None:
        self._planned = planned
        self._settle = settle
        self.settled = settled
        self.written: dict[ObjectType, dict[str, Mapping[str, Any]]] = {}
        self.crm: dict[ObjectType, dict[str, Mapping[str, Any]]] = {}

    def note(self, change: FieldChange, index: int, repeated: bool) -> None:
        """Keep what the plan of ``changes[index]`` read; a record changed twice in one
        batch is read from the store instead, as it was before either change."""
        written = self.written.setdefault(change.object_type, {})
        crm = self.crm.setdefault(change.object_type, {})
        if repeated or self._planned is None:
            written.pop(change.record_id, None)
            crm.pop(change.record_id, None)
            return
        plan = self._planned[index]
        if plan.last_written is not None:
            written[change.record_id] = plan.last_written
        if plan.crm_values is not None:
            crm[change.record_id] = plan.crm_values

    def settled_among(self, object_type: ObjectType, ids: Iterable[str]) -> list[str]:
        if self._settle is None or self._settle[0] is not object_type:
            return []
        wanted = self._settle[1]
        return [rid for rid in ids if rid in wanted]


def _payload(change: FieldChange) -> dict[str, Any]:
    return {
        "object_type": change.object_type.value,
        "record_id": change.record_id,
        "values": change.values,
    }


def _change(payload: dict[str, Any]) -> FieldChange:
    return FieldChange(
        object_type=ObjectType(payload["object_type"]),
        record_id=payload["record_id"],
        values=payload["values"],
    )
