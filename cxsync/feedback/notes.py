"""Field notes (feedback from a visit, call or meeting) as CRM activity notes."""

from __future__ import annotations

from cxsync.models import ActivityNote, Feedback

__all__ = ["note_for"]


def note_for(feedback: Feedback, *, account_id: str | None, owner_id: str | None) -> ActivityNote:
    """The CRM note for a field note (or any response): keyed by its response id.

    The body names the channel, phase and respondent, then the comment as written.
    """
    who = feedback.email or feedback.contact_id or "unknown respondent"
    lines = [f"Customer feedback ({feedback.channel.value})"]
    if feedback.phase:
        lines.append(f"Journey phase: {feedback.phase}")
    lines.append(f"Respondent: {who}")
    if feedback.metric is not None and feedback.score is not None:
        score = int(feedback.score) if feedback.score.is_integer() else feedback.score
        lines.append(f"{feedback.metric.value.upper()}: {score}")
    if feedback.action_required:
        lines.append("Action required: yes")
    if feedback.comment:
        lines.extend(("", feedback.comment))
    return ActivityNote(
        key=feedback.response_id,
        account_id=account_id if account_id is not None else feedback.account_id,
        contact_id=feedback.contact_id,
        owner_id=owner_id,
        body="\n".join(lines),
        occurred_at=feedback.submitted_at,
        channel=feedback.channel,
    )
