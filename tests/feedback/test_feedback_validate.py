"""Every way a row can be rejected, and what a good row becomes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from cxsync.feedback import ColumnMap, Rejection, RejectKind, Respondent, load_column_map
from cxsync.feedback.readers import SourceRow
from cxsync.feedback.scales import Scales
from cxsync.feedback.validate import PhaseCheck, RowRules, validate_row
from cxsync.models import Channel, Feedback, Metric
from tests.feedback.feedback_fakes import DictLookup

GOOD = {
    "response_id": "r1",
    "contact_id": "",
    "email": "Ayse.Kaya@Example.com.tr",
    "metric": "NPS",
    "score": "9",
    "phase": "Delivery",
    "channel": "e-posta",
    "submitted_at": "2026-11-23T14:05:00+03:00",
    "comment": "Teslimat zamanında",
    "action_required": "evet",
}


def _rules(column_map: ColumnMap | None = None, raw: dict[str, Any] | None = None) -> RowRules:
    cmap = column_map or load_column_map()
    return RowRules(
        columns=cmap.bind(raw or GOOD),
        scales=Scales(),
        default_tz=UTC,
        derive_response_id=cmap.derive_response_id,
    )


def _validate(
    raw: dict[str, Any],
    lookup: DictLookup,
    check_phase: PhaseCheck | None = None,
    column_map: ColumnMap | None = None,
) -> list[Feedback] | Rejection:
    row = SourceRow(7, raw)
    return validate_row("f.csv", row, _rules(column_map, raw), lookup, check_phase)


def test_good_row(lookup: DictLookup) -> None:
    (item,) = _validate(GOOD, lookup)  # type: ignore[misc]
    assert item == Feedback(
        response_id="r1",
        contact_id="C-200",
        email="ayse.kaya@example.com.tr",
        account_id="A-1",
        metric=Metric.NPS,
        score=9,
        phase="delivery",
        channel=Channel.EMAIL,
        submitted_at=datetime(2026, 11, 23, 11, 5, tzinfo=UTC),
        comment="Teslimat zamanında",
        action_required=True,
    )


def test_field_note_has_no_metric(lookup: DictLookup) -> None:
    raw = {**GOOD, "metric": "", "score": "", "channel": "ziyaret"}
    (note,) = _validate(raw, lookup)  # type: ignore[misc]
    assert note.is_note and note.score is None and note.channel is Channel.VISIT


REJECTIONS = [
    ("missing-id", {"response_id": ""}, RejectKind.MISSING_RESPONSE_ID, "'response_id' is empty"),
    (
        "no-respondent",
        {"email": "", "contact_id": ""},
        RejectKind.MISSING_RESPONDENT,
        "column 'contact_id' is empty and column 'email' is empty",
    ),
    ("bad-email", {"email": "ayse at example"}, RejectKind.INVALID_EMAIL, "'ayse at example'"),
    ("no-date", {"submitted_at": ""}, RejectKind.BAD_DATE, "'submitted_at' is empty"),
    ("bad-date", {"submitted_at": "yesterday"}, RejectKind.BAD_DATE, "'yesterday' is not a date"),
    ("unknown-metric", {"metric": "loyalty"}, RejectKind.UNKNOWN_METRIC, "'loyalty'"),
    ("score-no-metric", {"metric": ""}, RejectKind.MISSING_METRIC, "'9' has no metric"),
    ("metric-no-score", {"score": ""}, RejectKind.MISSING_SCORE, "'score' is empty"),
    ("word-score", {"score": "ten"}, RejectKind.BAD_SCORE, "'ten' is not a number"),
    ("nps-11", {"score": "11"}, RejectKind.OUT_OF_RANGE, "'11' must be between 0 and 10"),
    ("nps-neg", {"score": "-1"}, RejectKind.OUT_OF_RANGE, "'-1' must be between 0 and 10"),
    ("nps-3.5", {"score": "3.5"}, RejectKind.OUT_OF_RANGE, "'3.5' must be a whole number"),
    ("csat-6", {"metric": "csat", "score": "6"}, RejectKind.OUT_OF_RANGE, "between 1 and 5"),
    ("ces-0", {"metric": "ces", "score": "0"}, RejectKind.OUT_OF_RANGE, "between 1 and 7"),
    ("channel", {"channel": "pigeon"}, RejectKind.UNKNOWN_CHANNEL, "'pigeon' is not a channel"),
    ("flag", {"action_required": "maybe"}, RejectKind.BAD_FLAG, "'maybe' is not yes/no"),
    (
        "empty-note",
        {"metric": "", "score": "", "comment": ""},
        RejectKind.EMPTY_NOTE,
        "no score and no comment",
    ),
    (
        "unknown-respondent",
        {"email": "nobody@example.com"},
        RejectKind.UNKNOWN_RESPONDENT,
        "no contact with email 'nobody@example.com' is known (yet)",
    ),
    (
        "ineligible",
        {"email": "info@example.com.tr"},
        RejectKind.INELIGIBLE_RESPONDENT,
        "contact C-900 is kept out of scores",
    ),
]


@pytest.mark.parametrize(
    ("override", "kind", "fragment"),
    [r[1:] for r in REJECTIONS],
    ids=[r[0] for r in REJECTIONS],
)
def test_rejection(lookup: DictLookup, override: dict[str, str], kind: str, fragment: str) -> None:
    lookup.by_key["info@example.com.tr"] = Respondent("C-900", "A-1", eligible=False)
    raw = {**GOOD, **override}
    outcome = _validate(raw, lookup)
    assert isinstance(outcome, Rejection)
    assert (outcome.source, outcome.row_number, outcome.kind) == ("f.csv", 7, kind)
    assert fragment in outcome.reason
    assert outcome.raw == raw


def test_malformed_row_rejected_as_read(lookup: DictLookup) -> None:
    row = SourceRow(4, {"line": "{oops"}, "line is not valid JSON: Expecting value")
    outcome = validate_row("f.jsonl", row, _rules(), lookup)
    assert isinstance(outcome, Rejection)
    assert (outcome.kind, outcome.reason) == (RejectKind.MALFORMED_ROW, row.problem)


def test_every_problem_of_a_row_is_named(lookup: DictLookup) -> None:
    outcome = _validate({**GOOD, "score": "11", "submitted_at": "soon", "channel": "x"}, lookup)
    assert isinstance(outcome, Rejection)
    assert outcome.kind == RejectKind.BAD_DATE
    for fragment in ("'soon'", "'11'", "'x'"):
        assert fragment in outcome.reason


def test_phase_checked_with_respondent_persona(lookup: DictLookup) -> None:
    seen: list[tuple[str | None, str]] = []

    def check(persona: str | None, phase: str) -> str | None:
        seen.append((persona, phase))
        return None if phase == "delivery" else "not a stage of the site_chief journey"

    assert isinstance(_validate(GOOD, lookup, check), list)
    outcome = _validate({**GOOD, "phase": "Onboarding"}, lookup, check)
    assert isinstance(outcome, Rejection) and outcome.kind == RejectKind.BAD_PHASE
    assert "'onboarding'" in outcome.reason and "site_chief journey" in outcome.reason
    assert seen == [("site_chief", "delivery"), ("site_chief", "onboarding")]


def test_contact_id_wins_over_email(lookup: DictLookup) -> None:
    (item,) = _validate({**GOOD, "contact_id": "C-100"}, lookup)  # type: ignore[misc]
    assert (item.contact_id, item.account_id) == ("C-100", "A-2")


def test_contact_id_alone_is_enough(lookup: DictLookup) -> None:
    (item,) = _validate({**GOOD, "contact_id": "C-100", "email": "garbage"}, lookup)  # type: ignore[misc]
    assert item.contact_id == "C-100" and item.email is None


def test_wide_row_yields_one_item_per_metric(lookup: DictLookup) -> None:
    raw = {
        "response_id": "w1",
        "email": "ayse.kaya@example.com.tr",
        "submitted_at": "2026-11-23",
        "NPS": "10",
        "csat": "4,5",
        "CES": "",
        "mutluluk": "5",
    }
    items = _validate(raw, lookup)
    assert isinstance(items, list)
    assert [(i.response_id, i.metric, i.score) for i in items] == [
        ("w1:nps", Metric.NPS, 10),
        ("w1:csat", Metric.CSAT, 4.5),
        ("w1:happiness", Metric.HAPPINESS, 5),
    ]


def test_wide_row_with_one_bad_metric_is_rejected_whole(lookup: DictLookup) -> None:
    raw = {
        "response_id": "w1",
        "email": "ayse.kaya@example.com.tr",
        "submitted_at": "2026-11-23",
        "nps": "10",
        "csat": "9",
    }
    outcome = _validate(raw, lookup)
    assert isinstance(outcome, Rejection) and outcome.kind == RejectKind.OUT_OF_RANGE
    assert "CSAT score in column 'csat' value '9'" in outcome.reason
    assert outcome.key == "w1"


def test_derived_response_id_is_stable(lookup: DictLookup) -> None:
    cmap = ColumnMap(derive_response_id=True)
    raw = {**GOOD, "response_id": ""}
    (first,) = _validate(raw, lookup, column_map=cmap)  # type: ignore[misc]
    (again,) = _validate(dict(raw), lookup, column_map=cmap)  # type: ignore[misc]
    (other,) = _validate({**raw, "score": "8"}, lookup, column_map=cmap)  # type: ignore[misc]
    assert first.response_id.startswith("row-")
    assert first.response_id == again.response_id != other.response_id


def test_defaults_fill_missing_columns(lookup: DictLookup) -> None:
    cmap = ColumnMap(defaults={"channel": "sms", "metric": "csat"})
    raw = {k: v for k, v in GOOD.items() if k not in ("channel", "metric")} | {"score": "4"}
    (item,) = _validate(raw, lookup, column_map=cmap)  # type: ignore[misc]
    assert (item.channel, item.metric, item.score) == (Channel.SMS, Metric.CSAT, 4)


def test_missing_columns_named_as_missing(lookup: DictLookup) -> None:
    outcome = _validate({"metric": "nps", "score": "9"}, lookup)
    assert isinstance(outcome, Rejection) and outcome.kind == RejectKind.MISSING_RESPONSE_ID
    assert outcome.reason == (
        "the file has no response_id column (every response needs an id); "
        "no respondent: the file has no contact_id column and the file has no email column; "
        "the file has no submitted_at column"
    )
