"""Scoring 100,000 accounts with 1,000,000 responses (generation not timed)."""

from __future__ import annotations

import json
import random
import sys
import time
from datetime import UTC, datetime, timedelta


def accounts(n: int, responses: int, seed: int = 3) -> list[object]:
    from cxsync.health import AccountInput, ContactInput
    from cxsync.models import Channel, Feedback, Metric

    rng = random.Random(seed)
    now = datetime(2026, 11, 20, tzinfo=UTC)
    roles = [("decision_maker",), ("approver",), ("influencer",), ("requester",), ("end_user",), ()]
    metrics = [Metric.NPS, Metric.NPS, Metric.CSAT, Metric.CES, Metric.HAPPINESS]
    top = {Metric.NPS: 10, Metric.CSAT: 5, Metric.CES: 7, Metric.HAPPINESS: 5}
    per = responses // n
    out = []
    for a in range(n):
        contacts = tuple(
            ContactInput(f"C{a}-{c}", f"Person {c}", roles[c % len(roles)], None, eligible=c != 5)
            for c in range(8)
        )
        items = []
        for r in range(per):
            metric = rng.choice(metrics)
            low = 0 if metric is Metric.NPS else 1
            items.append(
                Feedback(
                    response_id=f"R{a}-{r}",
                    contact_id=f"C{a}-{r % 8}",
                    metric=metric,
                    score=rng.randint(low, top[metric]),
                    submitted_at=now - timedelta(days=rng.randrange(0, 500)),
                    channel=Channel.EMAIL,
                    phase="delivery",
                )
            )
        out.append(
            AccountInput(
                account_id=f"A{a}",
                name=f"Account {a}",
                segment="construction" if a % 2 else None,
                contacts=contacts,
                responses=tuple(items),
                open_followups=a % 3,
            )
        )
    return out


def run(n: int = 100_000, responses: int = 1_000_000) -> dict[str, float]:
    from cxsync.health import load_health_models, score_account

    data = accounts(n, responses)
    models = load_health_models()
    now = datetime(2026, 11, 20, tzinfo=UTC)
    t0 = time.perf_counter()
    for inputs in data:
        score_account(inputs, models.for_segment(inputs.segment), now)  # type: ignore[attr-defined]
    seconds = time.perf_counter() - t0
    return {
        "health.accounts": float(n),
        "health.responses": float(responses),
        "health.seconds": seconds,
        "health.accounts_per_second": n / seconds,
    }


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:]] or [100_000, 1_000_000]
    print(json.dumps(run(*args), indent=2))
