"""`cxsync sync` and `cxsync runs`."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cxsync.cli.common import OutputFormat, guarded, out_console, print_json, state
from cxsync.cli.render import exit_code_for, render_summary

__all__ = ["register"]


def sync(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the plan; write nothing.")
    ] = False,
    crm: Annotated[
        str | None, typer.Option("--crm", help="Adapter to use (overrides config).")
    ] = None,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.TABLE,
) -> None:
    """Run the whole pipeline once against the configured CRM."""
    from cxsync.config import load_config
    from cxsync.engine.run import run_sync

    with guarded():
        config = load_config(state.config_path, crm=crm)
        result = run_sync(config, dry_run=dry_run)
    render_summary(result.summary, as_json=output is not OutputFormat.TABLE, plan=dry_run)
    raise typer.Exit(int(exit_code_for(result.summary)))


def runs(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many recent runs.")] = 20,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.TABLE,
) -> None:
    """List recent runs recorded in the state store."""
    from cxsync.config import load_config
    from cxsync.store import Store

    with guarded():
        config = load_config(state.config_path)
        with Store.open(config.store_url, work_dir=config.work_dir) as store:
            records = store.list_runs(config.store_scope, limit=limit)
    if output is not OutputFormat.TABLE:
        print_json(
            [
                {
                    "id": r.id,
                    "scope": r.scope,
                    "kind": r.kind,
                    "started_at": r.started_at,
                    "finished_at": r.finished_at,
                    "status": r.status,
                    "exit_reason": r.exit_reason,
                    "dry_run": r.dry_run,
                    "summary": r.summary,
                }
                for r in records
            ]
        )
        return
    table = Table(
        "id",
        "started",
        "kind",
        "status",
        "reason",
        "writes",
        title="recent runs",
        title_justify="left",
    )
    for r in records:
        writes = (r.summary or {}).get("writes", {})
        table.add_row(
            str(r.id),
            str(r.started_at)[:19],
            r.kind + (" (dry)" if r.dry_run else ""),
            r.status,
            r.exit_reason or "",
            str(writes.get("applied", "")),
        )
    out_console.print(table)


def register(app: typer.Typer) -> None:
    app.command("sync")(sync)
    app.command("runs")(runs)
