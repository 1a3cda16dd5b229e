"""HubSpot's own survey responses (feedback submissions) as a cxsync feedback source.

Feedback submissions are read-only in HubSpot's API. They are read incrementally like any
object (search on ``hs_lastmodifieddate``) and become :class:`cxsync.models.Feedback`
with a ``hubspot:`` response id, so the ledger keeps them apart from imported files and a
re-read changes nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cxsync.models import Channel, Feedback, Metric
from cxsync_hubspot.convert import parse_time
from cxsync_hubspot.reads import RawRecord

__all__ = ["FEEDBACK_PROPERTIES", "to_feedback"]

FEEDBACK_PROPERTIES = [
    "hs_survey_type",
    "hs_survey_name",
    "hs_value",
    "hs_content",
    "hs_survey_channel",
    "hs_submission_timestamp",
    "hs_contact_id",
    "hs_contact_email_rollup",
]
_METRICS = {"NPS": Metric.NPS, "CSAT": Metric.CSAT, "CES": Metric.CES}
_CHANNELS = {
    "EMAIL": Channel.EMAIL,
    "SMS": Channel.SMS,
    "WEB": Channel.WEB,
    "LINK": Channel.WEB,
    "CHAT": Channel.WEB,
}


def to_feedback(record: RawRecord) -> Feedback | dict[str, Any]:
    """A Feedback, or the raw row (with a reason) when it cannot be one.

    Custom surveys carry no standard metric and knowledge-base ratings are not about the
    customer relationship; both come back as rows for the quarantine, never dropped.
    """
    p = record.properties
    survey = str(p.get("hs_survey_type") or "").upper()
    metric = _METRICS.get(survey)
    row = {"response_id": f"hubspot:{record.id}", **{k: v for k, v in p.items() if v is not None}}
    if metric is None:
        return {**row, "reason": f"survey type {survey or 'missing'} has no cxsync metric"}
    stamp = p.get("hs_submission_timestamp") or record.updated_at
    if stamp is None:
        return {**row, "reason": "no submission time"}
    try:
        score = float(p["hs_value"]) if p.get("hs_value") not in (None, "") else None
    except ValueError:
        return {**row, "reason": f"score {p.get('hs_value')!r} is not a number"}
    if score is None:
        return {**row, "reason": "no score"}
    return Feedback(
        response_id=row["response_id"],
        contact_id=str(p["hs_contact_id"]) if p.get("hs_contact_id") else None,
        email=p.get("hs_contact_email_rollup") or None,
        metric=metric,
        score=score,
        channel=_CHANNELS.get(str(p.get("hs_survey_channel") or "").upper(), Channel.OTHER),
        submitted_at=parse_time(stamp),
        comment=p.get("hs_content") or None,
        source="hubspot",
    )


def feedback_pages(pages: Iterator[tuple[list[RawRecord], str]]) -> Iterator[tuple[list[Any], str]]:
    for records, cursor in pages:
        yield [to_feedback(r) for r in records], cursor
