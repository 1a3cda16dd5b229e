"""`cxsync demo`: the whole pipeline on the bundled sample, twice, and from an install."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cxsync.cli.app import app

ROOT = Path(__file__).resolve().parents[1]


def demo(out: Path, *extra: str) -> dict[str, object]:
    result = CliRunner().invoke(app, ["demo", "--out", str(out), "--format", "json", *extra])
    assert result.exit_code == 0, result.output[-3000:]
    payload: dict[str, object] = json.loads(result.stdout)
    return payload


def test_demo_runs_every_stage_then_writes_nothing_on_rerun(tmp_path: Path) -> None:
    first = demo(tmp_path / "d")
    summary = first["summary"]
    assert isinstance(summary, dict)
    stages = summary["stages"]
    assert stages["contacts"]["email_generic"] >= 5 and stages["contacts"]["duplicate"] >= 3
    assert stages["contact_results"]["writes_planned"] > 100
    assert stages["health"]["writes_planned"] == 20
    assert summary["writes"]["tasks"] >= 1 and summary["writes"]["notes"] >= 10
    reasons = [r["reason"] for r in first["rejected_feedback"]]  # type: ignore[union-attr]
    assert any("must be between 0 and 10" in r for r in reasons)
    assert any("not a stage of" in r for r in reasons)
    assert any(a["band"] == "red" for a in first["accounts"])  # type: ignore[union-attr]
    report = Path(str(first["report"])).read_text(encoding="utf-8")
    assert "Gebze Kimya" in report and "<svg" in report
    second = demo(tmp_path / "d")
    again = second["summary"]
    assert isinstance(again, dict)
    assert again["writes"]["applied"] == 0 and again["writes"]["tasks"] == 0
    assert again["api"]["write_calls"] == 0


def test_demo_against_the_salesforce_emulator(tmp_path: Path) -> None:
    payload = demo(tmp_path / "d", "--crm", "salesforce")
    summary = payload["summary"]
    assert isinstance(summary, dict)
    assert summary["writes"]["applied"] >= 200 and summary["writes"]["tasks"] >= 1
    # 213 contacts + 20 accounts in Collections calls of at most 200 records
    assert summary["api"]["write_calls"] <= 10


def test_demo_against_the_hubspot_emulator(tmp_path: Path) -> None:
    payload = demo(tmp_path / "d", "--crm", "hubspot")
    summary = payload["summary"]
    assert isinstance(summary, dict)
    assert summary["crm"] == "hubspot"
    assert summary["writes"]["applied"] == 233 and summary["writes"]["failed"] == 0
    assert summary["writes"]["tasks"] == 4 and summary["writes"]["notes"] == 20
    # 213 contacts and 20 companies in batches of 100, one batch each of tasks and notes
    assert summary["api"]["write_calls"] <= 8
    assert summary["api"]["throttled"] == 0


@pytest.mark.slow
def test_non_editable_install_runs_the_demo_from_elsewhere(tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, system_site_packages=False).create(env_dir)
    python = env_dir / "bin" / "python"
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1")
    subprocess.run(
        [python, "-m", "pip", "install", "-q", str(ROOT)],
        check=True,
        env=env,
        capture_output=True,
        timeout=600,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    run = subprocess.run(
        [env_dir / "bin" / "cxsync", "demo", "--format", "json"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    assert json.loads(run.stdout)["summary"]["stages"]["accounts"]["read"] == 20
    assert (elsewhere / "cxsync-demo" / "report.html").is_file()
    listing = subprocess.run(
        [env_dir / "bin" / "cxsync", "adapters", "list", "--format", "json"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert {"files"} <= {a["name"] for a in json.loads(listing.stdout)}
    assert sys.executable  # the suite's own interpreter is untouched
