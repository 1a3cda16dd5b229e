"""The run summary: counts per stage, writes, API calls, duration, exit reason."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

__all__ = ["RunSummary", "StageCounts"]


@dataclass
class StageCounts:
    """Counters of one stage (``read``, ``skipped``… whatever the stage counts)."""

    counts: Counter[str] = field(default_factory=Counter)

    def add(self, key: str, n: int = 1) -> None:
        self.counts[key] += n

    def __getitem__(self, key: str) -> int:
        return self.counts[key]


@dataclass
class RunSummary:
    run_id: int | None = None
    crm: str = ""
    scope: str = ""
    dry_run: bool = False
    status: str = "running"  # ok, partial, rejected, failed, quota, locked
    exit_reason: str = ""
    started_at: str = ""
    duration_seconds: float = 0.0
    stages: dict[str, StageCounts] = field(default_factory=dict)
    writes: Counter[str] = field(default_factory=Counter)  # planned/applied/failed/conflicts
    api: dict[str, Any] = field(default_factory=dict)
    plan: list[dict[str, Any]] = field(default_factory=list)
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def stage(self, name: str) -> StageCounts:
        counts = self.stages.get(name)
        if counts is None:  # not setdefault: that builds a throwaway Counter per call
            counts = self.stages[name] = StageCounts()
        return counts

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "crm": self.crm,
            "scope": self.scope,
            "dry_run": self.dry_run,
            "status": self.status,
            "exit_reason": self.exit_reason,
            "started_at": self.started_at,
            "duration_seconds": round(self.duration_seconds, 3),
            "stages": {name: dict(sc.counts) for name, sc in self.stages.items()},
            "writes": {
                k: self.writes.get(k, 0)
                for k in ("planned", "applied", "failed", "conflicts", "tasks", "notes")
            }
            | {k: v for k, v in self.writes.items()},
            "api": self.api,
            "conflicts": self.conflicts[:100],
            "notes": self.notes,
        }
