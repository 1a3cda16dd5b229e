"""Closing the loop: which follow-up tasks an account's feedback and score call for.

Keys are stable, so the engine can create each task exactly once across re-runs and crashes:
a response-triggered task is keyed on the response id, an account-triggered one on the
previous score it moved away from.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cxsync.health.inputs import AccountInput
from cxsync.health.model import FollowUpRules
from cxsync.health.score import AccountHealth
from cxsync.models import Feedback, FollowUpTask, Metric

__all__ = ["followup_tasks"]


def _who(inputs: AccountInput, response: Feedback) -> str:
    names = {c.contact_id: c.display_name for c in inputs.contacts}
    return names.get(response.contact_id or "", response.email or "a contact")


def _task(
    inputs: AccountInput,
    key: str,
    subject: str,
    body: str,
    now: datetime,
    rules: FollowUpRules,
    priority: str,
    contact_id: str | None = None,
) -> FollowUpTask:
    return FollowUpTask(
        key=key,
        account_id=inputs.account_id,
        contact_id=contact_id,
        owner_id=inputs.owner_id,
        subject=subject[:255],
        body=body,
        due=(now + timedelta(days=rules.due_days)).date(),
        priority=priority,
    )


def _response_body(inputs: AccountInput, r: Feedback) -> str:
    lines = [f"Account: {inputs.name}", f"Respondent: {_who(inputs, r)}"]
    if r.metric is not None:
        lines.append(f"{r.metric.value.upper()}: {r.score:g}")
    if r.phase:
        lines.append(f"Journey phase: {r.phase}")
    lines.append(f"Channel: {r.channel.value}, {r.submitted_at.date().isoformat()}")
    if r.comment:
        lines.append(f"Comment: {r.comment}")
    return "\n".join(lines)


def _response_rule(r: Feedback, rules: FollowUpRules) -> tuple[str, str] | None:
    if r.is_note:
        return ("field_note", "high") if rules.field_notes and r.action_required else None
    score = r.score if r.score is not None else 0
    if r.metric is Metric.NPS and rules.nps_detractor and score <= 6:
        return "nps_detractor", "high"
    if r.metric is Metric.CSAT and rules.csat_max is not None and score <= rules.csat_max:
        return "low_csat", "high"
    if r.metric is Metric.CES and rules.ces_max is not None and score <= rules.ces_max:
        return "low_ces", "normal"
    return None


def followup_tasks(
    inputs: AccountInput, health: AccountHealth, rules: FollowUpRules, now: datetime
) -> list[FollowUpTask]:
    """The tasks this account calls for now (the engine drops those already created)."""
    since = now - timedelta(days=rules.lookback_days)
    eligible = {c.contact_id for c in inputs.contacts if c.eligible}
    tasks = []
    for r in sorted(inputs.responses, key=lambda r: (r.submitted_at, r.response_id)):
        if r.submitted_at < since or r.contact_id not in eligible:
            continue
        hit = _response_rule(r, rules)
        if hit is None:
            continue
        rule, priority = hit
        what = (
            "Field note needs action"
            if rule == "field_note"
            else (f"{r.metric.value.upper() if r.metric else ''} {r.score:g}")
        )
        tasks.append(
            _task(
                inputs,
                f"{inputs.account_id}:{rule}:{r.response_id}",
                f"{what} from {_who(inputs, r)} — {inputs.name}",
                _response_body(inputs, r),
                now,
                rules,
                priority,
                r.contact_id,
            )
        )
    previous = inputs.previous
    since_key = previous.computed_at.isoformat() if previous else "first-score"
    if rules.turned_red and health.band == "red" and (previous is None or previous.band != "red"):
        tasks.append(
            _task(
                inputs,
                f"{inputs.account_id}:turned_red:{since_key}",
                f"{inputs.name} turned red (health {health.score})",
                _account_body(inputs, health),
                now,
                rules,
                "high",
            )
        )
    if (
        rules.drop_points is not None
        and previous is not None
        and previous.score is not None
        and health.score is not None
        and previous.score - health.score > rules.drop_points
    ):
        tasks.append(
            _task(
                inputs,
                f"{inputs.account_id}:score_drop:{since_key}",
                f"{inputs.name} health fell {previous.score} → {health.score}",
                _account_body(inputs, health),
                now,
                rules,
                "high",
            )
        )
    return tasks


def _account_body(inputs: AccountInput, health: AccountHealth) -> str:
    from cxsync.health.score import explain

    return "\n".join([f"Account: {inputs.name}", *explain(health)])
