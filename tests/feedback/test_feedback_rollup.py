"""Roll-up per contact, the canonical field values, truncation and field notes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cxsync.feedback import (
    TRUNCATION_MARKER,
    contact_fields,
    note_for,
    nps_category,
    rollup_contact,
)
from cxsync.models import Channel, ContactCX, Feedback, Metric, NpsCategory, ObjectType
from cxsync.schema import FieldSpec, FieldType, canonical_fields

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
CONTACT_SPECS = [s for s in canonical_fields() if s.object is ObjectType.CONTACT]


def _fb(
    rid: str,
    metric: Metric | None,
    score: float | None,
    days: float = 0,
    *,
    phase: str | None = None,
    comment: str | None = None,
) -> Feedback:
    return Feedback(
        response_id=rid,
        contact_id="C1",
        metric=metric,
        score=score,
        phase=phase,
        submitted_at=T0 + timedelta(days=days),
        comment=comment,
    )


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0, NpsCategory.DETRACTOR),
        (6, NpsCategory.DETRACTOR),
        (7, NpsCategory.PASSIVE),
        (8, NpsCategory.PASSIVE),
        (9, NpsCategory.PROMOTER),
        (10, NpsCategory.PROMOTER),
    ],
    ids=["0", "6", "7", "8", "9", "10"],
)
def test_nps_category_boundaries(score: int, category: NpsCategory) -> None:
    assert nps_category(score) is category
    cx = rollup_contact("C1", [_fb("r", Metric.NPS, score)])
    factor = {NpsCategory.PROMOTER: 1, NpsCategory.PASSIVE: 0, NpsCategory.DETRACTOR: -1}
    assert (cx.nps_category, cx.nps_factor) == (category, factor[category])


def test_latest_score_per_metric_wins() -> None:
    cx = rollup_contact(
        "C1",
        [
            _fb("n2", Metric.NPS, 4, days=5, phase="usage"),
            _fb("n1", Metric.NPS, 10, days=1, phase="delivery"),
            _fb("c1", Metric.CSAT, 3, days=9),
            _fb("c0", Metric.CSAT, 5, days=2),
        ],
    )
    assert cx.latest == {Metric.NPS: 4, Metric.CSAT: 3}
    assert cx.latest_phase[Metric.NPS] == "usage"
    assert cx.latest_at[Metric.CSAT] == T0 + timedelta(days=9)
    assert (cx.nps_category, cx.nps_factor) == (NpsCategory.DETRACTOR, -1)


def test_ties_broken_by_response_id_whatever_the_order() -> None:
    a, b = _fb("r-a", Metric.NPS, 2), _fb("r-b", Metric.NPS, 9)
    assert rollup_contact("C1", [a, b]).latest[Metric.NPS] == 9
    assert rollup_contact("C1", [b, a]).latest[Metric.NPS] == 9


def test_notes_give_comment_but_not_count() -> None:
    cx = rollup_contact(
        "C1",
        [
            _fb("s1", Metric.CSAT, 4, days=1, comment="survey words"),
            _fb("note", None, None, days=3, comment="visit words"),
            _fb("s2", Metric.NPS, 8, days=2),
            _fb("s2", Metric.NPS, 8, days=2),  # the same response twice counts once
        ],
    )
    assert cx.response_count == 2
    assert cx.last_comment == "visit words"
    assert cx.last_feedback_at == T0 + timedelta(days=3)


def test_only_notes() -> None:
    cx = rollup_contact("C1", [_fb("note", None, None, comment="hello")])
    assert (cx.latest, cx.nps_category, cx.response_count) == ({}, None, 0)


def test_canonical_field_values() -> None:
    cx = rollup_contact(
        "C1",
        [
            _fb("n", Metric.NPS, 9, days=1, phase="delivery", comment="iyi"),
            _fb("c", Metric.CSAT, 4.5, days=2),
            _fb("e", Metric.CES, 6, days=3),
        ],
    )
    assert contact_fields(cx, CONTACT_SPECS) == {
        "cx_nps_score": 9,
        "cx_nps_date": "2026-11-02",
        "cx_nps_phase": "delivery",
        "cx_nps_category": "promoter",
        "cx_nps_factor": 1,
        "cx_csat_score": 4.5,
        "cx_csat_date": "2026-11-03",
        "cx_ces_score": 6,
        "cx_ces_date": "2026-11-04",
        "cx_happiness_score": None,
        "cx_happiness_date": None,
        "cx_last_comment": "iyi",
        "cx_last_feedback_at": "2026-11-04T09:00:00Z",
        "cx_response_count": 3,
    }
    assert isinstance(contact_fields(cx, CONTACT_SPECS)["cx_nps_score"], int)


def test_only_mapped_fields_are_returned() -> None:
    cx = rollup_contact("C1", [_fb("n", Metric.NPS, 7)])
    specs = [s for s in CONTACT_SPECS if s.name in ("cx_nps_score", "cx_persona")]
    assert contact_fields(cx, specs) == {"cx_nps_score": 7}


def test_dates_are_utc() -> None:
    late = Feedback(
        response_id="r",
        metric=Metric.NPS,
        score=5,
        submitted_at=datetime.fromisoformat("2026-11-24T01:30:00+03:00"),
    )
    values = contact_fields(rollup_contact("C1", [late]), CONTACT_SPECS)
    assert (values["cx_nps_date"], values["cx_last_feedback_at"]) == (
        "2026-11-23",
        "2026-11-23T22:30:00Z",
    )


@pytest.mark.parametrize(
    ("length", "comment", "expected"),
    [
        (20, "short", "short"),
        (20, "x" * 20, "x" * 20),
        (20, "y" * 21, "y" * (20 - len(TRUNCATION_MARKER)) + TRUNCATION_MARKER),
        (5, "abcdefgh", "abcde"),
    ],
    ids=["fits", "exact", "cut-with-marker", "tiny-field"],
)
def test_long_comment_truncated_to_field(length: int, comment: str, expected: str) -> None:
    spec = FieldSpec(
        name="cx_last_comment",
        object=ObjectType.CONTACT,
        type=FieldType.LONG_TEXT,
        label="c",
        length=length,
    )
    cx = ContactCX(contact_id="C1", last_comment=comment)
    value = contact_fields(cx, [spec])["cx_last_comment"]
    assert value == expected and len(value) <= length


def test_shipped_comment_limit_keeps_ledger_whole() -> None:
    words = "Şantiye şefi ürün çok iyi. " * 400
    item = _fb("n", None, None, comment=words)
    value = contact_fields(rollup_contact("C1", [item]), CONTACT_SPECS)["cx_last_comment"]
    assert 3990 < len(value) <= 4000 and value.endswith(TRUNCATION_MARKER)
    assert item.comment == words.strip()


def test_note_for_field_note() -> None:
    note = Feedback(
        response_id="n-1",
        contact_id="C-200",
        email="ayse.kaya@example.com.tr",
        account_id="A-1",
        phase="delivery",
        channel=Channel.VISIT,
        submitted_at=T0,
        comment="Vinç teslimatı gecikti.",
        action_required=True,
    )
    activity = note_for(note, account_id="A-1", owner_id="U-7")
    assert (activity.key, activity.account_id, activity.contact_id, activity.owner_id) == (
        "n-1",
        "A-1",
        "C-200",
        "U-7",
    )
    assert (activity.channel, activity.occurred_at) == (Channel.VISIT, T0)
    assert activity.body == (
        "Customer feedback (visit)\n"
        "Journey phase: delivery\n"
        "Respondent: ayse.kaya@example.com.tr\n"
        "Action required: yes\n"
        "\n"
        "Vinç teslimatı gecikti."
    )


def test_note_for_response_names_score_and_falls_back_to_feedback_account() -> None:
    activity = note_for(_fb("s", Metric.NPS, 3), account_id=None, owner_id=None)
    assert "NPS: 3" in activity.body and "Respondent: C1" in activity.body
    assert activity.account_id is None
