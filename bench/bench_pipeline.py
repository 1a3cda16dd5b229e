"""The whole sync pipeline on a large files-adapter CRM: time and peak memory.

A folder with ``contacts`` contacts over ``contacts / 10`` accounts (and one survey
response per 10 contacts) is generated row by row, then one full ``cxsync sync`` runs on
it in this process. Peak RSS is read from the kernel after the run. A second run on a
tenth of the contacts (same accounts-per-contact ratio), followed by a no-change re-sync,
is measured in a child process so the two peaks can be compared: memory should follow the
accounts in flight (a batch), not the number of contacts. The child runs while the large
run does (the machine has two cores and each run uses one), which keeps `make bench`
within its five minutes; only its memory and write counts are reported, not its time.
"""

from __future__ import annotations

import csv
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

TITLES = (
    "Şantiye Şefi",
    "Satınalma Müdürü",
    "Einkaufsleiter",
    "CFO",
    "Kalite Kontrol Mühendisi",
    "Production Manager",
    "Technician",
    "Bilgi İşlem Müdürü",
    "Genel Müdür",
    "Bayi Satış Temsilcisi",
    "Leiter Qualitätssicherung",
    "Site Engineer",
    "Operator",
    "Finance Director",
    "Assistant",
)
LOCALS = ("info", "satis", "einkauf")


def generate(folder: Path, contacts: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    accounts = max(1, contacts // 10)
    base = datetime(2026, 10, 1, tzinfo=UTC)
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "accounts.csv").open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(
            ["id", "name", "owner_id", "segment", "annual_revenue", "country", "modified_at"]
        )
        for a in range(accounts):
            w.writerow(
                [
                    f"A{a}",
                    f"Customer {a}",
                    f"owner-{a % 50}",
                    "construction",
                    1_000_000 + a,
                    "TR",
                    (base - timedelta(days=a % 300)).isoformat(),
                ]
            )
    (folder / "feedback").mkdir(exist_ok=True)
    with (
        (folder / "contacts.csv").open("w", newline="", encoding="utf-8") as fh,
        (folder / "feedback" / "responses.csv").open("w", newline="", encoding="utf-8") as fb,
    ):
        w = csv.writer(fh)
        f = csv.writer(fb)
        w.writerow(
            [
                "id",
                "account_id",
                "email",
                "first_name",
                "last_name",
                "title",
                "owner_id",
                "modified_at",
            ]
        )
        f.writerow(
            [
                "response_id",
                "contact_id",
                "email",
                "metric",
                "score",
                "phase",
                "channel",
                "submitted_at",
                "comment",
                "action_required",
            ]
        )
        for c in range(contacts):
            a = c % accounts
            generic = rng.random() < 0.03
            local = rng.choice(LOCALS) if generic else f"person.{c}"
            w.writerow(
                [
                    f"C{c}",
                    f"A{a}",
                    f"{local}@customer{a}.com.tr",
                    "Ad",
                    f"Soyad{c}",
                    rng.choice(TITLES),
                    f"owner-{a % 50}",
                    (base - timedelta(days=rng.randrange(0, 400))).isoformat(),
                ]
            )
            if c % 10 == 0 and not generic:
                f.writerow(
                    [
                        f"R{c}",
                        f"C{c}",
                        "",
                        "nps",
                        rng.randrange(0, 11),
                        "delivery",
                        "email",
                        (base - timedelta(days=rng.randrange(0, 200))).isoformat(),
                        "",
                        "",
                    ]
                )


def measure(contacts: int, resync: bool = True, store_url: str | None = None) -> dict[str, float]:
    """One first sync (and a no-change re-sync) of ``contacts``; ``store_url`` picks the
    state store (an empty database or schema; default: SQLite in the run's folder)."""
    from cxsync.config import CxSyncConfig
    from cxsync.engine.run import run_sync

    with tempfile.TemporaryDirectory(prefix="cxsync-bench-") as tmp:
        folder = Path(tmp) / "crm"
        generate(folder, contacts)
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        config = CxSyncConfig(
            crm="files",
            work_dir=Path(tmp) / ".cxsync",
            store_url=store_url,
            adapter={"files": {"path": str(folder), "page_size": 2000}},
        )
        t0 = time.perf_counter()
        result = run_sync(config)
        seconds = time.perf_counter() - t0
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        figures = {
            "contacts": float(result.summary.stage("contacts")["read"]),
            "seconds": seconds,
            "peak_rss_mb": peak,
            "rss_before_run_mb": rss_before,
            "writes_applied": float(result.summary.writes.get("applied", 0)),
        }
        if resync:
            t1 = time.perf_counter()
            again = run_sync(config)
            figures["resync_seconds"] = time.perf_counter() - t1
            figures["resync_writes"] = float(again.summary.writes.get("applied", 0))
    return figures


def run(contacts: int = 1_000_000) -> dict[str, float]:
    """The pipeline at ``contacts`` (a first sync), and at a tenth of it with a no-change
    re-sync in a child process running alongside, to compare peak memory."""
    small = contacts // 10
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import json; from bench.bench_pipeline import measure; "
            f"print(json.dumps(measure({small})))",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    big = measure(contacts, resync=False)
    out, _ = child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"the {small:,}-contact run failed (exit {child.returncode})")
    small_figures = json.loads(out.strip().splitlines()[-1])
    return {
        "pipeline.contacts": big["contacts"],
        "pipeline.seconds": big["seconds"],
        "pipeline.contacts_per_second": big["contacts"] / big["seconds"],
        "pipeline.peak_rss_mb": big["peak_rss_mb"],
        "pipeline.writes_applied": big["writes_applied"],
        "pipeline.small.contacts": small_figures["contacts"],
        "pipeline.small.peak_rss_mb": small_figures["peak_rss_mb"],
        "pipeline.small.resync_seconds": small_figures["resync_seconds"],
        "pipeline.small.resync_writes": small_figures["resync_writes"],
    }


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    print(json.dumps(run(n), indent=2))
