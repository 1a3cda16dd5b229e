"""Scoring an account: a weighted average of measures, explained."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from cxsync.health.inputs import AccountInput
from cxsync.health.measures import coverage_short, measure_all
from cxsync.health.model import MEASURES, HealthModel
from cxsync.health.nps import account_nps

__all__ = ["AccountHealth", "Driver", "account_fields", "drivers_text", "explain", "score_account"]

# Without at least one of these, there is nothing customers said to score.
_VOICE = ("account_nps", "csat", "ces", "happiness")


class Driver(BaseModel):
    model_config = ConfigDict(frozen=True)

    measure: str
    raw: float | None
    normalized: float | None
    weight: float  # the model's share (0–1)
    effective_weight: float  # after redistributing missing measures' weight
    contribution: float  # points of the score
    note: str


class AccountHealth(BaseModel):
    model_config = ConfigDict(frozen=True)

    account_id: str
    name: str
    score: int | None
    band: str | None
    trend: str
    confidence: float
    account_nps: float | None
    coverage: dict[str, str] = Field(default_factory=dict)
    coverage_gaps: list[str] = Field(default_factory=list)
    drivers: list[Driver] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    per_phase: dict[str, dict[str, float | int | None]] = Field(default_factory=dict)
    model: str
    computed_at: datetime
    fingerprint: str
    open_followups: int = 0


def _fingerprint(inputs: AccountInput, model: HealthModel, now: datetime) -> str:
    """Stable hash of everything that decides the score (the day included: recency ages)."""
    payload = {
        "model": model.model_dump(mode="json"),
        "day": now.date().isoformat(),
        "contacts": sorted(
            [c.contact_id, list(c.roles), c.eligible, c.stale] for c in inputs.contacts
        ),
        "responses": sorted(
            [
                r.response_id,
                r.contact_id,
                r.metric.value if r.metric else None,
                r.score,
                r.submitted_at.isoformat(),
                r.phase,
            ]
            for r in inputs.responses
        ),
        "open_followups": inputs.open_followups,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[
        :32
    ]


def _band(score: int | None, model: HealthModel) -> str | None:
    if score is None:
        return None
    if score >= model.bands.green:
        return "green"
    return "red" if score < model.bands.red else "yellow"


def _trend(score: int | None, inputs: AccountInput, model: HealthModel) -> str:
    previous = inputs.previous
    if previous is None or previous.score is None or score is None:
        return "new"
    delta = score - previous.score
    if delta >= model.trend_threshold:
        return "up"
    return "down" if delta <= -model.trend_threshold else "flat"


def _per_phase(
    inputs: AccountInput, model: HealthModel, now: datetime
) -> dict[str, dict[str, float | int | None]]:
    eligible = {c.contact_id for c in inputs.contacts if c.eligible}
    by_phase: dict[str, list[Any]] = {}
    for r in inputs.responses:
        if not r.is_note and r.contact_id in eligible and r.phase:
            by_phase.setdefault(r.phase, []).append(r)
    roles = {c.contact_id: c.roles for c in inputs.contacts}
    return {
        phase: {
            "responses": len(items),
            "nps": account_nps(
                items,
                roles,
                method="all_responses",
                now=now,
                half_life_days=model.half_life_days,
                role_weights={},
            ),
        }
        for phase, items in sorted(by_phase.items())
    }


def score_account(inputs: AccountInput, model: HealthModel, now: datetime) -> AccountHealth:
    """The account's health 0–100 with band, trend, confidence and the drivers behind it."""
    measured, table, gaps = measure_all(inputs, model, now)
    share = model.weight_share()
    present = [m for m in MEASURES if share[m] > 0 and measured[m].normalized is not None]
    voiced = any(m in present for m in _VOICE)
    present_weight = sum(share[m] for m in present)
    drivers, score = [], None
    if voiced and present_weight > 0:
        total = 0.0
        for m in MEASURES:
            if share[m] == 0:
                continue
            value = measured[m]
            effective = share[m] / present_weight if m in present else 0.0
            contribution = effective * (value.normalized or 0.0)
            total += contribution
            drivers.append(
                Driver(
                    measure=m,
                    raw=value.raw,
                    normalized=value.normalized,
                    weight=share[m],
                    effective_weight=effective,
                    contribution=contribution,
                    note=value.note,
                )
            )
        score = round(total)
    responses = sum(1 for r in inputs.responses if not r.is_note)
    sample = min(1.0, responses / model.full_sample)
    confidence = round(100 * present_weight * sample) if voiced else 0
    missing = [m for m in MEASURES if share[m] > 0 and m not in present]
    # weakest first: what pulls the score down is what a person wants to read first
    drivers.sort(key=lambda d: (d.normalized is None, d.normalized or 0.0))
    return AccountHealth(
        account_id=inputs.account_id,
        name=inputs.name,
        score=score,
        band=_band(score, model),
        trend=_trend(score, inputs, model),
        confidence=confidence,
        account_nps=measured["account_nps"].raw,
        coverage=table,
        coverage_gaps=gaps,
        drivers=drivers,
        missing=missing,
        per_phase=_per_phase(inputs, model, now),
        model=model.name,
        computed_at=now,
        fingerprint=_fingerprint(inputs, model, now),
        open_followups=inputs.open_followups,
    )


def explain(health: AccountHealth) -> list[str]:
    """Sentences a person can read: the score, then each driver, then what is missing."""
    if health.score is None:
        lines = [f"{health.name}: no score yet — nobody at the account has answered a survey."]
    else:
        lines = [
            f"{health.name}: {health.score}/100 ({health.band}, {health.trend}), "
            f"confidence {health.confidence:.0f}%."
        ]
    for d in health.drivers:
        if d.effective_weight > 0:
            lines.append(
                f"{d.note}: {d.normalized:.0f}/100 × {d.effective_weight:.0%} = "
                f"{d.contribution:.1f} points"
            )
    lines.extend(
        f"missing: {m.replace('_', ' ')} (its weight was shared by the others)"
        for m in health.missing
    )
    lines.extend(health.coverage_gaps)
    return lines


def drivers_text(health: AccountHealth, max_len: int = 4000) -> str:
    text = "\n".join(explain(health))
    return text if len(text) <= max_len else text[: max_len - 14] + " …[truncated]"


def account_fields(health: AccountHealth) -> dict[str, Any]:
    """Canonical account field values (mappings/fields.toml)."""
    return {
        "cx_health_score": health.score,
        "cx_health_band": health.band,
        "cx_health_trend": health.trend,
        "cx_health_confidence": round(health.confidence),
        "cx_account_nps": None if health.account_nps is None else round(health.account_nps),
        "cx_role_coverage": coverage_short(health.coverage)[:255],
        "cx_health_drivers": drivers_text(health),
        "cx_health_updated_at": health.computed_at.isoformat(),
        "cx_open_followups": health.open_followups,
    }
