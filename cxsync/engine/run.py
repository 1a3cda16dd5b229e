"""One sync run, start to finish (DESIGN.md "One sync run").

retry the outbox and unfinished tasks → pull accounts and contacts (classify, tag, flag)
→ import feedback → one write per changed contact → score accounts, write health, open
follow-ups → record the run. A run holds the store's lock for its scope; a second run
exits at once with RunInProgressError.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from cxsync.config import CxSyncConfig
from cxsync.engine.accounts_stage import score_accounts
from cxsync.engine.actions import ActionRunner
from cxsync.engine.checkpoints import checkpoint
from cxsync.engine.contact_writes import write_contacts
from cxsync.engine.context import RunContext, build_context
from cxsync.engine.feedback_stage import import_stage, process_new_feedback
from cxsync.engine.pull import pull_accounts, pull_contacts
from cxsync.engine.summary import RunSummary
from cxsync.engine.writer import WriteQueue
from cxsync.errors import AuthError, FatalError, QuotaExhaustedError, RetriableError

__all__ = ["SyncResult", "run_sync"]

log = logging.getLogger(__name__)


class SyncResult:
    """The summary plus the feedback import's report (the scores are in the store)."""

    def __init__(self, summary: RunSummary, feedback_report: Any) -> None:
        self.summary = summary
        self.feedback_report = feedback_report


#: cyclic-garbage thresholds during a run (CPython's default: 700, 10, 10)
RUN_GC_THRESHOLDS = (50_000, 20, 100)


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect cyclic garbage less often while a run holds large, long-lived state.

    A sync allocates containers by the million and keeps many of them a while (a page of
    contacts, a batch of writes, caches sized to the CRM), so at CPython's default
    thresholds the collector keeps walking objects that are not garbage: a fifth of a
    large first sync's time. Cycles are still collected, less often (most of a run's
    objects are freed by reference counting); the caller's thresholds are restored after.
    """
    before = gc.get_threshold()
    gc.set_threshold(*RUN_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def run_sync(
    config: CxSyncConfig,
    *,
    dry_run: bool = False,
    transport: Any = None,
    now: datetime | None = None,
    feedback_files: Sequence[Path] | None = None,
    context: RunContext | None = None,
) -> SyncResult:
    """Run the whole pipeline once. Raises only for a run that could not start
    (configuration, lock); problems during the run end up in the summary's status."""
    with _fewer_collections():
        return _run(config, dry_run, transport, now, feedback_files, context)


def _run(
    config: CxSyncConfig,
    dry_run: bool,
    transport: Any,
    now: datetime | None,
    feedback_files: Sequence[Path] | None,
    context: RunContext | None,
) -> SyncResult:
    ctx = context or build_context(config, transport=transport, now=now)
    summary = RunSummary(crm=config.crm, scope=ctx.scope, dry_run=dry_run)
    summary.started_at = ctx.now.isoformat()
    started = time.monotonic()
    report = None
    try:
        owner = f"{socket.gethostname()}:{os.getpid()}"
        with ctx.store.acquire_lock(ctx.scope, owner) as lock:
            summary.run_id = ctx.store.start_run(ctx.scope, "sync", dry_run)
            try:
                report = _stages(ctx, summary, lock, feedback_files)
                _settle_status(summary)
            except QuotaExhaustedError as exc:
                summary.status, summary.exit_reason = "quota", f"resume later: {exc}"
            except AuthError as exc:
                summary.status, summary.exit_reason = "auth", str(exc)
            except FatalError as exc:
                summary.status, summary.exit_reason = "failed", str(exc)
            except RetriableError as exc:
                # the adapter's own retries are spent (a long 429 storm, an outage): stop
                # cleanly; every finished page is checkpointed and the next run resumes there
                summary.status = "partial"
                summary.exit_reason = f"the CRM kept failing, resume on the next run: {exc}"
            finally:
                summary.duration_seconds = time.monotonic() - started
                summary.api = ctx.adapter.usage().as_dict()
                ctx.store.finish_run(
                    summary.run_id, summary.status, summary.exit_reason, summary.as_dict()
                )
    finally:
        if context is None:
            ctx.close()
    return SyncResult(summary, report)


def _stages(
    ctx: RunContext, summary: RunSummary, lock: Any, feedback_files: Sequence[Path] | None
) -> Any:
    queue = WriteQueue(
        ctx.adapter,
        ctx.store,
        ctx.scope,
        summary.run_id,
        summary,
        batch=ctx.config.sync.write_batch,
        dry_run=summary.dry_run,
        plan_limit=ctx.config.sync.plan_limit,
    )
    actions = ActionRunner(ctx.adapter, ctx.store, ctx.scope, summary, dry_run=summary.dry_run)
    queue.recover_in_flight()
    queue.retry_outbox()
    actions.recover()
    checkpoint("recovered")
    pull_accounts(ctx, summary)
    lock.heartbeat()
    checkpoint("accounts_pulled")
    pull_contacts(ctx, summary)
    lock.heartbeat()
    checkpoint("contacts_pulled")
    report = import_stage(ctx, summary, feedback_files)
    process_new_feedback(ctx, actions, summary)
    checkpoint("feedback_imported")
    write_contacts(ctx, queue, summary)
    lock.heartbeat()
    checkpoint("contacts_written")
    score_accounts(ctx, queue, actions, summary)
    queue.flush()
    checkpoint("accounts_scored")
    return report


def _settle_status(summary: RunSummary) -> None:
    failed = summary.writes.get("failed", 0) + summary.writes.get("tasks_failed", 0)
    failed += summary.writes.get("notes_failed", 0)
    # rows rejected on an earlier run are already in the quarantine: only new ones count,
    # so a scheduler is not told "rejected" every run for the same old file
    rejected = summary.stage("feedback")["newly_quarantined"]
    if failed:
        summary.status = "partial"
        summary.exit_reason = f"{failed} writes failed and wait in the outbox for the next run"
    elif rejected:
        summary.status = "rejected"
        summary.exit_reason = f"{rejected} new input rows rejected (see the rejects file)"
    else:
        summary.status = "ok"
        summary.exit_reason = "dry run: nothing written" if summary.dry_run else "completed"
