"""Follow-up tasks and field notes, created exactly once.

Each task or note has a stable key. Before anything is sent, the key is *claimed* in the
store (status ``pending``); only keys never claimed before are sent. After the adapter
answers, the key is marked ``done`` (with the CRM id) or ``failed``. A run killed between
sending and marking leaves ``pending`` keys: the next run asks the CRM which of them exist
(``existing_task_keys``) before re-sending the rest, so nothing is created twice and
nothing is forgotten.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any

from cxsync.adapter import Adapter, Capability
from cxsync.engine.checkpoints import checkpoint
from cxsync.engine.summary import RunSummary
from cxsync.errors import RetriableError
from cxsync.models import ActivityNote, FollowUpTask, WriteResult, utcnow

__all__ = ["ActionRunner"]

log = logging.getLogger(__name__)

_KINDS: dict[str, tuple[type[FollowUpTask] | type[ActivityNote], Capability]] = {
    "task": (FollowUpTask, Capability.TASKS),
    "note": (ActivityNote, Capability.NOTES),
}


class ActionRunner:
    def __init__(
        self, adapter: Adapter, store: Any, scope: str, summary: RunSummary, *, dry_run: bool
    ) -> None:
        self._adapter = adapter
        self._store = store
        self._scope = scope
        self._summary = summary
        self._dry_run = dry_run

    def _supported(self, kind: str) -> bool:
        return _KINDS[kind][1] in self._adapter.capabilities

    def _send(self, kind: str) -> Callable[[Sequence[Any]], list[WriteResult]]:
        if kind == "task":
            return self._adapter.create_tasks
        return self._adapter.create_notes

    def _existing(self, kind: str, keys: Sequence[str]) -> set[str]:
        if kind == "task":
            return self._adapter.existing_task_keys(keys)
        return self._adapter.existing_note_keys(keys)

    def submit(self, kind: str, items: Sequence[FollowUpTask | ActivityNote]) -> int:
        """Create the items whose keys were never claimed; returns how many were new."""
        if not items or not self._supported(kind):
            return 0
        if self._dry_run:
            seen = self._store.actions_in_state(self._scope, kind, "done")
            new = [i for i in items if i.key not in seen]
            self._summary.writes[f"{kind}s_planned"] += len(new)
            return len(new)
        payloads = {i.key: i.model_dump(mode="json") for i in items}
        claimed = set(self._store.claim_actions(self._scope, kind, payloads))
        fresh = [i for i in items if i.key in claimed]
        if fresh:
            self._create(kind, fresh)
        return len(fresh)

    def recover(self) -> None:
        """Finish what an earlier run left pending or failed.

        Items the CRM was last asked about less than its read-after-write lag ago are left
        for a later run: a create whose answer was lost may already exist without the CRM
        showing it yet (HubSpot's search), and re-sending it now could create it twice.
        """
        lag = float(getattr(self._adapter, "read_after_write_lag_seconds", 0.0) or 0.0)
        recent_since = utcnow() - timedelta(seconds=lag) if lag > 0 else None
        for kind, (model, _) in _KINDS.items():
            if not self._supported(kind) or self._dry_run:
                continue
            pending = self._store.actions_in_state(self._scope, kind, "pending")
            failed = self._store.actions_in_state(self._scope, kind, "failed")
            if recent_since is not None and (pending or failed):
                recent = {
                    key
                    for status in ("pending", "failed")
                    for key in self._store.actions_in_state(self._scope, kind, status, recent_since)
                }
                pending = {k: v for k, v in pending.items() if k not in recent}
                failed = {k: v for k, v in failed.items() if k not in recent}
                self._summary.stage("recovery").add(f"{kind}s_deferred", len(recent))
            if not pending and not failed:
                continue
            already = self._existing(kind, list(pending)) if pending else set()
            if already:
                self._store.mark_actions(self._scope, kind, dict.fromkeys(already), "done")
            retry = [
                model.model_validate(payload)
                for key, payload in {**pending, **failed}.items()
                if key not in already
            ]
            self._summary.stage("recovery").add(f"{kind}s_found_created", len(already))
            self._summary.stage("recovery").add(f"{kind}s_retried", len(retry))
            if retry:
                self._create(kind, retry)

    def _create(self, kind: str, items: Sequence[FollowUpTask | ActivityNote]) -> None:
        try:
            results = self._send(kind)(items)
        except RetriableError as exc:
            log.warning("creating %d %ss failed, will retry next run: %s", len(items), kind, exc)
            self._store.mark_actions(
                self._scope, kind, dict.fromkeys(i.key for i in items), "failed"
            )
            self._summary.writes[f"{kind}s_failed"] += len(items)
            return
        checkpoint(f"{kind}s_sent")  # created in the CRM, not yet marked done in the store
        done = {i.key: r.external_id for i, r in zip(items, results, strict=True) if r.ok}
        failed = {i.key: None for i, r in zip(items, results, strict=True) if not r.ok}
        if done:
            self._store.mark_actions(self._scope, kind, done, "done")
        if failed:
            self._store.mark_actions(self._scope, kind, failed, "failed")
            for item, result in zip(items, results, strict=True):
                if not result.ok:
                    log.warning("%s %s not created: %s", kind, item.key, result.error)
        self._summary.writes[f"{kind}s"] += len(done)
        self._summary.writes[f"{kind}s_failed"] += len(failed)
