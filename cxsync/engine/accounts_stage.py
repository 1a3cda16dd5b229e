"""Stage 4: score accounts, write their health fields, open follow-up tasks once.

Accounts whose contacts or feedback changed are dirty; once a day every account is
re-scored as well, because feedback ages (recency, decay) even when nothing new arrives.
An account whose scoring inputs are unchanged since its last score (same fingerprint) is
left alone: no history row, no write.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from cxsync.engine.actions import ActionRunner
from cxsync.engine.contact_writes import _note_conflicts
from cxsync.engine.context import RunContext
from cxsync.engine.planner import plan_record
from cxsync.engine.summary import RunSummary
from cxsync.engine.writer import WriteQueue
from cxsync.models import ObjectType

__all__ = ["score_accounts"]

log = logging.getLogger(__name__)

_ACCOUNT = ObjectType.ACCOUNT.value
_RESCORE_CURSOR = "health_full_rescore"
_RESCORE_EVERY = timedelta(hours=20)


def _schedule_full_rescore(ctx: RunContext, dry_run: bool) -> None:
    last = ctx.store.get_cursor(ctx.scope, _RESCORE_CURSOR)
    if last and ctx.now - datetime.fromisoformat(last) < _RESCORE_EVERY:
        return
    for batch in ctx.store.iter_accounts(ctx.scope):
        ctx.store.mark_dirty(ctx.scope, _ACCOUNT, [a.account_id for a in batch])
    if not dry_run:
        ctx.store.set_cursor(ctx.scope, _RESCORE_CURSOR, ctx.now.isoformat())


def score_accounts(
    ctx: RunContext, queue: WriteQueue, actions: ActionRunner, summary: RunSummary
) -> None:
    """Score every dirty account, a batch at a time (the scores go to the store's health
    history, not into memory: a run's memory follows the batch, not the accounts)."""
    _schedule_full_rescore(ctx, summary.dry_run)
    batch = ctx.config.sync.account_batch
    unflushed: list[str] = []  # dirty marks are cleared only once their writes are sent
    after: str | None = None
    while True:
        ids = ctx.store.dirty(ctx.scope, _ACCOUNT, batch, after=after)
        if not ids:
            break
        after = ids[-1]
        _score_batch(ctx, ids, queue, actions, summary)
        ctx.store.note_handled(len(ids))
        unflushed.extend(ids)
        if queue.full:
            _flush(ctx, queue, unflushed, summary.dry_run)
    _flush(ctx, queue, unflushed, summary.dry_run)


def _flush(ctx: RunContext, queue: WriteQueue, ids: list[str], dry_run: bool) -> None:
    queue.flush()
    if ids and not dry_run:
        ctx.store.clear_dirty(ctx.scope, _ACCOUNT, ids)
    ids.clear()


def _followup_times(
    ctx: RunContext, account_ids: Sequence[str], models: dict[str, Any]
) -> dict[str, list[datetime]]:
    """When each account's follow-ups inside its model's window were decided (bulk)."""
    times: dict[str, list[datetime]] = {}
    by_window: dict[int, list[str]] = {}
    for account_id in account_ids:
        by_window.setdefault(models[account_id].open_followup_days, []).append(account_id)
    for days, ids in by_window.items():
        since = ctx.now - timedelta(days=days)
        times.update(ctx.store.action_times(ctx.scope, "task", ids, since=since))
    return times


def _open_before(times: Sequence[datetime], previous: Any) -> int:
    """Follow-ups that were already open when the previous score was recorded.

    The follow-up rules judge the score with these only, never with follow-ups opened in
    reaction to a later evaluation: so the rules see the same score whether or not an
    interrupted run already created some of their tasks (the tasks' keys then match, and
    nothing is opened twice). The recorded score counts every open follow-up.
    """
    if previous is None or previous.computed_at is None:
        return 0
    cutoff = previous.computed_at
    cutoff = cutoff if cutoff.tzinfo else cutoff.replace(tzinfo=UTC)
    return sum(1 for t in times if t < cutoff)


def _inputs(
    account: Any, previous: Any, rows: Sequence[Any], feedback: Sequence[Any], open_followups: int
) -> Any:
    from cxsync.health import AccountInput, ContactInput, PreviousScore

    contacts = tuple(
        ContactInput(
            contact_id=r.contact_id,
            display_name=r.display_name,
            roles=tuple(r.roles),
            function=r.function,
            eligible=r.verdict == "person" and not r.duplicate_of,
            duplicate=bool(r.duplicate_of),
            stale="stale" in r.flags,
        )
        for r in rows
        if not r.deleted
    )
    eligible = {c.contact_id for c in contacts if c.eligible}
    return AccountInput(
        account_id=account.account_id,
        name=account.name,
        segment=account.segment,
        annual_revenue=account.annual_revenue,
        owner_id=account.owner_id,
        contacts=contacts,
        responses=tuple(f for f in feedback if f.contact_id in eligible),
        open_followups=open_followups,
        previous=(
            PreviousScore(
                score=previous.score, band=previous.band, computed_at=previous.computed_at
            )
            if previous is not None and previous.score is not None
            else None
        ),
    )


def _score_batch(
    ctx: RunContext,
    ids: Sequence[str],
    queue: WriteQueue,
    actions: ActionRunner,
    summary: RunSummary,
) -> None:
    from cxsync.health import account_fields, followup_tasks, score_account

    stage = summary.stage("health")
    accounts = ctx.store.get_accounts(ctx.scope, ids)
    ids = [i for i in ids if i in accounts]
    latest = ctx.store.latest_health(ctx.scope, ids)
    crm = ctx.store.get_crm_values(ctx.scope, _ACCOUNT, ids)
    last = ctx.store.get_written(ctx.scope, _ACCOUNT, ids)
    contacts = ctx.store.contacts_for_accounts(ctx.scope, ids)
    feedback = ctx.store.feedback_for_accounts(ctx.scope, ids)
    models = {a: ctx.health_models.for_segment(accounts[a].segment) for a in ids}
    times = _followup_times(ctx, ids, models)
    history = []
    for account_id in ids:
        model, previous = models[account_id], latest.get(account_id)
        inputs = _inputs(
            accounts[account_id],
            previous,
            contacts[account_id],
            feedback[account_id],
            _open_before(times[account_id], previous),
        )
        health = score_account(inputs, model, ctx.now)
        opened = 0
        if ctx.config.followups.enabled:
            tasks = followup_tasks(inputs, health, model.followups, ctx.now)
            opened = actions.submit("task", tasks) if tasks else 0
            stage.add("followups_opened", opened)
        # the recorded score counts every open follow-up, the new ones included, so the
        # next run (same inputs) finds the same fingerprint and writes nothing
        open_now = len(times[account_id]) + (0 if summary.dry_run else opened)
        if open_now != inputs.open_followups:
            inputs = replace(inputs, open_followups=open_now)
            health = score_account(inputs, model, ctx.now)
        stage.add("scored")
        if health.band:
            stage.add(f"band_{health.band}")
        if previous is not None and previous.fingerprint == health.fingerprint:
            # nothing new to record. Still planned below, as recorded (its trend and time),
            # because a run stopped before its writes were sent leaves the CRM behind it
            stage.add("unchanged")
            health = health.model_copy(
                update={"trend": previous.trend, "computed_at": previous.computed_at}
            )
        else:
            history.append(_history_record(health))
        planned, conflicts = plan_record(
            ctx.field_map,
            ObjectType.ACCOUNT,
            account_id,
            account_fields(health),
            crm.get(account_id, {}),
            last.get(account_id, {}),
        )
        _note_conflicts(summary, conflicts)
        if planned is not None:
            queue.add(planned, "health")
    if not summary.dry_run:
        ctx.store.add_health_many(ctx.scope, history)


def _history_record(health: Any) -> Any:
    from cxsync.store import HealthRecord

    return HealthRecord(
        account_id=health.account_id,
        computed_at=health.computed_at,
        score=health.score,
        band=health.band,
        trend=health.trend,
        confidence=health.confidence,
        account_nps=health.account_nps,
        fingerprint=health.fingerprint,
        payload=health.model_dump(mode="json"),
    )
