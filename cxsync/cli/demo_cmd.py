"""`cxsync demo`: the whole pipeline on the bundled sample data."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from cxsync.cli.common import OutputFormat, guarded, out_console, print_json
from cxsync.cli.render import exit_code_for

__all__ = ["register"]


def demo(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the demo CRM, state and report.")
    ] = Path("cxsync-demo"),
    crm: Annotated[
        str, typer.Option("--crm", help="files, or salesforce/hubspot against their emulators.")
    ] = "files",
    fresh: Annotated[
        bool, typer.Option("--fresh", help="Start over: delete the demo folder first.")
    ] = False,
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table or json.")
    ] = OutputFormat.TABLE,
) -> None:
    """Run cxsync end to end on a sample B2B customer base, no CRM account needed."""
    from cxsync.demo import run_demo

    with guarded():
        result = run_demo(out, crm=crm, fresh=fresh)
    summary = result.sync.summary
    if output is not OutputFormat.TABLE:
        print_json(
            {
                "summary": summary.as_dict(),
                "set_aside": result.set_aside,
                "rejected_feedback": result.rejected_feedback,
                "accounts": result.accounts,
                "report": str(result.report_path),
                "crm_folder": str(result.crm_dir),
            }
        )
        raise typer.Exit(0 if summary.status in ("ok", "rejected") else int(exit_code_for(summary)))
    _print(result)
    raise typer.Exit(0 if summary.status in ("ok", "rejected") else int(exit_code_for(summary)))


def _print(result: object) -> None:
    from cxsync.demo import DemoResult

    assert isinstance(result, DemoResult)
    s = result.sync.summary
    out_console.rule(f"cxsync demo — {s.crm}")
    contacts = s.stage("contacts").counts
    out_console.print(
        f"Read {s.stage('accounts')['read']} accounts and {contacts['read']} contacts; "
        f"{contacts['email_person']} real people, {contacts['email_generic']} shared mailboxes, "
        f"{contacts['email_invalid']} invalid addresses, {contacts['duplicate']} duplicates, "
        f"{contacts['stale']} stale.",
        highlight=False,
    )
    if result.set_aside:
        table = Table(
            "contact",
            "email",
            "account",
            "set aside because",
            title="contacts kept out of surveys and scores",
            title_justify="left",
        )
        for row in result.set_aside:
            table.add_row(row["name"], str(row["email"]), row["account"], row["why"])
        out_console.print(table)
    fb = s.stage("feedback").counts
    rejected = sum(v for k, v in fb.items() if k.startswith("rejected_"))
    out_console.print(
        f"Feedback: {fb['imported']} responses and notes imported this run "
        f"({fb['already_imported']} already in the ledger), {rejected} rows rejected.",
        highlight=False,
    )
    if result.rejected_feedback:
        table = Table(
            "file",
            "row",
            "why",
            title="rejected feedback rows (kept in the quarantine)",
            title_justify="left",
        )
        for row in result.rejected_feedback[:25]:
            table.add_row(row["source"], str(row["row"]), row["reason"])
        out_console.print(table)
    table = Table(
        "account",
        "score",
        "band",
        "trend",
        "NPS",
        "role coverage",
        "weakest drivers",
        title="account health (lowest first)",
        title_justify="left",
    )
    for a in result.accounts:
        coverage = a.get("coverage") or {}
        short = {
            "decision_maker": "DM",
            "approver": "APP",
            "influencer": "INF",
            "requester": "REQ",
            "end_user": "EU",
        }
        cov = " ".join(f"{short.get(k, k)} {v}" for k, v in coverage.items())
        weakest = [d for d in a["drivers"] if d.get("effective_weight")][:2]
        drivers = "; ".join(d.get("note", "") for d in weakest)
        nps = "" if a["account_nps"] is None else f"{a['account_nps']:+.0f}"
        table.add_row(
            str(a["name"]), str(a["score"]), str(a["band"]), str(a["trend"]), nps, cov, drivers
        )
    out_console.print(table)
    w = s.writes
    wrote = (
        f"Wrote {w.get('applied', 0)} records to the CRM "
        f"({w.get('planned_fields', 0)} field values), opened {w.get('tasks', 0)} follow-up "
        f"tasks, logged {w.get('notes', 0)} field notes."
    )
    if not w.get("applied") and not w.get("tasks"):
        wrote += " Nothing changed since the last run: nothing written."
    out_console.print(wrote, highlight=False)
    out_console.print(f"CRM folder: {result.crm_dir}", highlight=False)
    out_console.print(f"HTML report: {result.report_path}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
