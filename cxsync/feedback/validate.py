"""Turning one raw feedback row into :class:`~cxsync.models.Feedback` — or a rejection.

A row is atomic: it is imported whole (one response per metric it carries) or rejected
whole, with every problem found named in the reason (column, value, rule). Nothing here
raises on bad data; the importer decides where each outcome goes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Any, Protocol

from pydantic import ValidationError

from cxsync.feedback.columns import BoundColumns
from cxsync.feedback.readers import SourceRow
from cxsync.feedback.scales import Scales
from cxsync.feedback.values import DateOrder, parse_datetime, parse_number
from cxsync.feedback.vocab import fold, parse_channel, parse_flag, parse_metric
from cxsync.models import Channel, Feedback, Metric, describe_validation_error

__all__ = [
    "PhaseCheck",
    "RejectKind",
    "Rejection",
    "Respondent",
    "RespondentLookup",
    "RowRules",
    "validate_row",
]

PhaseCheck = Callable[[str | None, str], str | None]
"""(persona key of the respondent, phase) → why the phase is wrong, or None."""

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class RejectKind(StrEnum):
    """The ``kind`` of every rejection, as written to the quarantine and rejects file."""

    MALFORMED_ROW = "malformed_row"
    MISSING_RESPONSE_ID = "missing_response_id"
    MISSING_RESPONDENT = "missing_respondent"
    INVALID_EMAIL = "invalid_email"
    BAD_DATE = "bad_date"
    UNKNOWN_METRIC = "unknown_metric"
    MISSING_METRIC = "missing_metric"
    MISSING_SCORE = "missing_score"
    BAD_SCORE = "bad_score"
    OUT_OF_RANGE = "out_of_range"
    UNKNOWN_CHANNEL = "unknown_channel"
    BAD_FLAG = "bad_flag"
    EMPTY_NOTE = "empty_note"
    INVALID_RECORD = "invalid_record"
    UNKNOWN_RESPONDENT = "unknown_respondent"
    INELIGIBLE_RESPONDENT = "ineligible_respondent"
    BAD_PHASE = "bad_phase"
    CONFLICTING_DUPLICATE = "conflicting_duplicate"
    UNREADABLE_FILE = "unreadable_file"


@dataclass(frozen=True)
class Rejection:
    """A row that was not imported, and why. Kept in the quarantine and the rejects file."""

    source: str
    row_number: int
    kind: str
    reason: str
    raw: dict[str, Any]
    key: str | None = None


@dataclass(frozen=True)
class Respondent:
    """The CRM contact a response belongs to.

    ``eligible`` is False for contacts kept out of scores (generic or invalid mailboxes,
    duplicates); their responses are quarantined as ``ineligible_respondent``.
    """

    contact_id: str
    account_id: str | None = None
    persona: str | None = None
    eligible: bool = True


class RespondentLookup(Protocol):
    """Finds the contact behind a response (CRM id first, then normalised email)."""

    def resolve(self, contact_id: str | None, email_normalized: str | None) -> Respondent | None:
        """The respondent, or None when no such contact is known (yet)."""
        ...


@dataclass(frozen=True)
class RowRules:
    """Everything validation needs besides the row itself."""

    columns: BoundColumns
    scales: Scales
    default_tz: tzinfo
    date_order: DateOrder = "auto"
    derive_response_id: bool = False


@dataclass
class _Checked:
    problems: list[tuple[str, str]] = field(default_factory=list)

    def add(self, kind: str, reason: str) -> None:
        self.problems.append((kind, reason))


def validate_row(
    source: str,
    row: SourceRow,
    rules: RowRules,
    lookup: RespondentLookup,
    check_phase: PhaseCheck | None = None,
) -> list[Feedback] | Rejection:
    """Validate and match one row: its feedback items, or the reason it is rejected."""
    if row.problem is not None:
        # a response id, when the row still carries one, keeps its quarantine entry unique
        key = str(row.raw.get("response_id") or "") or None
        return Rejection(
            source, row.row_number, RejectKind.MALFORMED_ROW, row.problem, row.raw, key
        )
    cols, raw, checked = rules.columns, row.raw, _Checked()
    response_id = _response_id(raw, rules, checked)
    contact_id, email = _respondent_keys(raw, cols, checked)
    submitted_at = _submitted_at(raw, rules, checked)
    channel = _channel(raw, cols, checked)
    action = _action_required(raw, cols, checked)
    scores = _scores(raw, rules, checked)
    comment = cols.get(raw, "comment") or None
    if not scores and comment is None and not checked.problems:
        checked.add(RejectKind.EMPTY_NOTE, "row has no score and no comment (a note needs text)")

    def reject(kind: str, reason: str) -> Rejection:
        return Rejection(source, row.row_number, kind, reason, raw, response_id or None)

    if checked.problems:
        return reject(checked.problems[0][0], "; ".join(r for _, r in checked.problems))
    who = lookup.resolve(contact_id, email)
    if who is None:
        return reject(RejectKind.UNKNOWN_RESPONDENT, f"no contact {_who(contact_id, email)}")
    if not who.eligible:
        return reject(
            RejectKind.INELIGIBLE_RESPONDENT,
            f"contact {who.contact_id} is kept out of scores (generic, invalid or duplicate)",
        )
    phase = _phase_key(cols.get(raw, "phase"))
    if phase is not None and check_phase is not None:
        problem = check_phase(who.persona, phase)
        if problem is not None:
            return reject(RejectKind.BAD_PHASE, f"{_cell(cols, 'phase', phase)}: {problem}")
    base = {
        "contact_id": who.contact_id,
        "email": email,
        "account_id": who.account_id,
        "phase": phase,
        "channel": channel,
        "submitted_at": submitted_at,
        "comment": comment,
        "action_required": action,
    }
    try:
        return _items(response_id, scores, base)
    except ValidationError as exc:
        return reject(RejectKind.INVALID_RECORD, describe_validation_error(response_id, exc))


def _items(
    response_id: str, scores: list[tuple[Metric, float, bool]], base: dict[str, Any]
) -> list[Feedback]:
    """One note, or one response per score (wide scores get ``:<metric>`` ids)."""
    if not scores:
        return [Feedback(response_id=response_id, **base)]
    return [
        Feedback(response_id=_item_id(response_id, m, wide), metric=m, score=s, **base)
        for m, s, wide in scores
    ]


def _item_id(response_id: str, metric: Metric, wide: bool) -> str:
    return f"{response_id}:{metric.value}" if wide else response_id


def _cell(cols: BoundColumns, field: str, value: str) -> str:
    return f"column {cols.header(field)!r} value {value!r}"


def _who(contact_id: str | None, email: str | None) -> str:
    parts = [
        f"with id {contact_id!r}" if contact_id else "",
        f"with email {email!r}" if email else "",
    ]
    return " or ".join(p for p in parts if p) + " is known (yet)"


def _response_id(raw: Mapping[str, Any], rules: RowRules, checked: _Checked) -> str:
    value = rules.columns.get(raw, "response_id")
    if value:
        return value
    if rules.derive_response_id:
        content = json.dumps(sorted((k, str(v)) for k, v in raw.items()), ensure_ascii=False)
        return "row-" + hashlib.sha256(content.encode()).hexdigest()[:24]
    checked.add(
        RejectKind.MISSING_RESPONSE_ID,
        f"{rules.columns.empty('response_id')} (every response needs an id)",
    )
    return ""


def _respondent_keys(
    raw: Mapping[str, Any], cols: BoundColumns, checked: _Checked
) -> tuple[str | None, str | None]:
    contact_id = cols.get(raw, "contact_id") or None
    email_text = cols.get(raw, "email")
    email = email_text.lower() if _EMAIL.match(email_text) else None
    if email_text and email is None and contact_id is None:
        checked.add(
            RejectKind.INVALID_EMAIL, f"{_cell(cols, 'email', email_text)} is not an address"
        )
    elif contact_id is None and not email_text:
        checked.add(
            RejectKind.MISSING_RESPONDENT,
            f"no respondent: {cols.empty('contact_id')} and {cols.empty('email')}",
        )
    return contact_id, email


def _submitted_at(raw: Mapping[str, Any], rules: RowRules, checked: _Checked) -> datetime | None:
    cols = rules.columns
    text = cols.get(raw, "submitted_at")
    if not text:
        checked.add(RejectKind.BAD_DATE, cols.empty("submitted_at"))
        return None
    value = parse_datetime(text, default_tz=rules.default_tz, order=rules.date_order)
    if isinstance(value, str):
        checked.add(RejectKind.BAD_DATE, f"{_cell(cols, 'submitted_at', text)} {value}")
        return None
    return value


def _channel(raw: Mapping[str, Any], cols: BoundColumns, checked: _Checked) -> Channel:
    text = cols.get(raw, "channel")
    if not text:
        return Channel.OTHER
    channel = parse_channel(text)
    if channel is None:
        checked.add(
            RejectKind.UNKNOWN_CHANNEL,
            f"{_cell(cols, 'channel', text)} is not a channel "
            "(email, sms, visit, call, meeting, web, other)",
        )
        return Channel.OTHER
    return channel


def _action_required(raw: Mapping[str, Any], cols: BoundColumns, checked: _Checked) -> bool:
    text = cols.get(raw, "action_required")
    if not text:
        return False
    flag = parse_flag(text)
    if flag is None:
        checked.add(RejectKind.BAD_FLAG, f"{_cell(cols, 'action_required', text)} is not yes/no")
        return False
    return flag


def _phase_key(text: str) -> str | None:
    return fold(text).replace(" ", "_") or None


def _scores(
    raw: Mapping[str, Any], rules: RowRules, checked: _Checked
) -> list[tuple[Metric, float, bool]]:
    cols = rules.columns
    found: list[tuple[Metric, float, bool]] = []
    metric_text, score_text = cols.get(raw, "metric"), cols.get(raw, "score")
    if metric_text or score_text:
        metric = parse_metric(metric_text) if metric_text else None
        if not metric_text:
            checked.add(
                RejectKind.MISSING_METRIC, f"{_cell(cols, 'score', score_text)} has no metric"
            )
        elif metric is None:
            checked.add(
                RejectKind.UNKNOWN_METRIC,
                f"{_cell(cols, 'metric', metric_text)} is not a metric (nps, csat, ces, happiness)",
            )
        elif not score_text:
            checked.add(RejectKind.MISSING_SCORE, cols.empty("score"))
        else:
            _score(metric, cols.header("score"), score_text, rules.scales, checked, found, False)
    for metric, header in cols.wide.items():
        text = _plain(raw.get(header))
        if text:
            _score(metric, header, text, rules.scales, checked, found, True)
    return found


def _plain(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _score(
    metric: Metric,
    header: str,
    text: str,
    scales: Scales,
    checked: _Checked,
    found: list[tuple[Metric, float, bool]],
    wide: bool,
) -> None:
    where = f"{metric.value.upper()} score in column {header!r} value {text!r}"
    value = parse_number(text)
    if value is None:
        checked.add(RejectKind.BAD_SCORE, f"{where} is not a number")
        return
    problem = scales.for_metric(metric).problem(value)
    if problem is not None:
        checked.add(RejectKind.OUT_OF_RANGE, f"{where} {problem}")
        return
    found.append((metric, value, wide))
