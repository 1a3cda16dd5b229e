"""Stage 3: one write per changed contact, combining hygiene, roles and feedback results.

Contacts changed in this run (or with new feedback) are marked dirty in the store. Here
they are taken in batches: the desired hygiene/role values saved by the pull stage are
merged with the roll-up of the contact's feedback, compared with what the CRM holds and
what cxsync wrote last, and only the differences are queued.
"""

from __future__ import annotations

from typing import Any

from cxsync.engine.context import RunContext
from cxsync.engine.planner import Conflict, plan_record
from cxsync.engine.summary import RunSummary
from cxsync.engine.writer import WriteQueue
from cxsync.models import ObjectType
from cxsync.schema import FieldSpec

__all__ = ["write_contacts"]

_CONTACT = ObjectType.CONTACT.value


def write_contacts(
    ctx: RunContext, queue: WriteQueue, summary: RunSummary, batch: int = 1000
) -> None:
    """Plan every dirty contact, a thousand at a time, sending writes as the queue fills."""
    stage = summary.stage("contact_results")
    specs = [f.spec for f in ctx.field_map.for_object(ObjectType.CONTACT)]
    unflushed: list[str] = []  # dirty marks are cleared only once their writes are sent
    after: str | None = None
    while True:
        ids = ctx.store.dirty(ctx.scope, _CONTACT, batch, after=after)
        if not ids:
            break
        after = ids[-1]
        _plan_batch(ctx, ids, specs, queue, summary, stage)
        ctx.store.note_handled(len(ids))
        unflushed.extend(ids)
        if queue.full:
            _flush(ctx, queue, unflushed, summary)
        stage.add("considered", len(ids))
    _flush(ctx, queue, unflushed, summary)


def _flush(ctx: RunContext, queue: WriteQueue, ids: list[str], summary: RunSummary) -> None:
    # a contact whose write is recorded has its mark cleared by that same statement
    settled = queue.flush(settle=(ObjectType.CONTACT, set(ids)))
    rest = [i for i in ids if i not in settled]
    if rest and not summary.dry_run:
        ctx.store.clear_dirty(ctx.scope, _CONTACT, rest)
    ids.clear()


def _plan_batch(
    ctx: RunContext,
    ids: list[str],
    specs: list[FieldSpec],
    queue: WriteQueue,
    summary: RunSummary,
    stage: Any,
) -> None:
    from cxsync.feedback import contact_fields, rollup_contact

    live = ctx.store.live_contact_ids(ctx.scope, ids)
    crm, desired = ctx.store.get_crm_and_desired(ctx.scope, _CONTACT, ids)
    last = ctx.store.get_written(ctx.scope, _CONTACT, ids)
    feedback = ctx.store.feedback_for_contacts(ctx.scope, ids)
    for contact_id in ids:
        if contact_id not in live:
            continue
        values = dict(desired.get(contact_id, {}))
        responses = feedback.get(contact_id, [])
        if responses:
            values.update(contact_fields(rollup_contact(contact_id, responses), specs))
            stage.add("rolled_up")
        planned, conflicts = plan_record(
            ctx.field_map,
            ObjectType.CONTACT,
            contact_id,
            values,
            crm.get(contact_id, {}),
            last.get(contact_id, {}),
        )
        _note_conflicts(summary, conflicts)
        if planned is not None:
            queue.add(planned, "contact_results")


def _note_conflicts(summary: RunSummary, conflicts: list[Conflict]) -> None:
    for c in conflicts:
        summary.writes["conflicts"] += 1
        if len(summary.conflicts) < 100:
            summary.conflicts.append(
                {
                    "object": c.object_type.value,
                    "record_id": c.record_id,
                    "field": c.field,
                    "crm_value": c.crm_value,
                    "cxsync_last_wrote": c.last_written,
                    "wanted": c.desired,
                    "resolution": c.resolution,
                }
            )
