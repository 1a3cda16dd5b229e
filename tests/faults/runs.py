"""What every fault-suite portal does with its runs, whichever CRM emulator is behind it:
configure cxsync for it, sync in-process or as a `cxsync sync` subprocess, settle, and read
the outbox and the follow-ups from the state store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from cxsync.config import CxSyncConfig
from cxsync.engine.run import run_sync
from cxsync.engine.summary import RunSummary
from cxsync.engine.writer import FIELD_OUTBOX
from cxsync.models import utcnow
from cxsync.store import Store

#: every in-process run uses the same instant, so a faulted portal and the clean reference
#: score health at the same time
NOW = utcnow()


def quiet(summary: RunSummary) -> bool:
    """Nothing planned, created or retried: the CRM already holds what cxsync wants."""
    busy = ("planned", "tasks", "notes", "failed", "tasks_failed", "notes_failed")
    return (
        not any(summary.writes.get(k, 0) for k in busy) and not summary.stage("outbox")["retried"]
    )


class PortalRuns:
    """Runs against one seeded portal. A portal class sets ``crm`` and ``root`` and gives
    ``adapter_settings()``."""

    crm: str
    root: Path

    def adapter_settings(self) -> dict[str, Any]:
        raise NotImplementedError

    @property
    def work_dir(self) -> Path:
        return self.root / ".cxsync"

    def config(self) -> CxSyncConfig:
        return CxSyncConfig(
            crm=self.crm,
            work_dir=self.work_dir,
            adapter={self.crm: self.adapter_settings()},
            feedback={"folder": self.root / "feedback"},
        )

    def sync(self) -> RunSummary:
        return run_sync(self.config(), now=NOW).summary

    def settle(self, limit: int = 4) -> list[RunSummary]:
        """Run until a run finds nothing left to do; fails if that takes over ``limit``."""
        runs = []
        for _ in range(limit):
            summary = self.sync()
            runs.append(summary)
            assert summary.status == "ok", (summary.status, summary.exit_reason)
            if quiet(summary):
                return runs
        raise AssertionError(f"still writing after {limit} runs: {runs[-1].writes}")

    def outbox(self) -> dict[str, Any]:
        """Field writes waiting in the outbox, by key (``contact:<id>``)."""
        with Store.open(None, work_dir=self.work_dir) as store:
            return {item.key: item for item in store.pending(self.crm, FIELD_OUTBOX)}

    def actions(self, kind: str, status: str) -> set[str]:
        with Store.open(None, work_dir=self.work_dir) as store:
            return set(store.actions_in_state(self.crm, kind, status))

    def cli(self, kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
        """`cxsync sync --format json` in a subprocess (a portal served on loopback)."""
        config = self.root / "cxsync.toml"
        # a JSON string, number or boolean is a TOML one too
        lines = [
            f'crm = "{self.crm}"',
            f"work_dir = {json.dumps(str(self.work_dir))}",
            "[feedback]",
            f"folder = {json.dumps(str(self.root / 'feedback'))}",
            f"[adapter.{self.crm}]",
        ] + [f"{key} = {json.dumps(value)}" for key, value in self.adapter_settings().items()]
        config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("CXSYNC_")}
        if kill_at:
            env["CXSYNC_FAULT_KILL_AT"] = kill_at
        cli = [sys.executable, "-c", "from cxsync.cli.app import main; main()"]
        return subprocess.run(
            [*cli, "--config", str(config), "sync", "--format", "json"],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
