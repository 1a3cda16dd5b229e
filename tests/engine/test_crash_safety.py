"""A run killed with SIGKILL at any point resumes without losing or duplicating anything.

Each case runs `cxsync sync` in a subprocess that kills itself (a real SIGKILL) at a named
point, then runs it again normally, and compares the CRM folder with the one a run that was
never interrupted produces.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest

from tests.engine.conftest import MiniCrm

POINTS = [
    "recovered",
    "accounts_pulled",
    "contacts_pulled",
    "feedback_imported",
    "fields_sent:1",
    "contacts_written",
    "tasks_sent",
    "notes_sent",
    "fields_sent:2",
    "accounts_scored",
]


def sync(crm: MiniCrm, kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    config = crm.root / "cxsync.toml"
    config.write_text(
        f'crm = "files"\nwork_dir = "{crm.root / ".cxsync"}"\n'
        f'[adapter.files]\npath = "{crm.crm}"\npage_size = 2\n',
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "CXSYNC_FAULT_KILL_AT"}
    if kill_at:
        env["CXSYNC_FAULT_KILL_AT"] = kill_at
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from cxsync.cli.app import main; main()",
            "--config",
            str(config),
            "sync",
            "--format",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def state(crm: MiniCrm) -> dict[str, object]:
    contacts = {
        cid: {k: v for k, v in row.items() if k.startswith("cx_")}
        for cid, row in crm.rows("contacts.csv").items()
    }
    accounts = {
        aid: {k: v for k, v in row.items() if k.startswith("cx_") and k != "cx_health_updated_at"}
        for aid, row in crm.rows("accounts.csv").items()
    }

    def keys(name: str) -> list[str]:
        path = crm.crm / name
        if not path.exists():
            return []
        return sorted(json.loads(line)["key"] for line in path.read_text().splitlines() if line)

    return {
        "contacts": contacts,
        "accounts": accounts,
        "tasks": keys("tasks.jsonl"),
        "notes": keys("notes.jsonl"),
    }


@pytest.fixture(scope="module")
def clean_state(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    from tests.engine.conftest import ACCOUNTS, CONTACTS, FEEDBACK, write_csv

    root = tmp_path_factory.mktemp("clean")
    crm = MiniCrm(root, root / "crm")
    write_csv(crm.crm / "accounts.csv", ACCOUNTS)
    write_csv(crm.crm / "contacts.csv", CONTACTS)
    write_csv(crm.crm / "feedback" / "responses.csv", FEEDBACK)
    _add_note(crm)
    assert sync(crm).returncode == 9  # rejected rows in the sample feedback, nothing else
    return state(crm)


def _add_note(crm: MiniCrm) -> None:
    note = {
        "response_id": "N1",
        "contact_id": "C2",
        "phase": "delivery",
        "channel": "visit",
        "submitted_at": "2026-11-18T10:00:00Z",
        "comment": "Şantiye ziyareti, acil kırıcı talebi",
        "action_required": True,
    }
    (crm.crm / "feedback" / "notes.jsonl").write_text(json.dumps(note, ensure_ascii=False) + "\n")


@pytest.mark.slow
@pytest.mark.parametrize("point", POINTS)
def test_killed_run_resumes_to_the_same_state(
    mini_crm: MiniCrm, point: str, clean_state: dict[str, object]
) -> None:
    _add_note(mini_crm)
    killed = sync(mini_crm, kill_at=point)
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    resumed = sync(mini_crm)
    assert resumed.returncode in (0, 9), resumed.stderr[-2000:]
    final = state(mini_crm)
    assert final == clean_state
    tasks = final["tasks"]
    assert isinstance(tasks, list) and len(tasks) == len(set(tasks)), "no task twice"
    again = sync(mini_crm)
    summary = json.loads(again.stdout)
    assert summary["writes"]["applied"] == 0 and summary["api"]["write_calls"] == 0
    shutil.rmtree(mini_crm.root / ".cxsync")
