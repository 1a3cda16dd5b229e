"""Per-contact results: the latest score of each metric, NPS category, last comment.

:func:`rollup_contact` summarises a contact's ledger entries; :func:`contact_fields` turns
the summary into the canonical CRM field values (JSON-simple: int, float, str or None).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from cxsync.models import ContactCX, Feedback, Metric, NpsCategory
from cxsync.schema import FieldSpec, FieldType

__all__ = ["TRUNCATION_MARKER", "contact_fields", "nps_category", "rollup_contact"]

TRUNCATION_MARKER = " …[truncated]"

_FACTOR = {NpsCategory.PROMOTER: 1, NpsCategory.PASSIVE: 0, NpsCategory.DETRACTOR: -1}


def nps_category(score: float) -> NpsCategory:
    """Promoter (9–10), passive (7–8) or detractor (0–6)."""
    if score >= 9:
        return NpsCategory.PROMOTER
    if score >= 7:
        return NpsCategory.PASSIVE
    return NpsCategory.DETRACTOR


def _order(item: Feedback) -> tuple[datetime, str]:
    # the same instant twice is broken by response id, so every run picks the same one
    return (item.submitted_at, item.response_id)


def rollup_contact(contact_id: str, responses: Iterable[Feedback]) -> ContactCX:
    """Summarise one contact's feedback (survey responses and field notes).

    The latest response per metric wins (by ``submitted_at``, ties by response id); the
    latest comment may come from a response or a note; ``response_count`` counts survey
    responses only, each response id once.
    """
    unique = {item.response_id: item for item in responses}
    latest: dict[Metric, Feedback] = {}
    last_comment: Feedback | None = None
    last_at: datetime | None = None
    count = 0
    for item in unique.values():
        last_at = item.submitted_at if last_at is None else max(last_at, item.submitted_at)
        if item.comment and (last_comment is None or _order(item) > _order(last_comment)):
            last_comment = item
        if item.metric is None or item.score is None:
            continue
        count += 1
        held = latest.get(item.metric)
        if held is None or _order(item) > _order(held):
            latest[item.metric] = item
    nps = latest.get(Metric.NPS)
    category = nps_category(nps.score) if nps is not None and nps.score is not None else None
    return ContactCX(
        contact_id=contact_id,
        latest={m: f.score for m, f in latest.items() if f.score is not None},
        latest_at={m: f.submitted_at for m, f in latest.items()},
        latest_phase={m: f.phase for m, f in latest.items()},
        nps_category=category,
        nps_factor=_FACTOR[category] if category is not None else None,
        last_comment=last_comment.comment if last_comment is not None else None,
        last_feedback_at=last_at,
        response_count=count,
    )


def _number(value: float | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def _date(value: datetime | None) -> str | None:
    return value.astimezone(UTC).date().isoformat() if value is not None else None


def _datetime(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _all_values(cx: ContactCX) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for metric in Metric:
        values[f"cx_{metric.value}_score"] = _number(cx.latest.get(metric))
        values[f"cx_{metric.value}_date"] = _date(cx.latest_at.get(metric))
    values["cx_nps_phase"] = cx.latest_phase.get(Metric.NPS)
    values["cx_nps_category"] = cx.nps_category.value if cx.nps_category else None
    values["cx_nps_factor"] = cx.nps_factor
    values["cx_last_comment"] = cx.last_comment
    values["cx_last_feedback_at"] = _datetime(cx.last_feedback_at)
    values["cx_response_count"] = cx.response_count
    return values


def truncate(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters, ending with a visible marker when cut."""
    if len(text) <= length:
        return text
    if length <= len(TRUNCATION_MARKER):
        return text[:length]
    return text[: length - len(TRUNCATION_MARKER)].rstrip() + TRUNCATION_MARKER


def contact_fields(cx: ContactCX, specs: Sequence[FieldSpec]) -> dict[str, Any]:
    """The canonical contact field values of a roll-up, for the fields in ``specs``.

    Only fields named in ``specs`` (the CRM's mapped contact fields) are returned; text is
    truncated to the spec's length with :data:`TRUNCATION_MARKER` (the ledger keeps the
    whole comment). A metric without a response gives None for its fields.
    """
    values = _all_values(cx)
    out: dict[str, Any] = {}
    for spec in specs:
        if spec.name not in values:
            continue
        value = values[spec.name]
        text_field = spec.type in (FieldType.TEXT, FieldType.LONG_TEXT)
        if isinstance(value, str) and text_field and spec.length is not None:
            value = truncate(value, spec.length)
        out[spec.name] = value
    return out
