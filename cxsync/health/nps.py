"""Account NPS roll-ups (−100…100) and the revenue-weighted portfolio NPS.

Every roll-up weighs a response by its age: ``0.5 ** (age_days / half_life_days)``.

* ``all_responses``: every response counts.
* ``latest_per_contact``: each person's latest response counts once.
* ``waterfall``: the most senior buying role heard from speaks for the account (decision
  maker > approver > influencer > requester > end user); several such people are averaged.
* ``role_weighted`` (default): each person's latest response, weighted by their first role's
  weight in the model (a decision maker's voice counts more than an end user's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from cxsync.models import BuyingRole, Feedback, Metric

__all__ = ["ROLE_ORDER", "account_nps", "decay", "factor", "portfolio_nps"]

ROLE_ORDER = tuple(r.value for r in BuyingRole)


def factor(score: float) -> int:
    """+1 promoter (9–10), 0 passive (7–8), −1 detractor (0–6)."""
    return 1 if score >= 9 else (0 if score >= 7 else -1)


def decay(submitted_at: datetime, now: datetime, half_life_days: float) -> float:
    age = max(0.0, (now - submitted_at).total_seconds() / 86400)
    return float(0.5 ** (age / half_life_days))


def _weighted(items: Sequence[tuple[float, float]]) -> float | None:
    total = sum(w for _, w in items)
    if total <= 0:
        return None
    return 100 * sum(f * w for f, w in items) / total


def _latest(responses: Sequence[Feedback]) -> dict[str, Feedback]:
    latest: dict[str, Feedback] = {}
    for r in sorted(responses, key=lambda r: (r.submitted_at, r.response_id)):
        latest[r.contact_id or r.response_id] = r
    return latest


def account_nps(
    responses: Sequence[Feedback],
    roles: Mapping[str, tuple[str, ...]],
    *,
    method: str,
    now: datetime,
    half_life_days: float,
    role_weights: Mapping[str, float],
) -> float | None:
    """NPS of an account from its eligible contacts' NPS responses, or None without any."""
    nps = [r for r in responses if r.metric is Metric.NPS and r.score is not None]
    if not nps:
        return None
    w = {r.response_id: decay(r.submitted_at, now, half_life_days) for r in nps}
    if method == "all_responses":
        return _weighted([(factor(r.score or 0), w[r.response_id]) for r in nps])
    latest = _latest(nps)
    if method == "latest_per_contact":
        return _weighted([(factor(r.score or 0), w[r.response_id]) for r in latest.values()])
    first_role = {cid: (roles.get(cid) or ("none",))[0] for cid in latest}
    if method == "waterfall":
        for role in (*ROLE_ORDER, "none"):
            speakers = [r for cid, r in latest.items() if first_role[cid] == role]
            if speakers:
                return _weighted([(factor(r.score or 0), 1.0) for r in speakers])
        return None
    return _weighted(
        [
            (factor(r.score or 0), w[r.response_id] * role_weights.get(first_role[cid], 1.0))
            for cid, r in latest.items()
        ]
    )


def portfolio_nps(
    nps_by_account: Mapping[str, float | None], revenue: Mapping[str, float | None]
) -> float | None:
    """Revenue-weighted NPS across accounts (accounts without NPS or revenue are left out)."""
    items = [(nps, revenue.get(a) or 0.0) for a, nps in nps_by_account.items() if nps is not None]
    total = sum(w for _, w in items)
    return None if total <= 0 else sum(n * w for n, w in items) / total
