"""Rendering run summaries and plans for people (rich) and machines (JSON)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from cxsync.cli.common import out_console, print_json
from cxsync.cli.exit_codes import ExitCode
from cxsync.engine.summary import RunSummary

__all__ = ["exit_code_for", "render_summary"]

_STATUS_EXIT = {
    "ok": ExitCode.OK,
    "partial": ExitCode.PARTIAL,
    "rejected": ExitCode.REJECTED,
    "quota": ExitCode.QUOTA,
    "auth": ExitCode.AUTH,
    "failed": ExitCode.REMOTE,
}


def exit_code_for(summary: RunSummary) -> ExitCode:
    return _STATUS_EXIT.get(summary.status, ExitCode.UNEXPECTED)


def render_summary(summary: RunSummary, *, as_json: bool, plan: bool = False) -> None:
    payload = summary.as_dict()
    if plan:
        payload["plan"] = summary.plan
    if as_json:
        print_json(payload)
        return
    title = "dry run (nothing written)" if summary.dry_run else "sync run"
    out_console.print(
        f"[bold]{title}[/bold] #{summary.run_id} on {summary.scope}: "
        f"[bold]{summary.status}[/bold] — {summary.exit_reason} "
        f"({summary.duration_seconds:.1f}s)",
        highlight=False,
    )
    stages = Table("stage", "counts", title="stages", title_justify="left")
    for name, counts in summary.stages.items():
        stages.add_row(name, ", ".join(f"{k}={v}" for k, v in sorted(counts.counts.items())))
    out_console.print(stages)
    writes = payload["writes"]
    out_console.print(
        "writes: " + ", ".join(f"{k}={v}" for k, v in writes.items() if v), highlight=False
    )
    api = payload["api"]
    out_console.print(
        f"API calls: {api.get('read_calls', 0)} reads, {api.get('write_calls', 0)} writes"
        + (f", {api['throttled']} rate-limit waits" if api.get("throttled") else ""),
        highlight=False,
    )
    if plan and summary.plan:
        _render_plan(summary.plan)
    if summary.conflicts:
        table = Table(
            "record",
            "field",
            "CRM holds",
            "cxsync wanted",
            "resolution",
            title="conflicts (a person edited a cxsync field)",
            title_justify="left",
        )
        for c in summary.conflicts[:50]:
            table.add_row(
                f"{c['object']} {c['record_id']}",
                c["field"],
                str(c["crm_value"]),
                str(c["wanted"]),
                c["resolution"],
            )
        out_console.print(table)


def _render_plan(rows: list[dict[str, Any]]) -> None:
    table = Table(
        "object", "record", "field", "from", "to", title="planned writes", title_justify="left"
    )
    for row in rows:
        table.add_row(
            row["object"], row["record_id"], row["field"], _short(row["from"]), _short(row["to"])
        )
    out_console.print(table)


def _short(value: Any, limit: int = 60) -> str:
    text = "" if value is None else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
