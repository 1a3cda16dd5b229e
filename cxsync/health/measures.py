"""Each measure's raw value and its 0–100 transform (documented in docs/health.md)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from cxsync.health.inputs import AccountInput
from cxsync.health.model import HealthModel
from cxsync.health.nps import account_nps, decay
from cxsync.models import Feedback, Metric

__all__ = ["Measured", "coverage", "measure_all"]

_SCALES = {Metric.CSAT: (1, 5), Metric.CES: (1, 7), Metric.HAPPINESS: (1, 5)}
_ROLE_LABEL = {
    "decision_maker": "decision-maker",
    "approver": "approver",
    "influencer": "influencer",
    "requester": "requester",
    "end_user": "end-user",
}
_ROLE_SHORT = {
    "decision_maker": "DM",
    "approver": "APP",
    "influencer": "INF",
    "requester": "REQ",
    "end_user": "EU",
}


@dataclass(frozen=True)
class Measured:
    raw: float | None
    normalized: float | None
    note: str


def _mean(
    items: Sequence[Feedback], metric: Metric, now: datetime, half_life: float
) -> float | None:
    scored = [
        (r.score, decay(r.submitted_at, now, half_life))
        for r in items
        if r.metric is metric and r.score is not None
    ]
    total = sum(w for _, w in scored)
    return None if total <= 0 else sum(s * w for s, w in scored) / total


def _scaled(value: float | None, metric: Metric) -> float | None:
    if value is None:
        return None
    low, high = _SCALES[metric]
    return 100 * (value - low) / (high - low)


def coverage(
    inputs: AccountInput, model: HealthModel, now: datetime
) -> tuple[dict[str, str], list[str], float | None]:
    """(role → "heard/target", gaps in words, share of the target met 0–1)."""
    since = now - timedelta(days=model.coverage_window_days)
    first_role = {c.contact_id: c.roles[0] for c in inputs.contacts if c.eligible and c.roles}
    heard: dict[str, set[str]] = {}
    for r in inputs.responses:
        role = first_role.get(r.contact_id or "")
        if role and r.submitted_at >= since:
            heard.setdefault(role, set()).add(r.contact_id or "")
    table, gaps, shares = {}, [], []
    for role, target in model.coverage_target.items():
        got = len(heard.get(role, ()))
        table[role] = f"{got}/{target}"
        shares.append(min(1.0, got / target) if target else 1.0)
        label = _ROLE_LABEL.get(role, role)
        if got == 0:
            gaps.append(f"no {label} feedback in {model.coverage_window_days} days")
        elif got < target:
            gaps.append(f"{got} of {target} {label}s heard in {model.coverage_window_days} days")
    share = sum(shares) / len(shares) if shares else None
    return table, gaps, share


def coverage_short(table: dict[str, str]) -> str:
    return " · ".join(f"{_ROLE_SHORT.get(r, r)} {v}" for r, v in table.items())


def measure_all(
    inputs: AccountInput, model: HealthModel, now: datetime
) -> tuple[dict[str, Measured], dict[str, str], list[str]]:
    eligible = {c.contact_id for c in inputs.contacts if c.eligible}
    survey = [r for r in inputs.responses if not r.is_note and r.contact_id in eligible]
    heard = [r for r in inputs.responses if r.contact_id in eligible]
    roles = {c.contact_id: c.roles for c in inputs.contacts}
    hl = model.half_life_days
    out: dict[str, Measured] = {}
    nps = account_nps(
        survey,
        roles,
        method=model.nps_method,
        now=now,
        half_life_days=hl,
        role_weights=model.role_weights,
    )
    out["account_nps"] = Measured(
        nps,
        None if nps is None else (nps + 100) / 2,
        f"account NPS {nps:+.0f} ({model.nps_method.replace('_', ' ')})"
        if nps is not None
        else "no NPS responses",
    )
    for metric in (Metric.CSAT, Metric.CES, Metric.HAPPINESS):
        mean = _mean(survey, metric, now, hl)
        low, high = _SCALES[metric]
        out[metric.value] = Measured(
            mean,
            _scaled(mean, metric),
            f"{metric.value.upper()} {mean:.1f} on {low}–{high}"
            if mean is not None
            else f"no {metric.value.upper()} responses",
        )
    table, gaps, share = coverage(inputs, model, now)
    out["coverage"] = Measured(
        share,
        None if share is None else 100 * share,
        f"buying-role coverage {coverage_short(table)}" if table else "no coverage target",
    )
    if heard:
        days = (now - max(r.submitted_at for r in heard)).days
        value = max(0.0, 100 * (1 - days / model.recency_horizon_days))
        out["recency"] = Measured(float(days), value, f"last heard from {days} days ago")
    else:
        out["recency"] = Measured(None, None, "never heard from anyone at this account")
    penalty = max(0.0, 100 - model.followup_penalty * inputs.open_followups)
    out["open_followups"] = Measured(
        float(inputs.open_followups), penalty, f"{inputs.open_followups} open follow-ups"
    )
    if inputs.contacts:
        good = sum(1 for c in inputs.contacts if c.eligible and not c.stale)
        share_good = good / len(inputs.contacts)
        out["hygiene"] = Measured(
            share_good,
            100 * share_good,
            f"{good} of {len(inputs.contacts)} contacts are current, real people",
        )
    else:
        out["hygiene"] = Measured(None, None, "no contacts")
    return out, table, gaps
