"""The HTML report: self-contained, escaped, and rendered by a real browser."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cxsync.health import ReportAccount, load_health_models, render_report, score_account
from cxsync.health.inputs import AccountInput, ContactInput
from cxsync.models import Channel, Feedback, FollowUpTask, Metric

NOW = datetime(2026, 11, 20, 12, tzinfo=UTC)
HOSTILE = "<script>alert(1)</script> Kötü & Co"


def rows() -> list[ReportAccount]:
    model = load_health_models().for_segment(None)
    out = []
    for i, (name, score) in enumerate(((HOSTILE, 2), ("Rheinbau GmbH", 10), ("Ege Konut", 8))):
        inputs = AccountInput(
            account_id=f"A{i}",
            name=name,
            contacts=(ContactInput("C", "Ayşe Demir", ("decision_maker",)),),
            responses=(
                Feedback(
                    response_id=f"R{i}",
                    contact_id="C",
                    metric=Metric.NPS,
                    score=score,
                    submitted_at=NOW - timedelta(days=3),
                    channel=Channel.EMAIL,
                ),
            ),
        )
        health = score_account(inputs, model, NOW)
        history = [
            (NOW - timedelta(days=30), 60),
            (NOW - timedelta(days=10), 55),
            (NOW, health.score),
        ]
        out.append(ReportAccount(health=health, history=history, annual_revenue=1e6 * (i + 1)))
    return out


def html() -> str:
    task = FollowUpTask(
        key="k", account_id="A0", subject="NPS 2 from Ayşe Demir", body="", due=NOW.date()
    )
    return render_report(rows(), generated_at=NOW, open_followups=[task])


def test_report_is_self_contained_and_escaped() -> None:
    page = html()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert not re.search(r'(src|href)\s*=\s*["\']?(https?:)?//', page)
    assert "@import" not in page and "url(" not in page
    assert page.count("<polyline") == 3
    assert "NPS 2 from Ayşe Demir" in page
    # NPS −100, +100, +0 weighted by revenue 1, 2, 3 million → (−100 + 200 + 0) / 6
    assert "portfolio NPS (revenue-weighted) +17" in page
    assert page.index("A0") < page.index("A2") < page.index("A1"), "lowest score first"


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(_chromium() is None, reason="needs Debian's chromium (make test installs it)")
def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(html(), encoding="utf-8")
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
    ]
    dom = subprocess.run(
        [_chromium(), *flags, "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "Rheinbau GmbH" in dom and dom.count("<svg") >= 3
    assert "alert(1)" in dom and "<script>alert" not in dom  # shown as text, never run
    shot = tmp_path / "shot.png"
    subprocess.run(
        [_chromium(), *flags, f"--screenshot={shot}", "--window-size=1200,1400", page.as_uri()],
        capture_output=True,
        timeout=120,
        check=True,
    )
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
