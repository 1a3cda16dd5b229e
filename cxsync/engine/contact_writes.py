"""Stage 3: one write per changed contact, combining hygiene, roles and feedback results.

Contacts changed in this run (or with new feedback) are marked dirty in the store. Here
they are taken in batches: the desired hygiene/role values saved by the pull stage are
merged with the roll-up of the contact's feedback, compared with what the CRM holds and
what cxsync wrote last, and only the differences are queued.
"""

from __future__ import annotations

from cxsync.engine.context import RunContext
from cxsync.engine.planner import plan_record
from cxsync.engine.summary import RunSummary
from cxsync.engine.writer import WriteQueue
from cxsync.models import ObjectType

__all__ = ["write_contacts"]

_CONTACT = ObjectType.CONTACT.value


def write_contacts(
    ctx: RunContext, queue: WriteQueue, summary: RunSummary, batch: int = 1000
) -> None:
    from cxsync.feedback import contact_fields, rollup_contact

    stage = summary.stage("contact_results")
    specs = [f.spec for f in ctx.field_map.for_object(ObjectType.CONTACT)]
    done: set[str] = set()
    while True:
        ids = [i for i in ctx.store.dirty(ctx.scope, _CONTACT, batch + len(done)) if i not in done]
        if not ids:
            break
        ids = ids[:batch]
        rows = ctx.store.get_contacts(ctx.scope, ids)
        desired = ctx.store.get_desired(ctx.scope, _CONTACT, ids)
        crm = ctx.store.get_crm_values(ctx.scope, _CONTACT, ids)
        last = ctx.store.get_written(ctx.scope, _CONTACT, ids)
        feedback = ctx.store.feedback_for_contacts(ctx.scope, ids)
        for contact_id in ids:
            row = rows.get(contact_id)
            if row is None or row.deleted:
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
        queue.flush()
        if summary.dry_run:
            done.update(ids)
        else:
            ctx.store.clear_dirty(ctx.scope, _CONTACT, ids)
        stage.add("considered", len(ids))


def _note_conflicts(summary: RunSummary, conflicts: list) -> None:  # type: ignore[type-arg]
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
