"""Email classification speed on 1,000,000 addresses, beside email-validator alone."""

from __future__ import annotations

import contextlib
import json
import random
import sys
import time

from email_validator import EmailNotValidError, validate_email

FIRST = ["ahmet", "ayse", "mehmet", "zeynep", "klaus", "julia", "maria", "pierre", "luca", "jan"]
LAST = ["yilmaz", "kaya", "demir", "muller", "schmidt", "garcia", "rossi", "silva", "jansen"]
GENERIC = [
    "info",
    "satis",
    "einkauf",
    "sales.team",
    "support-tr",
    "noreply+x",
    "muhasebe",
    "ventas",
]


def addresses(n: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    domains = [f"firma{i}.com.tr" for i in range(2000)] + [f"bau{i}.de" for i in range(2000)]
    out = []
    for i in range(n):
        roll = rng.random()
        domain = rng.choice(domains)
        if roll < 0.8:
            out.append(f"{rng.choice(FIRST)}.{rng.choice(LAST)}{i % 97}@{domain}")
        elif roll < 0.97:
            out.append(f"{rng.choice(GENERIC)}@{domain}")
        else:
            out.append(f"broken{i}@@{domain}")
    return out


def run(n: int = 1_000_000) -> dict[str, float]:
    from cxsync.hygiene import EmailClassifier

    classifier = EmailClassifier.from_mappings()
    data = addresses(n)
    t0 = time.perf_counter()
    for address in data:
        classifier.classify(address)
    ours = time.perf_counter() - t0
    sample = data[: min(n, 100_000)]
    t1 = time.perf_counter()
    for address in sample:
        with contextlib.suppress(EmailNotValidError):
            validate_email(address, check_deliverability=False)
    alone = time.perf_counter() - t1
    return {
        "hygiene.addresses": float(n),
        "hygiene.seconds": ours,
        "hygiene.per_second": n / ours,
        "hygiene.email_validator_per_second": len(sample) / alone,
    }


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=2))
