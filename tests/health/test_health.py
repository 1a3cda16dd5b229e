"""Account health: transforms, redistribution, roll-ups, bands, trend, coverage, follow-ups."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cxsync.health import (
    AccountHealth,
    AccountInput,
    ContactInput,
    PreviousScore,
    account_fields,
    account_nps,
    decay,
    explain,
    followup_tasks,
    load_health_models,
    portfolio_nps,
    score_account,
)
from cxsync.models import Channel, Feedback, Metric

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
MODELS = load_health_models()
DEFAULT = MODELS.for_segment(None)


def fb(
    rid: str,
    contact: str,
    metric: Metric | None,
    score: float | None,
    days_ago: float = 1,
    **kw: Any,
) -> Feedback:
    return Feedback(
        response_id=rid,
        contact_id=contact,
        account_id="A1",
        metric=metric,
        score=score,
        submitted_at=NOW - timedelta(days=days_ago),
        channel=Channel.EMAIL,
        **kw,
    )


CONTACTS = (
    ContactInput("DM", "Gülşen Doğan", ("decision_maker",), "executive"),
    ContactInput("AP", "Ayşe Demir", ("approver",), "procurement"),
    ContactInput("EU", "Hasan Er", ("end_user",), "production"),
    ContactInput("GEN", "info@", (), None, eligible=False),
)


def account(*responses: Feedback, **kw: Any) -> AccountInput:
    base = AccountInput(
        account_id="A1",
        name="Boğaziçi Yapı",
        segment=None,
        owner_id="owner-1",
        contacts=CONTACTS,
        responses=tuple(responses),
    )
    return replace(base, **kw)


def test_decay_halves_every_half_life() -> None:
    assert decay(NOW - timedelta(days=180), NOW, 180) == pytest.approx(0.5)
    assert decay(NOW, NOW, 180) == 1.0


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("all_responses", -100 / 3),
        ("latest_per_contact", 0.0),
        ("waterfall", 100.0),
        ("role_weighted", 100 * (3 - 1) / (3 + 1)),
    ],
    ids=["all", "latest", "waterfall", "role-weighted"],
)
def test_nps_roll_ups(method: str, expected: float) -> None:
    responses = [
        fb("1", "DM", Metric.NPS, 10),
        fb("2", "EU", Metric.NPS, 2, days_ago=5),
        fb("3", "EU", Metric.NPS, 3, days_ago=4),
    ]
    roles = {"DM": ("decision_maker",), "EU": ("end_user",)}
    value = account_nps(
        responses,
        roles,
        method=method,
        now=NOW,
        half_life_days=1e9,
        role_weights={"decision_maker": 3.0, "end_user": 1.0},
    )
    assert value == pytest.approx(expected, abs=1e-3)


def test_portfolio_nps_weighs_by_revenue() -> None:
    assert portfolio_nps({"A": 50, "B": -50, "C": None}, {"A": 3e6, "B": 1e6}) == pytest.approx(25)


def test_no_survey_response_means_no_score_and_no_confidence() -> None:
    health = score_account(account(), DEFAULT, NOW)
    assert health.score is None and health.band is None and health.confidence == 0
    assert "no decision-maker feedback in 180 days" in health.coverage_gaps


def test_missing_measures_weight_is_redistributed_and_lowers_confidence() -> None:
    health = score_account(account(fb("1", "DM", Metric.NPS, 10)), DEFAULT, NOW)
    assert set(health.missing) == {"csat", "ces", "happiness"}
    present = [d for d in health.drivers if d.effective_weight > 0]
    assert sum(d.effective_weight for d in present) == pytest.approx(1.0)
    assert health.score == round(sum(d.contribution for d in present))
    assert health.confidence == round(100 * (1 - 0.35) * (1 / 5))  # 65% of weight, 1 of 5 responses


@pytest.mark.parametrize(
    ("metric", "score", "normalized"),
    [(Metric.CSAT, 1, 0), (Metric.CSAT, 5, 100), (Metric.CES, 4, 50), (Metric.HAPPINESS, 2, 25)],
    ids=["csat-min", "csat-max", "ces-mid", "happiness"],
)
def test_transforms(metric: Metric, score: float, normalized: float) -> None:
    health = score_account(account(fb("1", "AP", metric, score)), DEFAULT, NOW)
    driver = next(d for d in health.drivers if d.measure == metric.value)
    assert driver.normalized == pytest.approx(normalized)


def test_ineligible_contacts_do_not_count() -> None:
    health = score_account(
        account(fb("1", "GEN", Metric.NPS, 0), fb("2", "DM", Metric.NPS, 10)), DEFAULT, NOW
    )
    assert health.account_nps == pytest.approx(100)


def _with_score(target: int) -> AccountInput:
    """An account whose score lands where needed, by tuning one CSAT answer (others fixed)."""
    return account(fb("1", "DM", Metric.CSAT, 1 + 4 * target / 100))


@pytest.mark.parametrize(
    ("score", "band"), [(70, "green"), (69, "yellow"), (40, "yellow"), (39, "red")]
)
def test_band_edges(score: int, band: str) -> None:
    model = DEFAULT.model_copy(update={"weights": {"csat": 1.0}})
    health = score_account(_with_score(score), model, NOW)
    assert (health.score, health.band) == (score, band)


@pytest.mark.parametrize(
    ("previous", "trend"), [(None, "new"), (45, "up"), (46, "flat"), (54, "flat"), (55, "down")]
)
def test_trend_edges(previous: int | None, trend: str) -> None:
    model = DEFAULT.model_copy(update={"weights": {"csat": 1.0}})
    prev = None if previous is None else PreviousScore(previous, "yellow", NOW - timedelta(days=1))
    health = score_account(replace(_with_score(50), previous=prev), model, NOW)
    assert health.trend == trend


def test_coverage_counts_roles_heard_within_the_window() -> None:
    health = score_account(
        account(fb("1", "DM", Metric.NPS, 9), fb("2", "EU", Metric.NPS, 9, days_ago=400)),
        DEFAULT,
        NOW,
    )
    assert health.coverage == {"decision_maker": "1/3", "influencer": "0/3", "end_user": "0/3"}
    assert "1 of 3 decision-makers heard in 180 days" in health.coverage_gaps
    assert "no influencer feedback in 180 days" in health.coverage_gaps


def test_segment_picks_its_model() -> None:
    assert MODELS.for_segment("construction").name == "construction"
    assert MODELS.for_segment("Construction").name == "construction"
    assert MODELS.for_segment("unknown").name == "default"


def test_fingerprint_is_stable_and_sensitive() -> None:
    one = score_account(account(fb("1", "DM", Metric.NPS, 9)), DEFAULT, NOW)
    same = score_account(account(fb("1", "DM", Metric.NPS, 9)), DEFAULT, NOW + timedelta(hours=1))
    other = score_account(account(fb("1", "DM", Metric.NPS, 3)), DEFAULT, NOW)
    next_day = score_account(
        account(fb("1", "DM", Metric.NPS, 9)), DEFAULT, NOW + timedelta(days=1)
    )
    assert one.fingerprint == same.fingerprint
    assert one.fingerprint != other.fingerprint != next_day.fingerprint


def test_health_round_trips_through_json_and_explains_itself() -> None:
    health = score_account(
        account(fb("1", "DM", Metric.NPS, 3, comment="Teslimat gecikti")), DEFAULT, NOW
    )
    assert AccountHealth.model_validate(health.model_dump(mode="json")) == health
    lines = explain(health)
    assert lines[0].startswith("Boğaziçi Yapı:") and any("points" in line for line in lines)
    fields = account_fields(health)
    assert fields["cx_health_score"] == health.score and fields["cx_role_coverage"].startswith(
        "DM 1/3"
    )
    assert len(fields["cx_health_drivers"]) <= 4000


def test_followups_for_detractor_low_csat_and_flagged_note_with_stable_keys() -> None:
    inputs = account(
        fb("R1", "DM", Metric.NPS, 3, comment="Gecikme", phase="decision"),
        fb("R2", "AP", Metric.CSAT, 2),
        fb("R3", "AP", Metric.NPS, 9),
        fb("R4", "EU", None, None, comment="Kırıcı arızalı", action_required=True),
        fb("OLD", "DM", Metric.NPS, 0, days_ago=90),
        fb("GEN", "GEN", Metric.NPS, 0),
    )
    health = score_account(inputs, DEFAULT, NOW)
    tasks = followup_tasks(inputs, health, DEFAULT.followups, NOW)
    keys = [t.key for t in tasks]
    assert "A1:nps_detractor:R1" in keys and "A1:low_csat:R2" in keys and "A1:field_note:R4" in keys
    assert not any("OLD" in k or "GEN" in k or "R3" in k for k in keys)
    detractor = next(t for t in tasks if t.key == "A1:nps_detractor:R1")
    assert "Gülşen Doğan" in detractor.subject and "Gecikme" in detractor.body
    assert detractor.owner_id == "owner-1" and detractor.priority == "high"
    assert detractor.due == (NOW + timedelta(days=3)).date()
    again = followup_tasks(inputs, score_account(inputs, DEFAULT, NOW), DEFAULT.followups, NOW)
    assert [t.key for t in again] == keys


def test_turning_red_and_dropping_open_one_task_per_transition() -> None:
    model = DEFAULT.model_copy(update={"weights": {"csat": 1.0}})
    previous = PreviousScore(80, "green", NOW - timedelta(days=7))
    inputs = replace(_with_score(30), previous=previous)
    health = score_account(inputs, model, NOW)
    keys = {t.key.split(":")[1] for t in followup_tasks(inputs, health, model.followups, NOW)}
    assert {"turned_red", "score_drop"} <= keys
    stays_red = replace(inputs, previous=PreviousScore(30, "red", NOW - timedelta(days=1)))
    keys = {
        t.key.split(":")[1]
        for t in followup_tasks(
            stays_red, score_account(stays_red, model, NOW), model.followups, NOW
        )
    }
    assert "turned_red" not in keys
