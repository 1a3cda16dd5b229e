"""Role tagging speed on 1,000,000 titles (cached, as real CRMs repeat titles) and on unique
titles (no cache help)."""

from __future__ import annotations

import json
import random
import sys
import time

TITLES = [
    "Satınalma Müdürü",
    "Şantiye Şefi",
    "CFO",
    "Einkaufsleiter",
    "Kalite Kontrol Mühendisi",
    "Bakım Teknisyeni",
    "Genel Müdür",
    "Head of Purchasing",
    "Site Engineer",
    "Operator",
    "Leiter Qualitätssicherung",
    "IT Manager",
    "Bayi Satış Temsilcisi",
    "Assistant",
    "Projektleiter",
    "Finance Director",
    "Vertriebsleiter",
    "Polier",
    "Consultant",
]
NOISE = ["", " - Istanbul", " (acting)", " EMEA", " - Werk 2", " Sr.", " II"]


def titles(n: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    return [
        rng.choice(TITLES) + rng.choice(NOISE) + (f" {i % 500}" if i % 3 == 0 else "")
        for i in range(n)
    ]


def run(n: int = 1_000_000) -> dict[str, float]:
    from cxsync.roles import RoleTagger

    tagger = RoleTagger.from_mappings()
    data = titles(n)
    t0 = time.perf_counter()
    for title in data:
        tagger.tag(title)
    cached = time.perf_counter() - t0
    unique = [f"{t} {i}x" for i, t in enumerate(titles(50_000, seed=9))]
    fresh = RoleTagger.from_mappings()
    t1 = time.perf_counter()
    for title in unique:
        fresh.tag(title)
    uncached = time.perf_counter() - t1
    return {
        "roles.titles": float(n),
        "roles.unique_titles": float(len(set(data))),
        "roles.seconds": cached,
        "roles.per_second": n / cached,
        "roles.uncached_per_second": len(unique) / uncached,
    }


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000), indent=2))
