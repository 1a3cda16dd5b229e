"""`cxsync feedback import PATH...`: bring survey responses and field notes into the ledger."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Annotated

import typer

from cxsync.cli.common import OutputFormat, guarded, out_console, print_json, state
from cxsync.cli.exit_codes import ExitCode

__all__ = ["register"]

feedback_app = typer.Typer(help="Survey responses and field notes.", no_args_is_help=True)


@feedback_app.command("import")
def import_command(
    paths: Annotated[
        list[Path], typer.Argument(help="CSV or JSONL files.", exists=True, dir_okay=False)
    ],
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.TABLE,
) -> None:
    """Validate, match and record feedback. The next `cxsync sync` writes the results.

    Bad rows go to the quarantine and the rejects file with their row number and reason;
    the rest is imported. Importing the same file again changes nothing.
    """
    from cxsync.config import load_config
    from cxsync.engine.context import build_context
    from cxsync.engine.feedback_stage import import_stage
    from cxsync.engine.summary import RunSummary

    with guarded():
        config = load_config(state.config_path)
        ctx = build_context(config)
        try:
            with ctx.store.acquire_lock(ctx.scope, f"{socket.gethostname()}:{os.getpid()}"):
                summary = RunSummary(crm=config.crm, scope=ctx.scope)
                report = import_stage(ctx, summary, paths)
        finally:
            ctx.close()
    counts = dict(summary.stage("feedback").counts)
    rejected = sum(v for k, v in counts.items() if k.startswith("rejected_"))
    if output is not OutputFormat.TABLE:
        print_json({"counts": counts, "rejects_file": str(report.rejects_path) if report else None})
    else:
        out_console.print(", ".join(f"{k}={v}" for k, v in sorted(counts.items())), highlight=False)
        if rejected and report is not None:
            out_console.print(f"{rejected} rows rejected: see {report.rejects_path}")
    if rejected:
        raise typer.Exit(int(ExitCode.REJECTED))


def register(app: typer.Typer) -> None:
    app.add_typer(feedback_app, name="feedback")
