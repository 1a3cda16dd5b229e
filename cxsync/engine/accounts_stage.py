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
from datetime import datetime, timedelta
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
) -> list[Any]:
    """Score every dirty account; returns the AccountHealth of those scored."""
    _schedule_full_rescore(ctx, summary.dry_run)
    batch = ctx.config.sync.account_batch
    scored: list[Any] = []
    done: set[str] = set()
    while True:
        ids = [i for i in ctx.store.dirty(ctx.scope, _ACCOUNT, batch + len(done)) if i not in done]
        if not ids:
            break
        ids = ids[:batch]
        scored.extend(_score_batch(ctx, ids, queue, actions, summary))
        queue.flush()
        if summary.dry_run:
            done.update(ids)
        else:
            ctx.store.clear_dirty(ctx.scope, _ACCOUNT, ids)
    return scored


def _open_followups(ctx: RunContext, account_id: str, model: Any) -> int:
    since = ctx.now - timedelta(days=model.open_followup_days)
    count: int = ctx.store.open_action_count(ctx.scope, "task", account_id, since=since)
    return count


def _inputs(ctx: RunContext, account: Any, previous: Any, model: Any) -> Any:
    from cxsync.health import AccountInput, ContactInput, PreviousScore

    rows = ctx.store.contacts_for_account(ctx.scope, account.account_id)
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
    responses = tuple(
        f
        for f in ctx.store.feedback_for_account(ctx.scope, account.account_id)
        if f.contact_id in eligible or f.is_note
    )
    return AccountInput(
        account_id=account.account_id,
        name=account.name,
        segment=account.segment,
        annual_revenue=account.annual_revenue,
        owner_id=account.owner_id,
        contacts=contacts,
        responses=responses,
        open_followups=_open_followups(ctx, account.account_id, model),
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
) -> list[Any]:
    from cxsync.health import account_fields, followup_tasks, score_account

    stage = summary.stage("health")
    accounts = ctx.store.get_accounts(ctx.scope, ids)
    latest = ctx.store.latest_health(ctx.scope, ids)
    crm = ctx.store.get_crm_values(ctx.scope, _ACCOUNT, ids)
    last = ctx.store.get_written(ctx.scope, _ACCOUNT, ids)
    scored = []
    for account_id in ids:
        account = accounts.get(account_id)
        if account is None:
            continue
        previous = latest.get(account_id)
        model = ctx.health_models.for_segment(account.segment)
        inputs = _inputs(ctx, account, previous, model)
        health = score_account(inputs, model, ctx.now)
        if ctx.config.followups.enabled:
            tasks = followup_tasks(inputs, health, model.followups, ctx.now)
            opened = actions.submit("task", tasks) if tasks else 0
            stage.add("followups_opened", opened)
            if opened and not summary.dry_run:
                # the new tasks are open follow-ups too: score with them, so the next run
                # (same inputs) finds the same fingerprint and writes nothing
                inputs = replace(inputs, open_followups=_open_followups(ctx, account_id, model))
                health = score_account(inputs, model, ctx.now)
        scored.append(health)
        stage.add("scored")
        if health.band:
            stage.add(f"band_{health.band}")
        if previous is not None and previous.fingerprint == health.fingerprint:
            stage.add("unchanged")
            continue
        if not summary.dry_run:
            ctx.store.add_health(ctx.scope, _history_record(health))
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
    return scored


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
